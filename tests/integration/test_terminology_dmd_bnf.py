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


def store_content(terminology) -> dict:
    """What a dm+d store says about every code: concept, attributes, parents."""
    return {code: (terminology.lookup(code), sorted(
        (a["type"], a["value"], a.get("value_code") or "")
        for a in terminology.show(code).attributes), terminology.parents(code))
        for code in terminology.all_codes(include_inactive=True)}


def test_a_copied_lookup_file_is_read_once(fixtures, dmd, tmp_path):
    """1.1.0 is 1.0.0 with its lookup file twice (f_lookup2_test1.xml, the same bytes)."""
    with open_terminology(import_dmd(release(fixtures, "1.1.0"), tmp_path / "c.db")) as copy:
        assert copy.metadata.edition == "dm+d 1.1.0"
        assert store_content(copy) == store_content(dmd)
        assert copy.lookup("320139002").code == VMP


def unpacked(fixtures, version, folder):
    with zipfile.ZipFile(release(fixtures, version)) as archive:
        archive.extractall(folder)
    return folder


def split_lookup(folder, change=None):
    """The lookup file as two files holding half the tables each (optionally with one
    description changed in the second, and a table repeated so they overlap)."""
    import xml.etree.ElementTree as ET

    path = folder / "f_lookup2_test.xml"
    root = ET.parse(path).getroot()
    tables = list(root)
    first, second = ET.Element("LOOKUP"), ET.Element("LOOKUP")
    first.extend(tables[: len(tables) // 2])
    second.extend(tables[len(tables) // 2:])
    second.append(tables[0])  # both files hold this table
    if change:
        second.find(f"{change}/INFO/DESC").text = "Something else"
    path.unlink()
    ET.ElementTree(first).write(folder / "f_lookup2_part1.xml", encoding="utf-8")
    ET.ElementTree(second).write(folder / "f_lookup2_part2.xml", encoding="utf-8")
    return tables[0].tag


def test_lookup_files_that_agree_are_merged(fixtures, dmd, tmp_path):
    folder = unpacked(fixtures, "1.0.0", tmp_path / "nhsbsa_dmd_1.0.0_20221001000001")
    split_lookup(folder)
    with open_terminology(import_dmd(folder, tmp_path / "m.db")) as merged:
        assert store_content(merged) == store_content(dmd)


def test_lookup_files_that_disagree_are_refused(fixtures, tmp_path):
    folder = unpacked(fixtures, "1.0.0", tmp_path / "nhsbsa_dmd_1.0.0_20221001000001")
    table = split_lookup(folder)
    split_lookup(unpacked(fixtures, "1.0.0", tmp_path / "other"), change=table)
    shutil.copyfile(tmp_path / "other" / "f_lookup2_part2.xml",
                    folder / "f_lookup2_part2.xml")
    target = tmp_path / "x.db"
    with pytest.raises(ImportFailedError) as caught:
        import_dmd(folder, target)
    message = str(caught.value)
    assert f"lookup {table} code 0001" in message
    assert "f_lookup2_part1.xml" in message and "f_lookup2_part2.xml" in message
    assert "Something else" in message and "different releases" in message
    assert not target.exists()


def test_two_different_product_files_are_refused(fixtures, tmp_path):
    folder = unpacked(fixtures, "1.0.0", tmp_path / "nhsbsa_dmd_1.0.0_20221001000001")
    with zipfile.ZipFile(release(fixtures, "1.2.0")) as later:
        (folder / "f_vmp2_later.xml").write_bytes(later.read("f_vmp2_test.xml"))
    with pytest.raises(ImportFailedError, match="2 different f_vmp2 files: "
                       "f_vmp2_later.xml, f_vmp2_test.xml"):
        import_dmd(folder, tmp_path / "y.db")
    assert not (tmp_path / "y.db").exists()


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
