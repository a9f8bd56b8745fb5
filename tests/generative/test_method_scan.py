"""The prefiltered scan finds exactly what judging every description one by one finds."""

from hypothesis import given, settings
from hypothesis import strategies as st

from codelists.method.matcher import DescriptionIndex, judge, scan
from codelists.method.strategy import Exclusion, Rule, Strategy, Term

WORDS = ["short", "breath", "Breathless", "SOB", "sob", "dyspnoea", "ST", "depression",
         "liver", "deliveries", "a", "Ä", "ſ", "İx", "K"]
texts = st.lists(st.sampled_from(WORDS), min_size=1, max_size=5).map(" ".join)
terms = st.builds(
    Term,
    st.sampled_from(["short", "breath", "sob", "SOB", "breath*", "[Bb]reath", "pnoea$",
                     "s", "k", "depression", "ST depression", "a|b", "(ab)*"]),
    st.sampled_from(["substring", "word", "phrase", "regex"]),
    st.booleans(),
)


@st.composite
def strategies(draw):
    rules = tuple(Rule(str(i), tuple(draw(st.lists(terms, min_size=1, max_size=2))))
                  for i in range(draw(st.integers(1, 3))))
    exclusions = tuple(Exclusion(f"x{i}", draw(terms), draw(st.sampled_from(
        ["occurrence", "description"]))) for i in range(draw(st.integers(0, 2))))
    return Strategy(rules=rules, exclusions=exclusions)


@settings(max_examples=300, deadline=None)
@given(strategies(), st.lists(texts, min_size=1, max_size=12))
def test_scan_equals_brute_force(strategy, descriptions):
    fast = scan(strategy, descriptions, DescriptionIndex(descriptions))
    slow = {i: v for i, t in enumerate(descriptions)
            if (v := judge(strategy, t)).matched or v.removed}
    assert fast == slow
