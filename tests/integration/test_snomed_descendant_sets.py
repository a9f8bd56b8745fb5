"""Stored descendant sets: the importer writes them, they equal the closure table, and
everything that reads them answers as it does from the closure alone (a store imported
before the table existed, or a subtree below the minimum)."""

from __future__ import annotations

import importlib
import shutil
import sqlite3
from array import array
from collections import defaultdict

import pytest

from codelists.ecl import Substrate, evaluate, evaluate_reference
from codelists.terminology.snomedct import closure
from codelists.terminology.snomedct.importer import import_release
from codelists.terminology.snomedct.terminology import SnomedTerminology
from codelists.terminology.store import Store
from tests.plugins.snomed import elbow_release


def _closure_groups(conn) -> dict[int, list[int]]:
    groups: dict[int, list[int]] = defaultdict(list)
    for ancestor, descendant in conn.execute(
            "SELECT ancestor_id, descendant_id FROM closure ORDER BY 1, 2"):
        groups[ancestor].append(descendant)
    return groups


def _stored(conn) -> dict[int, tuple[int, list[int]]]:
    return {a: (size, array("q", blob).tolist()) for a, size, blob in conn.execute(
        "SELECT ancestor_id, size, ids FROM descendant_sets")}


@pytest.fixture(scope="module")
def elbow_with_sets(shared, tmp_path_factory):
    """The tennis-elbow release imported with every subtree of 2+ descendants stored."""
    saved = closure.DESCENDANT_SET_MIN
    closure.DESCENDANT_SET_MIN = 2
    try:
        return import_release(elbow_release(shared),
                              tmp_path_factory.mktemp("elbow-sets") / "elbow.db")
    finally:
        closure.DESCENDANT_SET_MIN = saved


def test_import_stores_every_large_subtree_exactly(elbow_with_sets):
    with Store.open(elbow_with_sets) as store:
        groups = _closure_groups(store.conn)
        stored = _stored(store.conn)
    expected = {a: (len(d), d) for a, d in groups.items() if len(d) >= 2}
    assert len(expected) > 10
    assert stored == expected


def test_rebuild_matches_import(elbow_with_sets, tmp_path):
    copy = tmp_path / "copy.db"
    shutil.copy(elbow_with_sets, copy)
    conn = sqlite3.connect(copy)
    before = _stored(conn)
    conn.execute("DROP TABLE descendant_sets")
    assert closure.rebuild_descendant_sets(conn, minimum=2) == len(before)
    conn.commit()
    assert _stored(conn) == before
    conn.close()


def test_default_minimum_keeps_small_subtrees_out(snomed_elbow_store):
    with Store.open(snomed_elbow_store) as store:
        largest = store.conn.execute("SELECT max(n) FROM (SELECT count(*) AS n FROM closure "
                                     "GROUP BY ancestor_id)").fetchone()[0]
        sets = store.conn.execute("SELECT count(*) FROM descendant_sets").fetchone()[0]
    assert largest < closure.DESCENDANT_SET_MIN and sets == 0


EXPRESSIONS = [
    "<< 404684003", "< 404684003", "<< 116309007", "< 202855006",
    "<< 404684003 MINUS << 202855006", "(<< 404684003) MINUS (< 116309007)",
    "<< 404684003 OR << 123037004", "<< 64572001 OR << 106028002",
    "<< 404684003 AND << 116309007", "<< 118234003 AND < 64572001",
    "(<< 404684003 AND << 116309007) MINUS 202855006",
    "<< 404684003 MINUS (<< 116309007 OR << 202855006)",
    "((<< 404684003))", '<< 404684003 {{ D term = "elbow" }}',
    "<< 118234003 MINUS < 928000",
]


@pytest.mark.parametrize("expression", EXPRESSIONS)
def test_ecl_reads_stored_sets_and_agrees(elbow_with_sets, snomed_elbow_store, expression):
    with Store.open(elbow_with_sets) as with_sets, Store.open(snomed_elbow_store) as plain:
        expected = evaluate_reference(expression, Substrate.from_store(plain.conn)).ids
        assert evaluate(expression, with_sets).ids == expected
        assert evaluate(expression, plain).ids == expected


def test_a_store_without_the_table_still_answers(elbow_with_sets, tmp_path):
    copy = tmp_path / "old.db"
    shutil.copy(elbow_with_sets, copy)
    with SnomedTerminology.open(elbow_with_sets) as new:
        want_descendants = new.descendants("404684003", include_self=True)
        want_ecl = evaluate("<< 404684003 MINUS << 116309007", new).ids
    conn = sqlite3.connect(copy)
    conn.execute("DROP TABLE descendant_sets")
    conn.commit()
    conn.close()
    with SnomedTerminology.open(copy) as old:
        assert closure.descendant_set(old.conn, 404684003) is None
        assert old.descendants("404684003", include_self=True) == want_descendants
        assert evaluate("<< 404684003 MINUS << 116309007", old).ids == want_ecl
    assert len(want_descendants) > 2


def test_stored_set_is_read_back_in_order(elbow_with_sets):
    with Store.open(elbow_with_sets) as store:
        groups = _closure_groups(store.conn)
        for ancestor, descendants in groups.items():
            found = closure.descendant_set(store.conn, ancestor)
            if len(descendants) >= 2:
                assert found == descendants
            else:
                assert found is None


def test_stored_subtrees_skip_the_query(elbow_with_sets, monkeypatch):
    """With every operand stored, MINUS, AND and OR never run a compiled query."""
    module = importlib.import_module("codelists.ecl.evaluate")  # the package exports
    # the function under the same name

    def refuse(*_args):
        raise AssertionError("the compiled query ran")

    monkeypatch.setattr(module, "_fetch", refuse)
    with Store.open(elbow_with_sets) as store:
        for expression in ("<< 404684003", "<< 404684003 MINUS < 116309007",
                           "<< 64572001 OR << 106028002", "<< 118234003 AND < 64572001"):
            assert evaluate(expression, store).ids
        with pytest.raises(AssertionError, match="compiled query"):
            evaluate("<< 202855006", store)  # no descendants: nothing stored
