"""dm+d from the three real NHSBSA release excerpts; BNF codes and the BNF <-> dm+d map."""

from __future__ import annotations

import csv
import json
import shutil
import zipfile

import pytest

from codelists.errors import ImportFailedError
from codelists.terminology.bnf.importer import LEVELS
from codelists.terminology.bnf.importer import import_release as import_bnf
from codelists.terminology.crossmap import map_code
from codelists.terminology.dmd.importer import import_release as import_dmd
from codelists.terminology.registry import detect_system, open_terminology

VMP = "39113611000001102"


@pytest.fixture(scope="module")
def fixtures(shared):
    return shared / "data/terminologies/opencodelists-fixtures"


def release(fixtures, version):
    return (fixtures / "coding_systems/dmd/fixtures/import_resources"
            / f"nhsbsa_dmd_{version}_20221001000001.zip")


@pytest.fixture(scope="module")
def dmd(fixtures, tmp_path_factory):
    path = import_dmd(release(fixtures, "1.0.0"), tmp_path_factory.mktemp("dmd") / "d.db")
    with open_terminology(path) as terminology:
        yield terminology


def test_products_and_their_hierarchy(dmd):
    assert dmd.metadata.edition == "dm+d 1.0.0"
    assert dmd.metadata.release_date == "2022-10-01"
    kinds = {c: dmd.lookup(c).kind for c in dmd.all_codes()}
    assert sorted(kinds.values()) == ["AMP", "AMPP", "VMP", "VMPP", "VTM", "ingredient"]
    assert dmd.descendants("91143003") == [VMP, "222311000001102", "1056811000001104",
                                           "1479411000001101"]
    assert set(dmd.parents("1479411000001101")) == {"222311000001102", "1056811000001104"}


def test_lookups_decode_coded_fields_and_ingredients(dmd):
    attributes = dmd.show(VMP).attributes
    by_type = {(a["type"], a["value"]) for a in attributes}
    assert ("pres_statcd", "Caution - AMP level prescribing advised") in by_type
    assert ("vpi.isid", "Salbutamol sulfate") in by_type
    assert ("dform.formcd", "Pressurised inhalation") in by_type
    assert ("ont.formcd", "pressurizedinhalation.inhalation") in by_type
    ampp = {(a["type"], a["value"]) for a in dmd.show("1479411000001101").attributes}
    assert ("gtin", "5000124439750") in ampp
    assert ("price_info.price", "150") in ampp
    assert ("legal_catcd", "POM") in ampp


def test_search_names_and_previous_names(dmd):
    assert [h.code for h in dmd.search("ventolin evohaler", limit=5)][:1] == ["222311000001102"]
    assert [h.code for h in dmd.search("100micrograms/actuation")] == []
    old = dmd.search("100micrograms/actuation", include_inactive=True)
    assert {h.code for h in old} == {VMP, "222311000001102"}


def test_a_change_between_releases(fixtures, tmp_path):
    """1.0.0 names the VMP's previous id 320139002; 1.2.0 no longer does."""
    with open_terminology(import_dmd(release(fixtures, "1.0.0"), tmp_path / "a.db")) as old:
        assert old.lookup("320139002").code == VMP
    with open_terminology(import_dmd(release(fixtures, "1.2.0"), tmp_path / "b.db")) as new:
        assert new.lookup("320139002") is None
        assert new.lookup(VMP).term == "Salbutamol 100micrograms/dose inhaler CFC free"


def test_a_release_with_two_lookup_files_is_refused(fixtures, tmp_path):
    target = tmp_path / "c.db"
    with pytest.raises(ImportFailedError, match="several f_lookup2 files"):
        import_dmd(release(fixtures, "1.1.0"), target)
    assert not target.exists()


def test_detects_dmd_release(fixtures):
    assert detect_system(release(fixtures, "1.0.0")) == "dmd"


