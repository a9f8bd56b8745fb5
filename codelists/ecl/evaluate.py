"""The public ECL calls: evaluate an expression over a SNOMED CT store, check it, explain it.

``evaluate(expression, store)`` accepts a SnomedTerminology, a Store, an sqlite3
connection or the path of a store, compiles the expression to one SQL query
(:mod:`codelists.ecl.to_sql`) and returns an :class:`ECLResult`: the ids as a frozenset,
plus warnings for unknown concept ids and display terms that are not a description of
their concept.
"""

from __future__ import annotations

import os
import sqlite3
import sys
import weakref
from array import array
from bisect import bisect_left
from itertools import chain, compress

from codelists.ecl import ast
from codelists.ecl.direct import hierarchy_query
from codelists.ecl.parser import parse
from codelists.ecl.render import render
from codelists.ecl.semantics import COMMON_FIELDS, ECLResult, fold, holds_components
from codelists.ecl.sql_filters import register_functions
from codelists.ecl.to_sql import Compiler, selected_component_field
from codelists.records import Record
from codelists.terminology.snomedct.idsets import (
    StoredSet,
    stored_descendants,
    stored_members,
)


def connection_of(source) -> sqlite3.Connection:
    """The sqlite3 connection behind a terminology, a store, a connection or a path."""
    if isinstance(source, sqlite3.Connection):
        return source
    store = getattr(source, "store", None)
    if store is not None and hasattr(store, "conn"):
        return store.conn
    if hasattr(source, "conn"):
        return source.conn
    if isinstance(source, str | os.PathLike):
        from codelists.terminology.store import Store

        return Store.open(source).conn
    raise TypeError(f"cannot evaluate ECL over {type(source).__name__}")


def _tree(expression) -> ast.Expression:
    return parse(expression) if isinstance(expression, str) else expression


def evaluate(expression: str | ast.Expression, source, *, check_terms: bool = True,
             rows: bool = False) -> ECLResult:
    """Evaluate ECL over a SNOMED CT store; see the module docstring.

    An expression that selects member fields (``^ [mapTarget] R``, ``^ [a, b] R``) yields
    rows, not a set of concepts: with ``rows=True`` they come back in ``columns`` and
    ``rows``; otherwise, where a set of concepts is needed, it is an ECLError.  Selecting
    one field that holds component ids (``^ [targetComponentId] R``) is a set of concepts.
    """
    if isinstance(source, str | os.PathLike):
        from codelists.terminology.store import Store

        with Store.open(source, terminology="snomedct") as store:
            return evaluate(expression, store, check_terms=check_terms, rows=rows)
    conn = connection_of(source)
    plans = _plans_of(source, conn)
    key = (expression, check_terms, rows)
    try:
        plan = plans.get(key) if plans is not None else None
    except TypeError:  # a hand-built tree holding a list: not a key
        plans = plan = None
    if plan is None:
        plan = _plan(_tree(expression), conn, check_terms, rows)
        if plans is not None and len(plans) < PLANS_PER_STORE:
            plans[key] = plan
    return plan(conn)


#: compiled plans kept per open store (the SQL text and the warnings, never results)
PLANS_PER_STORE = 1024
_PLANS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _plans_of(source, conn: sqlite3.Connection) -> dict | None:
    """The plan cache of the store behind ``source`` (None for a bare connection, which
    cannot be told apart from a later one: its plans are compiled afresh each call).

    A store's content never changes while it is open (an import writes a new file), so
    an expression's SQL, its warnings and whether it reads stored id sets are worked out
    once per store: a repeated small query then costs one prepared statement."""
    owner = getattr(source, "store", source)
    if isinstance(owner, sqlite3.Connection) or getattr(owner, "conn", None) is not conn:
        register_functions(conn)
        return None
    try:
        plans = _PLANS.get(owner)
        if plans is None:
            register_functions(conn)
            plans = _PLANS[owner] = {}
    except TypeError:  # an owner that cannot be weakly referenced
        register_functions(conn)
        return None
    return plans


