"""Excel workbooks (.xlsx, through openpyxl, imported lazily).

Export: a ``codes`` sheet (code, term, status, tags, comment) and a ``metadata`` sheet
(front-matter key, value).  Every cell is written as text, so a value starting with
``=``, ``+``, ``-`` or ``@`` is never run as a formula, and codes such as ``719.0`` or
``2126200`` are never turned into numbers.  Import reads the first sheet (or a named
one) as a delimited table.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from codelists.codelist.model import Codelist
from codelists.errors import InputFileError
from codelists.formats.table import Imported, untag_value


def _text_cell(sheet, row: int, column: int, value) -> None:
    cell = sheet.cell(row=row, column=column)
    cell.value = "" if value is None else str(value)
    cell.data_type = "s"  # text, never a formula or a number


def write(codelist: Codelist) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    codes = book.active
    codes.title = "codes"
    header = ["code", "term", "status", "tags", "comment"]
    for col, name in enumerate(header, 1):
        _text_cell(codes, 1, col, name)
    row = 2
    for line in codelist.code_lines():
        tags = " ".join(f"{k}={untag_value(v)}" for k, v in line.tags.items())
        for col, value in enumerate([line.code, line.term, line.kind, tags,
                                     line.comment], 1):
            _text_cell(codes, row, col, value)
        row += 1
    meta = book.create_sheet("metadata")
    for i, (key, value) in enumerate(codelist.meta.items(), 1):
        _text_cell(meta, i, 1, key)
        text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
        _text_cell(meta, i, 2, text)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


#: the text of a formula cell whose value the workbook did not save (never a code)
UNSAVED_FORMULA = "=formula without a saved value"


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _open(path, *, formulas: bool):
    from openpyxl import load_workbook

    try:
        return load_workbook(path, read_only=True, data_only=not formulas)
    except Exception as exc:  # openpyxl raises several types for a bad file
        raise InputFileError(f"not a readable .xlsx workbook ({type(exc).__name__})",
                             path=path, hint="save it as .xlsx (or export CSV)") from None


def _values(ws) -> list[list]:
    return [list(r) for r in ws.iter_rows(values_only=True)]


def choose_sheet(book, sheet: str | None, path) -> str:
    """The sheet to read: the named one, or the only one with data (or the only one
    with a column header that names codes)."""
    if sheet is not None:
        if sheet not in book.sheetnames:
            raise InputFileError(f"no sheet {sheet!r} (sheets: {', '.join(book.sheetnames)})",
                                 path=path, hint="check --sheet")
        return sheet
    filled = [ws.title for ws in book.worksheets
              if any(any(v not in (None, "") for v in row)
                     for row in ws.iter_rows(max_row=50, values_only=True))]
    if not filled:
        raise InputFileError("the workbook has no data", path=path,
                             hint="check it is the right file")
    if set(filled) == {"codes", "metadata"}:  # our own export
        return "codes"
    coded = [name for name in filled if _has_code_header(book[name])]
    if len(filled) == 1 or len(coded) == 1:
        return coded[0] if len(coded) == 1 else filled[0]
    raise InputFileError(f"the workbook has {len(filled)} sheets with data: "
                         f"{', '.join(filled)}", path=path,
                         hint=f"pass --sheet NAME (e.g. --sheet {filled[0]!r})")


def _has_code_header(ws) -> bool:
    from codelists.formats.columns import header_kind

    return any(isinstance(v, str) and header_kind(v) == "code"
               for row in ws.iter_rows(max_row=10, values_only=True) for v in row)


def read_sheet(path: str | Path, sheet: str | None = None):
    """One worksheet as a :class:`~codelists.formats.reading.Table` (see
    :mod:`codelists.formats.reading`)."""
    from codelists.formats.reading import Table

    book = _open(path, formulas=False)
    name = choose_sheet(book, sheet, path)
    values = _values(book[name])
    formulas = _values(_open(path, formulas=True)[name])
    notes, start = [], 0
    width = max((sum(1 for v in row if v not in (None, "")) for row in values), default=0)
    while start < len(values) and width > 1 and \
            sum(1 for v in values[start] if v not in (None, "")) < 2:
        start += 1
    if start:
        notes.append(f"rows 1-{start} of sheet {name!r} skipped: title rows above the header")
    if start >= len(values):
        raise InputFileError(f"sheet {name!r} is empty", path=path, hint="check --sheet")
    header = [_cell_text(v).strip() for v in values[start]]
    rows, lines, missing = [], [], []
    for number, (row, frow) in enumerate(zip(values[start + 1:], formulas[start + 1:],
                                             strict=False), start + 2):
        cells = [_cell_text(v) for v in row]
        for col, (value, formula) in enumerate(zip(row, frow, strict=False)):
            if value is None and isinstance(formula, str) and formula.startswith("="):
                missing.append(f"{_column_letter(col)}{number}")
                cells[col] = UNSAVED_FORMULA
        if any(v not in (None, "") for v in row) or any(c == UNSAVED_FORMULA for c in cells):
            rows.append(cells)
            lines.append(number)
    if missing:
        notes.append(f"{len(missing)} formula cell(s) of sheet {name!r} have no saved value "
                     f"({', '.join(missing[:20])}): recalculate and save the workbook in "
                     "Excel or LibreOffice so each formula's value is stored")
    return Table(header, rows, lines, kind="Excel workbook", notes=notes, sheet=name)


def _column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


def to_csv_text(path: str | Path, sheet: str | None = None) -> str:
    """The rows of a worksheet as CSV text (cells as shown: numbers without ``.0``)."""
    table = read_sheet(path, sheet)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(table.header)
    writer.writerows(table.rows)
    return out.getvalue()


def read(path: str | Path, *, system: str | None = None, sheet: str | None = None,
         **mapping) -> Imported:
    from codelists.formats import delimited

    imported = delimited.read(path, system=system, sheet=sheet, **mapping)
    imported.format = "Excel workbook"
    return imported
