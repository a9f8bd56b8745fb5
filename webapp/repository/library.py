"""The one seam between the web app and the codelists library.

Everything about codelists (parsing, validation, lint, import of foreign files, export,
diff, the quality badge) is the library's; this module only calls it and shapes the
results for pages and the API.  Library modules are imported where used, so the site
starts quickly.
"""

from __future__ import annotations

import re
from typing import Any

from codelists.errors import Problem
from codelists.formats.table import safe_cell as _neutralise


# -- the .codelist format --------------------------------------------------------------
def parse_text(text: str, filename: str = ""):
    """Parse ``.codelist`` text (raises CodelistFormatError with the line)."""
    from codelists.codelist.fileformat import parse

    return parse(text, path=filename or None)


def dumps(codelist) -> str:
    from codelists.codelist.fileformat import dumps as write

    return write(codelist)


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
def terminology_for(system_id: str):
    """The installed terminology store for a coding system, opened; None when absent (the
    library's store location, the same as the command line's: CODELISTS_DB,
    codelists.toml, the data directory)."""
    from codelists.errors import CodelistsError
    from codelists.terminology.installed import open_installed

    try:
        return open_installed(system_id)
    except (CodelistsError, OSError):
        return None


def check(codelist) -> list[Problem]:
    """The library's validate and lint, against the installed store when there is one."""
    from codelists.codelist.lint import lint
    from codelists.codelist.validate import validate

    terminology = terminology_for(codelist.system.id)
    problems = list(validate(codelist, terminology)) + list(lint(codelist, terminology))
    if terminology is None:
        problems.append(Problem(
            rule="no-store", severity="info",
            message=f"no {codelist.system.name} terminology store is installed here: "
                    "codes were checked for their form only"))
    return problems


# -- delimited files -------------------------------------------------------------------
def workbook_to_csv(data: bytes, filename: str) -> str:
    """The first sheet of an uploaded .xlsx workbook as CSV text (the library's reader)."""
    import tempfile
    from pathlib import Path

    from codelists.formats.excel import to_csv_text

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "upload.xlsx"
        path.write_bytes(data)
        return to_csv_text(path)


def table_header(text: str) -> list[str]:
    from codelists.formats.table import read_csv

    header, _ = read_csv("upload", text=text)
    return header


def guess_columns(header: list[str]) -> dict[str, str | None]:
    from codelists.formats.opencodelists import CODE_COLUMNS, TERM_COLUMNS
    from codelists.formats.table import find_column

    return {"code_column": find_column(header, *CODE_COLUMNS) or (header[0] if header else None),
            "term_column": find_column(header, *TERM_COLUMNS)}


def system_name(system_id: str) -> str:
    """A coding system's name as readers know it (``SNOMED CT``, ``ICD-10-CM``)."""
    from codelists.codelist.systems import resolve_system
    from codelists.errors import CodelistsError

    try:
        return resolve_system(system_id).name
    except CodelistsError:
        return system_id


def readable_comment(comment: str) -> str:
    """A code line's comment as a reader reads it: ``uncertainty=1 reason=negation rest``
    becomes ``uncertainty 1 · reason: negation · rest``."""
    from codelists.codelist.model import split_comment

    tags, text = split_comment(comment)
    parts = [f"{key.replace('_', ' ')}: {value.replace('-', ' ')}"
             for key, value in tags.items()]
    if text:
        parts.append(text)
    return " · ".join(parts)


def public_metadata(metadata: dict) -> dict:
    """Front matter fit to show anyone: scaffold placeholders dropped and local folders
    (an import's temporary path) reduced to the file's name."""
    from codelists.codelist.template import is_placeholder

    shown = {}
    for key, value in metadata.items():
        if isinstance(value, str):
            if is_placeholder(key, value, title=metadata.get("title")):
                continue
            value = _LOCAL_PATH.sub(lambda m: m.group(0).rsplit("/", 1)[-1], value)
        shown[key] = value
    return shown


_LOCAL_PATH = re.compile(r"(?<![\w:/.])/(?:[\w.+-]+/)+[\w.+-]+")


def system_choices() -> list[str]:
    from codelists.codelist.systems import system_ids

    return system_ids()


def _note_problem(note: str, filename: str) -> Problem:
    import re

    match = re.match(r"row (\d+): ", note)
    return Problem(rule="import", severity="info", message=note[match.end():] if match else note,
                   path=filename or None, line=int(match.group(1)) if match else None)


def import_table(text: str, filename: str, *, title: str | None = None,
                 licence: str | None = None, **mapping):
    """A codelist from a delimited upload, by the library's importers.

    Without a mapping the format is detected (OpenCodelists, ClinicalCodes, CALIBER, ...);
    with one (``system``, ``code_column``, ``term_column``) it is read as a delimited
    file.  Returns (codelist, problems); import errors raise with the row's line.
    """
    import tempfile
    from pathlib import Path

    from codelists.codelist.template import slug
    from codelists.formats import import_file
    from codelists.formats.table import to_codelist

    safe = Path(filename).name.replace("/", "_") or "upload.csv"
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / safe
        path.write_text(text, encoding="utf-8")
        options = {k: v for k, v in mapping.items() if v}
        system = options.pop("system", None)
        if options:
            imported = import_file(path, format="delimited", system=system, **options)
        else:
            imported = import_file(path, system=system)
    codelist = to_codelist(imported, id=slug(title) if title else None, title=title)
    if licence:
        codelist.meta["licence"] = licence
    return codelist, [_note_problem(n, filename) for n in imported.notes]


# -- exports ---------------------------------------------------------------------------
def safe_cell(value: str) -> str:
    """A cell a spreadsheet will not run as a formula (the library's rule)."""
    return _neutralise("" if value is None else str(value))


def to_fhir_valueset(codelist, *, base_url: str | None = None) -> dict:
    """The codelist as a FHIR R4 ValueSet resource (the library's exporter)."""
    from codelists.formats.fhir import to_resource

    return to_resource(codelist, base_url=base_url)


def to_opencodelists_csv(codelist) -> str:
    """The codelist as an OpenCodelists download (the library's exporter)."""
    from codelists.formats import export

    return export(codelist, "opencodelists")


def diff(old, new):
    """The library's diff between two parsed versions (a CodelistDiff)."""
    from codelists.codelist.diff import diff as compare

    return compare(old, new)


def badge(codelist):
    """The method's quality badge (codelists.method.badge.assess)."""
    from codelists.method.badge import assess

    return assess(codelist)
