"""Search strategy matching: modes, AND-groups, exclusions, and the known traps."""

import pytest

from codelists.errors import UserError
from codelists.method.candidates import compare, run
from codelists.method.matcher import judge, required_literal
from codelists.method.strategy import Exclusion, Rule, Strategy, Term


def found(strategy, *texts):
    result = run(strategy, [(str(i), t) for i, t in enumerate(texts)])
    return [texts[int(c)] for c in result.codes()]


def one(text, mode="substring", case_sensitive=False, **extra):
    return Strategy(rules=(Rule("1", (Term(text, mode, case_sensitive),)),), **extra)


def test_whole_word_liver_does_not_match_deliveries():
    assert found(one("liver", "word"), "Liver disease", "Deliveries", "liver") == [
        "Liver disease", "liver"]
    assert found(one("liver", "substring"), "Deliveries") == ["Deliveries"]


def test_word_wildcards():
    assert found(one("breath*", "word"), "Breathless", "Short of breath", "Bad breathe",
                 "Abreath") == ["Breathless", "Short of breath", "Bad breathe"]
    assert found(one("*pnoea", "word"), "Dyspnoea", "Apnoeic") == ["Dyspnoea"]


def test_phrase_spans_any_whitespace_whole_words():
    strategy = one("short of breath", "phrase")
    assert found(strategy, "Short  of\tbreath", "Shortness of breath",
                 "short of breathing") == ["Short  of\tbreath"]


def test_case_sensitivity_is_explicit():
    assert found(one("SOB", "substring", True), "SOB", "Sobbing") == ["SOB"]
    assert found(one("SOB", "substring", False), "SOB", "Sobbing") == ["SOB", "Sobbing"]


def test_regex_modes():
    assert found(one(r"\bdyspn\w*", "regex"), "Dyspnoea", "Nocturnal dyspnea") == [
        "Dyspnoea", "Nocturnal dyspnea"]
    with pytest.raises(UserError):
        found(one("(", "regex"), "x")


def test_and_group_needs_every_term():
    strategy = Strategy(rules=(Rule("1", (Term("short"), Term("breath"))),))
    assert found(strategy, "Short of breath", "Breath sounds", "Short stature",
                 "breath short") == ["Short of breath", "breath short"]


def test_none_of_vetoes_a_rule():
    strategy = Strategy(rules=(Rule("1", (Term("breath"),), (Term("test"),)),))
    assert found(strategy, "Breath test", "Breathless") == ["Breathless"]


def test_excluding_st_depression_keeps_depression():
    strategy = Strategy(rules=(Rule("1", (Term("depression", "word"),)),),
                        exclusions=(Exclusion("x1", Term("ST depression", "phrase")),))
    texts = ["Depression", "ST depression on ECG", "Depression with ST depression",
             "Postnatal depression"]
    assert found(strategy, *texts) == ["Depression", "Depression with ST depression",
                                       "Postnatal depression"]
    verdict = judge(strategy, "ST depression on ECG")
    assert verdict.matched == () and verdict.removed == ("1",) and verdict.by == ("x1",)


def test_exclusion_must_cover_the_whole_occurrence():
    strategy = Strategy(rules=(Rule("1", (Term("breath"),)),),
                        exclusions=(Exclusion("x1", Term("bad breat")),))
    assert found(strategy, "Bad breath") == ["Bad breath"]  # partial overlap: kept


def test_description_scope_exclusion_drops_the_description():
    strategy = Strategy(rules=(Rule("1", (Term("asthma", "word"),)),),
                        exclusions=(Exclusion("x1", Term("family history", "phrase"),
                                              "description"),))
    assert found(strategy, "Asthma", "Family history of asthma") == ["Asthma"]


def test_exclusions_are_counted():
    strategy = Strategy(rules=(Rule("1", (Term("depression", "word"),)),),
                        exclusions=(Exclusion("x1", Term("ST depression", "phrase")),))
    result = run(strategy, [("1", "ST depression"), ("2", "Depression"),
                            ("2", "ST depression present"), ("3", "ST depression on ECG")])
    assert result.codes() == ["2"]
    assert result.exclusion_counts() == {"x1": {"descriptions": 3, "codes": 2}}
    assert result.excluded_codes() == ["1", "3"]


def test_candidates_record_why_they_were_found():
    strategy = Strategy(rules=(Rule("1", (Term("short"), Term("breath"))),
                               Rule("2", (Term("dyspn"),))))
    result = run(strategy, [("9", "Short of breath", "synonym", True),
                            ("9", "Dyspnoea", "preferred", True),
                            ("8", "Dyspnoea old", "synonym", False)])
    [candidate] = result.candidates
    assert candidate.term == "Dyspnoea"  # the preferred description names the line
    assert candidate.source_tag() == "search:1,2"
    assert [(m.rule, m.description, m.terms) for m in candidate.matches] == [
        ("1", "Short of breath", ("Short", "breath")), ("2", "Dyspnoea", ("Dyspn",))]


def test_inactive_descriptions_only_on_request():
    rows = [("1", "Dyspnoea", "", False)]
    assert run(one("dyspn"), rows).codes() == []
    strategy = Strategy(rules=one("dyspn").rules, include_inactive=True)
    assert run(strategy, rows).codes() == ["1"]


def test_compare_reports_new_and_vanished():
    comparison = compare(["1", "2", "3"], ["2", "3", "4"])
    assert comparison.new == ["4"] and comparison.vanished == ["1"]


def test_required_literals_are_safe_prefilters():
    assert required_literal(Term("[Bb]reath(ing)?", "stata")) == "breath"
    assert required_literal(Term("a|b", "regex")) == ""
    assert required_literal(Term("x(abc)+y", "regex")) == "abc"
    assert required_literal(Term("short of breath", "phrase")) == "breath"


def test_strategy_round_trips_through_data():
    data = {"systems": ["icd10cm"], "rules": [
        {"id": 1, "stata": 'regexm(desc, "[Ss]hort") & regexm(desc, "[Bb]reath")'},
        {"id": "w", "all_of": [{"text": "liver", "mode": "word", "case_sensitive": False}],
         "none_of": ["transplant"]}, "dyspn"],
        "exclusions": [{"text": "ST depression", "mode": "phrase"}], "expand": "descendants"}
    strategy = Strategy.from_dict(data)
    assert Strategy.from_dict(strategy.as_dict()) == strategy
    assert strategy.rules[0].all_of[0] == Term("[Ss]hort", "stata", True)
    assert strategy.rules[0].as_dict()["stata"] == data["rules"][0]["stata"]


@pytest.mark.parametrize("data", [{"rules": [{"text": "x", "mode": "fuzzy"}]},
                                  {"rules": [{"id": 1, "text": "a"}, {"id": 1, "text": "b"}]},
                                  {"rules": [{"id": 1}]},
                                  {"rules": ["a"], "exclusions": [{"text": "b", "scope": "x"}]}])
def test_bad_strategies_are_user_errors(data):
    with pytest.raises(UserError):
        Strategy.from_dict(data)
