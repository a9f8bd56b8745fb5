"""``lint``: the problems Watson et al. found in published codelists.

Each finding is a :class:`~codelists.errors.Problem` with a rule id, severity, line and
message.  A line silences rules with a ``lint=`` tag in its comment
(``# lint=negation,history-of`` or ``# lint=off``).

=================  ========  =============================================================
rule               severity  finds
=================  ========  =============================================================
inactive           error     inactive or obsolete codes (needs a store), with replacements
unknown            error     codes the store does not have (needs a store)
negation           warning   terms that negate: "no history of", "absence of", "not", ...
family-history     warning   family history terms ("FH:", "family history of")
screening          warning   screening terms
history-of         warning   "history of", "H/O" (past, not current, disease)
suspected          warning   "suspected", "possible", "?", "query", "probable"
out-of-scope       warning   codes outside the declared ``scope:`` (ranges or ``<<code``)
duplicate          error     a code on more than one line
mixed-systems      error     lines holding codes of another coding system
excel-damage       error     codes a spreadsheet damaged (floats, exponents, lost digits)
=================  ========  =============================================================
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable

from codelists.codelist.model import ACTIVE, COMMENT, Codelist, Line
from codelists.codelist.systems import SYSTEMS
from codelists.errors import Problem

RULES = ("inactive", "unknown", "negation", "family-history", "screening", "history-of",
         "suspected", "out-of-scope", "duplicate", "mixed-systems", "excel-damage")

TERM_RULES: list[tuple[str, re.Pattern, str]] = [
    ("negation", re.compile(
        r"\b(no (history|h/o|evidence|sign|signs|symptoms?) of|absence of|not|no|never|"
        r"negative|denies|free of|ruled out)\b", re.I),
     "the term negates: the code records that the condition is absent"),
    ("family-history", re.compile(r"\b(family history|fh:|fh of|family hx)", re.I),
     "family history: the condition is in a relative, not the patient"),
    ("screening", re.compile(r"\bscreen(ing|ed)?\b", re.I),
     "screening: a test was offered or done, not a diagnosis"),
    ("history-of", re.compile(r"(\bhistory of\b|\bh/o\b|\bpast history\b)", re.I),
     "history of: a past condition, which may not be current"),
    ("suspected", re.compile(r"(\bsuspected\b|\bpossible\b|\bprobable\b|\bquery\b|"
                             r"\?\s*\w|\bsuspicion of\b)", re.I),
     "suspected: the diagnosis is not confirmed"),
]


def silenced(line: Line) -> set[str]:
    value = line.tags.get("lint", "")
    if value in ("off", "ignore", "all"):
        return set(RULES)
    return {v for v in value.split(",") if v}


def _p(cl: Codelist, rule: str, severity: str, message: str, line: Line | None,
       hint: str | None = None) -> Problem:
    return Problem(rule, severity, message, str(cl.path) if cl.path else None,
                   line.lineno if line else None, line.code if line else None, hint)


#: phrases that look like negation but are not ("asthma not otherwise specified")
NOT_NEGATION = re.compile(r"\b(not otherwise specified|not elsewhere classified|"
                          r"not specified|not classified elsewhere)\b", re.I)


def term_rules(cl: Codelist) -> list[Problem]:
    out = []
    for line in cl.code_lines(ACTIVE):
        term = NOT_NEGATION.sub("", line.term)
        for rule, pattern, why in TERM_RULES:
            match = pattern.search(term)
            if match:
                out.append(_p(cl, rule, "warning", f"{line.code} {line.term!r}: {why} "
                              f"({match.group(0).strip()!r})", line,
                              f"exclude it, or silence with `# lint={rule}` on the line"))
    return out


def _canonical(cl: Codelist):
    from codelists.terminology.normalise import SYSTEMS as KNOWN
    from codelists.terminology.normalise import normalise_code

    if cl.system.id not in KNOWN:
        return lambda code: code
    return lambda code: normalise_code(cl.system.id, code).code or code


def duplicates(cl: Codelist) -> list[Problem]:
    """Codes on more than one line, also when written differently (``E11.9``, ``E119``)."""
    canonical = _canonical(cl)
    keys = [(canonical(line.code), line) for line in cl.code_lines()]
    counts = Counter(key for key, _ in keys)
    last = {key: line for key, line in keys}
    return [_p(cl, "duplicate", "error", f"{line.code} is on {counts[key]} lines"
               + (f" (as {key})" if key != line.code else ""), line, "keep one line per code")
            for key, line in keys if counts[key] > 1 and last[key] is line]


def mixed_systems(cl: Codelist) -> list[Problem]:
    """Text lines whose first word is a code of another system."""
    out = []
    for line in cl.lines:
        if line.kind != COMMENT or line.text.startswith("#"):
            continue
        token = line.text.split()[0]
        others = [s.name for s in SYSTEMS.values()
                  if s.id != cl.system.id and s.id != "dictionary" and s.is_code(token)]
        if others:
            out.append(_p(cl, "mixed-systems", "error",
                          f"{token!r} looks like a {others[0]} code in a "
                          f"{cl.system.name} codelist", line,
                          "one coding system per codelist: move it to its own list"))
    return out


def excel_damage(cl: Codelist) -> list[Problem]:
    from codelists.terminology.normalise import SYSTEMS as KNOWN
    from codelists.terminology.normalise import normalise_code

    out = []
    if cl.system.id not in KNOWN:
        return out
    for line in cl.code_lines():
        result = normalise_code(cl.system.id, line.code)
        damaged = result.repaired and result.code != line.code and "." not in line.code[-2:]
        lost = result.problem and "check digit" in result.problem and \
            re.search(r"0{2,}$", line.code) and len(line.code) > 15
        if lost:
            out.append(_p(cl, "excel-damage", "error",
                          f"{line.code}: the check digit is wrong and the code ends in zeros: "
                          "a spreadsheet probably rounded it to 15 digits", line,
                          "copy the code again from the source, as text"))
        elif damaged and re.search(r"[eE][+]?\d+$|\.0+$", line.code):
            out.append(_p(cl, "excel-damage", "error",
                          f"{line.code} looks damaged by a spreadsheet (reads as {result.code})",
                          line, f"write it as {result.code}"))
    return out


def inactive(cl: Codelist, terminology) -> list[Problem]:
    out = []
    lines = list(cl.code_lines(ACTIVE))
    found = terminology.lookup_many([ln.code for ln in lines])
    for line in lines:
        concept = found.get(line.code)
        if concept is None:
            out.append(_p(cl, "unknown", "error", f"{line.code} is not in the store", line,
                          "check the code, or the store's release"))
        elif not concept.active:
            out.append(_p(cl, "inactive", "error", f"{line.code} {concept.term!r} is inactive"
                          + _replacements(terminology, line.code), line,
                          "replace it with its successor, or exclude it"))
    return out


def _replacements(terminology, code: str) -> str:
    try:
        detail = terminology.show(code)
    except Exception:  # a store without history: no replacements to offer
        return ""
    info = detail.inactivation or {}
    repl = [f"{r.get('code')} {r.get('term', '')}".strip() for r in info.get("replacements", [])]
    reason = info.get("reason_term") or info.get("reason")
    text = f" ({reason})" if reason else ""
    return text + (f"; replaced by {', '.join(repl)}" if repl else "")


def _ranges(scope: list[str]) -> list[tuple[str, str]]:
    out = []
    for item in scope:
        item = str(item).replace(".", "").strip()
        if re.fullmatch(r"[A-Z]\d{2}\w*(-[A-Z]\d{2}\w*)?", item):
            low, _, high = item.partition("-")
            out.append((low, high or low))
    return out


def out_of_scope(cl: Codelist, terminology=None) -> list[Problem]:
    scope = cl.meta.get("scope")
    if not scope:
        return []
    scope = [scope] if isinstance(scope, str) else list(scope)
    ranges = _ranges(scope)
    roots = [str(s)[2:].strip() for s in scope if str(s).startswith("<<")]
    out = []
    for line in cl.code_lines(ACTIVE):
        code = line.code.replace(".", "")
        inside = any(lo[:3] <= code[:3] <= hi[:3] and (len(lo) <= 3 or code >= lo)
                     and (len(hi) <= 3 or code[:len(hi)] <= hi) for lo, hi in ranges)
        if not inside and roots and terminology is not None:
            ancestors = set(terminology.ancestors(line.code, include_self=True))
            inside = any(root in ancestors for root in roots)
        if not inside and (ranges or (roots and terminology is not None)):
            out.append(_p(cl, "out-of-scope", "warning",
                          f"{line.code} {line.term!r} is outside the declared scope "
                          f"({', '.join(map(str, scope))})", line,
                          "exclude it, widen `scope:`, or silence with `# lint=out-of-scope`"))
    return out


def lint(cl: Codelist, terminology=None, *, rules: list[str] | None = None) -> list[Problem]:
    """Every finding, minus those silenced on their line."""
    checks: list[Callable[[], list[Problem]]] = [
        lambda: term_rules(cl), lambda: duplicates(cl), lambda: mixed_systems(cl),
        lambda: excel_damage(cl), lambda: out_of_scope(cl, terminology)]
    if terminology is not None:
        checks.append(lambda: inactive(cl, terminology))
    problems = [p for check in checks for p in check()]
    by_line = {ln.lineno: ln for ln in cl.lines if ln.lineno is not None}
    kept = []
    for p in problems:
        line = by_line.get(p.line)
        if line is not None and p.rule in silenced(line):
            continue
        if rules and p.rule not in rules:
            continue
        kept.append(p)
    return sorted(kept, key=lambda p: (p.line or 0, p.rule))
