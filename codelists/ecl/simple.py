"""The common ECL shapes read by hand, so that most commands never import lark.

What people type at a command line is mostly concepts with constraint operators and
memberOf, combined with AND / OR / MINUS and brackets, now and then refined by
attributes: ``<< 73211009 |Diabetes mellitus|``, ``^ 700043003``, ``(<< A OR << B) AND
^ R``, ``<< A MINUS << B``, ``< 404684003 : 363698007 = << 39057004``.
:func:`parse_simple` reads exactly these shapes (white space as the grammar allows it) and
returns the tree the grammar gives for them.  Anything else (filters, cardinality,
attribute groups, reverse flags, dots, concrete or string values, comments, alternate
identifiers, a number that is not an SCTID, any error) returns ``None``, and the caller
parses with the grammar (:mod:`codelists.ecl.grammar_parser`), which alone reports
errors.  tests/generative/test_ecl_simple_parser.py checks that the two agree.
"""

from __future__ import annotations

from codelists.ecl import ast

#: the grammar's WS terminal (``/[ \\t\\r\\n]+/``)
_WS = " \t\r\n"
_DIGITS = "0123456789"
#: constraint operators, each before any operator it starts with (the lexer takes the
#: longest match)
_OPERATORS = ("<<!", "<<", "<!", "<", ">>!", ">>", ">!", ">", "!!>", "!!<")
#: how deep brackets may nest before the grammar is left to judge (no recursion limit)
_MAX_DEPTH = 50


class _Decline(Exception):
    """Not a shape read here: the grammar decides."""


def parse_simple(text: str) -> ast.Expression | None:
    """The grammar's tree of ``text`` when it is one of the common shapes, else None."""
    reader = _Reader(text)
    try:
        tree = reader.expression(0)
        if reader.skip() != len(text):
            return None
    except _Decline:
        return None
    return tree


class _Reader:
    def __init__(self, text: str) -> None:
        self.text = text
        self.i = 0

    def skip(self) -> int:
        text, i, n = self.text, self.i, len(self.text)
        while i < n and text[i] in _WS:
            i += 1
        self.i = i
        return i

    def take(self, literal: str) -> bool:
        if self.text.startswith(literal, self.skip()):
            self.i += len(literal)
            return True
        return False

    def keyword(self) -> str | None:
        """AND, OR or MINUS (any case) followed by white space, or ``,``."""
        i = self.skip()
        if self.text.startswith(",", i):
            self.i += 1
            return ","
        for word in ("AND", "OR", "MINUS"):
            end = i + len(word)
            found = self.text[i:end]
            if (found.isascii() and found.upper() == word and end < len(self.text)
                    and self.text[end] in _WS):
                self.i = end
                return word
        return None

    # ---- expressions -----------------------------------------------------------------
    def expression(self, depth: int) -> ast.Expression:
        if depth > _MAX_DEPTH:
            raise _Decline
        first = self.sub(depth)
        if self.take(":"):
            return ast.Refined(first, self.refinement(depth))
        start = self.i
        word = self.keyword()
        if word is None:
            self.i = start
            return first
        operator = "AND" if word == "," else word
        operands = [first, self.sub(depth)]
        while True:
            start = self.i
            word = self.keyword()
            if word is None:
                self.i = start
                break
            if ("AND" if word == "," else word) != operator or operator == "MINUS":
                raise _Decline  # mixed without brackets, or a second MINUS: an error
            operands.append(self.sub(depth))
        return ast.Compound(operator, tuple(operands))

    def sub(self, depth: int) -> ast.SubExpression:
        """``[operator] [^] (SCTID [|term|] | * | ( expression ))``."""
        self.skip()
        operator = None
        for candidate in _OPERATORS:
            if self.take(candidate):
                operator = candidate
                break
        member_of = ast.MemberOf(None) if self.take("^") else None
        if self.take("*"):
            focus = ast.Wildcard()
        elif self.take("("):
            focus = self.expression(depth + 1)
            if not self.take(")"):
                raise _Decline
        else:
            focus = self.concept_reference()
        return ast.SubExpression(focus=focus, operator=operator, member_of=member_of)

    def concept_reference(self) -> ast.ConceptReference:
        """``SCTID [|term|]`` (an SCTID: 6 to 18 digits, no leading zero)."""
        text, n = self.text, len(self.text)
        start = end = self.skip()
        while end < n and text[end] in _DIGITS:
            end += 1
        digits = text[start:end]
        if not 6 <= len(digits) <= 18 or digits[0] == "0":
            raise _Decline
        self.i = end
        term = None
        if self.take("|"):
            close = text.find("|", self.i)
            if close <= self.i:  # unclosed, or empty (the grammar's TERM has a character)
                raise _Decline
            term = " ".join(text[self.i:close].split())
            self.i = close + 1
        return ast.ConceptReference(int(digits), term)

    # ---- refinements -----------------------------------------------------------------
    def refinement(self, depth: int):
        """Attributes ``name (=|!=) value`` joined by one of ``,``/AND or OR."""
        first = self.attribute(depth)
        start = self.i
        word = self.keyword()
        if word is None:
            self.i = start
            return first
        operator = "AND" if word == "," else word
        if operator == "MINUS":
            raise _Decline
        attributes = [first, self.attribute(depth)]
        while True:
            start = self.i
            word = self.keyword()
            if word is None:
                self.i = start
                break
            if ("AND" if word == "," else word) != operator:
                raise _Decline
            attributes.append(self.attribute(depth))
        return ast.RefinementCompound(operator, tuple(attributes))

    def attribute(self, depth: int) -> ast.Attribute:
        self.skip()
        if self.text.startswith(("[", "{", "("), self.i) or self.text[self.i:self.i + 1] in (
                "R", "r"):
            raise _Decline  # cardinality, a group, brackets or a reverse flag
        name = self.sub(depth)
        if self.take("!="):
            operator = "!="
        elif self.take("="):
            operator = "="
        else:
            raise _Decline
        value = self.sub(depth)
        return ast.Attribute(name=name, operator=operator, value=value)
