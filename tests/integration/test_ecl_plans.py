"""Compiled ECL plans are kept per open store: the same answers as compiling afresh, one
prepared query per repeated call, and never a cached result."""

from __future__ import annotations

import shutil
import sqlite3

from codelists.ecl import evaluate, parse
from codelists.terminology.store import Store

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
    """A plan is SQL, not an answer: the rows the query reads decide each call."""
    copy = tmp_path / "copy.db"
    shutil.copy(snomed_small_store, copy)
    with Store.open(copy) as store:
        before = evaluate("<! 404684003", store).ids
        assert before
        child = min(before)
        writer = sqlite3.connect(copy)
        writer.execute("DELETE FROM relationships WHERE source_id = ? AND "
                       "destination_id = 404684003 AND type_id = 116680003", (child,))
        writer.commit()
        writer.close()
        assert evaluate("<! 404684003", store).ids == before - {child}
