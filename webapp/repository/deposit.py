"""The deposit draft: uploaded files, checked and mapped, kept until the depositor
confirms (nothing is written to the repository before that).

A draft is plain JSON, stored server-side in a ``DepositDraft`` row of its owner's (the
session holds only the row's id, under ``SESSION_KEY``)::

    {"article": {...form fields...} | None, "article_id": 12 | None, "licence": "CC-BY-4.0",
     "files": [{"name", "kind": "codelist"|"table", "text", "columns", "mapping",
                "codelist_text", "problems": [Problem.as_dict()], "error"}]}
"""

from __future__ import annotations

from codelists.errors import CodelistsError, Problem
from webapp.repository import library

SESSION_KEY = "deposit"


def new_draft(*, article: dict | None = None, article_id: int | None = None,
              licence: str | None = None) -> dict:
    return {"article": article, "article_id": article_id, "files": [], "licence": licence}


def upload_limits():
    """The parsing budgets of uploads (settings.CODELISTS_UPLOAD_LIMITS)."""
    from django.conf import settings

    return settings.CODELISTS_UPLOAD_LIMITS


def read_upload(data: bytes, name: str) -> tuple[str, str]:
    """(name, text) of an upload: workbooks become CSV (named ``.xlsx.csv``).

    The budgets are checked first (LimitExceeded names the one hit); a workbook's CSV is
    checked again, since its rows are only known once unpacked."""
    from codelists.formats import limits

    limits.check_upload(data, name, upload_limits())
    if name.lower().endswith(".xlsx"):
        text = library.workbook_to_csv(data, name)
        limits.check_table(text, upload_limits(), name)
        return name + ".csv", text
    return name, decode(data, name)


def decode(data: bytes, name: str) -> str:
    """The library's decoding (UTF-8, UTF-16 with BOM, cp1252; binary refused)."""
    from codelists.formats.reading import decode as library_decode

    return library_decode(data, name)


def _problem_dicts(problems: list[Problem]) -> list[dict]:
    return [p.as_dict() for p in problems]


def _error_dict(exc: CodelistsError, name: str) -> dict:
    limit = getattr(exc, "limit", None)
    return {"rule": f"limit-{limit}" if limit else "format", "severity": "error", "message": getattr(exc, "message", str(exc)),
            "line": getattr(exc, "line", None), "hint": getattr(exc, "hint", None),
            "path": name}


def check_codelist_text(entry: dict) -> dict:
    """Parse and check a ``.codelist`` text; fills ``problems``/``codelist_text``."""
    from codelists.formats import limits

    try:
        limits.check_text(entry["text"], entry["name"], upload_limits())
        parsed = library.parse_text(entry["text"], entry["name"])
        problems = library.check(parsed)
    except CodelistsError as exc:
        entry.update(codelist_text=None, problems=[_error_dict(exc, entry["name"])])
        return entry
    entry.update(codelist_text=entry["text"], problems=_problem_dicts(problems),
                 title=parsed.title, system=parsed.system.id,
                 counts=_counts(parsed))
    return _refuse_empty(entry)


def _refuse_empty(entry: dict) -> dict:
    """A codelist with no included code is never ready to deposit."""
    if entry.get("counts", {}).get("active", 0) == 0:
        entry["problems"].insert(0, {
            "rule": "empty", "severity": "error", "line": None, "path": entry["name"],
            "message": "the file has no included codes, so there is nothing to deposit",
            "hint": "upload the list with its codes (excluded lines alone are not a "
                    "codelist)"})
    return entry


def _counts(parsed) -> dict:
    return {"active": len(parsed.active_codes()), "excluded": len(parsed.excluded_codes()),
            "pending": len(parsed.pending_codes())}


def add_file(draft: dict, name: str, text: str) -> dict:
    """Add an uploaded file to the draft; tables are imported by format detection, or
    wait for a column mapping when the library cannot tell their columns or system."""
    entry = {"name": name, "text": text, "problems": [], "codelist_text": None}
    draft["files"].append(entry)
    if name.lower().endswith(".codelist"):
        entry["kind"] = "codelist"
        return check_codelist_text(entry)
    if name.lower().endswith(".json"):  # FHIR ValueSet or ATLAS concept set: no columns
        entry.update(kind="json", columns=[], mapping={})
        return _import(entry, draft.get("licence"), {})
    entry["kind"] = "table"
    try:
        entry["columns"] = library.table_header(text)
    except CodelistsError as exc:
        entry.update(columns=[], mapping={}, problems=[_error_dict(exc, name)])
        return entry
    entry["mapping"] = {**_guess_columns(text, entry["columns"]), "coding_system": None,
                        "title": name.rsplit(".", 1)[0].replace("-", " ").replace("_", " ")}
    return _import(entry, draft.get("licence"), {})


