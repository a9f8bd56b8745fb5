"""Stata regexm() (POSIX ERE, Spencer) translated into Python: same matches."""

import re

import pytest

from codelists.errors import UserError
from codelists.method.stata_regex import parse_stata_condition, translate


def matches(pattern: str, text: str) -> bool:
    return re.search(translate(pattern), text) is not None


@pytest.mark.parametrize("pattern,text,expected", [
    ("[Bb]reath", "Breathless", True),
    ("[Bb]reath", "BREATH", False),  # regexm is case-sensitive
    ("SOB", "sob", False),
    ("labou?red", "labored breathing", True),
    ("^Dyspn", "Dyspnoea", True),
    ("^Dyspn", "Paroxysmal dyspnoea", False),
    ("oea$", "Dyspnoea", True),
    ("oea$", "Dyspnoea\n", False),  # $ is the very end, not before a newline
    ("a|b", "b", True),
    ("(ab)+c", "ababc", True),
    (r"\d", "d", True),  # a backslash quotes the next character: the letter d
    (r"\d", "5", False),
    ("[\\d]", "\\", True),  # inside brackets a backslash is literal
    ("[\\d]", "5", False),
    ("a{2}", "a{2}", True),  # no bounded repeats: braces are literal
    ("a{2}", "aa", False),
    ("[]x]", "]", True),  # a leading ] is literal
    ("[^]x]", "y", True),
    ("[[:digit:]]+ mg", "10 mg", True),
    ("[[:alpha:]]", "1", False),
    ("[a-c-]", "-", True),
    ("x.y", "x\ny", True),  # . matches any character
    (r"\.", "a", False),
    (r"\.", ".", True),
])
def test_translation_has_stata_meaning(pattern, text, expected):
    assert matches(pattern, text) is expected


@pytest.mark.parametrize("pattern", ["*a", "a**", "a+?", "(?i)a", "[a", "[[:word:]]", "a\\"])
def test_stata_errors_are_errors(pattern):
    with pytest.raises(UserError):
        translate(pattern)


def test_parse_box2_condition_verbatim():
    tests = parse_stata_condition('regexm(desc, "[Ss]hort") & regexm(desc,"[Bb]reath")')
    assert [(t.pattern, t.variable, t.negated) for t in tests] == [
        ("[Ss]hort", "desc", False), ("[Bb]reath", "desc", False)]
    tests = parse_stata_condition('regexm(lower(readterm), "sob") & !regexm(desc, "x")==1')
    assert tests[0].lower and tests[0].variable == "lower(readterm)"
    assert tests[1].negated


@pytest.mark.parametrize("text", ['regexm(desc, "a") | regexm(desc, "b")',
                                  'strpos(desc, "a")', "",
                                  'regexm(lower(desc), "SOB")'])
def test_unreadable_conditions_fail_loudly(text):
    with pytest.raises(UserError):
        parse_stata_condition(text)