def _plan(tree, conn: sqlite3.Connection, check_terms: bool, rows: bool):
    """A function of the connection giving the expression's result."""
    warnings, unknown = problems(tree, conn, check_terms=check_terms)
    if returns_rows(tree):
        if not rows:
            selected_component_field(tree.member_of)  # raises: rows are not concepts

        def member_plan(conn):
            columns, found = member_rows(tree, conn)
            return ECLResult(frozenset(), warnings, unknown, columns, tuple(found))
        return member_plan
    if _reads_stored_sets(tree, conn):
        return lambda conn: ECLResult(warnings=warnings, unknown=unknown,
                                      **_found(tree, Compiler(conn)))
    node = _unbracket(tree)
    if (isinstance(node, ast.SubExpression) and isinstance(node.focus, ast.ConceptReference)
            and node.operator is None and node.member_of is None and not node.filters
            and node.history is None):  # one concept: known or not was looked up above
        found = ECLResult(frozenset(() if unknown else (node.focus.id,)), warnings, unknown)
        return lambda conn: found
    direct = hierarchy_query(node)
    if direct is not None:  # one index range: no common table expressions, no sort
        concept = (node.focus.id,)
        return lambda conn: ECLResult(warnings=warnings, unknown=unknown,
                                      **_joined(conn.execute(direct, concept).fetchone()[0]))
    compiler = Compiler(conn)
    sql, params = compiler.query(compiler.expression(node), BULK)
    return lambda conn: ECLResult(warnings=warnings, unknown=unknown, **_fetch(conn, sql, params))


def returns_rows(tree) -> bool:
    """Whether the whole expression is a member field selection that yields rows (more
    than one field, ``[*]``, or a field that does not hold component ids)."""
    if not (isinstance(tree, ast.SubExpression) and tree.member_of and tree.member_of.fields
            and tree.operator is None and not tree.filters and tree.history is None):
        return False
    fields = tree.member_of.fields
    return not (len(fields) == 1 and fields[0] != "*" and holds_components(fields[0]))


def _reads_stored_sets(tree, conn) -> bool:
    """Whether :func:`_found` answers ``tree`` from stored id sets (else: one query)."""
    tree = _unbracket(tree)
    if _stored(tree, conn) is not None:
        return True
    return isinstance(tree, ast.Compound) and (tree.operator == "MINUS" or all(
        _stored(o, conn) is not None for o in tree.operands))


def _found(tree, compiler: Compiler) -> dict:
    """The ids of an expression, as :class:`ECLResult` keyword arguments: ``ids`` (a set)
    or, from stored sets, ``ascending`` ints and their ``codes`` as strings (made only when
    asked for).

    A large subtree (``<< X``, ``< X``) or refset (``^ R``) is read from its stored id
    set (:mod:`codelists.terminology.snomedct.idsets`), one row instead of one per id.
    A MINUS at the top is two such reads or bulk fetches and a set difference: cheaper
    than SQLite probing every id of the left side; so is an AND or OR whose operands are
    all stored sets.
    """
    tree = _unbracket(tree)
    stored = _stored(tree, compiler.conn)
    if stored is not None:
        return {"ascending": stored.ids, "codes": stored.codes}
    return _unstored(tree, compiler)


def _unstored(tree, compiler: Compiler) -> dict:
    """The ids of an (unbracketed) expression that is not itself a stored set."""
    if isinstance(tree, ast.Compound):
        if tree.operator == "MINUS":
            return _difference(*tree.operands, compiler=compiler)
        parts = []
        for operand in tree.operands:  # stop at the first operand not stored
            if (part := _stored(operand, compiler.conn)) is None:
                break
            parts.append(part.ids)
        else:
            if tree.operator == "OR":
                return {"ids": frozenset(chain.from_iterable(p.tolist() for p in parts))}
            smallest, *others = sorted(parts, key=len)
            return {"ids": frozenset(smallest.tolist()).intersection(*others)}
    return _fetch(compiler.conn, *compiler.query(compiler.expression(tree), BULK))


def _difference(left, right, *, compiler: Compiler) -> dict:
    """``left MINUS right``; two stored sets (sorted) are subtracted as int64 arrays
    before any Python int or string is made."""
    left, right = _unbracket(left), _unbracket(right)
    stored_left, stored_right = _stored(left, compiler.conn), _stored(right, compiler.conn)
    if stored_left is None or stored_right is None:
        ids = (frozenset(stored_left.ids.tolist()) if stored_left is not None
               else ECLResult(**_unstored(left, compiler)).ids)
        return {"ids": ids.difference(stored_right.ids if stored_right is not None
                                      else ECLResult(**_unstored(right, compiler)).ids)}
    if "numpy" not in sys.modules:  # a fresh process (the command line): no numpy import
        keep = _kept(stored_left.ids, stored_right.ids)
        return {"ascending": lambda: array("q", compress(stored_left.ids, keep)),
                "codes": lambda: list(compress(stored_left.codes(), keep))}
    import numpy as np

    a = np.frombuffer(stored_left.ids, dtype=np.int64)
    b = np.frombuffer(stored_right.ids, dtype=np.int64)
    at = np.minimum(np.searchsorted(a, b), max(a.size - 1, 0))
    keep = np.ones(a.size, dtype=bool)
    keep[at[a[at] == b] if a.size else at[:0]] = False
    ascending = array("q")
    ascending.frombytes(a[keep].tobytes())
    return {"ascending": ascending,
            "codes": lambda: list(compress(stored_left.codes(), keep.tolist()))}