def bnf_code_table(fixtures, folder):
    """The real BNF slice, written as the NHSBSA 'BNF Code Information' CSV."""
    rows = json.loads((fixtures / "coding_systems/bnf/fixtures/asthma.bnf_test_20200101.json")
                      .read_text())
    concepts = {r["pk"]: r["fields"] for r in rows}

    def chain(code):
        out = {}
        while code:
            out[concepts[code]["type"]] = (code, concepts[code]["name"])
            code = concepts[code]["parent"]
        return out

    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "20200101_bnf_code_information.csv"
    with path.open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow([h for level in LEVELS for h in (f"BNF {level}", f"BNF {level} Code")])
        for code, fields in concepts.items():
            if fields["type"] == "Presentation":
                levels = chain(code)
                writer.writerow([v for level in LEVELS
                                 for v in reversed(levels.get(level, ("", "")))])
    return path


def test_bnf_codes_hierarchy(fixtures, tmp_path):
    table = bnf_code_table(fixtures, tmp_path / "bnf")
    assert detect_system(table) == "bnf"
    with open_terminology(import_bnf(table, tmp_path / "bnf.db")) as bnf:
        assert bnf.ancestors("0301012A0AAABAB") == ["03", "0301", "030101", "0301012",
                                                   "0301012A0", "0301012A0AA"]
        assert bnf.lookup("0301012A0AA").kind == "product"
        assert bnf.lookup("301").code == "0301"  # lost leading zero
        assert {h.code for h in bnf.search("adrenaline inhaler")} == {
            "0301012A0AAABAB", "0301012A0AAACAC"}


def test_bnf_to_dmd_map_from_the_real_workbook(fixtures, tmp_path):
    folder = tmp_path / "bnf"
    bnf_code_table(fixtures, folder)
    with zipfile.ZipFile(fixtures / "mappings/bnfdmd/fixtures/import_resources/"
                         "BNF Snomed Mapping data 20241119.zip") as zf:
        zf.extractall(folder)
    with open_terminology(import_bnf(folder, tmp_path / "bnf.db")) as bnf:
        found = {(m["target_code"], m["relation"])
                 for m in bnf.maps_from("0206020T0AAAGAG", "dmd")}
        assert found == {("42217211000001101", "VMP"), ("982511000001103", "VMPP")}
    dmd_folder = tmp_path / "dmd"
    with zipfile.ZipFile(release(fixtures, "1.0.0")) as zf:
        zf.extractall(dmd_folder)
    for workbook in folder.glob("*.xlsx"):
        shutil.copy(workbook, dmd_folder)
    with open_terminology(import_dmd(dmd_folder, tmp_path / "dmd.db")) as dmd:
        rows = dmd.conn.execute("SELECT source_code, target_code FROM maps "
                                "WHERE target_system = 'bnf'").fetchall()
        assert ("108111000001106", "0212000Y0BBAAAA") in rows
        assert map_code(dmd, VMP, "bnf") == []  # the map holds no row for this VMP


def test_bonus_bnf_file_maps_products_to_bnf(fixtures, tmp_path):
    """A bonus f_bnf1 file (layout of the NHSBSA dm+d bonus release, rows ours) beside the
    release files gives dm+d -> BNF maps and ATC codes."""
    folder = tmp_path / "dmd"
    with zipfile.ZipFile(release(fixtures, "1.0.0")) as zf:
        zf.extractall(folder)
    (folder / "f_bnf1_0010122.xml").write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n<BNF_DETAILS>\n'
        f"<VMPS><VMP><VPID>{VMP}</VPID><BNF>0301011R0AAAPAP</BNF><ATC>R03AC02</ATC>"
        "</VMP></VMPS>\n<AMPS><AMP><APID>222311000001102</APID><BNF>0301011R0BEAIAP</BNF>"
        "</AMP></AMPS>\n</BNF_DETAILS>\n")
    with open_terminology(import_dmd(folder, tmp_path / "d.db")) as dmd:
        assert [m.target_code for m in map_code(dmd, VMP, "bnf")] == ["0301011R0AAAPAP"]
        assert [m.target_code for m in map_code(dmd, "222311000001102", "bnf")] == [
            "0301011R0BEAIAP"]
        assert ("atc", "R03AC02") in {(a["type"], a["value"]) for a in dmd.show(VMP).attributes}
