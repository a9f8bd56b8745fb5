"""What every importer produces, and the CSV plumbing importers and exporters share.

An importer reads a foreign file into an :class:`Imported`: a coding system, rows of
codes (each included or excluded, with a term, an optional group that becomes a heading,
and extra columns kept as ``key=value`` tags so nothing is lost), metadata for the front
matter, and notes about repairs.  :func:`to_codelist` turns it into a
:class:`~codelists.codelist.model.Codelist`.
"""

from __future__ import annotations

import csv
import functools
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

from codelists.codelist.model import (
    ACTIVE,
    BLANK,
    COMMENT,
    EXCLUDED,
    HEADING,
    KEY_ORDER,
    Codelist,
    Line,
)
from codelists.codelist.systems import SYSTEMS
from codelists.codelist.template import new_codelist, slug
from codelists.errors import InputFileError

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_TAG_KEY = re.compile(r"[^A-Za-z0-9_.-]+")


@dataclass
class ImportedCode:
    code: str
    term: str = ""
    included: bool = True
    group: str | None = None  # becomes a heading line above the group's codes
    extra: dict[str, str] = field(default_factory=dict)  # becomes key=value tags
    raw: str | None = None  # the code as written in the source, when it was repaired
    line: int | None = None  # row / line in the source
    why: str | None = None  # why ``raw`` was stored as ``code``
    invalid: str | None = None  # skipped (--skip-invalid): why the cell is no code


@dataclass
class Imported:
    system: str
    codes: list[ImportedCode]
    meta: dict[str, Any] = field(default_factory=dict)
    source: str = ""  # path or URL
    format: str = ""
    notes: list[str] = field(default_factory=list)  # repairs and dropped duplicates

    def included(self) -> list[str]:
        return [c.code for c in self.codes if c.included]


@functools.lru_cache(maxsize=1024)
def tag_key(name: str) -> str:
    key = _TAG_KEY.sub("_", name.strip()).strip("_") or "column"
    return key if key[0].isalpha() or key[0] == "_" else f"c_{key}"


_PLAIN = re.compile(r"[A-Za-z0-9._~:/-]*")


def tag_value(value: str) -> str:
    text = str(value).strip()
    if text.isascii() and (text.isalnum() or _PLAIN.fullmatch(text)):
        return text
    return quote(text, safe="!$&'()*+,;:@/.-_~[]")


def untag_value(value: str) -> str:
    return unquote(value)


def _system_name(system: str) -> str:
    return SYSTEMS[system].name if system in SYSTEMS else system


def to_codelist(imported: Imported, *, id: str | None = None, title: str | None = None,
                path: str | Path | None = None, today: str | None = None) -> Codelist:
    """A draft codelist holding an import, its source named in ``methodology``."""
    stem = Path(path).stem if path else None
    name = id or imported.meta.get("id") or stem or slug(imported.meta.get("title", "imported"))
    cl = new_codelist(path, id=name, title=title or imported.meta.get("title"),
                      description=imported.meta.get("description"), today=today,
                      terminology=imported.system if imported.system in SYSTEMS else "dictionary")
    cl.meta["terminology"] = _system_name(imported.system)
    cl.meta["licence"] = imported.meta.get("licence", "NOASSERTION")
    if imported.meta.get("copyright"):
        cl.meta["copyright"] = imported.meta["copyright"]
    # the file's name only: a local or temporary folder means nothing to a reader
    source_name = str(imported.source or "")
    if Path(source_name).is_absolute():
        source_name = Path(source_name).name
    source = f"Imported from {imported.format} {source_name}".strip()
    cl.meta["methodology"] = source
    cl.meta["warnings"] = [w for w in cl.meta["warnings"]] + [{
        "code": "imported-needs-review", "severity": "warning",
        "message": "Imported; review metadata, licence and intended use before publishing.",
    }]
    for key in ("authors", "opencodelists_url", "opencodelists_id", "canonical_url"):
        if imported.meta.get(key):
            cl.meta[key] = imported.meta[key]
    if imported.meta.get("definition") is not None:
        cl.definition = imported.meta["definition"]
    cl.meta = order_keys(cl.meta)
    cl.lines = [Line(BLANK)]
    add_rows(cl, imported.codes)
    return cl


def order_keys(meta: dict[str, Any]) -> dict[str, Any]:
    """Front-matter keys in sct's order (unknown keys keep their place after them)."""
    rank = {k: i for i, k in enumerate(KEY_ORDER)}
    return dict(sorted(meta.items(), key=lambda kv: rank.get(kv[0], len(rank))))