def _kept(left: array, right: array) -> list[bool]:
    """Which ids of ``left`` are not in ``right`` (both ascending), without numpy:
    importing it costs a fresh process ~60 ms, far more than this.  A small ``right`` is
    looked up in ``left`` by bisection; a large one is put in a set."""
    keep = [True] * len(left)
    if len(right) * 16 < len(left):
        for value in right:
            at = bisect_left(left, value)
            if at < len(left) and left[at] == value:
                keep[at] = False
        return keep
    drop = set(right)
    return [value not in drop for value in left]


def _unbracket(node):
    """The expression inside ``(expression)`` when nothing is around the brackets."""
    while (isinstance(node, ast.SubExpression) and node.operator is None
           and node.member_of is None and not node.filters and node.history is None
           and isinstance(node.focus, ast.Compound | ast.Refined | ast.Dotted
                          | ast.SubExpression)):
        node = node.focus
    return node


def _stored(node, conn: sqlite3.Connection) -> StoredSet | None:
    """The ids of ``<< X``, ``< X`` or ``^ R``, ascending, from a stored id set; None
    when the node is anything else or nothing is stored for it (a small set: the query is
    cheap)."""
    node = _unbracket(node)
    if not (isinstance(node, ast.SubExpression) and isinstance(node.focus, ast.ConceptReference)
            and not node.filters and node.history is None and not node.member_filters):
        return None
    concept = node.focus.id
    if node.member_of is not None:
        if node.operator is not None or node.member_of.fields:
            return None
        return stored_members(conn, concept)
    if node.operator not in ("<", "<<"):
        return None
    found = stored_descendants(conn, concept)
    if found is not None and node.operator == "<<" and conn.execute(
            "SELECT 1 FROM concepts WHERE id = ?", (concept,)).fetchone():
        found = found.with_self(concept)
    return found


#: one JSON array per query, distinct and ascending: SQLite builds it in C, and both the
#: ints (json.loads) and the strings (a split) are made from it in C, far faster than
#: stepping through one row per id or sorting and formatting in Python.  (An aggregate
#: over an ordered subquery keeps its order: SQLite never flattens that subquery.)
BULK = ("SELECT json_group_array(id) FROM (SELECT DISTINCT id FROM {name} "
        "WHERE id IS NOT NULL ORDER BY id)")


def _fetch(conn: sqlite3.Connection, sql: str, params) -> dict:
    """Run a compiled query (``BULK``) and move its ids in one step, as :class:`ECLResult`
    keyword arguments (ints and strings made on first use)."""
    (text,) = conn.execute(sql, params).fetchone()
    if text == "[]":
        return {"ids": frozenset()}
    if '"' in text:  # a component id held as text
        return {"ids": frozenset(_loads(text))}
    return {"ascending": lambda: _loads(text), "codes": lambda: text[1:-1].split(",")}


def _loads(text: str):
    """The JSON array ``text``.  Integers only and json not yet imported (a fresh process:
    the command line), a short array is split instead: importing json (and re) costs more
    than it saves below ~10,000 ids."""
    if "json" not in sys.modules and len(text) < 200_000 and '"' not in text:
        return [int(value) for value in text[1:-1].split(",")] if text != "[]" else []
    import json

    return json.loads(text)


def _joined(text: str | None) -> dict:
    """Ascending ids joined by commas (:mod:`codelists.ecl.direct`), as :class:`ECLResult`
    keyword arguments (ints and strings made on first use)."""
    if not text:
        return {"ids": frozenset()}
    return {"ascending": lambda: _loads(f"[{text}]"), "codes": lambda: text.split(",")}


def problems(tree, conn, *, check_terms: bool = True) -> tuple[tuple[str, ...], tuple[int, ...]]:
    """Warnings for unknown concept ids and mismatched display terms."""
    refs = ast.concept_references(tree)
    if not refs:
        return (), ()
    ids = sorted({r.id for r in refs})
    marks = ", ".join(map(str, ids))
    known = {r[0] for r in conn.execute(f"SELECT id FROM concepts WHERE id IN ({marks})")}
    unknown = tuple(i for i in ids if i not in known)
    warnings = [f"unknown concept {i}" for i in unknown]
    if check_terms and any(r.term for r in refs):
        terms: dict[int, set[str]] = {}
        for concept_id, term in conn.execute(
                f"SELECT concept_id, term FROM descriptions WHERE concept_id IN ({marks})"):
            terms.setdefault(concept_id, set()).add(fold(term))
        seen = set()
        for r in refs:
            if r.term and r.id in known and fold(r.term) not in terms.get(r.id, set()):
                if (r.id, r.term) not in seen:
                    seen.add((r.id, r.term))
                    warnings.append(f"{r.id} |{r.term}|: the term is not a description of "
                                    "this concept")
    return tuple(warnings), unknown


