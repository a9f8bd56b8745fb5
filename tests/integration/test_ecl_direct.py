"""A hierarchy operator on one concept is one index range (codelists.ecl.direct): the same
ids as the general compiled query, ascending, distinct, for every concept of a store."""

from __future__ import annotations

import shutil
import sqlite3

import pytest

from codelists.ecl import evaluate, parse
from codelists.ecl.direct import hierarchy_query
from codelists.ecl.evaluate import BULK
from codelists.ecl.to_sql import Compiler
from codelists.terminology.store import Store, read_metadata

OPERATORS = ["<", "<<", ">", ">>", "<!", "<<!", ">!", ">>!"]
IS_A = 116680003


def compiled(expression: str, conn) -> list[str]:
    """The ids by the general compiler (common table expressions, DISTINCT, ORDER BY)."""
    compiler = Compiler(conn)
    sql, params = compiler.query(compiler.expression(parse(expression)), BULK)
    (text,) = conn.execute(sql, params).fetchone()
    return [] if text == "[]" else text[1:-1].split(",")


def test_every_operator_on_every_concept_agrees_with_the_compiled_query(snomed_small_store):
    with Store.open(snomed_small_store) as store:
        concepts = [r[0] for r in store.conn.execute("SELECT id FROM concepts")]
        assert len(concepts) > 20
        for concept in [*concepts, 999999999]:  # and a concept the store does not hold
            for operator in OPERATORS:
                expression = f"{operator} {concept}"
                assert hierarchy_query(parse(expression)) is not None
                result = evaluate(expression, store)
                expected = compiled(expression, store.conn)
                assert result.codes() == expected, expression
                assert result.ids == {int(c) for c in expected}, expression
                assert [int(c) for c in result.codes()] == sorted(result.ids), expression


def test_a_repeated_is_a_row_gives_each_id_once(snomed_small_store, tmp_path):
    """Two active IS-A rows between one pair (a merged release can hold both)."""
    copy = tmp_path / "twice.db"
    shutil.copy(snomed_small_store, copy)
    conn = sqlite3.connect(copy)
    child, parent = conn.execute(
        "SELECT source_id, destination_id FROM relationships WHERE type_id = ? "
        "AND destination_id IN (SELECT destination_id FROM relationships WHERE type_id = ? "
        "GROUP BY destination_id HAVING count(*) > 1) LIMIT 1", (IS_A, IS_A)).fetchone()
    conn.execute("INSERT INTO relationships SELECT id + 1, effective_time, module_id, "
                 "source_id, destination_id, relationship_group, type_id, "
                 "characteristic_type_id, modifier_id FROM relationships "
                 "WHERE source_id = ? AND destination_id = ? AND type_id = ?",
                 (child, parent, IS_A))
    conn.commit()
    conn.close()
    with Store(copy, sqlite3.connect(copy), read_metadata(copy)) as store:
        for expression in (f"<! {parent}", f"<<! {parent}", f">! {child}", f">>! {child}"):
            codes = evaluate(expression, store).codes()
            assert len(codes) == len(set(codes)), expression
            assert codes == compiled(expression, store.conn), expression
        assert str(child) in evaluate(f"<! {parent}", store).codes()


@pytest.mark.parametrize("expression", [
    "<< 404684003 {{ term = \"elbow\" }}", "^ 1002007", "<< (404684003 OR 64572001)",
    "!!> 404684003", "404684003", "<< 404684003 : 363698007 = *",
])
def test_other_shapes_take_the_compiled_query(expression):
    assert hierarchy_query(parse(expression)) is None


def test_a_small_hierarchy_query_is_one_plain_statement(snomed_small_store):
    with Store.open(snomed_small_store) as store:
        statements: list[str] = []
        evaluate("<! 404684003", store)
        store.conn.set_trace_callback(statements.append)
        evaluate("<! 404684003", store)
        store.conn.set_trace_callback(None)
        assert len(statements) == 1
        assert not statements[0].startswith("WITH")
