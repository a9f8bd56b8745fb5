"""The codelist commands end to end through ``main(argv)``, with a real SNOMED CT store."""

from __future__ import annotations

import io
import json

import pytest

from codelists.cli.main import main
from codelists.codelist.fileformat import load


@pytest.fixture
def work(tmp_path, monkeypatch, snomed_small_store):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CODELISTS_DB", str(snomed_small_store))
    return tmp_path


def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_new_add_remove_validate(work, capsys):
    assert run(capsys, "new", "arthritis.codelist", "--title", "Arthritis")[0] == 0
    assert run(capsys, "new", "arthritis.codelist")[0] == 4  # exists: refuses
    code, out, _ = run(capsys, "add", "arthritis.codelist", "3723001", "--include-descendants",
                       "--tag", "source=hierarchy")
    assert code == 0 and "Added 3 concept(s)" in out
    cl = load(work / "arthritis.codelist")
    assert cl.active_codes() == ["3723001", "69896004", "439656005"]
    assert cl.line_for("69896004").tags == {"source": "hierarchy"}
    assert cl.meta["version"] == 2
    assert run(capsys, "add", "arthritis.codelist", "3723001")[1].startswith("No new")
    assert run(capsys, "remove", "arthritis.codelist", "439656005", "--reason", "scope")[0] == 0
    assert load(work / "arthritis.codelist").excluded_codes() == ["439656005"]
    code, out, err = run(capsys, "validate", "arthritis.codelist")
    assert code == 0 and "0 error(s)" in out and "placeholder" in err


def test_add_unknown_code_fails_and_leaves_the_file(work, capsys):
    run(capsys, "new", "a.codelist")
    before = (work / "a.codelist").read_bytes()
    code, _, err = run(capsys, "add", "a.codelist", "22298006")
    assert code == 7 and "not in the SNOMED CT store" in err
    assert (work / "a.codelist").read_bytes() == before


def test_add_from_stdin_and_ecl(work, capsys, monkeypatch):
    run(capsys, "new", "a.codelist")
    monkeypatch.setattr("sys.stdin", io.StringIO("3723001 Arthritis\n# comment\n\n195967001\n"))
    assert run(capsys, "add", "a.codelist", "-")[0] == 0
    assert load(work / "a.codelist").active_codes() == ["3723001", "195967001"]
    run(capsys, "new", "b.codelist")
    code, out, err = run(capsys, "add", "b.codelist", "--ecl", "<< 928000")
    assert code == 0, err
    assert set(load(work / "b.codelist").active_codes()) == {
        "928000", "3723001", "429554009", "69896004", "439656005"}


def test_validate_errors_and_json(work, capsys):
    run(capsys, "new", "a.codelist")
    with open(work / "a.codelist", "a") as fh:
        fh.write("1000004        Arthritis NOS\n1000004        Arthritis NOS\n")
    code, out, _ = run(capsys, "validate", "a.codelist", "--json")
    assert code == 1
    data = json.loads(out)
    found = {(p["rule"], p["severity"]) for p in data["problems"]}
    assert {("inactive-code", "error"), ("duplicate", "error")} <= found
    assert all("line" in p for p in data["problems"] if p["rule"] != "no-store")


def test_lint_exit_codes(work, capsys):
    run(capsys, "new", "a.codelist")
    with open(work / "a.codelist", "a") as fh:
        fh.write("195967001      Family history of asthma\n")
    code, out, err = run(capsys, "lint", "a.codelist", "--json")
    assert code == 1 and json.loads(out)["problems"][0]["rule"] == "family-history"
    text = (work / "a.codelist").read_text().replace("asthma\n", "asthma  # lint=off\n")
    (work / "a.codelist").write_text(text)
    assert run(capsys, "lint", "a.codelist")[0] == 0


