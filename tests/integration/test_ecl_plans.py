"""Compiled ECL plans are kept per open store: the same answers as compiling afresh, one
prepared query per repeated call, and never a cached result."""

from __future__ import annotations

import shutil
import sqlite3

from codelists.ecl import evaluate, parse
from codelists.terminology.store import Store, read_metadata

EXPRESSIONS = ["404684003", "<! 404684003", "<< 404684003", "< 64572001", ">> 3723001",
               "^ 1002007", "<< 404684003 MINUS << 64572001", "<< 64572001 OR ^ 1002007",
               "< 404684003 : 363698007 = << 71854001", "9999999", "<< 9999999 |Nothing|",
               "<< 404684003 |Wrong term|"]


def test_a_store_answers_as_a_bare_connection_does(snomed_small_store):
    with Store.open(snomed_small_store) as store:
        bare = sqlite3.connect(snomed_small_store)
        for expression in EXPRESSIONS:
            for _ in range(2):  # compiled, then from the plan
                cached = evaluate(expression, store)
                fresh = evaluate(expression, bare)
                assert cached.ids == fresh.ids, expression
                assert cached.warnings == fresh.warnings, expression
                assert cached.unknown == fresh.unknown, expression
                assert cached.codes() == fresh.codes(), expression
            assert evaluate(parse(expression), store).ids == cached.ids
        bare.close()


def test_a_repeated_small_query_is_one_statement(snomed_small_store):
    with Store.open(snomed_small_store) as store:
        statements: list[str] = []
        evaluate("<! 404684003", store)
        evaluate("404684003", store)
        store.conn.set_trace_callback(statements.append)
        evaluate("<! 404684003", store)
        assert len(statements) == 1  # no existence check, no compiling look-ups
        statements.clear()
        assert evaluate("404684003", store).ids == {404684003}
        assert statements == []  # one known concept: looked up when compiled
        store.conn.set_trace_callback(None)


def test_plans_hold_no_results(snomed_small_store, tmp_path):
    """A plan is SQL, not an answer: the rows the query reads decide each call.

    (Store.open opens a store immutable, as it never changes in place; to see a change
    the store here is wrapped around an ordinary connection.)"""
    copy = tmp_path / "copy.db"
    shutil.copy(snomed_small_store, copy)
    metadata = read_metadata(copy)
    expressions = ["<! 404684003", "<< 404684003 MINUS << 64572001"]
    with Store(copy, sqlite3.connect(copy), metadata) as store:
        before = [evaluate(e, store).ids for e in expressions]
        assert all(before)
        child = min(before[0])
        writer = sqlite3.connect(copy)
        writer.execute("DELETE FROM relationships WHERE source_id = ? AND "
                       "destination_id = 404684003 AND type_id = 116680003", (child,))
        writer.execute("DELETE FROM closure WHERE descendant_id = ?", (child,))
        writer.commit()
        writer.close()
        assert evaluate(expressions[0], store).ids == before[0] - {child}
        assert evaluate(expressions[1], store).ids == before[1] - {child}
