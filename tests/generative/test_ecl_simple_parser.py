"""The hand-written reader of simple ECL (codelists.ecl.simple) agrees with the grammar.

``parse_simple`` must either decline (None) or give exactly the grammar's tree; it must
never accept a text the grammar rejects; and it must read the shapes it exists for, so
that they are parsed without importing lark.
"""

from __future__ import annotations

import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from codelists.ecl.grammar_parser import parse_grammar
from codelists.ecl.simple import parse_simple
from codelists.errors import ECLSyntaxError
from tests.conftest import SHARED
from tests.plugins.ecl import example_files

OPERATORS = ["", "<", "<<", "<!", "<<!", ">", ">>", ">!", ">>!", "!!>", "!!<"]
WS = st.text(alphabet=" \t\r\n", max_size=3)
SCTID = st.integers(min_value=100000, max_value=10**18 - 1).map(str)
TERM = st.text(alphabet=st.sampled_from("ab Z9 (-)é/\t\n\u00a0\u2003'\"*{}<^:,"), min_size=1,
               max_size=12)


SPACE = st.text(alphabet=" \t\r\n", min_size=1, max_size=2)


@st.composite
def focus_concepts(draw) -> str:
    if draw(st.integers(0, 4)) == 0:
        return "*"
    text = draw(SCTID)
    if draw(st.booleans()):
        text += draw(WS) + "|" + draw(TERM) + "|"
    return text


@st.composite
def sub_expressions(draw, inner=None) -> str:
    """``[operator] [^] focus`` where the focus is a concept, ``*`` or ``( expression )``."""
    operator = draw(st.sampled_from(OPERATORS))
    parts = [draw(WS), operator, draw(WS) if operator else ""]
    if draw(st.booleans()):
        parts += ["^", draw(WS)]
    if inner is not None and draw(st.integers(0, 2)) == 0:
        parts += ["(", draw(WS), draw(inner), draw(WS), ")"]
    else:
        parts.append(draw(focus_concepts()))
    parts.append(draw(WS))
    return "".join(parts)


def _keyword(draw, operator: str) -> str:
    spelling = {"AND": ["AND", "and", "And", ","], "OR": ["OR", "or", "Or"],
                "MINUS": ["MINUS", "minus", "Minus"]}[operator]
    word = draw(st.sampled_from(spelling))
    return draw(WS) + word + (draw(WS) if word == "," else draw(SPACE))


@st.composite
def compound(draw, inner) -> str:
    operator = draw(st.sampled_from(["AND", "OR", "MINUS"]))
    count = 2 if operator == "MINUS" else draw(st.integers(2, 4))
    text = draw(sub_expressions(inner))
    for _ in range(count - 1):
        text += _keyword(draw, operator) + draw(sub_expressions(inner))
    return text


@st.composite
def refined(draw, inner) -> str:
    operator = draw(st.sampled_from(["AND", "OR"]))
    attributes = []
    for _ in range(draw(st.integers(1, 3))):
        comparison = draw(st.sampled_from(["=", "!="]))
        attributes.append(draw(sub_expressions()) + comparison + draw(sub_expressions(inner)))
    joined = attributes[0]
    for attribute in attributes[1:]:
        joined += _keyword(draw, operator) + attribute
    return draw(sub_expressions(inner)) + ":" + draw(WS) + joined


def _extend(inner):
    return st.one_of(sub_expressions(inner), compound(inner), refined(inner))


#: the shapes the hand-written reader exists for, nested
common_expressions = st.recursive(sub_expressions(), _extend, max_leaves=6)


#: pieces that push a simple expression towards every other shape, and towards errors
NOISE = ["<", ">", "!", "^", "*", "|", "(", ")", "{{", "}}", ":", "=", ",", ".", "0", "7",
         " ", "\f", "\u00a0", "/* c */", "AND", "OR ", " MINUS ", "x", "#", "[", "]", "12",
         "\u0661", "term = \"a\"", "+ HISTORY"]


@st.composite
def perturbed_expressions(draw) -> str:
    text = draw(common_expressions)
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, len(text)))
        if draw(st.booleans()) and at < len(text):
            text = text[:at] + text[at + 1:]
        else:
            text = text[:at] + draw(st.sampled_from(NOISE)) + text[at:]
    return text


def _grammar_tree(text: str):
    try:
        return parse_grammar(text)
    except ECLSyntaxError:
        return None


@settings(max_examples=300)
@given(common_expressions)
def test_the_common_shapes_are_read_by_hand_as_the_grammar_reads_them(text):
    tree = parse_simple(text)
    assert tree is not None, f"{text!r} is a common shape the fast path declined"
    assert tree == parse_grammar(text)


@settings(max_examples=500)
@given(perturbed_expressions())
def test_any_other_text_is_left_to_the_grammar(text):
    tree = parse_simple(text)
    if tree is not None:
        assert tree == _grammar_tree(text), f"{text!r}: the fast path disagrees"


@pytest.mark.parametrize("path", example_files(SHARED), ids=lambda p: p.name)
def test_every_official_example_is_declined_or_read_as_the_grammar_reads_it(path):
    text = path.read_text(encoding="utf-8")
    tree = parse_simple(text)
    assert tree is None or tree == parse_grammar(text)


def test_the_official_simple_examples_take_the_fast_path():
    read = [p.name for p in example_files(SHARED) if parse_simple(p.read_text("utf-8"))]
    assert len(read) >= 8, read


@pytest.mark.parametrize("text", [
    "<< 0404684003", "<< 12345", "<< 404684003 |", "<< 1 ||", "< < 404684003",
    "<< 404684003 404684003", "", "<<\f404684003", "<< 404684003 /* c */",
    "<< 123456 AND<< 234567", "<< 123456 MINUS << 234567 MINUS << 345678",
    "<< 123456 AND << 234567 OR << 345678", "<< 123456 , << 234567 OR << 345678",
    "<< 123456 : 363698007 = << 234567 MINUS << 345678",
    "<< 123456 OR << 234567 : 363698007 = 345678", "< 404684003 : R 363698007 = 123456",
    "< 404684003 : [1..2] 363698007 = 123456", "< 404684003 : { 363698007 = 123456 }",
    "< 404684003 : 363698007 = #5", '< 404684003 : 363698007 = "x"',
    "< 404684003 : 363698007 = true", "<< 123456 . 363698007", '<< 123456 {{ term = "x" }}',
    "<< 123456 OR\u00a0<< 234567", "<< 123456 MINU\u017f << 234567", "(<< 123456",
    "<< 123456)", "()", "< 404684003 : 363698007 < 123456",
    "< 404684003 : 363698007 = 123456, 116676008 = 234567 OR 363698007 = 345678"])
def test_errors_and_near_misses_are_left_to_the_grammar(text):
    assert parse_simple(text) is None


def test_expanding_a_simple_shape_does_not_import_lark(tmp_path):
    code = ("import sys; from codelists.ecl import parse; parse('<< 404684003 |x|'); "
            "parse('^ 700043003'); print('lark' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"
