"""Any delimited file through a column mapping, and our own CSV export.

Import: any table :mod:`codelists.formats.reading` reads; ``code_column`` and
``term_column`` are recognised (:mod:`codelists.formats.columns`) unless named;
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
from codelists.formats.columns import is_missing, recognise
from codelists.formats.reading import read_table
from codelists.formats.table import (
    Imported,
    ImportedCode,
    find_column,
    normalise_rows,
    system_of,
    untag_value,
    write_csv,
)

_STATUS = {"+": True, "-": False, "include": True, "included": True, "exclude": False,
           "excluded": False, "true": True, "false": False, "1": True, "0": False,
           "yes": True, "no": False, "y": True, "n": False, "active": True}


def read(path: str | Path, *, system: str | None = None, code_column: str | None = None,
         term_column: str | None = None, status_column: str | None = None,
         group_column: str | None = None, delimiter: str | None = None,
         sheet: str | None = None, text: str | None = None,
         skip_invalid: bool = False) -> Imported:
    """Any table (delimited text, Excel sheet, Stata file): the code and term columns are
    recognised by :mod:`codelists.formats.columns` unless named."""
    table = read_table(path, sheet=sheet, delimiter=delimiter, text=text)
    header = table.header
    if not table.rows:
        raise InputFileError(
            f"the file has a header ({', '.join(h for h in header if h) or 'empty'}) but no "
            "rows of codes", path=path, line=1,
            hint="export the codelist again with its codes (an empty list is not imported)")
    found = recognise(header, table.rows, lines=table.lines, code_column=code_column,
                      term_column=term_column, system=system, path=path)
    if found.code is None:
        raise InputFileError(
            f"no column holds codes (columns: {', '.join(header)})", path=path, line=1,
            hint="pass --code-column NAME (and --system if the codes' system is not "
                 "evident)")
    code = found.code
    system = system or system_of(code, path=path)
    index = {name: i for i, name in enumerate(header)}
    term_i = found.term.index if found.term else None
    status_i = _index(header, status_column, "status", path)
    group_i = _index(header, group_column, "group", path)
    used = {code.index, term_i, status_i, group_i}
    items, empty = [], []
    extra_columns = [(h, i) for h, i in index.items() if i not in used]
    for values, line in zip(table.rows, table.lines, strict=True):
        cell = values[code.index] if code.index < len(values) else ""
        if is_missing(cell):
            empty.append(line)
            continue
        items.append(ImportedCode(
            cell, values[term_i] if term_i is not None and term_i < len(values) else "",
            included=_status(values, status_i, path, line) if status_i is not None else True,
            group=_get(values, group_i).strip() or None if group_i is not None else None,
            extra={h: values[i] for h, i in extra_columns if i < len(values) and (
                len(values[i]) > 6 and not values[i][0].isspace() or not is_missing(values[i]))},
            line=line))
    notes = list(table.notes) + [found.reason]
    if found.term:
        notes.append(f"terms from column {found.term.name!r}")
    if empty:
        notes.append(f"{len(empty)} row(s) have no code in column {code.name!r} and are not "
                     f"imported (lines {_ranges(empty)})")
    notes += normalise_rows(system, items, path=path, skip_invalid=skip_invalid)
    return Imported(system, items, meta={"title": Path(path).stem.replace("-", " ")},
                    source=str(path), format=table.kind, notes=notes)


def _get(values: list[str], i: int | None) -> str:
    return values[i] if i is not None and i < len(values) else ""


def _index(header: list[str], name: str | None, what: str, path) -> int | None:
    if name is None:
        return None
    found = find_column(header, name)
    if found is None:
        raise InputFileError(f"no {what} column {name!r} (columns: {', '.join(header)})",
                             path=path, line=1, hint=f"check --{what}-column")
    return header.index(found)


def _status(values: list[str], i: int | None, path, line: int) -> bool:
    if i is None:
        return True
    value = _get(values, i).strip().lower()
    if value not in _STATUS:
        raise InputFileError(f"status {_get(values, i)!r} is neither include nor exclude",
                             path=path, line=line,
                             hint="use + / - , include / exclude or True / False")
    return _STATUS[value]


def _ranges(lines: list[int]) -> str:
    """``3-5, 9`` for [3, 4, 5, 9] (at most ten ranges)."""
    spans: list[list[int]] = []
    for n in lines:
        if spans and n == spans[-1][1] + 1:
            spans[-1][1] = n
        else:
            spans.append([n, n])
    text = ", ".join(f"{a}-{b}" if a != b else str(a) for a, b in spans[:10])
    return text + (", ..." if len(spans) > 10 else "")


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
