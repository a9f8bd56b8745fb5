"""Any delimited file through a column mapping, and our own CSV export.

Import: ``code_column`` (required unless the header has an obvious one), ``term_column``,
``status_column`` (values such as ``+``/``-``, ``include``/``exclude``, ``True``/``False``)
and ``group_column`` (becomes headings); other columns become tags.

Export (``csv``): ``code,term`` plus chosen columns: ``status`` (active/excluded/
pending), ``uncertainty``, ``tags`` (every tag as ``key=value`` words), ``tag:KEY`` (one
tag as its own column), ``comment``, ``maps:SYSTEM`` (a mapped code, when a mapping
function is given).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from codelists.codelist.model import Codelist
from codelists.errors import InputFileError, UsageError
from codelists.formats.opencodelists import CODE_COLUMNS, TERM_COLUMNS
from codelists.formats.table import (
    Imported,
    ImportedCode,
    detect,
    find_column,
    normalise_rows,
    read_csv,
    untag_value,
    write_csv,
)

_STATUS = {"+": True, "-": False, "include": True, "included": True, "exclude": False,
           "excluded": False, "true": True, "false": False, "1": True, "0": False,
           "yes": True, "no": False, "y": True, "n": False, "active": True}


def read(path: str | Path, *, system: str | None = None, code_column: str | None = None,
         term_column: str | None = None, status_column: str | None = None,
         group_column: str | None = None, delimiter: str | None = None,
         text: str | None = None) -> Imported:
    header, rows = read_csv(path, delimiter=delimiter, text=text)

    def column(name: str | None, fallback: tuple[str, ...], what: str) -> str | None:
        if name is None:
            return find_column(header, *fallback) if fallback else None
        found = find_column(header, name)
        if found is None:
            raise InputFileError(f"no {what} column {name!r} (columns: {', '.join(header)})",
                                 path=path, line=1, hint=f"check --{what}-column")
        return found

    code_col = column(code_column, CODE_COLUMNS, "code")
    if code_col is None:
        raise InputFileError("which column holds the codes?", path=path, line=1,
                             hint="pass --code-column NAME")
    term_col = column(term_column, TERM_COLUMNS, "term")
    status_col = column(status_column, (), "status")
    group_col = column(group_column, (), "group")
    used = {code_col, term_col, status_col, group_col}
    items = []
    for r in rows:
        code = r[code_col].strip()
        if not code:
            continue
        included = True
        if status_col:
            value = r[status_col].strip().lower()
            if value not in _STATUS:
                raise InputFileError(f"status {r[status_col]!r} is neither include nor exclude",
                                     path=path, line=int(r["__line__"]),
                                     hint="use + / - , include / exclude or True / False")
            included = _STATUS[value]
        items.append(ImportedCode(
            code, r.get(term_col, "") if term_col else "", included=included,
            group=(r[group_col].strip() or None) if group_col else None,
            extra={h: r[h] for h in header if h not in used and r.get(h, "").strip()},
            line=int(r["__line__"])))
    system = system or detect([i.code for i in items], code_col, path=path)
    notes = normalise_rows(system, items, path=path)
    return Imported(system, items, meta={"title": Path(path).stem.replace("-", " ")},
                    source=str(path), format="delimited file", notes=notes)


COLUMN_CHOICES = ("status", "uncertainty", "tags", "comment", "tag:KEY", "maps:SYSTEM")


def _cell(line, column: str, maps: Callable[[str, str], list[str]] | None) -> str:
    if column == "status":
        return line.kind
    if column == "uncertainty":
        return untag_value(line.tags.get("uncertainty", ""))
    if column == "tags":
        return " ".join(f"{k}={untag_value(v)}" for k, v in line.tags.items())
    if column == "comment":
        return line.comment or ""
    if column.startswith("tag:"):
        return untag_value(line.tags.get(column[4:], ""))
    if column.startswith("maps:"):
        if maps is None:
            raise UsageError("maps columns need a terminology store with maps",
                             hint="pass --db with a store that has maps")
        return " ".join(maps(line.code, column[5:]))
    raise UsageError(f"unknown column {column!r}",
                     hint=f"choose from: {', '.join(COLUMN_CHOICES)}")


def write(codelist: Codelist, *, columns: list[str] | tuple[str, ...] = (),
          include: tuple[str, ...] = ("active",),
          maps: Callable[[str, str], list[str]] | None = None) -> str:
    """``code,term`` + chosen columns for the code lines of the chosen kinds."""
    rows, seen = [], set()
    for line in codelist.code_lines():
        if line.kind not in include or (line.code, line.kind) in seen:
            continue
        seen.add((line.code, line.kind))
        rows.append([line.code, line.term] + [_cell(line, c, maps) for c in columns])
    return write_csv(["code", "term", *columns], rows)