def add_rows(cl: Codelist, rows: list[ImportedCode]) -> None:
    """Append rows as lines; a new group starts with a blank line and a heading.

    A repaired code keeps its source form and the reason in ``original=`` and ``why=``
    tags; a cell skipped as invalid input becomes an excluded line (or, when it cannot be
    written as a code, a comment line) with ``reason=invalid-input``.
    """
    group: str | None = None
    merged = _merge_duplicates(rows)
    system = cl.system
    for row in rows:
        if (row.code, row.included) not in merged:
            continue
        row = merged.pop((row.code, row.included))
        if row.group is not None and row.group != group:
            group = row.group
            if cl.lines and cl.lines[-1].kind != BLANK:
                cl.lines.append(Line(BLANK))
            cl.lines.append(Line(HEADING, text=f"# ── {' '.join(group.split())} ──"))
        term = " ".join(str(row.term or "").split())
        if row.invalid is not None:
            cl.lines.append(_invalid_line(cl, row, term))
            continue
        if not system.is_code(row.code):
            raise InputFileError(
                f"{row.code!r} cannot be written as a {system.name} code line",
                line=row.line, hint="pass --system to choose the right coding system")
        tags = {tag_key(k): tag_value(v) for k, v in row.extra.items()
                if v is not None and str(v).strip() != ""}
        if row.raw is not None and row.raw.strip() != row.code:
            tags["original"] = tag_value(row.raw.strip())
            tags["why"] = tag_value((row.why or "normalised").replace(", ", ",")
                                    .replace(" ", "-"))
        kind = ACTIVE if row.included else EXCLUDED
        cl.lines.append(Line(kind, row.code, term, None, tags))


def _invalid_line(cl: Codelist, row: ImportedCode, term: str) -> Line:
    code = " ".join(str(row.raw if row.raw is not None else row.code).split())
    tags = {"reason": "invalid-input", "source_line": str(row.line or "")}
    if code and cl.system.is_code(code):
        return Line(EXCLUDED, code, term, None, tags)
    text = f"# invalid input (line {row.line}): {code!r} {term}".rstrip()
    return Line(COMMENT, text=f"{text}  # reason=invalid-input")


def _merge_duplicates(rows: list[ImportedCode]) -> dict[tuple[str, bool], ImportedCode]:
    """One row per (code, included); a duplicate's differing extra values are kept,
    comma-separated, so nothing in the source is lost (the first row is copied only when
    it has a duplicate)."""
    first: dict[tuple[str, bool], ImportedCode] = {}
    copied: set[tuple[str, bool]] = set()
    for row in rows:
        key = (row.code, row.included)
        if key not in first:
            first[key] = row
            continue
        if key not in copied:
            kept = first[key]
            first[key] = ImportedCode(kept.code, kept.term, kept.included, kept.group,
                                      dict(kept.extra), kept.raw, kept.line, kept.why,
                                      kept.invalid)
            copied.add(key)
        extra = first[key].extra
        for name, value in row.extra.items():
            values = [v for v in str(extra.get(name, "")).split(",") if v]
            if str(value).strip() and str(value).strip() not in values:
                extra[name] = ",".join([*values, str(value).strip()])
    return first


# -- CSV ----------------------------------------------------------------------------
def read_text(path: str | Path, *, encoding: str | None = None) -> str:
    """File text (see :func:`codelists.formats.reading.decode` for the encodings)."""
    from codelists.formats.reading import decode, read_bytes

    data = read_bytes(path)
    return data.decode(encoding) if encoding else decode(data, path)


def read_csv(path: str | Path, *, delimiter: str | None = None,
             text: str | None = None) -> tuple[list[str], list[dict[str, str]]]:
    """(header, rows as dicts with ``__line__``) of a delimited text file."""
    from codelists.formats.columns import duplicate_names
    from codelists.formats.reading import read_table

    table = read_table(path, delimiter=delimiter, text=text)
    if dupes := duplicate_names(table.header):
        raise InputFileError(
            f"more than one column is named {', '.join(repr(d) for d in dupes)}", path=path,
            line=1, hint="rename the columns so each name is used once")
    if not table.rows:
        raise InputFileError(
            f"the file has a header ({', '.join(h for h in table.header if h) or 'empty'}) "
            "but no rows of codes", path=path, line=1,
            hint="export the codelist again with its codes (an empty list is not imported)")
    rows = []
    for values, line in zip(table.rows, table.lines, strict=True):
        row = {h: (values[i] if i < len(values) else "") for i, h in enumerate(table.header)}
        row["__line__"] = str(line)
        rows.append(row)
    return table.header, rows