def test_stats_diff_include_resolve(work, capsys):
    (work / "codelists").mkdir()
    run(capsys, "new", "codelists/elbow.codelist")
    run(capsys, "add", "codelists/elbow.codelist", "429554009", "439656005")
    run(capsys, "new", "all.codelist")
    run(capsys, "add", "all.codelist", "3723001")
    assert run(capsys, "include", "all.codelist", "nowhere")[0] == 4
    assert run(capsys, "include", "all.codelist", "elbow")[0] == 0
    assert load(work / "all.codelist").includes == ["elbow"]
    code, out, _ = run(capsys, "stats", "all.codelist", "--json")
    data = json.loads(out)
    assert data["counts"]["active"] == 1 and data["counts"]["effective"] == 3
    assert data["leaves"] == 0  # 3723001 has children in the store
    code, out, _ = run(capsys, "resolve", "all.codelist", "-o", "flat.codelist")
    assert set(load(work / "flat.codelist").active_codes()) == {"3723001", "429554009",
                                                                "439656005"}
    code, out, _ = run(capsys, "diff", "all.codelist", "flat.codelist", "--json")
    assert [a["code"] for a in json.loads(out)["added"]] == ["429554009", "439656005"]
    code, out, _ = run(capsys, "diff", "all.codelist", "flat.codelist", "--effective")
    assert "No differences found." in out
    code, out, _ = run(capsys, "export", "all.codelist", "--format", "opencodelists")
    assert out.splitlines()[0] == "code,term" and len(out.splitlines()) == 4
    assert run(capsys, "include", "all.codelist", "elbow", "--remove")[0] == 0
    assert "includes" not in load(work / "all.codelist").meta


def test_import_export_round_trip(work, capsys, shared):
    source = shared / "data/codelists/opensafely-post-covid-vaccinated/codelists/" \
                      "user-RochelleKnight-ami_icd10.csv"
    code, out, _ = run(capsys, "import", str(source), "-o", "ami.codelist", "--json")
    assert code == 0 and json.loads(out)["system"] == "icd10"
    assert run(capsys, "import", str(source), "-o", "ami.codelist")[0] == 4  # no overwrite
    code, out, _ = run(capsys, "export", "ami.codelist", "-f", "opencodelists")
    exported = sorted(line.split(",")[0] for line in out.splitlines()[1:])
    original = sorted(line.split(",")[0] for line in source.read_text().splitlines()[1:])
    assert exported == original
    assert run(capsys, "export", "ami.codelist", "-f", "excel")[0] == 2  # binary needs -o
    assert run(capsys, "export", "ami.codelist", "-f", "excel", "-o", "ami.xlsx")[0] == 0
    assert (work / "ami.xlsx").read_bytes()[:2] == b"PK"
    code, out, _ = run(capsys, "export", "ami.codelist", "-f", "csv", "--columns", "status,tags")
    assert out.splitlines()[0] == "code,term,status,tags"


def test_lock_and_check(work, capsys):
    (work / "codelists").mkdir()
    run(capsys, "new", "codelists/a.codelist")
    assert run(capsys, "lock")[0] == 0
    assert json.loads((work / "codelists/codelists.json").read_text())["files"]
    assert run(capsys, "check")[0] == 0
    with open(work / "codelists/a.codelist", "a") as fh:
        fh.write("3723001        Arthritis\n")
    code, out, err = run(capsys, "check", "--json")
    assert code == 1 and json.loads(out)["problems"][0]["rule"] == "drift"


def test_bad_file_gives_file_line_and_fix(work, capsys):
    (work / "bad.codelist").write_text("---\nid: x\ntitle: [oops\n---\n")
    code, _, err = run(capsys, "validate", "bad.codelist")
    assert code == 4
    assert "bad.codelist:3" in err and "fix:" in err


def test_cli_lint_rules_match_the_linter():
    from codelists.cli.codelist_commands import LINT_RULES
    from codelists.codelist.lint import RULES

    assert LINT_RULES == RULES


def test_export_with_map_columns(work, capsys):
    run(capsys, "new", "a.codelist")
    run(capsys, "add", "a.codelist", "195967001", "69896004")
    code, out, err = run(capsys, "export", "a.codelist", "--columns", "maps:icd10,maps:ctv3")
    assert code == 0, err
    rows = {line.split(",")[0]: line for line in out.splitlines()[1:]}
    assert "J45.9" in rows["195967001"] and "H33" in rows["195967001"]
    assert "M06.9" in rows["69896004"]
