"""The simplest ECL expressions read by hand, so that most commands never import lark.

Most expressions typed at a command line are one focus concept with an optional
constraint operator and memberOf: ``<< 73211009 |Diabetes mellitus|``, ``<! 404684003``,
``^ 700043003``, ``*``.  :func:`parse_simple` reads exactly these shapes (white space as
the grammar allows it) and returns the tree the grammar gives for them; anything else (a
second operand, a refinement, filters, brackets, comments, an alternate identifier, a
number that is not an SCTID, any error) returns ``None``, and the caller parses with the
grammar (:mod:`codelists.ecl.grammar_parser`), which alone reports errors.
tests/generative/test_ecl_simple_parser.py checks that the two agree.
"""

from __future__ import annotations

from codelists.ecl import ast

#: the grammar's WS terminal (``/[ \\t\\r\\n]+/``)
_WS = " \t\r\n"
_DIGITS = "0123456789"
#: constraint operators, each before any operator it starts with (the lexer takes the
#: longest match)
_OPERATORS = ("<<!", "<<", "<!", "<", ">>!", ">>", ">!", ">", "!!>", "!!<")


def _skip(text: str, i: int) -> int:
    n = len(text)
    while i < n and text[i] in _WS:
        i += 1
    return i


def parse_simple(text: str) -> ast.SubExpression | None:
    """``[operator] [^] (SCTID [|term|] | *)``, or None for any other text."""
    i = _skip(text, 0)
    operator = None
    for candidate in _OPERATORS:
        if text.startswith(candidate, i):
            operator = candidate
            i = _skip(text, i + len(candidate))
            break
    member_of = None
    if text.startswith("^", i):
        member_of = ast.MemberOf(None)
        i = _skip(text, i + 1)
    if text.startswith("*", i):
        focus = ast.Wildcard()
        i += 1
    else:
        focus, i = _concept_reference(text, i)
        if focus is None:
            return None
    if _skip(text, i) != len(text):
        return None
    return ast.SubExpression(focus=focus, operator=operator, member_of=member_of)


def _concept_reference(text: str, i: int) -> tuple[ast.ConceptReference | None, int]:
    """``SCTID [|term|]`` at ``i`` (an SCTID: 6 to 18 digits, no leading zero)."""
    n = len(text)
    end = i
    while end < n and text[end] in _DIGITS:
        end += 1
    digits = text[i:end]
    if not 6 <= len(digits) <= 18 or digits[0] == "0":
        return None, i
    i = _skip(text, end)
    term = None
    if text.startswith("|", i):
        close = text.find("|", i + 1)
        if close <= i + 1:  # unclosed, or empty (the grammar's TERM has a character)
            return None, i
        term = " ".join(text[i + 1:close].split())
        i = close + 1
    return ast.ConceptReference(int(digits), term), i
