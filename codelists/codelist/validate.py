"""``validate``: sct's checks, for every coding system, returned as Problems.

Errors: text lines that are neither codes nor comments, missing required keys,
duplicate codes, codes missing or inactive in the store, placeholders and missing
sign-offs in a published list, broken includes.  Warnings: placeholders in a draft,
pending lines, term drift from the store, excluded or pending codes the store lacks.
"""

from __future__ import annotations

from collections import Counter

from codelists.codelist.model import (
    ACTIVE,
    COMMENT,
    PENDING,
    REQUIRED_KEYS,
    Codelist,
)
from codelists.errors import CodelistFormatError, CodelistsError, Problem

PLACEHOLDER_KEYS = ("appropriate_use", "misuse", "licence")


def _p(cl: Codelist, rule: str, severity: str, message: str, *, line=None, code=None,
       hint=None) -> Problem:
    return Problem(rule, severity, message, str(cl.path) if cl.path else None, line, code,
                   hint)


def _key_line(cl: Codelist, key: str) -> int | None:
    for i, text in enumerate((cl.front_matter_raw or "").splitlines()):
        if text.startswith(f"{key}:"):
            return i + 2
    return None


def check_front_matter(cl: Codelist) -> list[Problem]:
    problems = []
    published = str(cl.meta.get("status", "")).lower() == "published"
    for key in REQUIRED_KEYS:
        if key not in cl.meta or cl.meta[key] in (None, ""):
            problems.append(_p(cl, "required-field", "error", f"`{key}` is missing or empty",
                               line=_key_line(cl, key) or 1,
                               hint=f"add `{key}:` to the front matter"))
    for key in PLACEHOLDER_KEYS:
        value = str(cl.meta.get(key) or "")
        if key in cl.meta and (not value.strip() or value.startswith("Describe")):
            severity = "error" if published else "warning"
            problems.append(_p(cl, "placeholder", severity,
                               f"`{key}` is a placeholder; fill it in before publishing",
                               line=_key_line(cl, key)))
    if "definition" in cl.meta:
        try:
            cl.definition  # noqa: B018 - reading it checks it
        except CodelistFormatError as exc:
            problems.append(_p(cl, "definition", "error", exc.message,
                               line=_key_line(cl, "definition"), hint=exc.hint))
    if published and not cl.meta.get("signoffs"):
        problems.append(_p(cl, "signoff", "error",
                           "a published codelist needs at least one sign-off",
                           line=_key_line(cl, "status"),
                           hint="add `signoffs:` (who reviewed it, and when)"))
    return problems


def check_body(cl: Codelist) -> list[Problem]:
    problems = []
    for line in cl.lines:
        if line.kind == COMMENT and not line.text.startswith("#"):
            problems.append(_p(cl, "stray-line", "error",
                               f"{line.text.split()[0]!r} is not a {cl.system.name} code",
                               line=line.lineno,
                               hint="fix the code, or start the line with '# ' for a comment"))
    counts = Counter(line.code for line in cl.code_lines())
    for code, n in counts.items():
        if n > 1:
            where = [ln.lineno for ln in cl.lines_for(code)]
            problems.append(_p(cl, "duplicate", "error",
                               f"{code} appears {n} times (lines {', '.join(map(str, where))})",
                               line=where[-1], code=code,
                               hint="keep one line per code"))
    for line in cl.code_lines(PENDING):
        problems.append(_p(cl, "pending", "warning", f"{line.code} ({line.term}) is pending "
                           "review", line=line.lineno, code=line.code,
                           hint="decide: make it active or excluded"))
    return problems


def check_against(cl: Codelist, terminology) -> list[Problem]:
    """Codes missing or inactive in the store, and term drift."""
    problems = []
    system = getattr(terminology, "system", cl.system.id)
    if system != cl.system.id:
        return [_p(cl, "wrong-store", "error",
                   f"the store holds {system}, the codelist is {cl.system.name}",
                   hint=f"pass a {cl.system.id} store with --db or --terminology")]
    codes = list(dict.fromkeys(line.code for line in cl.code_lines()))
    found = terminology.lookup_many(codes)
    for line in cl.code_lines():
        concept = found.get(line.code)
        active = line.kind == ACTIVE
        if concept is None:
            problems.append(_p(cl, "unknown-code", "error" if active else "warning",
                               f"{line.code} is not in the {system} store", line=line.lineno,
                               code=line.code, hint="check the code, or the store's release"))
        elif not concept.active and active:
            problems.append(_p(cl, "inactive-code", "error",
                               f"{line.code} is inactive ({concept.term})", line=line.lineno,
                               code=line.code,
                               hint="replace it (`codelist lint` shows replacements)"))
        elif active and line.term and concept.term and line.term != concept.term:
            problems.append(_p(cl, "term-drift", "warning",
                               f"{line.code}: term {line.term!r} differs from the store's "
                               f"{concept.term!r}", line=line.lineno, code=line.code))
    return problems


def check_includes(cl: Codelist, *, registry=None, refresh: bool = False) -> list[Problem]:
    if not cl.includes:
        return []
    from codelists.codelist.compose import effective_members

    try:
        effective_members(cl, registry=registry, refresh=refresh)
    except CodelistsError as exc:
        message = getattr(exc, "message", str(exc))
        return [_p(cl, "include", "error", message, line=getattr(exc, "line", None),
                   hint=getattr(exc, "hint", None))]
    return []


def validate(cl: Codelist, terminology=None, *, registry=None,
             refresh: bool = False) -> list[Problem]:
    """Every problem found (errors first); an empty list means the codelist is valid."""
    problems = check_front_matter(cl) + check_body(cl)
    problems += check_includes(cl, registry=registry, refresh=refresh)
    if terminology is not None:
        problems += check_against(cl, terminology)
    order = {"error": 0, "warning": 1, "info": 2}
    return sorted(problems, key=lambda p: (order.get(p.severity, 3), p.line or 0))


def has_errors(problems: list[Problem]) -> bool:
    return any(p.severity == "error" for p in problems)
