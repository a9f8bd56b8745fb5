"""Pytest fixtures for the method area (loaded from tests/conftest.py)."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

METHOD_SOB = Path(__file__).resolve().parent.parent / "data" / "method-sob"


@pytest.fixture
def sob_dir(tmp_path) -> Path:
    """A writable copy of tests/data/method-sob (codelist, dictionary, screening, ratings)."""
    target = tmp_path / "sob"
    shutil.copytree(METHOD_SOB, target)
    return target


def fixture_ratings() -> dict[str, dict[str, int]]:
    """reviewer -> code -> rating, from tests/data/method-sob/ratings.csv."""
    out: dict[str, dict[str, int]] = {}
    with (METHOD_SOB / "ratings.csv").open(newline="") as handle:
        for row in csv.DictReader(handle):
            for reviewer in ("GP1", "GP2"):
                out.setdefault(reviewer, {})[row["medcode"]] = int(row[reviewer])
    return out


def fixture_screening() -> list[dict[str, str]]:
    with (METHOD_SOB / "screening.csv").open(newline="") as handle:
        return list(csv.DictReader(handle))


def fill_csv_sheet(path: Path, ratings: dict[str, object], comments=None) -> None:
    """Write ratings (and comments) into an exported CSV sheet, as a reviewer would."""
    from codelists.method import sheets_csv

    sheet = sheets_csv.read(path)
    for row in sheet.rows:
        if row.code in ratings:
            row.rating = ratings[row.code]
        if comments and row.code in comments:
            row.comment = comments[row.code]
    sheets_csv.write(sheet, path)


def fill_excel_sheet(path: Path, ratings: dict[str, object], comments=None) -> None:
    """Type ratings into an exported workbook's Rating column with openpyxl."""
    from openpyxl import load_workbook

    book = load_workbook(path)
    ws = book["Ratings"]
    for row in range(2, ws.max_row + 1):
        code = ws.cell(row, 1).value
        if code in ratings:
            ws.cell(row, 3).value = ratings[code]
        if comments and code in comments:
            ws.cell(row, 4).value = comments[code]
    book.save(path)


@pytest.fixture
def fill_sheet():
    def fill(path: Path, ratings, comments=None):
        if Path(path).suffix == ".csv":
            fill_csv_sheet(Path(path), ratings, comments)
        else:
            fill_excel_sheet(Path(path), ratings, comments)
    return fill
