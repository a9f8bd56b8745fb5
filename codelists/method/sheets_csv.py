"""Review sheets as CSV (UTF-8 with BOM so spreadsheets read accents correctly).

Layout: a few ``# key: value`` lines (format marker, codelist, round, reviewer, key, and
the instructions), then the header ``code,term,rating,comment,feedback`` and one row per
code.  Cells a spreadsheet would run as a formula (``= + - @``) are written with a
leading apostrophe, which is removed again on reading.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from pathlib import Path

from codelists.errors import InputFileError
from codelists.method.delphi import RatingSheet, SheetRow

MARKER = "codelist-review-sheet"
HEADER = ["code", "term", "rating", "comment", "feedback"]
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA) else value


def restore(value: str) -> str:
    return value[1:] if value.startswith("'") and value[1:].startswith(_FORMULA) else value


def write(sheet: RatingSheet, path: Path) -> None:
    buffer = io.StringIO()
    out = csv.writer(buffer, lineterminator="\n")
    meta = [(MARKER, "1"), ("codelist", sheet.codelist_id), ("round", sheet.round),
            ("reviewer", sheet.reviewer), ("key", sheet.key), ("title", sheet.title)]
    for name, value in meta:
        out.writerow([f"# {name}: {value}"])
    if sheet.definition.get("feature"):
        out.writerow([neutralise(f"# definition: {sheet.definition['feature']}")])
    for line in sheet.instructions.splitlines():
        out.writerow([f"# {line}"])
    out.writerow(HEADER)
    for row in sheet.rows:
        out.writerow([row.code, neutralise(row.term), "" if row.rating is None else row.rating,
                      neutralise(row.comment), neutralise(row.feedback)])
    _atomic_write(path, "\ufeff" + buffer.getvalue())


def _atomic_write(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def parse_rating(value):
    """1, 2 or 3 from a cell (``"2"``, ``2``, ``2.0``); None when blank; else the value."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    if text == "":
        return None
    if text in ("1", "2", "3", "1.0", "2.0", "3.0"):
        return int(text[0])
    return text


def read(path: Path) -> RatingSheet:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputFileError("review sheet is not UTF-8 text", path=path,
                             hint="save it as CSV UTF-8") from exc
    meta: dict[str, str] = {}
    rows: list[SheetRow] = []
    header: list[str] | None = None
    for number, cells in enumerate(csv.reader(io.StringIO(text)), start=1):
        if not any(c.strip() for c in cells):
            continue
        first = cells[0].strip()
        if header is None and first.startswith("#"):
            name, _, value = first.lstrip("#").partition(":")
            meta.setdefault(name.strip(), value.strip())
            continue
        if header is None:
            header = [c.strip().lower() for c in cells]
            missing = {"code", "rating"} - set(header)
            if missing:
                raise InputFileError(f"header lacks column(s) {', '.join(sorted(missing))}",
                                     path=path, line=number, hint="keep the exported header")
            continue
        rows.append(_row(header, cells, number))
    return _sheet(meta, rows, path)


def _row(header: list[str], cells: list[str], number: int) -> SheetRow:
    cell = dict(zip(header, cells, strict=False))
    raw = cell.get("rating", "")
    rating = parse_rating(raw)
    return SheetRow(cell.get("code", "").strip(), restore(cell.get("term", "")),
                    rating if isinstance(rating, int) else None,
                    restore(cell.get("comment", "")).strip(),
                    restore(cell.get("feedback", "")), number, raw)


def _sheet(meta: dict[str, str], rows: list[SheetRow], path: Path) -> RatingSheet:
    if MARKER not in meta:
        raise InputFileError("not a codelist review sheet (no '# codelist-review-sheet' line)",
                             path=path, hint="import the sheet exported by `codelist review "
                             "export`, keeping its first lines")
    try:
        round_number = int(meta.get("round", ""))
    except ValueError:
        raise InputFileError(f"bad round number {meta.get('round')!r}", path=path) from None
    return RatingSheet(meta.get("codelist", ""), round_number, meta.get("reviewer", ""),
                       meta.get("key", ""), rows, meta.get("title", ""))
