"""The generic `codelist terminology` commands over the other coding systems' stores."""

from __future__ import annotations

import csv
import json

import pytest

from codelists.cli.main import main


def run_json(capsys, argv):
    capsys.readouterr()
    code = main(argv + ["--json"])
    out = capsys.readouterr().out
    assert code == 0, out
    return json.loads(out)


def test_show_search_hierarchy_icd10cm(capsys, icd10cm_store):
    db = ["--db", str(icd10cm_store)]
    detail = run_json(capsys, ["terminology", "show", "J4520", *db])
    assert detail["concept"]["code"] == "J45.20"
    assert detail["concept"]["system"] == "icd10cm"
    assert [p["code"] for p in detail["parents"]] == ["J45.2"]
    hits = run_json(capsys, ["terminology", "search", "classical cholera", *db])
    assert hits[0]["code"] == "A00.0"
    regex = run_json(capsys, ["terminology", "search", "--regex", r"^Cholera, unspecified$",
                              *db])
    assert [h["code"] for h in regex] == ["A00.9"]
    desc = run_json(capsys, ["terminology", "descendants", "J45.2", *db])
    assert {r["code"] for r in desc} == {"J45.20", "J45.21", "J45.22"}
    anc = run_json(capsys, ["terminology", "ancestors", "J45.20", "--self", *db])
    assert {r["code"] for r in anc} == {"10", "J40-J4A", "J45", "J45.2", "J45.20"}


def test_text_output_and_unknown_code(capsys, icd10cm_store):
    assert main(["terminology", "show", "E11.9", "--db", str(icd10cm_store)]) == 0
    assert "Type 2 diabetes mellitus without complications" in capsys.readouterr().out
    assert main(["terminology", "show", "Q99.999", "--db", str(icd10cm_store)]) == 7
    assert "not in this icd10cm store" in capsys.readouterr().err


def test_import_detects_each_system(capsys, shared, test_data, tmp_path):
    fixtures = shared / "data/terminologies/opencodelists-fixtures/coding_systems"
    releases = {
        "ctv3": fixtures / "ctv3/fixtures/import_resources/nhs_readctv3_25.0.0_20180401000001.zip",
        "icd10": fixtures / "icd10/fixtures/import_resources/icd10_gastric_ulcer.zip",
        "readv2": test_data / "readv2-nhs-synthetic",
        "dmd": fixtures / "dmd/fixtures/import_resources/nhsbsa_dmd_1.0.0_20221001000001.zip",
        "opcs4": test_data / "opcs4-synthetic",
        "cprd_medcode": test_data / "cprd-gold-synthetic/medical.txt",
        "cprd_aurum_medcodeid": test_data / "cprd-aurum-synthetic/CPRDAurumMedical.txt",
    }
    for system, release in releases.items():
        summary = run_json(capsys, ["terminology", "import", str(release),
                                    "--db", str(tmp_path / f"{system}.db")])
        assert summary["terminology"] == system
    info = run_json(capsys, ["terminology", "info", "--db", str(tmp_path / "ctv3.db")])
    assert info["release_date"] == "2018-04-01"
    hits = run_json(capsys, ["terminology", "search", "gastric",
                             "--db", str(tmp_path / "icd10.db")])
    assert hits[0]["code"] == "K25"


@pytest.mark.slow
def test_import_the_packaged_icd10cm_by_name(capsys, tmp_path):
    summary = run_json(capsys, ["terminology", "import", "simple-icd-10-cm", "--system",
                                "icd10cm", "--db", str(tmp_path / "cm.db")])
    assert summary["terminology"] == "icd10cm"
    assert int(summary["codes"]) > 98_000


def test_map_command_and_export(capsys, test_data, tmp_path):
    db = tmp_path / "readv2.db"
    assert main(["terminology", "import", str(test_data / "readv2-nhs-synthetic"),
                 "--db", str(db), "--quiet"]) == 0
    found = run_json(capsys, ["terminology", "map", "H330.", "--to", "snomedct",
                              "--db", str(db)])
    assert [m["target_code"] for m in found["maps"]] == ["389145006"]
    capsys.readouterr()
    assert main(["terminology", "map", "H33..11", "--to", "snomedct", "--db", str(db)]) == 0
    assert "H33.. -> 195967001" in capsys.readouterr().out
    out = tmp_path / "maps.csv"
    assert main(["terminology", "map", "--to", "snomedct", "--output", str(out),
                 "--db", str(db)]) == 0
    rows = list(csv.DictReader(out.open()))
    assert {(r["source_code"], r["target_code"]) for r in rows} >= {
        ("H33..", "195967001"), ("H331.", "266361008")}
    assert all(r["source_system"] == "readv2" for r in rows)


def test_map_refuses_a_target_the_store_has_no_map_to(capsys, test_data, tmp_path):
    db = tmp_path / "readv2.db"
    main(["terminology", "import", str(test_data / "readv2-nhs-synthetic"),
          "--db", str(db), "--quiet"])
    assert main(["terminology", "map", "H33..", "--to", "icd10", "--db", str(db)]) == 9
    assert "no map to icd10" in capsys.readouterr().err


@pytest.mark.parametrize("argv", [["terminology", "map", "--to", "nonsense", "X"]])
def test_map_usage_errors(argv):
    assert main(argv) == 2
