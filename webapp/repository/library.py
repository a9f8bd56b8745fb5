"""The one seam between the web app and the codelists library.

Everything about codelists (parsing, validation, lint, import of foreign files, export,
diff, the quality badge) is the library's; this module only calls it and shapes the
results for pages and the API.  Imports are lazy so the site starts even while an
optional part of the library is missing; a missing part fails loudly when used.
"""

from __future__ import annotations

import importlib
from typing import Any

from codelists.errors import NotSupportedError, Problem


def _function(module: str, *names: str):
    try:
        mod = importlib.import_module(module)
    except ImportError as exc:
        raise NotSupportedError(f"{module} is not available: {exc}") from exc
    for name in names:
        if hasattr(mod, name):
            return getattr(mod, name)
    raise NotSupportedError(f"{module} has none of {', '.join(names)}")


# -- the .codelist format --------------------------------------------------------------
def parse_text(text: str, filename: str = ""):
    """Parse ``.codelist`` text (raises CodelistFormatError with the line)."""
    return _function("codelists.codelist.fileformat", "parse")(text, path=filename or None)


def dumps(codelist) -> str:
    return _function("codelists.codelist.fileformat", "dumps")(codelist)


def metadata_of(codelist) -> dict[str, Any]:
    """The front matter as JSON-safe data."""
    import json

    return json.loads(json.dumps(codelist.meta, default=str))


def code_rows(codelist) -> list[dict[str, Any]]:
    rows = []
    for line in codelist.code_lines():
        rows.append({"code": line.code, "term": (line.term or "")[:1000],
                     "status": line.kind, "line": line.lineno,
                     "comment": (line.full_comment() or "")[:1000]})
    return rows


# -- checks ------------------------------------------------------------------------------
def _store_for(system_id: str):
    """The installed terminology store for a coding system, opened; None when absent."""
    from codelists.errors import CodelistsError
    from codelists.terminology.locate import locate_store
    from codelists.terminology.registry import open_terminology

    try:
        path = locate_store(terminology=system_id)
        if not path.exists():
            return None
        return open_terminology(path)
    except (CodelistsError, OSError):
        return None


def check(codelist) -> list[Problem]:
    """Validate (against the installed store when there is one) and lint a codelist."""
    problems: list[Problem] = []
    validate = _optional("codelists.codelist.validate", "validate")
    lint = _optional("codelists.codelist.lint", "lint")
    terminology = _store_for(codelist.system.id)
    if validate is not None:
        problems += list(_call_validate(validate, codelist, terminology))
    if lint is not None:
        problems += list(lint(codelist))
    if terminology is None:
        problems.append(Problem(
            rule="no-store", severity="info",
            message=f"no {codelist.system.name} terminology store is installed here: "
                    "codes were checked for their form only"))
    return problems


def _call_validate(validate, codelist, terminology):
    try:
        return validate(codelist, terminology=terminology)
    except TypeError:
        return validate(codelist)


def _optional(module: str, name: str):
    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError):
        return None


# -- delimited files -------------------------------------------------------------------
def read_table(text: str, filename: str = "") -> tuple[list[str], list[dict[str, str]]]:
    """Header and rows of a CSV/TSV upload (the delimiter sniffed from the header)."""
    import csv
    import io

    first = text.splitlines()[0] if text.strip() else ""
    delimiter = "\t" if filename.lower().endswith(".tsv") or "\t" in first else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    columns = [c for c in (reader.fieldnames or []) if c is not None]
    rows = [{k: (v or "") for k, v in row.items() if k is not None} for row in reader]
    return columns, rows


CODE_HEADERS = ("code", "id", "snomedcode", "conceptid", "ctv3id", "readcode", "icd10",
                "icd", "opcs", "medcode", "dmd_id")
TERM_HEADERS = ("term", "description", "name", "label", "desc", "readterm", "ctv3preferredtermdesc")


