"""Stata's ``regexm()`` dialect, translated faithfully into Python regular expressions.

Stata's ``regexm(s, re)`` (the pre-Unicode regex functions used in Watson et al. 2017,
Box 2) implements Henry Spencer's POSIX-ERE-like engine.  The operators it supports are
``.  *  +  ?  ^  $  |  ( )  [ ]  [^ ]`` and ``\\`` (which quotes the next character).
The translation keeps exactly those meanings:

* ``\\X`` outside brackets is the literal ``X`` (``\\d`` is the letter d, not a digit);
* inside brackets ``\\`` is literal, a leading ``]`` is literal, POSIX classes such as
  ``[:alpha:]`` become explicit ranges;
* ``{`` and ``}`` are literal (there are no bounded repeats);
* ``$`` anchors at the very end of the string (never before a trailing newline);
* matching is case-sensitive, as in Stata;
* constructs that are errors in Stata (``(?``, ``*?``, ``+?``, ``**``, a quantifier that
  follows nothing) raise :class:`~codelists.errors.UserError` instead of silently taking a
  Python meaning.

:func:`parse_stata_condition` reads the right-hand side of a Box 2 line such as
``regexm(desc, "[Ss]hort") & regexm(desc, "[Bb]reath")`` into terms.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from codelists.errors import UserError

POSIX_CLASSES = {
    "alpha": "a-zA-Z", "digit": "0-9", "alnum": "a-zA-Z0-9", "upper": "A-Z",
    "lower": "a-z", "space": r" \t\n\r\f\v", "blank": r" \t", "punct": r"!-/:-@\[-`{-~",
    "xdigit": "0-9A-Fa-f", "cntrl": r"\x00-\x1f\x7f", "print": r"\x20-\x7e",
    "graph": r"\x21-\x7e",
}
_QUANTIFIERS = "*+?"
#: single characters with a fixed translation: (Python text, may a quantifier follow?)
_SIMPLE = {")": (")", True), "|": ("|", False), "^": ("^", False), "$": (r"\Z", False),
           ".": ("(?s:.)", True)}


def translate(pattern: str) -> str:
    """The Python regular expression with the same matches as Stata ``regexm(s, pattern)``."""
    out: list[str] = []
    i, n = 0, len(pattern)
    previous_atom = False  # may a quantifier follow here?
    while i < n:
        ch = pattern[i]
        if ch == "\\":
            if i + 1 >= n:
                raise _error(pattern, i, "trailing backslash")
            out.append(re.escape(pattern[i + 1]))
            i += 2
            previous_atom = True
        elif ch == "[":
            text, i = _bracket(pattern, i)
            out.append(text)
            previous_atom = True
        elif ch in _QUANTIFIERS:
            if not previous_atom:
                raise _error(pattern, i, f"'{ch}' follows nothing (or another quantifier)")
            out.append(ch)
            i += 1
            previous_atom = False
        elif ch == "(":
            if i + 1 < n and pattern[i + 1] in _QUANTIFIERS:
                raise _error(pattern, i + 1, f"'{pattern[i + 1]}' follows nothing")
            out.append("(")
            i += 1
            previous_atom = False
        elif ch in _SIMPLE:
            text, previous_atom = _SIMPLE[ch]
            out.append(text)
            i += 1
        else:
            out.append(re.escape(ch))
            i += 1
            previous_atom = True
    text = "".join(out)
    try:
        re.compile(text)
    except re.error as exc:
        raise _error(pattern, None, f"not a valid regular expression ({exc})") from exc
    return text


def _bracket(pattern: str, start: int) -> tuple[str, int]:
    """Translate the bracket expression starting at ``pattern[start] == '['``."""
    i = start + 1
    n = len(pattern)
    parts = ["["]
    if i < n and pattern[i] == "^":
        parts.append("^")
        i += 1
    first = True
    while i < n:
        ch = pattern[i]
        if ch == "]" and not first:
            parts.append("]")
            return "".join(parts), i + 1
        if ch == "[" and pattern.startswith("[:", i):
            end = pattern.find(":]", i + 2)
            name = pattern[i + 2:end] if end != -1 else ""
            if name not in POSIX_CLASSES:
                raise _error(pattern, i, f"unknown character class [:{name}:]")
            parts.append(POSIX_CLASSES[name])
            i = end + 2
        elif ch == "-":
            at_edge = first or (i + 1 < n and pattern[i + 1] == "]")
            parts.append(r"\-" if at_edge else "-")
            i += 1
        else:
            parts.append(re.escape(ch) if ch in "\\[]^&~|" else ch)
            i += 1
        first = False
    raise _error(pattern, start, "unmatched '['")


def _error(pattern: str, index: int | None, message: str) -> UserError:
    where = f" at character {index + 1}" if index is not None else ""
    return UserError(
        f"Stata regular expression {pattern!r}: {message}{where}",
        hint="Stata regexm() supports . * + ? ^ $ | ( ) [ ] and \\ (quote the next character)",
    )


@dataclass(frozen=True)
class StataTest:
    """One ``regexm(var, "pattern")`` test inside a condition; ``negated`` for ``!regexm``."""

    pattern: str
    variable: str
    lower: bool = False  # regexm(lower(var), ...): the test ignores case
    negated: bool = False


_TEST = re.compile(
    r"""\s*(?P<neg>!|~)?\s*regexm\(\s*(?P<var>(?:lower\(\s*\w+\s*\)|\w+))\s*,\s*
    "(?P<pat>(?:[^"\\]|\\.)*)"\s*\)\s*(?:==\s*1\s*)?""",
    re.VERBOSE,
)


