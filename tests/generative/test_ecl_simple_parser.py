"""The hand-written reader of simple ECL (codelists.ecl.simple) agrees with the grammar.

``parse_simple`` must either decline (None) or give exactly the grammar's tree; it must
never accept a text the grammar rejects; and it must read the shapes it exists for, so
that they are parsed without importing lark.
"""

from __future__ import annotations

import subprocess
import sys

import pytest
from hypothesis import given
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


@st.composite
def simple_expressions(draw) -> str:
    """``[operator] [^] (SCTID [|term|] | *)`` with the white space the grammar allows."""
    operator = draw(st.sampled_from(OPERATORS))
    parts = [draw(WS), operator, draw(WS) if operator else ""]
    if draw(st.booleans()):
        parts += ["^", draw(WS)]
    if draw(st.integers(0, 4)) == 0:
        parts.append("*")
    else:
        parts.append(draw(SCTID))
        if draw(st.booleans()):
            parts += [draw(WS), "|", draw(TERM), "|"]
    parts.append(draw(WS))
    return "".join(parts)


#: pieces that push a simple expression towards every other shape, and towards errors
NOISE = ["<", ">", "!", "^", "*", "|", "(", ")", "{{", "}}", ":", "=", ",", ".", "0", "7",
         " ", "\f", "\u00a0", "/* c */", "AND", "OR ", " MINUS ", "x", "#", "[", "]", "12",
         "\u0661", "term = \"a\"", "+ HISTORY"]


@st.composite
def perturbed_expressions(draw) -> str:
    text = draw(simple_expressions())
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


@given(simple_expressions())
def test_the_simple_shapes_are_read_by_hand_as_the_grammar_reads_them(text):
    tree = parse_simple(text)
    assert tree is not None, f"{text!r} is a simple shape the fast path declined"
    assert tree == parse_grammar(text)


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


@pytest.mark.parametrize("text", ["<< 0404684003", "<< 12345", "<< 404684003 |", "<< 1 ||",
                                  "< < 404684003", "<< 404684003 404684003", "",
                                  "<<\f404684003", "<< 404684003 /* c */"])
def test_errors_and_near_misses_are_left_to_the_grammar(text):
    assert parse_simple(text) is None


def test_expanding_a_simple_shape_does_not_import_lark(tmp_path):
    code = ("import sys; from codelists.ecl import parse; parse('<< 404684003 |x|'); "
            "parse('^ 700043003'); print('lark' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"
