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
from codelists.terminology.snomedct import idsets
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
    saved = idsets.DESCENDANT_SET_MIN
    idsets.DESCENDANT_SET_MIN = 2
    try:
        return import_release(elbow_release(shared),
                              tmp_path_factory.mktemp("elbow-sets") / "elbow.db")
    finally:
        idsets.DESCENDANT_SET_MIN = saved


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
    assert idsets.fill_descendant_sets(conn, minimum=2) == len(before)
    conn.commit()
    assert _stored(conn) == before
    conn.close()


def test_default_minimum_keeps_small_subtrees_out(snomed_elbow_store):
    with Store.open(snomed_elbow_store) as store:
        largest = store.conn.execute("SELECT max(n) FROM (SELECT count(*) AS n FROM closure "
                                     "GROUP BY ancestor_id)").fetchone()[0]
        sets = store.conn.execute("SELECT count(*) FROM descendant_sets").fetchone()[0]
    assert largest < idsets.DESCENDANT_SET_MIN and sets == 0


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
        assert idsets.descendant_set(old.conn, 404684003) is None
        assert old.descendants("404684003", include_self=True) == want_descendants
        assert evaluate("<< 404684003 MINUS << 116309007", old).ids == want_ecl
    assert len(want_descendants) > 2


def test_stored_set_is_read_back_in_order(elbow_with_sets):
    with Store.open(elbow_with_sets) as store:
        groups = _closure_groups(store.conn)
        for ancestor, descendants in groups.items():
            found = idsets.descendant_set(store.conn, ancestor)
            if len(descendants) >= 2:
                assert found.tolist() == descendants
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
            # no descendants: nothing stored (a lone `<< 202855006` is one index range,
            # read without the compiled query: codelists.ecl.direct)
            evaluate("<< 202855006 OR < 202855006", store)


@pytest.fixture(scope="module")
def small_with_sets(snomed_small_release, tmp_path_factory):
    """tests/data/snomed-small imported with every refset and subtree stored."""
    saved = idsets.DESCENDANT_SET_MIN, idsets.MEMBER_SET_MIN
    idsets.DESCENDANT_SET_MIN, idsets.MEMBER_SET_MIN = 1, 1
    try:
        return import_release(snomed_small_release,
                              tmp_path_factory.mktemp("small-sets") / "small.db")
    finally:
        idsets.DESCENDANT_SET_MIN, idsets.MEMBER_SET_MIN = saved


def test_member_sets_hold_every_concept_refset(small_with_sets):
    with Store.open(small_with_sets) as store:
        conn = store.conn
        refsets = dict(conn.execute("SELECT refset_id, member_table FROM refsets"))
        stored = _stored_members(conn)
        for refset, table in refsets.items():
            if table == "refset_language":
                assert refset not in stored  # description ids: not worth a set
                continue
            want = sorted({c for (c,) in conn.execute(
                f"SELECT referenced_component_id FROM {table} WHERE refset_id = ?",
                (refset,))})
            assert stored[refset] == (len(want), want)
    # 1002007 |Arthritis codes|: active members only (195967001's membership is inactive)
    assert stored[1002007][1] == [3723001, 69896004, 439656005]
    assert {900000000000497000, 447562003, 999002271000000101} <= set(stored)


def _stored_members(conn) -> dict[int, tuple[int, list[int]]]:
    return {r: (size, array("q", blob).tolist()) for r, size, blob in conn.execute(
        "SELECT refset_id, size, ids FROM member_sets")}


@pytest.mark.parametrize("expression", [
    "^ 1002007", "^ 447562003", "^ 999002271000000101", "^ 900000000000497000",
    "^ 1002007 MINUS << 69896004", "^ 1002007 AND ^ 447562003", "^ 1002007 OR << 195967001",
    "<< 404684003 MINUS ^ 1002007", "^ 900000000000508004", "< ^ 1002007",
    '^ 1002007 {{ M referencedComponentId = << 3723001 }}', "^ [refsetId] 1002007",
])
def test_member_sets_agree_with_the_member_tables(small_with_sets, snomed_small_store,
                                                 ecl_small, expression):
    _store, substrate = ecl_small
    expected = evaluate_reference(expression, substrate).ids
    with Store.open(small_with_sets) as with_sets, Store.open(snomed_small_store) as plain:
        assert evaluate(expression, with_sets).ids == expected
        assert evaluate(expression, plain).ids == expected


