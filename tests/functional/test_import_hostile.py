"""`codelist import` end to end on hostile files (tests/data/import-hostile): each imports
faithfully (every change reported and kept on its line) or is refused with a message that
names the file, the line and a fix; exit code 4 for a bad file, never a traceback."""

from __future__ import annotations

import csv
import io
import json
import zipfile

import pytest

from codelists.cli.main import main
from codelists.codelist.fileformat import load
from codelists.formats import export, import_all, import_file
from codelists.formats.table import to_codelist, untag_value

HOSTILE = "import-hostile"


@pytest.fixture
def hostile(test_data, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return test_data / HOSTILE


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def codes_of(path) -> dict[str, str]:
    """code -> term of the exported CSV (active lines)."""
    text = export(load(path), "csv")
    return {r["code"]: r["term"] for r in csv.DictReader(io.StringIO(text))}


@pytest.mark.parametrize("name", ["utf16le-bom.csv", "utf16be-bom.tsv", "cr-only.csv",
                                  "semicolon.csv", "pipe.txt", "cp1252.csv"])
def test_encodings_line_ends_and_delimiters_import(hostile, capsys, name):
    code, out, err = run(capsys, "import", hostile / name, "-o", "out.codelist")
    assert code == 0, err
    found = codes_of("out.codelist")
    assert "195967001" in found
    assert found["195967001"].startswith("Asthma")
    if name == "cp1252.csv":
        assert found["195967001"] == "Asthma – café"
    if name == "semicolon.csv":
        assert found["195967001"] == "Asthma, unspecified"


@pytest.mark.parametrize(("name", "words"), [
    ("header-only.csv", "has a header (code, term) but no rows of codes"),
    ("empty.csv", "the file is empty"),
    ("binary.csv", "this is a PNG image, not a text table"),
    ("nul-bytes.csv", "NUL bytes"),
    ("duplicate-header.csv", "more than one column is named 'code'"),
    ("mixed-delimiters.csv", "the header is tab-separated but the rows are comma-separated"),
    ("ctv3-or-icd10cm.csv", "fit readv2, ctv3"),
    ("not-a-codelist.json", "resourceType 'Patient'"),
])
def test_refusals_name_the_real_problem(hostile, capsys, name, words):
    code, out, err = run(capsys, "import", hostile / name, "-o", "out.codelist")
    assert code == 4
    assert words in err
    assert name in err and "fix:" in err
    assert "Traceback" not in err and "\\x" not in err and "b'" not in err


def test_nul_bytes_name_the_line(hostile, capsys):
    err = run(capsys, "import", hostile / "nul-bytes.csv")[2]
    assert "nul-bytes.csv:3:" in err


def test_ctv3_is_never_rewritten_as_icd10cm(hostile, capsys):
    code, out, err = run(capsys, "import", hostile / "ctv3-lowercase.csv", "-o", "o.codelist")
    assert code == 0, err
    cl = load("o.codelist")
    assert cl.system.id == "ctv3"
    assert cl.active_codes() == ["X00AW", "XE0Uh", "XaBVJ"]


def test_ambiguous_codes_import_once_the_user_decides(hostile, capsys):
    code, _, err = run(capsys, "import", hostile / "ctv3-or-icd10cm.csv", "--system", "ctv3")
    assert code == 0, err
    assert load("ctv3-or-icd10cm.codelist").active_codes() == ["X00AW", "XE0UH"]


def test_every_change_is_reported_and_kept_on_the_line(hostile, capsys):
    code, out, err = run(capsys, "import", hostile / "dagger.csv", "-o", "d.codelist")
    assert code == 0
    assert "'B01.2+' stored as B01.2 (dagger/asterisk mark dropped)" in err
    cl = load("d.codelist")
    line = cl.line_for("B01.2")
    assert untag_value(line.tags["original"]) == "B01.2+"
    assert "dagger" in line.tags["why"]
    assert cl.line_for("J17.1").tags["why"].startswith("dagger")


def test_spreadsheet_guards_and_spaces(hostile, capsys):
    assert run(capsys, "import", hostile / "excel-guards.csv", "-o", "g.codelist")[0] == 0
    cl = load("g.codelist")
    assert cl.active_codes() == ["195967001", "22298006"]
    assert untag_value(cl.line_for("22298006").tags["why"]) == "spreadsheet-guard-#-removed"
    assert run(capsys, "import", hostile / "nbsp.csv", "-o", "n.codelist")[0] == 0
    assert load("n.codelist").active_codes() == ["195967001", "22298006"]


def test_missing_markers_are_listed_not_imported(hostile):
    imported = import_file(hostile / "missing-markers.csv")
    assert imported.system == "cprd_medcode"
    assert imported.included() == ["462", "1234"]
    assert any("3 row(s) have no code in column 'medcode'" in n and "lines 3-5" in n
               for n in imported.notes)


def test_scientific_notation_lists_every_bad_cell(hostile, capsys):
    code, _, err = run(capsys, "import", hostile / "scientific.tsv", "--system", "cprd_medcode")
    assert code == 4
    assert "2 cell(s) are not CPRD medcode codes" in err
    assert "line 3: '1.23E+05'" in err and "line 4: '6.63E+102'" in err
    assert "--skip-invalid" in err


def test_skip_invalid_keeps_each_skipped_cell_audited(hostile, capsys):
    code, out, err = run(capsys, "import", hostile / "scientific.tsv", "--system",
                         "cprd_medcode", "--skip-invalid", "-o", "s.codelist")
    assert code == 0, err
    cl = load("s.codelist")
    assert cl.active_codes() == ["462", "1682"]
    text = (cl.path or "s.codelist") and open("s.codelist").read()
    assert text.count("reason=invalid-input") == 2
    assert "1.23E+05" in text and "6.63E+102" in text


def test_duplicate_rows_become_one_line_and_are_reported(hostile):
    imported = import_file(hostile / "duplicate-rows.csv")
    assert any("row 3: duplicate of row 2 (195967001)" in n for n in imported.notes)


def test_the_clean_code_column_wins_and_the_reason_is_said(hostile):
    imported = import_file(hostile / "several-code-columns.tsv")
    assert imported.system == "cprd_medcode"
    assert imported.included() == ["462", "283819", "1682"]
    assert any("codes from column 'medcode'" in n for n in imported.notes)
    assert [c.term for c in imported.codes][0] == "Panic attack"


def test_term_columns_and_storeless_systems(hostile):
    terms = import_file(hostile / "term-columns.csv")
    assert terms.system == "icd10"
    assert [c.term for c in terms.codes] == ["Type 2 diabetes mellitus",
                                            "Type 1 diabetes mellitus without complications"]
    loinc = import_file(hostile / "loinc.csv")
    assert loinc.system == "loinc"
    assert loinc.included() == ["2345-7", "4548-4"]


def test_fhir_valueset_over_several_systems(hostile, capsys):
    found = import_all(hostile / "fhir-multi-system.json")
    assert {i.system: i.included() for i in found} == {
        "snomedct": ["73211009"], "icd10cm": ["E11.9"], "loinc": ["4548-4"]}
    picked = import_file(hostile / "fhir-multi-system.json", system="icd10cm")
    assert picked.included() == ["E11.9"]
    assert any("not imported" in n for n in picked.notes)
    code, out, err = run(capsys, "import", hostile / "fhir-multi-system.json", "-o", "vs")
    assert code == 0, err
    assert out.count("Imported 1 ") == 3


def test_fhir_expansion_is_read_when_compose_selects_by_filter(hostile):
    imported = import_file(hostile / "fhir-filter-with-expansion.json")
    assert imported.included() == ["195967001", "266361008", "424643009"]


def test_atlas_over_several_vocabularies_keeps_concept_ids_and_rules(hostile):
    imported = import_file(hostile / "atlas-mixed.json")
    assert imported.system == "omop"
    assert imported.included() == ["201826", "3004410"]
    first = imported.codes[0]
    assert first.extra["vocabulary"] == "SNOMED" and first.extra["source_code"] == "44054006"
    assert first.extra["rule"] == "descendants"
    assert [c.code for c in imported.codes if not c.included] == ["443732"]
    codelist = to_codelist(imported)
    assert [(r.code, r.include) for r in codelist.definition.rules] == [
        ("201826", True), ("443732", False)]


def test_cohort_concept_sets_keep_their_rules(shared, tmp_path):
    found = import_all(shared / "data/codelists/ohdsi-concept-sets/cohorts/1022.json")
    assert [i.meta["member"] for i in found] == ["2-sleep-disorders", "4-inpatient-or-er-visit",
                                                 "5-major-depressive-disorder"]
    for imported in found:
        rules = to_codelist(imported).definition.rules
        assert rules, imported.meta["member"]
        assert {r.code for r in rules} <= {c.code for c in imported.codes}


# -- generated hostile files ----------------------------------------------------------------
def _workbook(path, sheets: dict[str, list[list]]):
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def test_workbook_with_several_sheets_lists_them(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = _workbook(tmp_path / "lists.xlsx", {
        "Asthma": [["code", "term"], ["195967001", "Asthma"]],
        "MI": [["code", "term"], ["22298006", "Myocardial infarction"]]})
    code, _, err = run(capsys, "import", path)
    assert code == 4 and "2 sheets with data: Asthma, MI" in err and "--sheet" in err
    code, _, err = run(capsys, "import", path, "--sheet", "MI", "-o", "mi.codelist")
    assert code == 0, err
    assert load("mi.codelist").active_codes() == ["22298006"]


def test_formula_cells_without_saved_values_are_reported(tmp_path):
    # openpyxl saves formulas without cached values, as a script-made workbook does
    path = _workbook(tmp_path / "f.xlsx", {"codes": [
        ["code", "term"], ["195967001", "Asthma"], ['=CONCATENATE("2229","8006")', "MI"],
        ["22298006", '=UPPER("mi")']]})
    with pytest.raises(Exception) as caught:
        import_file(path)
    message = str(caught.value)
    assert "line 3" in message and "formula without a saved value" in message
    imported = import_file(path, system="snomedct", skip_invalid=True)
    assert imported.included() == ["195967001", "22298006"]
    assert any("2 formula cell(s)" in n and "A3, B4" in n for n in imported.notes)


def test_title_rows_above_the_header_are_skipped_and_said(tmp_path):
    path = _workbook(tmp_path / "t.xlsx", {"ICD": [
        ["Admission codes"], [], ["ICD-10 code", "Description"], ["J45.0", "Asthma"]]})
    imported = import_file(path)
    assert imported.included() == ["J45.0"]
    assert any("title rows above the header" in n for n in imported.notes)


def test_zip_archive_imports_each_member(hostile, tmp_path, capsys):  # cwd: tmp_path
    path = tmp_path / "lists.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.write(hostile / "cr-only.csv", "lists/asthma.csv")
        archive.write(hostile / "loinc.csv", "lists/glucose.csv")
        archive.writestr("lists/README.md", "# read me")
    found = import_all(path)
    assert [(i.meta["member"], i.system) for i in found] == [("asthma", "snomedct"),
                                                             ("glucose", "loinc")]
    assert any("README.md" in n for n in found[0].notes)
    code, out, err = run(capsys, "import", path, "-o", "out")
    assert code == 0, err
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "lists-asthma.codelist", "lists-glucose.codelist"]


def test_zip_member_failure_names_the_member(hostile, tmp_path, capsys):
    path = tmp_path / "bad.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.write(hostile / "header-only.csv", "header-only.csv")
    code, _, err = run(capsys, "import", path)
    assert code == 4 and "member header-only.csv" in err


def test_stata_floats_that_lost_digits_are_reported(tmp_path):
    import pandas as pd

    frame = pd.DataFrame({"prodcode": pd.array([10135.0, 3_567_141_000_033_117.0],
                                               dtype="float32")})
    path = tmp_path / "drugs.dta"
    frame.to_stata(path, write_index=False)
    imported = import_file(path)
    assert "10135" in imported.included()
    assert any("cannot hold every digit" in n for n in imported.notes)


def test_json_output_lists_the_notes(hostile, capsys):
    code, out, _ = run(capsys, "import", hostile / "dagger.csv", "--json", "-o", "j.codelist")
    assert code == 0
    data = json.loads(out)
    assert data["system"] == "icd10" and any("B01.2+" in n for n in data["notes"])


def test_validate_says_which_checks_it_could_not_run(hostile, capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("CODELISTS_DB", str(tmp_path / "none.db"))
    assert run(capsys, "import", hostile / "loinc.csv", "-o", "l.codelist")[0] == 0
    code, out, err = run(capsys, "validate", "l.codelist")
    assert code == 0
    assert "LOINC has no terminology store here: codes checked for their form only" in \
        out + err
    assert load("l.codelist").system.fhir_url == "http://loinc.org"


def test_cr_only_with_system_given(hostile, capsys):
    code, _, err = run(capsys, "import", hostile / "cr-only.csv", "--system", "snomedct",
                       "-o", "cr.codelist")
    assert code == 0, err
    assert load("cr.codelist").active_codes() == ["195967001", "22298006"]


def test_snomed_ids_stored_as_numbers_in_a_workbook_are_snomed(tmp_path):
    path = _workbook(tmp_path / "n.xlsx", {"Sheet1": [
        ["Code", "Description"], [195967001, "Asthma"], [22298006, "Myocardial infarction"],
        [73211009, "Diabetes mellitus"]]})
    imported = import_file(path)
    assert imported.system == "snomedct"
    assert imported.included() == ["195967001", "22298006", "73211009"]
    assert [c.term for c in imported.codes][0] == "Asthma"
