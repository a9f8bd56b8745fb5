"""SNOMED CT -> ICD-10 / CTV3 maps read from the SNOMED store's refsets, and back."""

from __future__ import annotations

import csv
import json

import pytest

from codelists.cli.main import main
from codelists.terminology.crossmap import export_maps, iter_snomed_maps, map_code
from codelists.terminology.ctv3.importer import import_release as import_ctv3
from codelists.terminology.registry import open_terminology


@pytest.fixture(scope="module")
def snomed(snomed_small_store):
    with open_terminology(snomed_small_store) as terminology:
        yield terminology


def test_snomed_to_icd10_from_both_extended_map_headers(snomed):
    found = map_code(snomed, "69896004", "icd10")
    assert {(m.target_code, m.group) for m in found} == {("M06.9", 1), ("M06.99", 2)}
    origins = {m.origin for m in found}
    assert origins == {"refset 447562003", "refset 999002271000000101"}
    assert {m.target_code for m in map_code(snomed, "195967001", "icd10")} == {"J45.9"}
    assert map_code(snomed, "404684003", "icd10") == []


def test_snomed_to_ctv3_and_ctv3_back_to_snomed(snomed, shared, tmp_path):
    assert [m.target_code for m in map_code(snomed, "195967001", "ctv3")] == ["H33.."]
    release = (shared / "data/terminologies/opencodelists-fixtures/coding_systems/ctv3/"
               "fixtures/import_resources/nhs_readctv3_25.0.0_20180401000001.zip")
    with open_terminology(import_ctv3(release, tmp_path / "ctv3.db")) as ctv3:
        back = map_code(ctv3, "H33..", "snomedct", snomed=snomed)
        assert [m.target_code for m in back] == ["195967001"]
        assert back[0].origin.endswith("(reversed)")


def test_export_every_snomed_to_icd10_map(snomed, tmp_path):
    out = tmp_path / "maps.csv"
    count = export_maps(iter_snomed_maps(snomed, "icd10"), out)
    rows = list(csv.DictReader(out.open()))
    assert count == len(rows) >= 4
    assert any(r["source_code"] == "195967001" and r["target_code"] == "J45.9" for r in rows)
    assert {r["target_system"] for r in rows} == {"icd10"}


def test_map_command_over_the_snomed_store(capsys, snomed_small_store, tmp_path):
    db = ["--db", str(snomed_small_store)]
    assert main(["terminology", "map", "69896004", "--to", "icd10", "--json", *db]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {m["target_code"] for m in data["maps"]} == {"M06.9", "M06.99"}
    assert main(["terminology", "map", "195967001", "--to", "ctv3", *db]) == 0
    assert "195967001 -> H33.." in capsys.readouterr().out
    out = tmp_path / "ctv3.csv"
    assert main(["terminology", "map", "--to", "ctv3", "--output", str(out), *db]) == 0
    assert len(list(csv.DictReader(out.open()))) == 2


def test_snomed_to_opcs4_from_the_uk_extended_map(tmp_path, snomed_small_release):
    """The UK OPCS-4 map refset (999002741000000101) in the UK header, added to a copy of
    the small release (made-up rows: two OPCS-4 codes in one group, as undotted HES-style
    targets)."""
    import shutil

    from codelists.terminology.snomedct.importer import import_release

    release = tmp_path / "release"
    shutil.copytree(snomed_small_release, release)
    uk = next(release.rglob("der2_iisssciRefset_ExtendedMapUKCL*"))
    with uk.open("a", newline="") as fh:
        for n, (target, priority) in enumerate([("W371", 1), ("Z942", 2)]):
            fh.write(f"00000000-0000-4000-8000-00000000000{n}\t20250101\t1\t"
                     f"999000011000000103\t999002741000000101\t439656005\t1\t{priority}\t\t\t"
                     f"{target}\t1\t3\r\n")
    with open_terminology(import_release(release, tmp_path / "s.db")) as snomed:
        found = map_code(snomed, "439656005", "opcs4")
        assert [(m.target_code, m.priority) for m in found] == [("W37.1", 1), ("Z94.2", 2)]
        assert map_code(snomed, "195967001", "opcs4") == []


def test_icd10_back_to_snomed_through_the_reversed_extended_maps(snomed, test_data, tmp_path):
    from codelists.terminology.icd10.importer import import_release as import_icd10

    with open_terminology(import_icd10(test_data / "icd10-uk5-synthetic",
                                       tmp_path / "uk5.db")) as icd10:
        back = map_code(icd10, "J459", "snomedct", snomed=snomed)
        assert {m.target_code for m in back} == {"195967001"}
        assert {m.origin for m in back} == {"refset 447562003 (reversed)",
                                            "refset 999002271000000101 (reversed)"}
        assert all(m.relation == "reversed" for m in back)
        assert map_code(icd10, "A00.0", "snomedct", snomed=snomed) == []