def member_rows(tree: ast.SubExpression, conn) -> tuple[tuple[str, ...], list[tuple]]:
    """``^ [fields] refsets {{ M ... }}``: the distinct values of the selected fields of
    the matching members, in the order the fields were named (``[*]``: the common fields,
    then every additional field of the refsets)."""
    compiler = Compiler(conn)
    if isinstance(tree.focus, ast.Wildcard):
        refsets = [r for (r,) in conn.execute("SELECT refset_id FROM refsets")]
    else:
        refsets = compiler.fetch(compiler.focus(tree.focus))
    tables = compiler.refset_tables(refsets)
    names = tree.member_of.fields
    if names == ("*",):
        import json

        extra = set()
        marks = ", ".join(map(str, sorted(refsets))) or "NULL"
        for (fields,) in conn.execute(f"SELECT fields FROM refsets WHERE refset_id IN ({marks})"):
            extra.update(json.loads(fields))
        names = tuple(COMMON_FIELDS) + tuple(sorted(extra))
    found: dict[tuple, None] = {}
    for table, ids in sorted(tables.items()):
        where, params = compiler.member_conditions(table, tree.member_filters)
        selected = [_selected(compiler.member_column(table, n), table) for n in names]
        sql, cte_params = (compiler.query(compiler.steps[-1].name, "SELECT 1")
                           if compiler.steps else ("", []))
        prefix = sql.rsplit("\n", 1)[0] + "\n" if compiler.steps else ""
        listed = ", ".join(map(str, ids))
        for row in conn.execute(
                f"{prefix}SELECT {', '.join(selected)} "
                f"FROM {compiler.member_source(table, tree.member_filters)} "
                f"WHERE refset_id IN ({listed}) AND {where}", cte_params + params):
            found.setdefault(tuple(row), None)
    return tuple(names), list(found)


def _selected(column: str | None, table: str) -> str:
    """A member column as selected: ids stored as text (other patterns) become integers."""
    if column is None:
        return "NULL"
    if table == "refset_other" and column == "referenced_component_id":
        return ("CASE WHEN referenced_component_id GLOB '*[^0-9]*' THEN "
                "referenced_component_id ELSE CAST(referenced_component_id AS INTEGER) END")
    return column


class PlanStep(Record):
    """One sub-expression of a plan: its canonical text, SQL and number of ids."""

    name: str
    label: str
    sql: str
    count: int


def explain(expression: str | ast.Expression, source) -> list[PlanStep]:
    """The compiled plan, step by step, with the number of distinct ids of each step."""
    tree = _tree(expression)
    conn = connection_of(source)
    register_functions(conn)
    compiler = Compiler(conn)
    compiler.expression(tree)
    steps = []
    for step in compiler.steps:
        sql, params = compiler.query(step.name, "SELECT count(DISTINCT id) FROM {name}")
        count = conn.execute(sql, params).fetchone()[0]
        steps.append(PlanStep(step.name, step.label, step.sql, count))
    return steps


def check(expression: str, source=None) -> tuple[str, list[str]]:
    """Parse (raising ECLSyntaxError), and return the canonical form and any warnings
    (unknown ids, mismatched terms) when a store is given."""
    tree = parse(expression)
    warnings: list[str] = []
    if source is not None:
        warnings = list(problems(tree, connection_of(source))[0])
    return render(tree), warnings


def preferred_terms(ids, source, dialect: str = "en-GB") -> dict[int, str]:
    """Preferred terms for many ids at once (the dialect's, else any the store holds)."""
    conn = connection_of(source)
    terms: dict[int, str] = {}
    wanted = sorted(ids)
    for start in range(0, len(wanted), 10000):
        chunk = wanted[start:start + 10000]
        listed = ", ".join(map(str, chunk))
        for concept_id, term, _exact in conn.execute(
                f"SELECT concept_id, term, dialect = ? FROM preferred_terms WHERE concept_id "
                f"IN ({listed}) ORDER BY dialect = ?", (dialect, dialect)):
            terms[concept_id] = term  # the dialect's row sorts last and wins
    return terms
