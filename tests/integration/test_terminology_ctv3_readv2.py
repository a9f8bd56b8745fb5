"""CTV3 from the real NHS release excerpt and CSV extract; Read v2 from our synthetic release."""

from __future__ import annotations

import shutil
import zipfile

import pytest

from codelists.errors import ImportFailedError
from codelists.terminology.crossmap import map_code
from codelists.terminology.ctv3.importer import import_release as import_ctv3
from codelists.terminology.readv2.importer import import_release as import_readv2
from codelists.terminology.readv2.importer import read_parent
from codelists.terminology.registry import open_terminology

CTV3_ZIP = "nhs_readctv3_25.0.0_20180401000001.zip"


@pytest.fixture(scope="module")
def ctv3_resources(shared):
    return (shared / "data/terminologies/opencodelists-fixtures/coding_systems/ctv3/fixtures"
            / "import_resources")


@pytest.fixture(scope="module")
def ctv3(ctv3_resources, tmp_path_factory):
    path = import_ctv3(ctv3_resources / CTV3_ZIP, tmp_path_factory.mktemp("ctv3") / "c.db")
    with open_terminology(path) as terminology:
        yield terminology


@pytest.fixture(scope="module")
def readv2(test_data, tmp_path_factory):
    path = import_readv2(test_data / "readv2-nhs-synthetic",
                         tmp_path_factory.mktemp("readv2") / "r.db")
    with open_terminology(path) as terminology:
        yield terminology


def test_ctv3_release_hierarchy_terms_and_status(ctv3):
    assert ctv3.metadata.edition == "CTV3 25.0.0"
    assert ctv3.metadata.release_date == "2018-04-01"
    assert ctv3.ancestors("XE0YQ") == [".....", "XaBVJ", "X0003", "H....", "H33..", "X101x"]
    # extinct codes keep their place in the hierarchy: records still carry them
    assert ctv3.descendants("H33..") == ["X101x", "XE0YQ", "XE0ZP"]
    assert ctv3.children("XE0YQ") == ["XE0ZP"]
    extinct = ctv3.show("XE0ZP")
    assert extinct.concept.active is False
    assert extinct.inactivation["reason"] == "extinct"
    terms = {t["term"]: t["type"] for t in ctv3.show("H33..").terms}
    assert terms["Asthma"] == "preferred"
    assert terms["BHR - Bronchial hyperreactivity"] == "synonym"  # the 60-character term


def test_ctv3_search_synonyms_and_inactive(ctv3):
    assert [h.code for h in ctv3.search("airway hyperreactivity")] == ["H33.."]
    assert ctv3.search("extrinsic asthma") == []
    assert [h.code for h in ctv3.search("extrinsic asthma", include_inactive=True)] == ["XE0ZP"]
    assert ctv3.lookup("xe0yq") is None  # CTV3 codes are case-sensitive


def test_ctv3_csv_extract(ctv3_resources, tmp_path):
    path = import_ctv3(ctv3_resources / "2022-11-01", tmp_path / "extract.db")
    with open_terminology(path) as t:
        assert t.count() == 11
        assert t.parents("H33..") == ["H...."]
        assert t.descendants("H....") == ["H33..", "X101x", "XE0YQ", "XE0ZP"]


def test_ctv3_release_map_table(ctv3_resources, tmp_path):
    """The Data Migration map file beside the V3 files is read into the store."""
    folder = tmp_path / "release"
    with zipfile.ZipFile(ctv3_resources / CTV3_ZIP) as zf:
        zf.extractall(folder)
    maps = folder / "Mapping Tables/Updated/Clinically Assured"
    maps.mkdir(parents=True)
    (maps / "ctv3sctmap2_uk_20180401000001.txt").write_text(
        "MAPID\tCTV3_CONCEPTID\tCTV3_TERMID\tCTV3_TERMTYPE\tSCT_CONCEPTID\tSCT_DESCRIPTIONID"
        "\tMAPSTATUS\tEFFECTIVEDATE\tISASSURED\n"
        "m1\tH33..\tY107p\tP\t195967001\t301485011\t1\t20180401\t1\n"
        "m2\tX101x\tY1084\tP\t389145006\t\t1\t20180401\t1\n")
    with open_terminology(import_ctv3(folder, tmp_path / "m.db")) as t:
        assert [m.target_code for m in map_code(t, "H33..", "snomedct")] == ["195967001"]


def test_read_parent():
    assert read_parent("H3300") == "H330."
    assert read_parent("H330.") == "H33.."
    assert read_parent("H....") is None


def test_readv2_hierarchy_from_codes(readv2):
    assert readv2.ancestors("H3300") == ["H....", "H3...", "H33..", "H330."]
    assert readv2.children("H33..") == ["H330.", "H331.", "H33z."]
    assert readv2.lookup("H33..").kind == "level 3"


def test_readv2_seven_character_forms(readv2):
    """CPRD writes Read codes with the term code; both forms name the concept."""
    assert readv2.lookup("H33..00").code == "H33.."
    assert readv2.lookup("H33..11").code == "H33.."
    assert readv2.lookup("H33").code == "H33.."  # lost trailing dots
    assert readv2.lookup("H33..99") is None
    terms = {t["term"]: t["description_id"] for t in readv2.show("H33..").terms}
    assert terms == {"Asthma": "H33..00", "Bronchial asthma": "H33..11",
                     "Asthmatic": "H33..12"}


def test_readv2_search(readv2):
    assert [h.code for h in readv2.search("hay fever")] == ["H330."]
    assert {h.code for h in readv2.search("asthma")} >= {"H33..", "H330.", "H331.", "173A."}
    within = readv2.search_regex("asthma", within="H33..", limit=None)
    assert {h.code for h in within} == {"H33..", "H330.", "H3300", "H331.", "H33z."}


def test_readv2_maps_to_snomed(readv2):
    found = map_code(readv2, "H33..11", "snomedct")
    assert {m.target_code for m in found} == {"195967001"}
    assert map_code(readv2, "H33z.", "snomedct") == []  # the map row is withdrawn
    assert map_code(readv2, "173A.", "snomedct")[0].relation == "unassured"


def test_readv2_release_without_core_file(tmp_path, test_data):
    shutil.copytree(test_data / "readv2-nhs-synthetic", tmp_path / "r")
    (tmp_path / "r/V2/Unified/Corev2.all").unlink()
    with pytest.raises(ImportFailedError, match="Corev2.all"):
        import_readv2(tmp_path / "r", tmp_path / "x.db")


def test_ctv3_truncated_row_names_file_and_line(ctv3_resources, tmp_path):
    folder = tmp_path / "bad"
    with zipfile.ZipFile(ctv3_resources / CTV3_ZIP) as zf:
        zf.extractall(folder)
    hier = folder / "V3/V3hier.v3"
    hier.write_text(hier.read_text() + "XE0ZP\n")
    with pytest.raises(ImportFailedError) as info:
        import_ctv3(folder, tmp_path / "x.db")
    assert info.value.line == 11 and info.value.path.endswith("V3hier.v3")
