"""Import and export formats on small hand-written files (tests/data/codelist-formats)."""

from __future__ import annotations

import csv
import io
import json

import pytest

from codelists.codelist.fileformat import dumps, parse
from codelists.errors import InputFileError, NotSupportedError, UsageError
from codelists.formats import detect_format, export, import_file
from codelists.formats.table import safe_cell, to_codelist


@pytest.fixture
def data(test_data):
    return test_data / "codelist-formats"


def roundtrip(imported):
    return parse(dumps(to_codelist(imported, today="2026-01-01")))


def test_detect_format(data, shared):
    assert detect_format(data / "clinicalcodes.csv") == "clinicalcodes"
    assert detect_format(data / "definition.csv") == "definition"
    assert detect_format(data / "valueset.json") == "fhir"
    assert detect_format(data / "atlas.json") == "omop"
    caliber = shared / "data/codelists/caliber-chronological-map/secondary_care/OPCS_PDA.csv"
    assert detect_format(caliber) == "caliber"


def test_clinicalcodes_round_trip(data, tmp_path):
    imported = import_file(data / "clinicalcodes.csv")
    assert imported.system == "readv2"
    cl = roundtrip(imported)
    assert cl.active_codes() == ["H33..00", "H330.00", "H331.00"]
    assert cl.meta["title"] == "Asthma (Read)"
    out = tmp_path / "cc.csv"
    out.write_text(export(cl, "clinicalcodes"))
    rows = list(csv.DictReader(out.open()))
    assert [r["code"] for r in rows] == cl.active_codes()
    assert rows[0]["coding_system"] == "Read" and rows[0]["entity"] == "diagnosis"
    assert set(import_file(out).included()) == set(cl.active_codes())


def test_definition_csv(data):
    imported = import_file(data / "definition.csv")
    cl = roundtrip(imported)
    assert cl.active_codes() == ["128133004"] and cl.excluded_codes() == ["3723001"]
    assert cl.line_for("128133004").tags == {"rule": "descendants"}
    text = export(cl, "definition")
    assert text.splitlines() == ["code,term,is_included", "128133004,Disorder of elbow,+",
                                 "3723001,Arthritis,-"]


def test_fhir_import_and_export_validates(data):
    imported = import_file(data / "valueset.json")
    cl = roundtrip(imported)
    assert cl.active_codes() == ["128133004", "429554009"]
    assert cl.excluded_codes() == ["439656005"]
    assert cl.meta["canonical_url"] == "http://example.org/fhir/ValueSet/elbow"
    resource = json.loads(export(cl, "fhir"))
    assert resource["url"] == "http://example.org/fhir/ValueSet/elbow"
    _validate_r4(resource)
    assert [c["code"] for c in resource["compose"]["include"][0]["concept"]] == [
        "128133004", "429554009"]
    assert resource["compose"]["exclude"][0]["concept"][0]["code"] == "439656005"


def _validate_r4(resource: dict) -> None:
    """Validate with fhir.resources' R4B model (fhir.resources 8 ships R5, R4B and STU3;
    R4B's ValueSet is R4's, unchanged)."""
    from fhir.resources.R4B.valueset import ValueSet

    parsed = ValueSet.model_validate(resource)
    assert parsed.compose is not None
    assert parsed.status == resource["status"]


def test_fhir_filters_are_refused(data):
    with pytest.raises(NotSupportedError):
        import_file(data / "valueset-filter.json")


