"""Definitions on the real tennis-elbow slice against OpenCodelists' expected codelists.

The fixtures (../shared/.../snomedct/fixtures/disorder-of-elbow*.csv) list the codes of
"Disorder of elbow (128133004) and descendants", "... except Arthritis (3723001) and
descendants" and "... except Arthritis (3723001) only"; each also carries the inactive
156659008, added to the fixtures by hand, which an expansion on a release never gives.
"""

from __future__ import annotations

import csv

import pytest

from codelists.codelist.definition import (
    Definition,
    Rule,
    Status,
    expand,
    infer,
    resolve,
    to_ecl,
)
from codelists.ecl import evaluate
from codelists.terminology.registry import open_terminology
from tests.plugins.snomed import elbow_csv

INACTIVE = "156659008"


@pytest.fixture(scope="module")
def elbow(snomed_elbow_store):
    terminology = open_terminology(snomed_elbow_store)
    yield terminology
    terminology.close()


def expected(shared, name):
    with elbow_csv(shared, name).open(newline="", encoding="utf-8") as handle:
        return {row["code"] for row in csv.DictReader(handle)} - {INACTIVE}


ELBOW = Rule("128133004", True)
ARTHRITIS = Rule("3723001", False)


@pytest.mark.parametrize(("rules", "name"), [
    ((ELBOW,), "disorder-of-elbow"),
    ((ELBOW, ARTHRITIS), "disorder-of-elbow-excl-arthritis"),
])
def test_rules_expand_to_opencodelists_lists(elbow, shared, rules, name):
    assert expand(Definition(rules=rules), elbow) == expected(shared, name)


def test_codes_under_both_rules_are_conflicted_not_included(elbow):
    universe = elbow.descendants("128133004", include_self=True)
    got = resolve((ELBOW, ARTHRITIS), universe, elbow)
    assert got["202855006"] is Status.CONFLICTED  # Lateral epicondylitis
    assert got["439656005"] is Status.CONFLICTED  # Arthritis of elbow
    assert got["73583000"] is Status.INCLUDED


@pytest.mark.parametrize("name", ["disorder-of-elbow", "disorder-of-elbow-excl-arthritis",
                                  "disorder-of-elbow-excl-arthritis-only"])
def test_infer_reproduces_each_fixture(elbow, shared, name):
    wanted = expected(shared, name)
    universe = set(elbow.descendants("128133004", include_self=True))
    rules = infer(wanted, universe, elbow)
    got = resolve(rules, universe, elbow)
    assert {c for c, s in got.items() if s is Status.INCLUDED} == wanted
    assert rules[0] == ELBOW


def test_infer_of_the_whole_subtree_is_one_rule(elbow, shared):
    universe = set(elbow.descendants("128133004", include_self=True))
    assert infer(expected(shared, "disorder-of-elbow"), universe, elbow) == (ELBOW,)


@pytest.mark.parametrize("definition", [
    Definition(rules=(ELBOW,)),
    Definition(rules=(ELBOW, ARTHRITIS)),
    Definition(rules=(ELBOW, ARTHRITIS, Rule("202855006", True))),
    Definition(ecl="<< 19660004", rules=(Rule("35185008", False),)),
    Definition(ecl="<< 19660004", rules=(Rule("35185008", False), Rule("202855006", True))),
    Definition(ecl="<< 19660004 MINUS << 73583000"),
])
def test_ecl_export_evaluates_to_the_expansion(elbow, definition):
    text = to_ecl(definition, elbow, {"128133004": "Disorder of elbow"})
    assert {str(i) for i in evaluate(text, elbow).ids} == expand(definition, elbow)


def test_ecl_with_rules_lets_rules_win_where_they_decide(elbow):
    soft_tissue = expand(Definition(ecl="<< 19660004"), elbow)
    d = Definition(ecl="<< 19660004", rules=(Rule("35185008", False),
                                               Rule("202855006", True)))
    got = expand(d, elbow)
    assert "35185008" not in got and "73583000" not in got
    assert "202855006" in got and "202855006" in soft_tissue
    assert got < soft_tissue