def test_add_id_sets_gives_an_old_store_what_an_import_writes(small_with_sets, tmp_path):
    copy = tmp_path / "old.db"
    shutil.copy(small_with_sets, copy)
    conn = sqlite3.connect(copy)
    members, descendants = _stored_members(conn), _stored(conn)
    conn.execute("DROP TABLE member_sets")
    conn.execute("DROP TABLE descendant_sets")
    assert idsets.member_set(conn, 1002007) is None
    assert idsets.add_id_sets(conn, minimum=1) == (len(descendants), len(members))
    conn.commit()
    assert (_stored_members(conn), _stored(conn)) == (members, descendants)
    conn.close()


def test_codes_from_stored_sets_are_the_ids_as_text_ascending(small_with_sets):
    """``codes()`` of every stored-set path (``<<``, ``<``, ``^``, MINUS of two stored
    sets) equals the ids as strings in ascending numeric order, and the stored text equals
    the stored ids."""
    with Store.open(small_with_sets) as store:
        conn = store.conn
        for table in ("descendant_sets", "member_sets"):
            for blob, text in conn.execute(f"SELECT ids, codes FROM {table}"):
                assert text.split("\n") == [str(i) for i in array("q", blob)]
        ancestors = [a for (a,) in conn.execute("SELECT ancestor_id FROM descendant_sets")]
        refsets = [r for (r,) in conn.execute("SELECT refset_id FROM member_sets")]
        expressions = [f"<< {a}" for a in ancestors] + [f"< {a}" for a in ancestors] + [
            f"^ {r}" for r in refsets] + [f"<< {a} MINUS << {b}" for a in ancestors[:6]
                                          for b in ancestors[:6]] + [
            f"<< {a} MINUS ^ {r}" for a in ancestors[:4] for r in refsets]
        for expression in expressions:
            result = evaluate(expression, store)
            want = sorted(evaluate(expression, store).ids)
            assert result.codes() == [str(i) for i in want], expression
            assert list(result) == want, expression
            assert len(result) == len(want), expression


def test_codes_from_a_store_without_stored_text(small_with_sets, tmp_path):
    """A store whose id sets predate the ``codes`` column answers from the ids."""
    copy = tmp_path / "old-sets.db"
    shutil.copy(small_with_sets, copy)
    conn = sqlite3.connect(copy)
    conn.execute("ALTER TABLE descendant_sets DROP COLUMN codes")
    conn.commit()
    with Store.open(small_with_sets) as new, Store.open(copy) as old:
        for expression in ("<< 404684003", "< 404684003", "<< 404684003 MINUS ^ 1002007"):
            assert evaluate(expression, old).codes() == evaluate(expression, new).codes()
    assert idsets.add_id_sets(conn, minimum=1)[0] > 0  # the upgrade adds the column back
    conn.commit()
    assert "codes" in {r[1] for r in conn.execute("PRAGMA table_info(descendant_sets)")}
    conn.close()


@pytest.mark.parametrize("store_name", ["small_with_sets", "elbow_with_sets"])
def test_minus_of_stored_sets_without_numpy_agrees(store_name, request):
    """A fresh process (the command line) subtracts stored sets without importing numpy
    (it costs ~60 ms to import); the ids and codes are those the numpy path gives."""
    import json
    import subprocess
    import sys

    import numpy  # noqa: F401  (loaded here: this process takes the numpy path)

    path = request.getfixturevalue(store_name)
    with Store.open(path) as store:
        ancestors = [a for (a,) in store.conn.execute(
            "SELECT ancestor_id FROM descendant_sets ORDER BY size DESC")]
        chosen = ancestors[:6] + ancestors[-6:]  # large and small: both ways of subtracting
        expressions = [f"<< {a} MINUS << {b}" for a in chosen for b in chosen]
        expressions += [f"<< {a} MINUS ^ 1002007" for a in ancestors[:4]]
        want = {e: (evaluate(e, store).codes(), list(evaluate(e, store))) for e in expressions}
    code = ("import json, sys\nfrom codelists.ecl import evaluate\n"
            "from codelists.terminology.store import Store\n"
            "with Store.open(sys.argv[1]) as store:\n"
            "    out = {e: (evaluate(e, store).codes(), list(evaluate(e, store)))\n"
            "           for e in json.loads(sys.argv[2])}\n"
            "print(json.dumps([out, 'numpy' in sys.modules]))\n")
    done = subprocess.run([sys.executable, "-c", code, str(path),
                           json.dumps(expressions)], capture_output=True, text=True, check=True)
    got, numpy_loaded = json.loads(done.stdout)
    assert not numpy_loaded
    assert {e: (codes, ids) for e, (codes, ids) in got.items()} == {
        e: (codes, ids) for e, (codes, ids) in want.items()}
    assert any(codes for codes, _ in want.values()) and any(
        len(c) < len(evaluate(e.split(" MINUS ")[0], path).codes())
        for e, (c, _) in want.items())
