"""Review sheets: what the workbook offers reviewers, and the checks on import."""

import pytest
from openpyxl import load_workbook

from codelists.errors import InputFileError
from codelists.method import sheets
from codelists.method.delphi import make_sheets, new_round

TERMS = {"101": "Breathlessness", "102": "=HYPERLINK(\"http://x\")", "103": "Dyspnoea"}


@pytest.fixture
def rnd():
    return new_round("sob", [], ["101", "102", "103"], ["GP1", "GP2"])


def export(rnd, folder, ext):
    return sheets.write_sheets(make_sheets("sob", rnd, TERMS, title="Shortness of breath",
                                           definition={"feature": "Shortness of breath",
                                                       "inclusion": ["orthopnoea"],
                                                       "sources": [{"name": "ICPC-2 R02"}]}),
                               folder, ext)


def test_workbook_layout(rnd, tmp_path):
    path = export(rnd, tmp_path, "xlsx")[0]
    assert path.name == "sob-round1-GP1.xlsx"
    book = load_workbook(path)
    assert book.sheetnames == ["About", "Ratings", "_codelist"]
    assert book["_codelist"].sheet_state == "hidden"
    cover = [c for row in book["About"].iter_rows(values_only=True) for c in row if c]
    assert "Shortness of breath" in cover and "orthopnoea" in cover and "ICPC-2 R02" in cover
    assert any("1 = include" in str(c) for c in cover)
    ws = book["Ratings"]
    assert [c.value for c in ws[1]] == ["Code", "Term", "Rating (1/2/3)", "Comment"]
    [validation] = ws.data_validations.dataValidation
    assert validation.type == "list" and validation.formula1 == '"1,2,3"'
    assert str(validation.sqref) == "C2:C4"
    assert ws.protection.sheet is True
    assert ws["A2"].protection.locked and ws["B2"].protection.locked
    assert not ws["C2"].protection.locked and not ws["D2"].protection.locked
    # a term that looks like a formula is text, never a formula
    assert ws["B3"].value == TERMS["102"] and ws["B3"].data_type == "s"


def test_csv_neutralises_formulas(rnd, tmp_path):
    path = export(rnd, tmp_path, "csv")[0]
    text = path.read_text(encoding="utf-8-sig")
    assert "'=HYPERLINK" in text
    assert sheets.read_sheet(path).rows[1].term == TERMS["102"]


@pytest.mark.parametrize("ext", ["xlsx", "csv"])
def test_good_sheets_import(rnd, tmp_path, ext, fill_sheet):
    paths = export(rnd, tmp_path, ext)
    fill_sheet(paths[0], {"101": 1, "102": 2, "103": 3}, {"102": "unsure, formula?"})
    fill_sheet(paths[1], {"101": 1, "102": "1", "103": 1.0})
    pairs = [(sheets.read_sheet(p), p) for p in paths]
    sheets.check_sheets(pairs, "sob", rnd)
    sheets.apply_sheets(rnd, [s for s, _ in pairs])
    assert rnd.ratings == {"GP1": {"101": 1, "102": 2, "103": 3},
                           "GP2": {"101": 1, "102": 1, "103": 1}}
    assert rnd.comments == {"GP1": {"102": "unsure, formula?"}}


def problems_of(rnd, path):
    with pytest.raises(InputFileError) as info:
        sheets.check_sheets([(sheets.read_sheet(path), path)], "sob", rnd)
    return str(info.value)


@pytest.mark.parametrize("ext", ["xlsx", "csv"])
def test_import_errors_name_file_and_row(rnd, tmp_path, ext, fill_sheet):
    path = export(rnd, tmp_path, ext)[0]
    fill_sheet(path, {"101": 1, "102": 4})
    message = problems_of(rnd, path)
    assert "nothing was imported" in message
    assert f"{path.name} row" in message
    assert "rating '4' is not 1, 2 or 3" in message
    assert "code 103 has no rating" in message
    assert rnd.ratings == {}


def test_unknown_and_repeated_codes(rnd, tmp_path):
    path = export(rnd, tmp_path, "csv")[0]
    text = path.read_text(encoding="utf-8-sig")
    text = text.replace("101,Breathlessness,,", "999,Breathlessness,1,")
    text = text.replace("103,Dyspnoea,,", "103,Dyspnoea,1,") + "103,Dyspnoea,2,,\n"
    text = text.replace("'=HYPERLINK", "'=HYPERLINK")
    path.write_text(text, encoding="utf-8")
    message = problems_of(rnd, path)
    assert "unknown code '999'" in message
    assert "code 103 is repeated" in message
    assert "code 101 is missing from the sheet" in message


def test_sheet_from_another_round_or_codelist(rnd, tmp_path, fill_sheet):
    path = export(rnd, tmp_path, "xlsx")[0]
    fill_sheet(path, {"101": 1, "102": 1, "103": 1})
    later = new_round("sob", [rnd], ["101"], ["GP1", "GP2"])
    assert "sheet is from round 1" in problems_of(later, path)
    with pytest.raises(InputFileError, match="sheet is for codelist 'sob', not 'asthma'"):
        sheets.check_sheets([(sheets.read_sheet(path), path)], "asthma", rnd)


def test_same_reviewer_twice_and_already_imported(rnd, tmp_path, fill_sheet):
    path = export(rnd, tmp_path, "csv")[0]
    fill_sheet(path, {"101": 1, "102": 1, "103": 1})
    sheet = sheets.read_sheet(path)
    with pytest.raises(InputFileError, match="also returned"):
        sheets.check_sheets([(sheet, path), (sheet, path)], "sob", rnd)
    rnd.ratings["GP1"] = {"101": 1, "102": 1, "103": 1}
    with pytest.raises(InputFileError, match="already imported"):
        sheets.check_sheets([(sheet, path)], "sob", rnd)
    sheets.check_sheets([(sheet, path)], "sob", rnd, replace=True)


def test_not_a_sheet(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("code,rating\n1,1\n")
    with pytest.raises(InputFileError, match="not a codelist review sheet"):
        sheets.read_sheet(path)
    bad = tmp_path / "x.xlsx"
    bad.write_text("not a zip")
    with pytest.raises(InputFileError, match="cannot read Excel"):
        sheets.read_sheet(bad)
