"""Translated Stata patterns match what a POSIX ERE engine (GNU grep -E, C locale) matches.

Stata's regexm() is Henry Spencer's ERE; on the constructs both share (literals, ., [],
[^], *, +, ?, |, (), ^, $) GNU grep -E is an independent oracle for the translation.
"""

import re
import shutil
import subprocess

from hypothesis import given, settings
from hypothesis import strategies as st

from codelists.method.stata_regex import translate

ALPHABET = "abAB -."
atoms = st.one_of(
    st.sampled_from(list("abAB -")),
    st.just("."),
    st.sampled_from(["[ab]", "[^a]", "[A-B]", "[a-]", "[]a]", "[[:alpha:]]", "[[:space:]]"]),
)


@st.composite
def patterns(draw, depth=0):
    pieces = []
    for _ in range(draw(st.integers(1, 4))):
        if depth < 2 and draw(st.integers(0, 5)) == 0:
            atom = "(" + draw(patterns(depth + 1)) + ")"
        else:
            atom = draw(atoms)
        pieces.append(atom + draw(st.sampled_from(["", "", "*", "+", "?"])))
    body = "".join(pieces)
    if draw(st.booleans()) and depth == 0:
        body = "^" + body
    if draw(st.booleans()) and depth == 0:
        body = body + "$"
    if draw(st.integers(0, 3)) == 0:
        body = body + "|" + draw(st.sampled_from(["a", "B", "-", "[ab]b"]))
    return body


TEXTS = ["", "a", "b", "ab", "ba", "aab", "AB", "a b", "a-b", "-", "b.a", "]a", "A", "bbb",
         "abab", "a  b", " a", "BA-", "ab.", "a]b"]


@settings(max_examples=150, deadline=None)
@given(patterns())
def test_translation_agrees_with_posix_ere(pattern):
    grep = shutil.which("grep")
    assert grep, "grep is part of the CI image"
    done = subprocess.run([grep, "-E", "-n", "--", pattern], input="\n".join(TEXTS) + "\n",
                          capture_output=True, text=True, env={"LC_ALL": "C"})
    assert done.returncode in (0, 1), done.stderr
    expected = {int(line.split(":", 1)[0]) - 1 for line in done.stdout.splitlines()}
    compiled = re.compile(translate(pattern))
    actual = {i for i, text in enumerate(TEXTS) if compiled.search(text)}
    assert actual == expected, pattern
