"""`add --ecl/--include-descendants`, `remove --include-descendants`, `definition`,
`export --format ecl`, `update` and `upgrade-report` end to end, on the real tennis-elbow
slice and its merged successor (tests/plugins/snomed.py)."""

from __future__ import annotations

import json

import pytest

from codelists.cli.main import main
from codelists.codelist.definition import Definition, Rule
from codelists.codelist.fileformat import load
from codelists.ecl import evaluate
from codelists.terminology.registry import open_terminology


@pytest.fixture
def work(tmp_path, monkeypatch, snomed_elbow_store):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CODELISTS_DB", str(snomed_elbow_store))
    return tmp_path


def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_add_and_remove_record_the_definition(work, capsys):
    run(capsys, "new", "elbow.codelist")
    code, out, _ = run(capsys, "add", "elbow.codelist", "128133004", "--include-descendants")
    assert code == 0 and "definition updated" in out
    run(capsys, "remove", "elbow.codelist", "3723001", "--include-descendants",
        "--reason", "scope")
    cl = load("elbow.codelist")
    assert cl.definition == Definition(rules=(Rule("128133004", True), Rule("3723001", False)))
    # the two codes under Arthritis were in the list: now excluded lines
    assert set(cl.excluded_codes()) == {"439656005", "202855006"}
    code, out, _ = run(capsys, "definition", "elbow.codelist", "--json")
    data = json.loads(out)
    assert [r["term"] for r in data["rules"]] == ["Disorder of elbow", "Arthritis"]
    assert data["expansion"] == {"codes": 5, "not_in_list": [], "listed_not_expanded": []}
    code, out, _ = run(capsys, "definition", "elbow.codelist")
    assert "+ 128133004  Disorder of elbow and descendants" in out
    assert "- 3723001  Arthritis and descendants" in out


def test_add_ecl_records_and_combines(work, capsys):
    run(capsys, "new", "soft.codelist")
    run(capsys, "add", "soft.codelist", "--ecl", "<< 35185008")
    run(capsys, "add", "soft.codelist", "--ecl", "<< 239964003")
    assert load("soft.codelist").definition.ecl == "(<< 35185008) OR (<< 239964003)"
    run(capsys, "add", "soft.codelist", "--ecl", "<< 73583000", "--pending")
    assert load("soft.codelist").definition.ecl == "(<< 35185008) OR (<< 239964003)"


def test_infer_and_export_ecl(work, capsys, snomed_elbow_store):
    run(capsys, "new", "flat.codelist")
    run(capsys, "add", "flat.codelist", "128133004", "35185008", "73583000", "202855006",
        "239964003", "429554009")  # Disorder of elbow without Arthritis of elbow
    code, out, _ = run(capsys, "definition", "flat.codelist", "--infer", "--json")
    assert [(r["code"], r["include"]) for r in json.loads(out)["rules"]] == [
        ("128133004", True), ("439656005", False), ("202855006", True)]
    assert load("flat.codelist").definition.is_empty()  # not written without --write
    run(capsys, "definition", "flat.codelist", "--infer", "--write")
    cl = load("flat.codelist")
    assert len(cl.definition.rules) == 3
    code, out, _ = run(capsys, "export", "flat.codelist", "--format", "ecl")
    assert code == 0
    with open_terminology(snomed_elbow_store) as store:
        got = {str(i) for i in evaluate(out.strip(), store).ids}
    assert got == set(cl.active_codes())


def test_export_ecl_refuses_other_systems(work, capsys):
    run(capsys, "new", "icd.codelist", "--terminology", "icd10")
    run(capsys, "add", "icd.codelist", "J45", "--offline")
    code, _, err = run(capsys, "export", "icd.codelist", "--format", "ecl")
    assert code == 9 and "SNOMED CT" in err


