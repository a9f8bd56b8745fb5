"""Review sheets from outside the tool (#19, item 2): a reviewer's own CSV or Excel sheet
with a code and a rating column, codes matched through another code column, the reviewer
named from the file or an option, problems at the file's own lines."""

import json

import pytest
from openpyxl import Workbook

from codelists.cli.main import main
from codelists.errors import InputFileError
from codelists.method.sheets_foreign import parse_rating
from tests.plugins.method import fixture_ratings, fixture_screening

WORDS = {1: "include", 2: "unsure", 3: "exclude"}


def open_round(sob_dir):
    path = str(sob_dir / "sob.codelist")
    assert main(["search", "run", path, "--dictionary", str(sob_dir / "dictionary.csv")]) == 0
    groups: dict[tuple[str, str], list[str]] = {}
    for row in fixture_screening():
        groups.setdefault((row["reason"], row["note"]), []).append(row["medcode"])
    for (reason, note), codes in groups.items():
        assert main(["screen", path, *codes, "--reason", reason,
                     *(["--note", note] if note else [])]) == 0
    assert main(["review", "export", path, "--reviewers", "GP1", "GP2", "--format", "csv",
                 "--out", str(sob_dir / "review")]) == 0
    return path


def test_own_csv_and_excel_sheets_are_imported(sob_dir, capsys):
    path = open_round(sob_dir)
    ratings = fixture_ratings()
    own = sob_dir / "ratings-GP1.csv"
    lines = ["Medcode;Read term;Rating;Comment"]
    lines += [f"{code};term {code};{WORDS[r]};{'why?' if r == 2 else ''}"
              for code, r in ratings["GP1"].items()]
    own.write_text("\n".join(lines) + "\n", encoding="utf-8")
    book = Workbook()
    book.active.title = "About"
    book.active.append(["Shortness of breath review", "panel of two GPs"])
    book.active.append(["Rate each code", "1, 2 or 3"])
    sheet = book.create_sheet("My ratings")
    sheet.append(["Code", "Description", "Score", "Notes"])
    for code, r in ratings["GP2"].items():
        sheet.append([float(code), "x", r, None])  # Excel turns codes into numbers
    book.save(sob_dir / "panel.xlsx")
    assert main(["review", "import", path, str(own)]) == 0
    assert main(["review", "import", path, str(sob_dir / "panel.xlsx"),
                 "--reviewer", "GP2"]) == 0
    capsys.readouterr()
    assert main(["review", "agreement", path, "--json"]) == 0
    stats = json.loads(capsys.readouterr().out)
    assert (stats["codes"], stats["complete_agreement"], stats["partial_agreement"]) == (
        49, 44, 5)


def test_a_malformed_set_lists_every_defect_at_the_files_lines(sob_dir):
    path = open_round(sob_dir)
    codes = list(fixture_ratings()["GP1"])
    own = sob_dir / "GP1.csv"
    rows = ["", "code,rating,comment", ""]  # blank lines: the header is on line 2
    rows += [f"{codes[0]},5,", f"{codes[1]},,", "99999,1,", f"{codes[2]},1,", f"{codes[2]},1,"]
    rows += [f"{c},1," for c in codes[3:-1]]  # the last code is left out
    own.write_text("\n".join(rows) + "\n", encoding="utf-8")
    with pytest.raises(InputFileError) as caught:
        main_import(path, own)
    text = caught.value.render()
    for expected in (f"GP1.csv row 4: code {codes[0]}: rating '5' is not 1, 2 or 3",
                     f"GP1.csv row 5: code {codes[1]} has no rating",
                     "GP1.csv row 6: unknown code '99999'",
                     f"GP1.csv row 8: code {codes[2]} is repeated (first at row 7)",
                     f"code {codes[-1]} is missing from the sheet", "nothing was imported"):
        assert expected in text, text


def main_import(path, sheet):
    from codelists.codelist.fileformat import load
    from codelists.method.review import import_sheets

    return import_sheets(load(path), [sheet])


def test_the_reviewer_must_be_known(sob_dir, capsys):
    path = open_round(sob_dir)
    own = sob_dir / "returned.csv"
    own.write_text("code,rating\n" + "".join(f"{c},1\n" for c in fixture_ratings()["GP1"]))
    capsys.readouterr()
    assert main(["review", "import", path, str(own)]) == 4  # an input file error
    assert "cannot tell whose ratings these are" in capsys.readouterr().err
    assert main(["review", "import", path, str(own), "--reviewer", "GP9"]) == 4
    assert "'GP9' is not on this round's panel" in capsys.readouterr().err


def test_read_codes_match_medcodes_through_the_terminology(test_data, tmp_path, monkeypatch,
                                                           capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["terminology", "import",
                 str(test_data / "cprd-gold-synthetic" / "medical.txt")]) == 0
    assert main(["new", "a.codelist", "-t", "cprd_medcode", "--title", "Asthma"]) == 0
    assert main(["add", "a.codelist", "78", "1555", "3243", "--pending"]) == 0
    assert main(["review", "export", "a.codelist", "--reviewers", "Ann", "Bob",
                 "--format", "csv"]) == 0
    (tmp_path / "Ann.csv").write_text("readcode,term,rating,comment\nH33..00,Asthma,1,\n"
                                      "H33..11,Bronchial asthma,2,broad\nH33..12,Asthmatic,3,\n")
    (tmp_path / "Bob.csv").write_text("Read code,rating\nH33..00,yes\nH33..11,yes\nH33..12,no\n")
    assert main(["review", "import", "a.codelist", "Ann.csv", "Bob.csv"]) == 0
    capsys.readouterr()
    assert main(["review", "consensus", "a.codelist", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    decided = {d["code"]: d for d in result["decisions"]}
    assert set(decided) == {"78", "1555", "3243"}


@pytest.mark.parametrize("cell,rating", [("1", 1), ("2.0", 2), ("Include", 1),
                                         ("maybe", 2), ("No", 3), ("exclude (apnoea)", 3),
                                         ("", None), ("7", None)])
def test_rating_cells(cell, rating):
    assert parse_rating(cell) == rating


def test_header_recognition_of_rating_and_comment_columns():
    from codelists.method.sheets_foreign import COMMENT_HEADERS, RATING_HEADERS, _find

    assert _find(["Code", "Rating (1-3)"], RATING_HEADERS) == 1
    assert _find(["code", "GP1 comments"], COMMENT_HEADERS) == 1
    assert _find(["Rate each code below", "x"], RATING_HEADERS) is None  # a sentence
