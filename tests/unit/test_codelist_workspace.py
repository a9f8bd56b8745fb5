"""The builder's workspace (codelists.codelist.workspace) on the real tennis-elbow slice:
OpenCodelists' own fixtures are the expected answers (less the inactive 156659008, which
their README says was added by hand)."""

from __future__ import annotations

import csv

import pytest

from codelists.codelist.definition import Definition, Status
from codelists.codelist.fileformat import dumps, parse
from codelists.codelist.workspace import Search, Workspace, searches_of, to_codelist
from codelists.errors import UsageError

FIXTURES = "data/terminologies/opencodelists-fixtures/coding_systems/snomedct/fixtures"


def expected(shared, name: str) -> list[str]:
    rows = csv.DictReader(open(shared / FIXTURES / f"{name}.csv", encoding="utf-8"))
    return sorted(r["code"] for r in rows if r["code"] != "156659008")


@pytest.fixture
def elbow(snomed_elbow_store):
    from codelists.terminology.registry import open_terminology

    terminology = open_terminology(snomed_elbow_store)
    yield terminology
    terminology.close()


def test_disorder_of_elbow_then_without_arthritis(elbow, shared):
    space = Workspace(elbow, [Search("code", "128133004"), Search("code", "3723001")])
    assert "3723001" in space.codes and "73583000" in space.codes  # a descendant
    assert "156659008" not in space.codes  # inactive: never offered
    definition = Definition().with_rule("128133004", True)
    assert sorted(space.included(definition.rules)) == expected(shared, "disorder-of-elbow")

    definition = definition.with_rule("3723001", False)
    statuses = space.statuses(definition.rules)
    assert statuses["439656005"] is Status.CONFLICTED  # under elbow and under arthritis
    assert [(r.code, r.include) for r in space.deciding("439656005", definition.rules)] == [
        ("3723001", False), ("128133004", True)]
    assert sorted(space.included(definition.rules)) == expected(
        shared, "disorder-of-elbow-excl-arthritis")

    definition = definition.with_rule("439656005", True)  # only 3723001 itself excluded
    assert sorted(space.included(definition.rules)) == expected(
        shared, "disorder-of-elbow-excl-arthritis-only")
    assert statuses["3723001"] is Status.EXCLUDED


def test_a_term_search_and_its_tree(elbow, shared):
    space = Workspace(elbow, [Search("term", "elbow")])
    tree = space.tree()
    # "elbow" also finds the finding above the disorder: the tree starts there
    assert tree.roots == ("116309007",)
    assert "128133004" in tree.kids("116309007")
    assert "429554009" in tree.kids("128133004")
    rules = Definition().with_rule("116309007", False).with_rule("128133004", True).rules
    statuses = space.statuses(rules)
    assert Status.UNRESOLVED not in statuses.values()
    assert Status.CONFLICTED not in statuses.values()
    assert space.included(rules) == sorted(expected(shared, "disorder-of-elbow"),
                                           key=lambda c: int(c))


def test_searches_are_checked(elbow):
    with pytest.raises(UsageError):
        Search.from_mapping({"kind": "sql", "query": "x"})
    with pytest.raises(UsageError):
        Search.from_mapping({"kind": "term", "query": "  "})
    assert Workspace(elbow, [Search("code", "999999999")]).codes == frozenset()


@pytest.mark.slow
def test_shortness_of_breath_on_icd10cm(icd10cm):
    space = Workspace(icd10cm, [Search("term", "shortness of breath"),
                                Search("code", "R06.0")])
    assert {"R06.0", "R06.00", "R06.02"} <= space.codes
    rules = Definition().with_rule("R06.0", True).with_rule("R06.01", False).rules
    included = space.included(rules)
    assert "R06.02" in included and "R06.01" not in included and "R06.0" in included


def test_stata_patterns_keep_stata_meaning(elbow):
    # Stata's regexm is case-sensitive: "[Ee]lbow" finds both, "elbow" only lower case
    both = Workspace(elbow, [Search("stata", "[Ee]lbow$")])
    lower = Workspace(elbow, [Search("stata", "^elbow")])
    assert "128133004" in both.matches  # "Disorder of elbow"
    assert lower.matches == {}
    again = searches_of(parse(dumps(to_codelist(title="x", system="snomedct", rules=(),
                                                included=(), searches=both.searches))))
    assert again == [Search("stata", "[Ee]lbow$")]