def test_update_and_upgrade_report(work, capsys, snomed_tennis_merged_store):
    study = work / "study"
    study.mkdir()
    run(capsys, "new", "study/soft.codelist")
    run(capsys, "add", "study/soft.codelist", "--ecl", "<< 19660004")
    run(capsys, "new", "study/elbow.codelist")
    run(capsys, "add", "study/elbow.codelist", "128133004", "--include-descendants")
    run(capsys, "new", "study/icd.codelist", "--terminology", "icd10")
    merged = str(snomed_tennis_merged_store)
    code, out, _ = run(capsys, "upgrade-report", "study", "--release", merged, "--json")
    report = json.loads(out)
    assert code == 1 and report["needs_decision"] and report["release"] == "20201015"
    by_path = {p["path"]: p for p in report["codelists"]}
    assert by_path["study/elbow.codelist"]["changes"] == []
    assert by_path["study/soft.codelist"]["counts"]["new"] == 14
    assert report["skipped"] == [{"path": "study/icd.codelist", "why": "other system",
                                  "detail": "icd10"}]
    code, out, _ = run(capsys, "upgrade-report", "study", "--release", merged)
    assert code == 1 and "study/soft.codelist" in out and "Decisions needed" in out
    before = (study / "soft.codelist").read_text()
    code, out, _ = run(capsys, "update", "study/soft.codelist", "--release", merged,
                       "--dry-run", "--json")
    assert code == 0 and json.loads(out)["written"] is False
    assert (study / "soft.codelist").read_text() == before
    code, out, _ = run(capsys, "update", "study/soft.codelist", "--release", merged)
    assert code == 0 and "238484001" in out and "Wrote" in out
    cl = load(study / "soft.codelist")
    assert "238484001" in cl.pending_codes() and cl.meta["snomed_release"] == "20201015"
    code, out, _ = run(capsys, "upgrade-report", "study", "--release", merged)
    assert code == 0 and "Nothing to decide" in out


def test_update_refuses_a_store_of_another_system(work, capsys, icd10_store):
    run(capsys, "new", "x.codelist")
    code, _, err = run(capsys, "update", "x.codelist", "--release", str(icd10_store))
    assert code == 2 and "the release is icd10" in err
    code, _, err = run(capsys, "update", "x.codelist", "--release", "nowhere.db")
    assert code == 5 and "no store at nowhere.db" in err


DMD_VMP = "39113611000001102"


def test_update_dmd_across_the_three_real_releases(tmp_path, monkeypatch, capsys,
                                                   dmd_release_stores):
    """A list written with a VMP's previous id, moved 1.0.0 -> 1.1.0 -> 1.2.0."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CODELISTS_DB", str(dmd_release_stores["1.0.0"]))
    run(capsys, "new", "salbutamol.codelist", "--terminology", "dmd")
    with open("salbutamol.codelist", "a", encoding="utf-8") as fh:
        fh.write("320139002  Salbutamol 100micrograms/dose inhaler CFC free\n"
                 "91143003  Salbutamol\n")
    release = {v: str(p) for v, p in dmd_release_stores.items()}
    code, out, _ = run(capsys, "update", "salbutamol.codelist", "--release", release["1.0.0"],
                       "--dry-run", "--json")
    changes = json.loads(out)["changes"]
    assert code == 0 and [(c["kind"], c["code"], c["source"], c["association"], c["reason"])
                          for c in changes] == [
        ("new-id", DMD_VMP, "320139002", "CURRENT ID", "previous id (VPIDPREV)")]
    code, out, _ = run(capsys, "update", "salbutamol.codelist", "--release", release["1.0.0"])
    assert code == 0 and DMD_VMP in out
    text = open("salbutamol.codelist", encoding="utf-8").read()
    assert (f"# ? {DMD_VMP}  Salbutamol 100micrograms/dose inhaler CFC free  # CURRENT ID "
            "of 320139002 in 20221001: previous id (VPIDPREV)") in text
    cl = load("salbutamol.codelist")
    assert cl.active_codes() == ["320139002", "91143003"]  # old records keep the old id
    # 1.1.0 (its lookup file twice) imports, and says nothing new about the list
    code, out, _ = run(capsys, "update", "salbutamol.codelist", "--release", release["1.1.0"],
                       "--dry-run", "--json")
    assert code == 0 and json.loads(out)["changes"] == []
    # 1.2.0 no longer knows the previous id: reported for a decision, nothing decided
    code, out, _ = run(capsys, "upgrade-report", ".", "--release", release["1.2.0"],
                       "--json")
    report = json.loads(out)
    assert code == 1 and report["system"] == "dmd"
    [plan] = report["codelists"]
    assert [(c["kind"], c["code"]) for c in plan["changes"]] == [("unknown", "320139002")]
    assert load("salbutamol.codelist").pending_codes() == [DMD_VMP]
