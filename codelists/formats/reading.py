"""Reading a table from any file a researcher publishes: CSV and other delimited text,
Excel workbooks and Stata ``.dta`` files, as a :class:`Table` of text cells with the
source line (or sheet row) of every row.

Text files: UTF-8 with or without BOM, UTF-16 LE/BE with BOM, else cp1252 (the Windows
encoding old exports use; latin-1 text reads the same); CR, LF and CRLF line endings; the
delimiter sniffed among comma, tab, semicolon and pipe.  Binary files and NUL bytes are
refused with a message naming what the file looks like.  Workbooks: one sheet is read
(``sheet=``, or the only sheet with data; several are refused with their names); title
rows above the header are skipped and said so; formula cells without a cached value are
reported with their cell address.  Stata files are read with pandas; numbers stored as
floating point that cannot hold a code exactly are reported.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from codelists.errors import InputFileError

DELIMITERS = (",", "\t", ";", "|")
_NAMES = {",": "comma", "\t": "tab", ";": "semicolon", "|": "pipe"}
_MAGIC = {b"PK\x03\x04": "a zip archive (or .xlsx workbook)", b"%PDF": "a PDF document",
          b"\xd0\xcf\x11\xe0": "an old Excel .xls (or Word .doc) file",
          b"\x89PNG": "a PNG image", b"SQLite format 3": "an SQLite database",
          b"\x1f\x8b": "a gzip file", b"<stata_dta>": "a Stata .dta file"}


@dataclass
class Table:
    header: list[str]
    rows: list[list[str]]
    lines: list[int]  # source line (text) or row number (sheet) of each row
    kind: str = "delimited text"
    notes: list[str] = field(default_factory=list)
    sheet: str | None = None


def decode(data: bytes, path=None) -> str:
    """Text of a file's bytes (see the module docstring for the encodings)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise InputFileError("the file starts with a UTF-16 mark but is not UTF-16 text",
                                 path=path, hint="save it again as UTF-8 CSV") from None
    for magic, what in _MAGIC.items():
        if data.startswith(magic):
            raise InputFileError(f"this is {what}, not a text table", path=path,
                                 hint="import it with its own extension (.xlsx, .dta, "
                                      ".zip) or export it as CSV")
    if b"\x00" in data[:65536]:
        line = data[:data.index(b"\x00")].count(b"\n") + 1
        raise InputFileError("the file holds NUL bytes, so it is not a text table", path=path,
                             line=line, hint="export the list again as CSV (UTF-8)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def read_bytes(path: str | Path) -> bytes:
    try:
        return Path(path).read_bytes()
    except FileNotFoundError:
        raise InputFileError("no such file", path=path, hint="check the path") from None
    except IsADirectoryError:
        raise InputFileError("this is a folder, not a file", path=path,
                             hint="give one file") from None


def sniff_delimiter(text: str, path=None) -> str:
    """The delimiter of a table's text: the candidate found the same (non-zero) number of
    times on the first lines; the header's commonest when rows disagree."""
    lines = [ln for ln in text.split("\n")[:30] if ln.strip()]
    if not lines:
        return ","
    counts = {d: [_count_outside_quotes(ln, d) for ln in lines] for d in DELIMITERS}
    steady = [d for d in DELIMITERS if counts[d][0] > 0 and len(set(counts[d])) == 1]
    if steady:
        return max(steady, key=lambda d: counts[d][0])
    in_header = [d for d in DELIMITERS if counts[d][0] > 0]
    if not in_header:
        return ","  # one column
    best = max(in_header, key=lambda d: counts[d][0])
    others = [d for d in DELIMITERS if d != best and len(lines) > 1
              and counts[d][0] == 0 and all(c > 0 for c in counts[d][1:])]
    if others:
        raise InputFileError(
            f"the header is {_NAMES[best]}-separated but the rows are "
            f"{_NAMES[others[0]]}-separated", path=path, line=2,
            hint="save the file again with one delimiter, or pass --delimiter")
    return best


def _count_outside_quotes(line: str, delimiter: str) -> int:
    count, quoted = 0, False
    for ch in line:
        if ch == '"':
            quoted = not quoted
        elif ch == delimiter and not quoted:
            count += 1
    return count


def parse_text(text: str, *, path=None, delimiter: str | None = None) -> Table:
    """A delimited text table (first non-blank line is the header)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise InputFileError("the file is empty", path=path,
                             hint="export the codelist again, with a header row and codes")
    delimiter = delimiter or sniff_delimiter(text, path)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header, rows, lines = None, [], []
    try:
        for values in reader:
            if not any(v.strip() for v in values):
                continue
            if header is None:
                header = [h.replace("\ufeff", "").strip() for h in values]
                continue
            rows.append(values)
            lines.append(reader.line_num)
    except csv.Error as exc:
        raise InputFileError(f"not a readable table: {exc}", path=path, line=reader.line_num,
                             hint="check the quoting on that line") from exc
    return Table(header or [], rows, lines, kind=f"{_NAMES[delimiter]}-separated text")


def read_table(path: str | Path, *, sheet: str | None = None, delimiter: str | None = None,
               text: str | None = None) -> Table:
    """The table in a file, whatever its kind (see the module docstring)."""
    suffix = Path(path).suffix.lower()
    if text is None and suffix in (".xlsx", ".xlsm"):
        from codelists.formats.excel import read_sheet

        return read_sheet(path, sheet)
    if text is None and suffix == ".dta":
        return read_stata(path)
    if sheet is not None:
        raise InputFileError("--sheet applies to Excel workbooks", path=path,
                             hint="leave out --sheet for a text file")
    if text is None:
        text = decode(read_bytes(path), path)
    return parse_text(text, path=path, delimiter=delimiter)


def read_stata(path: str | Path) -> Table:
    """A Stata ``.dta`` file: every cell as text; whole floats without ``.0``."""
    import pandas as pd

    try:
        frame = pd.read_stata(path, convert_categoricals=True, preserve_dtypes=True)
    except Exception as exc:  # pandas raises several types for a bad file
        raise InputFileError(f"not a readable Stata .dta file ({type(exc).__name__})",
                             path=path, hint="save it again from Stata (saveold) or as CSV"
                             ) from None
    notes, columns = [], []
    for name in frame.columns:
        series = frame[name]
        limit = 2 ** 24 if str(series.dtype) == "float32" else 2 ** 53
        cells = []
        for i, value in enumerate(series.tolist()):
            cells.append(_stata_cell(value))
            if isinstance(value, float) and value == value and abs(value) >= limit:
                notes.append(f"row {i + 2}: column {name!r} stores {value!r} as a "
                             f"{series.dtype} number, which cannot hold every digit")
        columns.append(cells)
    rows = [list(r) for r in zip(*columns, strict=True)] if columns else []
    return Table([str(c) for c in frame.columns], rows, list(range(2, len(rows) + 2)),
                 kind="Stata .dta file", notes=notes)


def _stata_cell(value) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