def safe_cell(value: Any) -> Any:
    """Neutralise a cell a spreadsheet would run as a formula (prefix a quote)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and len(value) > 1:
        if value.startswith(("-", "+")) and _is_number(value):
            return value
        return "'" + value
    return value


def _is_number(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True


def write_csv(header: list[str], rows: list[list[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([safe_cell(h) for h in header])
    for row in rows:
        writer.writerow([safe_cell("" if v is None else str(v)) for v in row])
    return out.getvalue()


def find_column(header: list[str], *names: str) -> str | None:
    """The first header matching one of ``names`` (case and punctuation ignored)."""
    def norm(text: str) -> str:
        return re.sub(r"[^a-z0-9/]", "", text.lower())

    normalised = {norm(h): h for h in header}
    for name in names:
        if norm(name) in normalised:
            return normalised[norm(name)]
    return None


def normalise_rows(system: str, rows: list[ImportedCode], *, path=None,
                   skip_invalid: bool = False) -> list[str]:
    """Normalise codes in place with the system's normaliser; returns notes.

    Every change is noted (line, original -> stored, why) and kept on the row.  A cell
    the normaliser rejects is kept as written when it is still a code of the system (a
    SNOMED CT id with a wrong check digit: noted).  Every other bad cell is listed in one
    error; with ``skip_invalid`` those rows are kept as invalid input instead (written as
    excluded lines with ``reason=invalid-input``).
    """
    from codelists.terminology.detection import describe_change
    from codelists.terminology.normalise import SYSTEMS as KNOWN
    from codelists.terminology.normalise import canonical_test, normalise_codes

    if system not in KNOWN:
        return []
    notes, bad = [], []
    fast = canonical_test(system)
    if fast is not None:  # codes already canonical need no work (most of a large file)
        slow = [r for r in rows if not fast(r.code)]
    else:
        slow = rows
    results = normalise_codes(system, [r.code for r in slow])
    line_system = SYSTEMS.get(system)
    for row, result in zip(slow, results, strict=True):
        if result.code is not None:
            if result.code != row.code.strip():
                row.raw, row.why = row.code, describe_change(row.code, result.code)
                notes.append(f"row {row.line}: {row.code.strip()!r} stored as "
                             f"{result.code} ({row.why})")
            row.code = result.code
            continue
        stripped = row.code.strip()
        if line_system is not None and line_system.is_code(stripped):
            row.code = stripped
            notes.append(f"row {row.line}: {stripped}: {result.problem}")
            continue
        bad.append((row, result.problem))
    if bad and not skip_invalid:
        raise InputFileError(_bad_cells_message(bad, system), path=path, line=bad[0][0].line,
                             hint="correct those cells, pass --system if the coding system "
                                  "is wrong, or --skip-invalid to import the rest (each "
                                  "skipped cell kept as an excluded line, reason=invalid-input)")
    for row, problem in bad:
        row.raw, row.invalid, row.included = row.code, problem, False
        notes.append(f"row {row.line}: {row.code.strip()!r} skipped: {problem}")
    return notes + _duplicate_notes(rows)


def _bad_cells_message(bad, system: str) -> str:
    listed = "; ".join(f"line {row.line}: {row.code.strip()!r}" for row, _ in bad[:25])
    more = f"; and {len(bad) - 25} more" if len(bad) > 25 else ""
    return (f"{len(bad)} cell(s) are not {_system_name(system)} codes ({bad[0][1]}): "
            f"{listed}{more}")


def _duplicate_notes(rows: list[ImportedCode]) -> list[str]:
    seen: dict[tuple[str, bool], int | None] = {}
    notes = []
    for row in rows:
        key = (row.code, row.included)
        if key in seen:
            notes.append(f"row {row.line}: duplicate of row {seen[key]} ({row.code}): "
                         "merged into one line")
        else:
            seen[key] = row.line
    return notes


def sample(codes: list[str], size: int = 400) -> list[str]:
    """An even spread of at most ``size`` codes (detection need not read them all)."""
    if len(codes) <= size:
        return list(codes)
    step = len(codes) / size
    return [codes[int(i * step)] for i in range(size)]


def detect(codes: list[str], header: str | None, *, path=None) -> str:
    """The coding system of a column of codes (see :mod:`codelists.terminology.detection`);
    refuses, naming the candidates or the cells that fit no system, when it cannot tell."""
    from codelists.formats.columns import examine

    column = examine(header or "code", 0, list(codes), list(range(2, len(codes) + 2)),
                     kind="code")
    return system_of(column, path=path)


def system_of(column, *, path=None) -> str:
    """The system of a recognised code column, or an error that says why not."""
    from codelists.formats.columns import header_systems, is_missing
    from codelists.terminology.detection import choose

    if not column.systems:
        if column.cells == column.missing:
            raise InputFileError(f"column {column.name!r} holds no codes", path=path,
                                 line=2, hint="check the file has codes in it")
        cells = "; ".join(f"line {line}: {value!r}" for line, value in column.invalid[:10])
        raise InputFileError(
            f"the {column.name!r} column fits no one coding system: {column.invalid_count} "
            f"cell(s) are not {_system_name(column.system or '')} codes ({cells})",
            path=path, line=column.invalid[0][0] if column.invalid else 2,
            hint="pass --system to say which coding system it is (cells that are not codes "
                 "of it are listed; --skip-invalid imports the rest)")
    present = [v for v in column.values if not is_missing(v)]
    choice = choose(column.systems, present, header_systems=header_systems(column.name))
    if choice.system is None:
        raise InputFileError(
            f"cannot tell which coding system the {column.name!r} column is in: "
            f"{choice.reason}", path=path, line=2,
            hint="pass --system " + " or --system ".join(choice.candidates[:4]))
    return choice.system
