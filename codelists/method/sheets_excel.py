"""Review sheets as Excel workbooks (openpyxl).

* ``About`` (the cover): the codelist, round, reviewer, the clinical definition (feature,
  inclusion and exclusion criteria, sources) and the instructions with the rating scale;
* ``Ratings``: Code, Term, Rating, Comment (and, from round 2, the panel's anonymised
  feedback); Rating has a drop-down of 1/2/3 (data validation rejects anything else); the
  sheet is protected so only the Rating and Comment cells can be edited;
* ``_codelist`` (hidden): the codelist id, round, reviewer and key checked on import.

Text cells are always written as text, so a term starting with ``=`` is never a formula.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, NamedStyle, PatternFill, Protection
from openpyxl.worksheet.datavalidation import DataValidation

from codelists.errors import InputFileError
from codelists.method.delphi import RATING_LABELS, RatingSheet, SheetRow
from codelists.method.sheets_csv import MARKER, parse_rating

RATINGS_SHEET, COVER_SHEET, META_SHEET = "Ratings", "About", "_codelist"
HEADER = ["Code", "Term", "Rating (1/2/3)", "Comment", "Panel feedback (earlier rounds)"]
_BOLD = Font(bold=True)
EDITABLE = "codelist-rating-input"


def _editable_style() -> NamedStyle:
    style = NamedStyle(EDITABLE)
    style.fill = PatternFill("solid", fgColor="FFF8DC")
    style.protection = Protection(locked=False)
    return style


def _text(cell, value: str) -> None:
    cell.value = value
    cell.data_type = "s"  # never a formula, whatever the text starts with


def write(sheet: RatingSheet, path: Path) -> None:
    book = Workbook()
    book.add_named_style(_editable_style())  # one style, set once per editable cell
    cover = book.active
    cover.title = COVER_SHEET
    _cover(cover, sheet)
    _ratings(book.create_sheet(RATINGS_SHEET), sheet)
    meta = book.create_sheet(META_SHEET)
    for row in ((MARKER, "1"), ("codelist", sheet.codelist_id), ("round", sheet.round),
                ("reviewer", sheet.reviewer), ("key", sheet.key)):
        meta.append(list(row))
    meta.sheet_state = "hidden"
    meta.protection.sheet = True
    book.active = 1
    _atomic_save(book, path)


def _cover(ws, sheet: RatingSheet) -> None:
    ws.column_dimensions["A"].width = 22
    ws.column_dimensions["B"].width = 100
    ws["A1"] = sheet.title or sheet.codelist_id
    ws["A1"].font = Font(bold=True, size=14)
    rows: list[tuple[str, Any]] = [("Codelist", sheet.codelist_id), ("Round", sheet.round),
                                   ("Reviewer", sheet.reviewer)]
    definition = sheet.definition
    rows.append(("Clinical feature", definition.get("feature", "")))
    if definition.get("description"):
        rows.append(("Definition", definition["description"]))
    for label, key in (("Include", "inclusion"), ("Exclude", "exclusion")):
        for item in definition.get(key) or []:
            rows.append((label, item))
    for source in definition.get("sources") or []:
        name = source.get("name", "") if isinstance(source, dict) else str(source)
        rows.append(("Source", name))
    rows.append(("", ""))
    rows.append(("Instructions", sheet.instructions))
    for value, label in RATING_LABELS.items():
        rows.append((f"Rating {value}", label))
    for number, (label, value) in enumerate(rows, start=3):
        ws.cell(number, 1, label).font = _BOLD
        _text(ws.cell(number, 2), str(value))
        ws.cell(number, 2).alignment = Alignment(wrap_text=True, vertical="top")
    ws.protection.sheet = True


def _ratings(ws, sheet: RatingSheet) -> None:
    with_feedback = any(row.feedback for row in sheet.rows)
    header = HEADER if with_feedback else HEADER[:4]
    ws.append(header)
    for cell in ws[1]:
        cell.font = _BOLD
    validation = DataValidation(type="list", formula1='"1,2,3"', allow_blank=True,
                                showErrorMessage=True, errorTitle="Rating",
                                error="Rate 1 (include), 2 (unsure) or 3 (exclude).",
                                promptTitle="Rating", prompt="1 include, 2 unsure, 3 exclude",
                                showInputMessage=True)
    ws.add_data_validation(validation)
    for number, row in enumerate(sheet.rows, start=2):
        _text(ws.cell(number, 1), row.code)
        _text(ws.cell(number, 2), row.term)
        rating = ws.cell(number, 3, row.rating)
        comment = ws.cell(number, 4)
        _text(comment, row.comment)
        rating.style = EDITABLE
        comment.style = EDITABLE
        if with_feedback:
            _text(ws.cell(number, 5), row.feedback)
    if sheet.rows:
        validation.add(f"C2:C{len(sheet.rows) + 1}")
    for column, width in zip("ABCDE", (14, 60, 14, 50, 60), strict=True):
        ws.column_dimensions[column].width = width
    ws.freeze_panes = "A2"
    ws.protection.sheet = True
    ws.protection.formatColumns = False  # reviewers may still widen columns


def _atomic_save(book: Workbook, path: Path) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".xlsx", dir=path.parent)
    os.close(fd)
    try:
        book.save(tmp)
        with open(tmp, "rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def is_exported(path: Path) -> bool:
    """Whether a workbook has the sheets `codelist review export` writes."""
    try:
        book = load_workbook(path, read_only=True)
    except Exception:  # not a workbook we can open: the reader will say why
        return False
    try:
        return META_SHEET in book.sheetnames and RATINGS_SHEET in book.sheetnames
    finally:
        book.close()


def read(path: Path) -> RatingSheet:
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # zipfile/openpyxl raise many kinds
        raise InputFileError(f"cannot read Excel workbook: {exc}", path=path,
                             hint="save the sheet as .xlsx") from exc
    try:
        if META_SHEET not in book.sheetnames or RATINGS_SHEET not in book.sheetnames:
            raise InputFileError("not a codelist review sheet (no Ratings/_codelist sheets)",
                                 path=path, hint="return the workbook exported by "
                                 "`codelist review export`")
        meta = {str(r[0]): r[1] for r in book[META_SHEET].iter_rows(values_only=True)
                if r and r[0] is not None}
        rows = _rows(book[RATINGS_SHEET])
    finally:
        book.close()
    if MARKER not in meta:
        raise InputFileError("not a codelist review sheet", path=path)
    return RatingSheet(str(meta.get("codelist", "")), int(meta.get("round") or 0),
                       str(meta.get("reviewer", "")), str(meta.get("key", "")), rows)


def _rows(ws) -> list[SheetRow]:
    rows = []
    for number, values in enumerate(ws.iter_rows(min_row=2, values_only=True), start=2):
        values = list(values) + [None] * 5
        code, term, raw, comment, feedback = values[:5]
        if code is None and raw is None and not comment:
            continue
        rating = parse_rating(raw)
        rows.append(SheetRow(str(code or "").strip(), str(term or ""),
                             rating if isinstance(rating, int) else None,
                             str(comment or "").strip(), str(feedback or ""), number, raw))
    return rows