def _guess_columns(text: str, header: list[str]) -> dict:
    """The code and term columns the library recognises (its guess from the header alone
    when the table cannot be read)."""
    from codelists.formats.columns import recognise
    from codelists.formats.reading import parse_text

    try:
        table = parse_text(text)
        found = recognise(table.header, table.rows[:2000], lines=table.lines[:2000])
    except CodelistsError:
        return library.guess_columns(header)
    return {"code_column": found.code.name if found.code else None,
            "term_column": found.term.name if found.term else None}


def apply_mapping(entry: dict, mapping: dict, licence: str | None = None) -> dict:
    """Import a table with the depositor's column mapping, then check it."""
    entry["mapping"] = dict(mapping)
    options = {"system": mapping.get("coding_system"), "code_column": mapping.get("code_column"),
               "term_column": mapping.get("term_column") or None}
    return _import(entry, licence, options, title=mapping.get("title") or None)


def _import(entry: dict, licence: str | None, options: dict, title: str | None = None) -> dict:
    try:
        parsed, notes = library.import_table(entry["text"], entry["name"], title=title,
                                             licence=licence, **options)
        text = library.dumps(parsed)
        problems = library.check(library.parse_text(text, entry["name"])) + notes
    except CodelistsError as exc:
        entry.update(codelist_text=None, problems=[_error_dict(exc, entry["name"])])
        return entry
    entry["mapping"].update(coding_system=parsed.system.id, title=parsed.title)
    entry.update(codelist_text=text, problems=_problem_dicts(problems), title=parsed.title,
                 system=parsed.system.id, counts=_counts(parsed))
    return _refuse_empty(entry)


#: what a reader of the public page needs to know and a file often leaves as a placeholder
DESCRIBED = ("description", "appropriate_use", "misuse")


def undescribed(entry: dict) -> list[str]:
    """The descriptive fields a converted file leaves empty or as the scaffold's
    placeholder: the deposit asks for them, so no placeholder is shown publicly."""
    from codelists.codelist.template import is_placeholder

    if not entry.get("codelist_text"):
        return []
    try:
        parsed = library.parse_text(entry["codelist_text"], entry["name"])
    except CodelistsError:
        return []
    return [key for key in DESCRIBED
            if is_placeholder(key, parsed.meta.get(key), title=parsed.title)]


def describe(entry: dict, values: dict) -> dict:
    """Write the depositor's description, appropriate use and misuse into the file's
    front matter (blank answers leave a field as it was), then check it again."""
    parsed = library.parse_text(entry["codelist_text"], entry["name"])
    for key in DESCRIBED:
        text = " ".join(str(values.get(key) or "").split())
        if text:
            parsed.meta[key] = text
    text = library.dumps(parsed)
    kept = [p for p in entry.get("problems", []) if p.get("rule") not in ("placeholder",
                                                                          "required-field")]
    fresh = [p for p in _problem_dicts(library.check(library.parse_text(text, entry["name"])))
             if p.get("rule") in ("placeholder", "required-field")]
    entry.update(codelist_text=text, problems=fresh + kept)
    if entry.get("kind") == "codelist":
        entry["text"] = text
    return entry


def limit_problem(entry: dict) -> dict | None:
    """The problem of an entry refused for a parsing budget, if it was."""
    return next((p for p in entry.get("problems", [])
                 if str(p.get("rule", "")).startswith("limit-")), None)


def has_errors(entry: dict) -> bool:
    return entry.get("codelist_text") is None or not entry.get("counts", {}).get("active") \
        or any(p.get("severity") == "error" for p in entry.get("problems", []))


def ready(draft: dict) -> bool:
    """Every file converted, with at least one included code, and free of errors
    (warnings are the depositor's call)."""
    return bool(draft["files"]) and not any(has_errors(f) for f in draft["files"])


def code_lines(text: str) -> int:
    """Lines of an upload or a .codelist text: what decides whether it is checked and
    saved in the request or as a background job."""
    return text.count("\n")


def draft_lines(draft: dict) -> int:
    return sum(code_lines(f.get("codelist_text") or "") for f in draft["files"])


def save_draft(user, draft: dict, items=None):
    """Save a ready draft: its article (new or existing) and every codelist, at once."""
    import datetime as dt

    from django.db import transaction

    from webapp.repository import actions
    from webapp.repository.models import Article

    if items is None:
        items = [actions.NewCodelist(text=f["codelist_text"], filename=f["name"])
                 for f in draft["files"]]
    with transaction.atomic():
        if draft.get("article_id"):
            article = Article.objects.get(pk=draft["article_id"])
        else:
            data = dict(draft["article"])
            tags = data.pop("tags", [])
            if data.get("embargo_until"):
                data["embargo_until"] = dt.date.fromisoformat(data["embargo_until"])
            article = actions.create_article(user, tags=tags, **data)
        actions.deposit(user, article, items)
    return article
