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


def to_csv_text(path: str | Path, sheet: str | None = None) -> str:
    """The rows of a worksheet as CSV text (cells as shown: numbers without ``.0``)."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several types for a bad file
        raise InputFileError(f"not a readable .xlsx workbook: {exc}", path=path,
                             hint="save it as .xlsx (or export CSV)") from exc
    if sheet is not None and sheet not in book.sheetnames:
        raise InputFileError(f"no sheet {sheet!r} (sheets: {', '.join(book.sheetnames)})",
                             path=path, hint="check --sheet")
    ws = book[sheet] if sheet else book.worksheets[0]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for values in ws.iter_rows(values_only=True):
        writer.writerow(["" if v is None else (str(int(v)) if isinstance(v, float)
                         and v.is_integer() else str(v)) for v in values])
    return out.getvalue()


def read(path: str | Path, *, system: str | None = None, sheet: str | None = None,
         **mapping) -> Imported:
    from codelists.formats import delimited

    text = to_csv_text(path, sheet)
    imported = delimited.read(path, system=system, text=text, delimiter=",", **mapping)
    imported.format = "Excel workbook"
    return imported
