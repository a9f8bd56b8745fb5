"""`codelist suggest` and `codelist terminology vectors` end to end."""

from __future__ import annotations

import json

from codelists.cli.main import main
from codelists.codelist.fileformat import load
from tests.integration.test_suggest import header


def write(tmp_path, body: str, system: str = "icd10", title: str = "Depression"):
    path = tmp_path / "list.codelist"
    path.write_text(header(system, title) + body, encoding="utf-8")
    return path


def test_suggest_adds_pending_lines_and_the_report_counts_them(tmp_path, who_icd10_store,
                                                               capsys):
    path = write(tmp_path, "F32  Depressive episode\n")
    assert main(["suggest", str(path), "--db", str(who_icd10_store), "--limit", "3"]) == 0
    out = capsys.readouterr().out
    assert "3 suggestions from hierarchy, terminology" in out and "F32.0" in out
    assert "meaning not used: build the store's vectors once" in out
    lines = list(load(path).code_lines("pending"))
    assert len(lines) == 3
    assert all(line.tags["source"] == "suggest:hierarchy" for line in lines)
    assert "below F32 Depressive episode" in lines[0].comment
    assert main(["report", str(path), "--out", str(tmp_path / "report")]) == 0
    report = "".join(p.read_text() for p in (tmp_path / "report").glob("*.md"))
    assert "Candidates from suggestions (codelist suggest) | 3" in report
    assert "from suggestions: n = 3" in (tmp_path / "report" / "flow.svg").read_text()


def test_suggest_dry_run_json_changes_nothing(tmp_path, who_icd10_store, capsys):
    path = write(tmp_path, "F32\n")
    before = path.read_bytes()
    assert main(["suggest", str(path), "--db", str(who_icd10_store), "--dry-run", "--json",
                 "--source", "hierarchy", "--limit", "0"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["added"] == [] and data["sources"] == ["hierarchy"]
    assert {s["code"] for s in data["suggestions"]} >= {"F32.0", "F32.9"}
    assert data["suggestions"][0]["evidence"][0]["kind"] == "hierarchy"
    assert path.read_bytes() == before


def test_suggest_usage_errors(tmp_path, who_icd10_store, capsys):
    path = write(tmp_path, "F32\n")
    db = ["--db", str(who_icd10_store)]
    assert main(["suggest", str(path), *db, "--source", "guess"]) == 2
    assert "unknown suggestion source" in capsys.readouterr().err
    assert main(["suggest", str(path), *db, "--source", "meaning",
                 "--vectors", str(tmp_path / "none")]) != 0
    assert "no meaning vectors" in capsys.readouterr().err
    assert main(["suggest", str(path), *db, "--source", "data"]) == 2
    assert "--events" in capsys.readouterr().err


def test_vectors_command_then_meaning_and_data(tmp_path, snomed_small_store, capsys):
    out_dir = tmp_path / "small.vectors"
    assert main(["terminology", "vectors", "--db", str(snomed_small_store), "--out",
                 str(out_dir), "--json"]) == 0
    built = json.loads(capsys.readouterr().out)
    assert built["descriptions"] > 0 and (out_dir / "vectors.npy").is_file()
    events = tmp_path / "events.csv"
    rows = ["patient,code,date"]
    rows += [f"{p},69896004,2022-01-01\n{p},3723001,2022-01-01" for p in range(25)]
    rows += [f"{p},322236009,2022-01-01" for p in range(25, 300)]
    events.write_text("\n".join(rows) + "\n")
    path = write(tmp_path, "69896004  Rheumatoid arthritis\n", "snomedct", "Arthritis")
    assert main(["suggest", str(path), "--db", str(snomed_small_store), "--vectors",
                 str(out_dir), "--events", str(events), "--source", "meaning,data",
                 "--json", "--dry-run"]) == 0
    data = json.loads(capsys.readouterr().out)
    top = data["suggestions"][0]
    assert top["code"] == "3723001" and top["source"] == "suggest:meaning,data"


def test_a_store_of_another_system_is_refused(tmp_path, snomed_small_store, capsys):
    path = write(tmp_path, "F32\n")
    assert main(["suggest", str(path), "--db", str(snomed_small_store)]) == 2
    err = capsys.readouterr().err
    assert "the codelist is icd10 but the store is snomedct" in err and "--also-db" in err


def test_terminology_import_recognises_the_simplified_who_xml(tmp_path, who_icd10_xml, capsys):
    from codelists.terminology.store import read_metadata

    db = tmp_path / "who.db"
    assert main(["terminology", "import", str(who_icd10_xml), "--db", str(db), "--json"]) == 0
    meta = read_metadata(db)
    assert meta.terminology == "icd10" and "simplified XML" in meta.edition
    assert json.loads(capsys.readouterr().out)["codes"] == "12542"