def test_fhir_bad_json_names_the_line(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{\n  "resourceType": "ValueSet",\n  oops\n}')
    with pytest.raises(InputFileError) as info:
        import_file(bad, format="fhir")
    assert info.value.line == 3


def test_empty_codelist_exports_a_valid_valueset():
    cl = parse("---\nid: empty\ntitle: Empty\nterminology: SNOMED CT\nstatus: draft\n---\n")
    resource = json.loads(export(cl, "fhir"))
    _validate_r4(resource)
    assert resource["compose"]["exclude"] == [{"system": "http://snomed.info/sct"}]


def test_atlas_concept_set(data):
    imported = import_file(data / "atlas.json")
    cl = roundtrip(imported)
    assert cl.active_codes() == ["44054006"] and cl.excluded_codes() == ["313436004"]
    assert cl.line_for("44054006").tags == {"omop_concept_id": "201826",
                                            "rule": "descendants"}
    data_out = json.loads(export(cl, "omop"))
    items = data_out["expression"]["items"]
    assert items[0]["concept"]["CONCEPT_ID"] == 201826 and items[0]["includeDescendants"]
    assert items[1]["isExcluded"] is True


def test_delimited_mapping_and_formula_neutralised(data, tmp_path):
    imported = import_file(data / "mapped.tsv", format="delimited", system="readv2",
                           code_column="Read code", term_column="Description",
                           status_column="Decision", group_column="Section")
    cl = roundtrip(imported)
    assert cl.active_codes() == ["H333.", "H33..", "H330."]
    assert cl.excluded_codes() == ["173A."]
    assert [ln.text for ln in cl.lines if ln.kind == "heading"] == ["# ── Asthma ──",
                                                                   "# ── Other ──"]
    text = export(cl, "csv", columns=["status"], include=("active", "excluded"))
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[1] == ["H333.", "'=HYPERLINK(\"http://example.org\")", "active"]
    assert rows[-1] == ["173A.", "Exercise induced asthma", "excluded"]


def test_unknown_column_is_a_clear_error(data):
    with pytest.raises(InputFileError) as info:
        import_file(data / "mapped.tsv", format="delimited", code_column="nope")
    assert "nope" in info.value.message and info.value.line == 1


def test_excel_export_never_writes_formulas(data, tmp_path):
    from openpyxl import load_workbook

    imported = import_file(data / "mapped.tsv", format="delimited", system="readv2",
                           code_column="Read code", term_column="Description")
    cl = roundtrip(imported)
    path = tmp_path / "out.xlsx"
    path.write_bytes(export(cl, "excel"))
    sheet = load_workbook(path)["codes"]
    cells = [c for row in sheet.iter_rows() for c in row]
    assert all(c.data_type != "f" for c in cells)
    assert sheet["B2"].value == '=HYPERLINK("http://example.org")'
    assert sheet["A3"].value == "H33.."
    back = import_file(path, code_column="code", term_column="term", system="readv2")
    assert set(back.included()) == set(cl.active_codes())


def test_markdown_and_syntax_exports(data):
    cl = roundtrip(import_file(data / "clinicalcodes.csv"))
    md = export(cl, "markdown")
    assert md.startswith("# Asthma (Read)\n") and "| H330.00 | Extrinsic (atopic) asthma |" in md
    stata = export(cl, "stata")
    assert 'inlist(code, "H33..00", "H330.00", "H331.00")' in stata
    r_code = export(cl, "r")
    assert 'c(\n  "H33..00",' in r_code
    sql = export(cl, "sql")
    assert "INSERT INTO codelist_" in sql and "('H330.00', 'Extrinsic (atopic) asthma')" in sql


def test_opencodelists_export_undots_icd10():
    cl = parse("---\nid: x\nterminology: ICD-10\n---\nI21.0  Acute MI\n")
    assert export(cl, "opencodelists").splitlines()[1] == "I210,Acute MI"


@pytest.mark.parametrize("value,expected", [
    ("=1+1", "'=1+1"), ("+SUM(A1)", "'+SUM(A1)"), ("@cmd", "'@cmd"), ("-1.5", "-1.5"),
    ("-x", "'-x"), ("plain", "plain"), ("\tx", "'\tx"), ("+", "+"), ("-", "-"),
])
def test_safe_cell(value, expected):
    assert safe_cell(value) == expected


def test_unknown_format():
    with pytest.raises(UsageError):
        export(parse("---\nid: x\n---\n"), "docx")


def test_the_fhir_validator_is_not_a_rubber_stamp():
    import pydantic
    from fhir.resources.R4B.valueset import ValueSet

    with pytest.raises(pydantic.ValidationError):  # a concept without its required code
        ValueSet.model_validate({"resourceType": "ValueSet", "status": "draft", "compose": {
            "include": [{"system": "http://snomed.info/sct", "concept": [{"display": "x"}]}]}})


def test_empty_valueset_round_trips(tmp_path):
    cl = parse("---\nid: empty\ntitle: Empty\nterminology: ICD-10\nstatus: draft\n---\n")
    path = tmp_path / "empty.json"
    path.write_text(export(cl, "fhir"))
    imported = import_file(path)
    assert imported.codes == [] and imported.system == "icd10"
