"""Consensus rules, uncertainty, rounds and anonymised feedback."""

import pytest

from codelists.errors import UsageError
from codelists.method.delphi import (
    PRESETS,
    ConsensusRule,
    Round,
    consensus,
    decide,
    disputed,
    feedback,
    final_ratings,
    make_sheets,
    new_round,
    preset,
    sheet_key,
    summarise,
)

WATSON = PRESETS["watson2017"]


@pytest.mark.parametrize("ratings,keep,level", [
    ((1, 1), True, 0), ((1, 2), True, 1), ((1, 3), True, 2), ((2, 2), False, None),
    ((2, 3), False, None), ((3, 3), False, None),
    # more reviewers, and both 2 and 3: the worst rating decides
    ((1, 1, 1), True, 0), ((1, 2, 2), True, 1), ((1, 2, 3), True, 2), ((2, 2, 2), False, None),
])
def test_paper_rule_and_uncertainty(ratings, keep, level):
    decision = decide("c", {f"r{i}": r for i, r in enumerate(ratings)}, WATSON)
    assert (decision.keep, decision.uncertainty) == (keep, level)


@pytest.mark.parametrize("name,ratings,keep", [
    ("no-veto", (1, 3), False), ("no-veto", (1, 2), True),
    ("majority", (1, 1, 2), True), ("majority", (1, 2, 2), False), ("majority", (1, 2), False),
    ("unanimous", (1, 1), True), ("unanimous", (1, 2), False),
])
def test_specificity_presets(name, ratings, keep):
    decision = decide("c", {f"r{i}": r for i, r in enumerate(ratings)}, preset(name))
    assert decision.keep is keep


def test_rules_are_data():
    rule = ConsensusRule.from_data({"name": "strict", "keep_when": "all", "veto": 3})
    assert ConsensusRule.from_data(rule.as_dict()) == rule
    assert ConsensusRule.from_data(None) == WATSON
    assert ConsensusRule.from_data("unanimous") == PRESETS["unanimous"]
    with pytest.raises(UsageError):
        preset("lenient")
    with pytest.raises(UsageError):
        ConsensusRule.from_data({"keep_when": "some"})


def test_summary_counts():
    ratings = {"a": {"x": 1, "y": 1}, "b": {"x": 1, "y": 2}, "c": {"x": 3, "y": 3}}
    summary = summarise(consensus(ratings))
    assert summary == {"reviewed": 3, "included": 2, "excluded": 1, "complete_agreement": 2,
                       "partial_agreement": 1, "included_complete": 1, "included_partial": 1,
                       "uncertainty": {"0": 1, "1": 1}}
    assert disputed(ratings) == ["b"]


def test_feedback_is_anonymous_and_counts_ratings():
    ratings = {"a": {"Dr Smith": 1, "Dr Jones": 3}}
    comments = {"Dr Smith": {"a": "zebra comment"}, "Dr Jones": {"a": "apple comment"}}
    item = feedback(ratings, comments)["a"]
    assert item == {"counts": {"1": 1, "2": 0, "3": 1},
                    "comments": ["apple comment", "zebra comment"]}
    assert "Smith" not in repr(item) and "Jones" not in repr(item)


def test_rounds_and_final_ratings():
    r1 = new_round("sob", [], ["a", "b"], ["x", "y"])
    r1.ratings = {"x": {"a": 1, "b": 1}, "y": {"a": 1, "b": 3}}
    assert r1.complete() and r1.number == 1
    r2 = new_round("sob", [r1], ["b"], ["x", "y"])
    assert r2.number == 2 and r2.key == sheet_key("sob", 2, ["b"]) != r1.key
    r2.ratings = {"x": {"b": 1}, "y": {"b": 2}}
    assert final_ratings([r1, r2]) == {"a": {"x": 1, "y": 1}, "b": {"x": 1, "y": 2}}
    assert Round.from_dict(r2.as_dict()).as_dict() == r2.as_dict()
    with pytest.raises(UsageError):
        new_round("sob", [], ["a"], ["x", "x"])


def test_sheets_carry_feedback_from_round_two():
    rnd = new_round("sob", [], ["a"], ["x", "y"])
    sheets = make_sheets("sob", rnd, {"a": "Dyspnoea"},
                         previous={"a": {"counts": {"1": 1, "2": 0, "3": 1}, "comments": []}})
    assert [s.reviewer for s in sheets] == ["x", "y"]
    assert sheets[0].rows[0].term == "Dyspnoea"
    assert sheets[0].rows[0].feedback == "rated 1 by 1, 2 by 0, 3 by 1"
