"""`convert` and `codelist convert` through real stores and their maps.

- SNOMED CT -> ICD-10 / CTV3: tests/data/snomed-small (extended maps with groups, rules
  and advice; the CTV3 simple map);
- Read v2 <-> SNOMED CT: tests/data/readv2-nhs-synthetic's Data Migration table (read
  forwards, and backwards for SNOMED CT -> Read v2);
- CTV3 -> SNOMED CT: the real CTV3 fixture, through the SNOMED CT maps read backwards;
- BNF -> dm+d: the real NHSBSA mapping workbook; dm+d -> BNF: a bonus f_bnf1 file.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile

import pytest

from codelists.cli.main import main
from codelists.codelist.convert import convert, converted_codelist, mapping_table
from codelists.codelist.fileformat import dumps, load, parse
from codelists.errors import NotSupportedError
from codelists.terminology.bnf.importer import import_release as import_bnf
from codelists.terminology.ctv3.importer import import_release as import_ctv3
from codelists.terminology.dmd.importer import import_release as import_dmd
from codelists.terminology.registry import open_terminology
from tests.integration.test_terminology_dmd_bnf import VMP, bnf_code_table, release

FIXTURES = "data/terminologies/opencodelists-fixtures"


@pytest.fixture(scope="module")
def snomed(snomed_small_store):
    with open_terminology(snomed_small_store) as store:
        yield store


@pytest.fixture(scope="module")
def readv2(readv2_store):
    with open_terminology(readv2_store) as store:
        yield store


def test_snomed_to_icd10_keeps_groups_rules_advice_and_lists_unmapped(snomed, make_codelist):
    cl = make_codelist("69896004       Rheumatoid arthritis\n195967001      Asthma\n"
                       "404684003      Clinical finding\n# 3723001       Arthritis\n",
                       path="ra.codelist")
    conversion = convert(cl, "icd10", source=snomed)
    rows = {(r.source_code, r.target_code, r.entry.group) for r in conversion.rows}
    assert ("69896004", "M06.9", 1) in rows and ("69896004", "M06.99", 2) in rows
    assert ("195967001", "J45.9", 1) in rows
    assert conversion.unmapped == [("404684003", "Clinical finding", "no map")]
    table = list(csv.DictReader(io.StringIO(mapping_table(conversion))))
    ra = [r for r in table if r["source_code"] == "69896004"]
    assert {r["cardinality"] for r in ra} == {"one-to-many"}
    assert all(r["map"].startswith("refset ") for r in ra)
    assert any(r["map_rule"] == "TRUE" and r["map_advice"] == "ALWAYS M06.9" for r in ra)
    assert table[-1]["cardinality"] == "unmapped" and table[-1]["source_code"] == "404684003"
    out = converted_codelist(conversion, cl, "ra.icd10.codelist", today="2026-06-01")
    again = parse(dumps(out), path="ra.icd10.codelist")
    assert again.system.id == "icd10"
    assert set(again.active_codes()) == {r.target_code for r in conversion.rows}
    line = again.line_for("J45.9")
    assert line.tags == {"from": "195967001", "map": "one-to-one"}
    assert "refset" in line.comment
    assert again.method["conversion"]["unmapped"] == ["404684003"]
    assert "# unmapped: 404684003  Clinical finding  (no map)" in dumps(out)


def test_snomed_to_ctv3_and_readv2(snomed, readv2, make_codelist):
    cl = make_codelist("195967001      Asthma\n389145006      Allergic asthma\n")
    assert [r.target_code for r in convert(cl, "ctv3", source=snomed).rows] == ["H33.."]
    back = convert(cl, "readv2", source=snomed, target=readv2)
    assert {(r.source_code, r.target_code) for r in back.rows} == {
        ("195967001", "H33.."), ("389145006", "H330.")}
    assert all("reversed" in r.entry.origin for r in back.rows)
    with pytest.raises(NotSupportedError, match="no installed map from snomedct to readv2"):
        convert(cl, "readv2", source=snomed)


def test_readv2_to_snomed_many_to_one(readv2, snomed, make_codelist):
    cl = make_codelist("H33..        Asthma\nH33z.        Asthma NOS\nH330.        Extrinsic\n",
                       terminology="readv2")
    conversion = convert(cl, "snomedct", source=readv2, target=snomed)
    assert {(r.source_code, r.target_code) for r in conversion.rows} == {
        ("H33..", "195967001"), ("H330.", "389145006")}
    assert [c for c, *_ in conversion.unmapped] == ["H33z."]  # its map row is withdrawn
    asthma = [r for r in conversion.rows if r.target_code == "195967001"][0]
    assert asthma.target_term and conversion.cardinality(asthma) == "one-to-one"


def test_ctv3_to_snomed_through_the_reversed_refsets(shared, snomed, make_codelist,
                                                     tmp_path):
    path = import_ctv3(shared / FIXTURES / "coding_systems/ctv3/fixtures/import_resources"
                       / "nhs_readctv3_25.0.0_20180401000001.zip", tmp_path / "ctv3.db")
    cl = make_codelist("H33..  Asthma\n", terminology="ctv3")
    with open_terminology(path) as ctv3:
        conversion = convert(cl, "snomedct", source=ctv3, target=snomed)
    assert [r.target_code for r in conversion.rows] == ["195967001"]
    assert conversion.rows[0].entry.origin.endswith("(reversed)")


def test_bnf_to_dmd_and_back(shared, make_codelist, tmp_path):
    fixtures = shared / FIXTURES
    folder = tmp_path / "bnf"
    bnf_code_table(fixtures, folder)
    with zipfile.ZipFile(fixtures / "mappings/bnfdmd/fixtures/import_resources/"
                         "BNF Snomed Mapping data 20241119.zip") as zf:
        zf.extractall(folder)
    cl = make_codelist("0206020T0AAAGAG  Nicorandil\n0301012A0AAABAB  Adrenaline\n",
                       terminology="bnf")
    with open_terminology(import_bnf(folder, tmp_path / "bnf.db")) as bnf:
        conversion = convert(cl, "dmd", source=bnf)
    assert {(r.target_code, conversion.cardinality(r)) for r in conversion.rows} == {
        ("42217211000001101", "one-to-many"), ("982511000001103", "one-to-many")}
    assert [c for c, *_ in conversion.unmapped] == ["0301012A0AAABAB"]
    dmd_folder = tmp_path / "dmd"
    with zipfile.ZipFile(release(fixtures, "1.0.0")) as zf:
        zf.extractall(dmd_folder)
    (dmd_folder / "f_bnf1_0010122.xml").write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n<BNF_DETAILS>\n'
        f"<VMPS><VMP><VPID>{VMP}</VPID><BNF>0301011R0AAAPAP</BNF></VMP></VMPS>\n"
        "<AMPS><AMP><APID>222311000001102</APID><BNF>0301011R0BEAIAP</BNF></AMP></AMPS>\n"
        "</BNF_DETAILS>\n")
    products = make_codelist(f"{VMP}  Salbutamol inhaler\n222311000001102  Ventolin\n"
                             "91143003  Salbutamol\n", terminology="dmd")
    with open_terminology(import_dmd(dmd_folder, tmp_path / "d.db")) as dmd:
        back = convert(products, "bnf", source=dmd)
    assert [(r.source_code, r.target_code) for r in back.rows] == [
        (VMP, "0301011R0AAAPAP"), ("222311000001102", "0301011R0BEAIAP")]
    assert [c for c, *_ in back.unmapped] == ["91143003"]


def test_convert_command_both_modes(tmp_path, monkeypatch, capsys, snomed_small_store,
                                    readv2_store, make_codelist):
    monkeypatch.chdir(tmp_path)
    cl = make_codelist("195967001      Asthma\n404684003      Clinical finding\n",
                       path="asthma.codelist")
    (tmp_path / "asthma.codelist").write_text(dumps(cl))
    db = ["--db", str(snomed_small_store)]
    assert main(["convert", "asthma.codelist", "--to", "icd10", *db]) == 0
    assert "1 icd10 code(s) from 2 snomedct code(s)" in capsys.readouterr().out
    converted = load("asthma.icd10.codelist")
    assert converted.active_codes() == ["J45.9"] and converted.meta["status"] == "draft"
    assert main(["convert", "asthma.codelist", "--to", "readv2", "--mode", "table", *db,
                 "--target-db", str(readv2_store)]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    # two rows of the Read v2 map (term codes 00 and 11) lead to H33..
    assert [(r["source_code"], r["target_code"], r["target_term"], r["map_advice"])
            for r in rows] == [("195967001", "H33..", "Asthma", "term 00"),
                               ("195967001", "H33..", "Asthma", "term 11"),
                               ("404684003", "", "", "no map")]
    assert main(["convert", "asthma.codelist", "--to", "ctv3", "--json", *db]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["rows"][0]["target_code"] == "H33.." and data["unmapped"][0]["why"] == "no map"
    assert main(["convert", "asthma.codelist", "--to", "readv2", *db,
                 "--target-db", "missing.db"]) == 5
    assert main(["convert", "asthma.codelist", "--to", "snomedct", *db]) == 2