def parse_stata_condition(text: str) -> list[StataTest]:
    """The tests of ``regexm(...) & !regexm(...) & ...`` (a conjunction; ``|`` is one rule each).

    Stata strings use ``"..."``; the pattern is taken verbatim between the quotes.
    """
    tests: list[StataTest] = []
    rest = text.strip()
    while rest:
        match = _TEST.match(rest)
        if not match:
            raise UserError(
                f"cannot read Stata condition {text!r} near {rest[:30]!r}",
                hint='write tests as regexm(desc, "pattern") joined by &, negate with !regexm',
            )
        var = match.group("var")
        lower = var.startswith("lower(")
        pattern = match.group("pat")
        if lower and pattern != pattern.lower():
            raise UserError(
                f"regexm(lower(...), {pattern!r}) can never match an upper-case letter",
                hint="write the pattern in lower case",
            )
        tests.append(StataTest(pattern, var, lower, bool(match.group("neg"))))
        rest = rest[match.end():].lstrip()
        if rest.startswith("&"):
            rest = rest[1:]
        elif rest:
            raise UserError(
                f"only '&' may join regexm() tests in one rule: {text!r}",
                hint="write an OR as two rules",
            )
    if not tests:
        raise UserError(f"empty Stata condition {text!r}")
    return tests


_KEEP = re.compile(r"^\s*(?:gen(?:erate)?|replace)\s+(?:byte\s+)?\w+\s*=\s*1\s+if\s+(?P<c>.+)$")
_DROP = re.compile(r"^\s*(?:replace\s+\w+\s*=\s*0\s+if|drop\s+if)\s+(?P<c>.+)$")


def parse_do_file(text: str) -> tuple[list[str], list[str]]:
    """Box 2 style Stata lines -> (rule conditions, exclusion conditions), verbatim.

    ``gen|replace VAR = 1 if COND`` is a rule (an ``|`` inside COND makes one rule per
    alternative); ``replace VAR = 0 if COND`` and ``drop if COND`` are whole-description
    exclusions.  Comments (``*``, ``//``) and other lines are ignored.
    """
    rules: list[str] = []
    drops: list[str] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("//")[0].strip()
        if not line or line.startswith("*"):
            continue
        for pattern, target in ((_KEEP, rules), (_DROP, drops)):
            match = pattern.match(line)
            if match:
                for part in _alternatives(match.group("c"), number):
                    parse_stata_condition(part)  # fail early, naming the line
                    target.append(part)
                break
    return rules, drops


def _alternatives(condition: str, number: int) -> list[str]:
    parts, depth, quoted, start = [], 0, False, 0
    for i, ch in enumerate(condition):
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch == "(":
            depth += 1
        elif not quoted and ch == ")":
            depth -= 1
        elif not quoted and depth == 0 and ch == "|":
            parts.append(condition[start:i].strip())
            start = i + 1
    parts.append(condition[start:].strip())
    if any(not p for p in parts):
        raise UserError(f"line {number}: empty alternative in {condition!r}")
    return parts