def _pick(columns: list[str], wanted: tuple[str, ...]) -> str | None:
    lowered = {c.lower().replace(" ", "").replace("_", ""): c for c in columns}
    for want in wanted:
        if want.replace("_", "") in lowered:
            return lowered[want.replace("_", "")]
    return None


def guess_mapping(columns: list[str], rows: list[dict[str, str]]) -> dict[str, str | None]:
    """A first guess at the column mapping: code and term columns, coding system."""
    from codelists.terminology.normalise import detect_system

    code = _pick(columns, CODE_HEADERS) or (columns[0] if columns else None)
    term = _pick(columns, TERM_HEADERS)
    system = None
    if code:
        system = detect_system([r.get(code, "") for r in rows[:500]], header=code)
    return {"code_column": code, "term_column": term, "coding_system": system}


def system_choices() -> list[str]:
    from codelists.codelist.systems import system_ids

    return system_ids()


def table_to_codelist(rows: list[dict[str, str]], *, code_column: str, term_column: str | None,
                      coding_system: str, title: str, filename: str = ""):
    """A codelist from a mapped table: codes normalised by the library, one per line.

    Returns (codelist, problems): rows whose code cannot be read are reported with their
    line number in the file (the header is line 1) and left out.
    """
    from codelists.codelist.systems import resolve_system
    from codelists.codelist.template import new_codelist, slug
    from codelists.errors import CodelistFormatError
    from codelists.terminology.normalise import SYSTEMS, normalise_codes

    system = resolve_system(coding_system)
    cl = new_codelist(None, id=slug(title), title=title, terminology=system.id)
    raws = [row.get(code_column, "") for row in rows]
    normalised = (normalise_codes(system.id, raws) if system.id in SYSTEMS else None)
    problems: list[Problem] = []
    for index, row in enumerate(rows):
        lineno = index + 2
        code = normalised[index].code if normalised else raws[index].strip()
        why = normalised[index].problem if normalised else None
        if not code or (why and not normalised[index].code):
            problems.append(Problem(rule="unreadable-code", severity="warning",
                                    message=f"{raws[index]!r} left out: {why or 'empty code'}",
                                    path=filename or None, line=lineno))
            continue
        term = (row.get(term_column, "") if term_column else "").replace("\n", " ").strip()
        try:
            cl.add_active(code, term)
        except CodelistFormatError as exc:  # the model refuses a code of another system
            problems.append(Problem(rule="bad-code", severity="error", message=str(exc),
                                    path=filename or None, line=lineno, code=code))
    return cl, problems


# -- exports ---------------------------------------------------------------------------
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: str) -> str:
    """A cell a spreadsheet will not run as a formula (prefixed with a quote)."""
    neutralise = _optional("codelists.formats.csvsafe", "neutralise")
    if neutralise is not None:
        return neutralise(value)
    value = "" if value is None else str(value)
    return "'" + value if value.startswith(FORMULA_START) else value


def to_fhir_valueset(codelist, *, url: str = "") -> dict:
    """The codelist as a FHIR R4 ValueSet (JSON data), by the library's exporter."""
    export = _function("codelists.formats.fhir", "to_valueset", "export_valueset", "dump")
    try:
        return export(codelist, url=url) if url else export(codelist)
    except TypeError:
        return export(codelist)


def to_opencodelists_csv(codelist) -> str:
    """The codelist as an OpenCodelists download (code,term), by the library's exporter."""
    export = _function("codelists.formats.opencodelists", "dumps", "to_csv", "export_csv")
    return export(codelist)


def diff(old, new) -> Any:
    """The library's diff between two parsed versions."""
    return _function("codelists.codelist.diff", "diff", "diff_codelists")(old, new)


def badge(codelist) -> Any:
    """The method's quality badge for a codelist (None until the library provides it)."""
    compute = _optional("codelists.method.badge", "badge") or _optional(
        "codelists.method.report", "badge")
    return compute(codelist) if compute is not None else None
