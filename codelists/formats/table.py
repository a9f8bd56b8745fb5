"""What every importer produces, and the CSV plumbing importers and exporters share.

An importer reads a foreign file into an :class:`Imported`: a coding system, rows of
codes (each included or excluded, with a term, an optional group that becomes a heading,
and extra columns kept as ``key=value`` tags so nothing is lost), metadata for the front
matter, and notes about repairs.  :func:`to_codelist` turns it into a
:class:`~codelists.codelist.model.Codelist`.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

from codelists.codelist.model import (
    ACTIVE,
    BLANK,
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


def tag_key(name: str) -> str:
    key = _TAG_KEY.sub("_", name.strip()).strip("_") or "column"
    return key if key[0].isalpha() or key[0] == "_" else f"c_{key}"


def tag_value(value: str) -> str:
    return quote(str(value).strip(), safe="!$&'()*+,;:@/.-_~[]")


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
    cl.meta = order_keys(cl.meta)
    cl.lines = [Line(BLANK)]
    add_rows(cl, imported.codes)
    return cl


def order_keys(meta: dict[str, Any]) -> dict[str, Any]:
    """Front-matter keys in sct's order (unknown keys keep their place after them)."""
    rank = {k: i for i, k in enumerate(KEY_ORDER)}
    return dict(sorted(meta.items(), key=lambda kv: rank.get(kv[0], len(rank))))


def add_rows(cl: Codelist, rows: list[ImportedCode]) -> None:
    """Append rows as lines; a new group starts with a blank line and a heading."""
    group: str | None = None
    merged = _merge_duplicates(rows)
    for row in rows:
        if (row.code, row.included) not in merged:
            continue
        row = merged.pop((row.code, row.included))
        if not cl.system.is_code(row.code):
            raise InputFileError(
                f"{row.code!r} cannot be written as a {cl.system.name} code line",
                line=row.line, hint="pass --system to choose the right coding system")
        if row.group is not None and row.group != group:
            group = row.group
            if cl.lines and cl.lines[-1].kind != BLANK:
                cl.lines.append(Line(BLANK))
            cl.lines.append(Line(HEADING, text=f"# ── {' '.join(group.split())} ──"))
        tags = {tag_key(k): tag_value(v) for k, v in row.extra.items()
                if v is not None and str(v).strip() != ""}
        kind = ACTIVE if row.included else EXCLUDED
        term = " ".join(str(row.term or "").split())
        cl.lines.append(Line(kind, row.code, term, None, tags))


def _merge_duplicates(rows: list[ImportedCode]) -> dict[tuple[str, bool], ImportedCode]:
    """One row per (code, included); a duplicate's differing extra values are kept,
    comma-separated, so nothing in the source is lost."""
    first: dict[tuple[str, bool], ImportedCode] = {}
    for row in rows:
        key = (row.code, row.included)
        if key not in first:
            first[key] = ImportedCode(row.code, row.term, row.included, row.group,
                                      dict(row.extra), row.raw, row.line)
            continue
        extra = first[key].extra
        for name, value in row.extra.items():
            values = [v for v in str(extra.get(name, "")).split(",") if v]
            if str(value).strip() and str(value).strip() not in values:
                extra[name] = ",".join([*values, str(value).strip()])
    return first


# -- CSV ----------------------------------------------------------------------------
def read_text(path: str | Path, *, encoding: str | None = None) -> str:
    """File text: UTF-8 (with or without BOM), falling back to cp1252 for old exports."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputFileError("no such file", path=path, hint="check the path") from None
    if encoding:
        return data.decode(encoding)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def read_csv(path: str | Path, *, delimiter: str | None = None,
             text: str | None = None) -> tuple[list[str], list[dict[str, str]]]:
    """(header, rows) of a CSV or other delimited file; CRLF and quoting handled."""
    text = read_text(path) if text is None else text
    if delimiter is None:
        sample = text[:4096]
        delimiter = "\t" if sample.count("\t") > sample.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise InputFileError("the file is empty", path=path,
                             hint="export the codelist again, with a header row") from None
    except csv.Error as exc:
        raise InputFileError(f"not a readable CSV file: {exc}", path=path, line=1) from exc
    rows = []
    try:
        for values in reader:
            if not any(v.strip() for v in values):
                continue
            row = {h: (values[i] if i < len(values) else "") for i, h in enumerate(header)}
            row["__line__"] = str(reader.line_num)
            rows.append(row)
    except csv.Error as exc:
        raise InputFileError(f"not a readable CSV file: {exc}", path=path,
                             line=reader.line_num, hint="check the quoting on that line") from exc
    return header, rows


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


def normalise_rows(system: str, rows: list[ImportedCode], *, path=None) -> list[str]:
    """Repair codes in place with the system's normaliser; returns notes on repairs.

    A code the normaliser rejects is kept as written when it still looks like a code of
    the system (and noted); otherwise the import fails naming the row and a fix.
    """
    from codelists.terminology.normalise import SYSTEMS as KNOWN
    from codelists.terminology.normalise import normalise_codes

    if system not in KNOWN:
        return []
    notes = []
    results = normalise_codes(system, [r.code for r in rows])
    line_system = SYSTEMS.get(system)
    for row, result in zip(rows, results, strict=True):
        if result.code is not None:
            if result.code != row.code:
                row.raw = row.code
                notes.append(f"row {row.line}: {row.code!r} read as {result.code}")
                row.code = result.code
            continue
        stripped = row.code.strip()
        if line_system is not None and line_system.is_code(stripped):
            row.code = stripped
            notes.append(f"row {row.line}: {stripped}: {result.problem}")
            continue
        raise InputFileError(
            f"{row.code!r} is not a {system} code ({result.problem})", path=path,
            line=row.line,
            hint="pass --system to choose the coding system, or correct the code",
        )
    return notes


def sample(codes: list[str], size: int = 400) -> list[str]:
    """An even spread of at most ``size`` codes (detection need not read them all)."""
    if len(codes) <= size:
        return list(codes)
    step = len(codes) / size
    return [codes[int(i * step)] for i in range(size)]


def detect(codes: list[str], header: str | None, *, path=None) -> str:
    from codelists.terminology.normalise import detect_system

    system = detect_system(sample(codes), header=header)
    if system is None:
        raise InputFileError(
            f"cannot tell which coding system the {header or 'code'} column is in",
            path=path, line=2, hint="pass --system (e.g. --system ctv3)",
        )
    return system
