"""TermIndex (one finditer over all terms) finds exactly what a per-term search finds."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from codelists.terminology.search import TermIndex

PATTERNS = [r"ab", r"^a", r"b$", r"a\s+b", r"a[^c]*b", r"\W", r"(?s)a.*b", r"^$", r"b\n?a",
            r"a|^c", r"\bab\b", r"[ab]{3,}", r"x*",
            # the text's own anchors (what Stata's ^ and $ translate to)
            r"\Aa", r"b\Z", r"\Aab\Z", r"a\Z|\Ac", r"[\\Z]b"]
terms = st.lists(st.text(alphabet="abc \n", max_size=6), max_size=12)


@settings(max_examples=300, deadline=None)
@given(terms, st.sampled_from(PATTERNS), st.booleans(), st.integers(0, 12))
def test_same_answer_as_searching_each_term(words, pattern, ignore_case, stop):
    regex = re.compile(pattern, re.IGNORECASE if ignore_case else 0)
    index = TermIndex(words)
    stop = min(stop, len(words))
    cleaned = [w.replace("\n", " ") for w in words]
    expected = [i for i, w in enumerate(cleaned[:stop]) if regex.search(w)]
    assert index.matching(regex, stop) == expected
    assert TermIndex(text="\n".join(cleaned)).matching(regex, stop) == expected
