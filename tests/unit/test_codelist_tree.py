"""The tree of a set of codes (codelists.codelist.tree) on a hand-drawn hierarchy and on
the real tennis-elbow SNOMED CT slice."""

from __future__ import annotations

import csv

from codelists.codelist.tree import build_tree, natural_key

#   root
#   ├── a
#   │   ├── x (not in the set)
#   │   │   └── b
#   │   └── c
#   └── d
#       └── c          (c has two parents: a and d)
PARENTS = {"root": [], "a": ["root"], "x": ["a"], "b": ["x"], "c": ["a", "d"],
           "d": ["root"], "orphan": []}


class Mapping:
    def __init__(self, parents):
        self.asked = []
        self._parents = parents

    def parents(self, code):
        self.asked.append(code)
        return self._parents.get(code, [])


def test_codes_hang_under_their_nearest_ancestors_in_the_set():
    tree = build_tree(["a", "b", "c", "d"], Mapping(PARENTS))
    assert tree.roots == ("a", "d")
    assert tree.kids("a") == ("b", "c")  # b through x, which is not in the set
    assert tree.kids("d") == ("c",)      # c under both of its parents
    assert tree.size() == 5
    assert list(tree.depth_first()) == [(0, "a"), (1, "b"), (1, "c"), (0, "d")]


def test_unknown_codes_stay_at_the_top_and_each_parent_is_asked_once():
    hierarchy = Mapping(PARENTS)
    tree = build_tree(["b", "c", "orphan", "nope"], hierarchy)
    assert tree.roots == ("b", "c", "nope", "orphan")
    assert len(hierarchy.asked) == len(set(hierarchy.asked))


def test_a_cycle_in_bad_data_does_not_hang():
    tree = build_tree(["a"], Mapping({"a": ["p"], "p": ["q"], "q": ["p"]}))
    assert tree.roots == ("a",)


def test_natural_order_puts_numbers_in_numeric_order():
    codes = ["100801000119107", "10217006", "10058006", "9", "J45.9", "J45", "J45.10", "J45.2"]
    assert sorted(codes, key=natural_key) == [
        "9", "10058006", "10217006", "100801000119107", "J45", "J45.2", "J45.9", "J45.10"]


def test_disorder_of_elbow_on_the_real_slice(snomed_elbow_store, shared):
    from codelists.terminology.registry import open_terminology

    fixture = (shared / "data/terminologies/opencodelists-fixtures/coding_systems/snomedct/"
               "fixtures/disorder-of-elbow.csv")
    codes = [row["code"] for row in csv.DictReader(open(fixture, encoding="utf-8"))]
    terminology = open_terminology(snomed_elbow_store)
    try:
        tree = build_tree(codes, terminology)
    finally:
        terminology.close()
    # 128133004 Disorder of elbow heads the list; the inactive 156659008 has no parents
    assert set(tree.roots) == {"128133004", "156659008"}
    assert "439656005" in tree.kids("429554009")  # arthritis of elbow under arthropathy
    assert {code for _, code in tree.depth_first()} == set(codes)


def test_codes_a_store_does_not_know_are_reported(snomed_elbow_store):
    from codelists.terminology.registry import open_terminology

    terminology = open_terminology(snomed_elbow_store)
    try:
        tree = build_tree(["128133004", "73583000", "169573007"], terminology)
    finally:
        terminology.close()
    assert tree.unknown == {"169573007"}
    assert tree.roots == ("128133004", "169573007")
    assert tree.kids("128133004") == ("73583000",)
