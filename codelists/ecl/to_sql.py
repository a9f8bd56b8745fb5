"""Compile an ECL tree to one SQLite query over a SNOMED CT store.

Every sub-expression becomes a common table expression (CTE) with one column ``id``;
the hierarchy operators read the ``closure`` table, refinements the ``relationships``
and ``concrete_values`` tables, member-of the refset member tables, and set operators
become INTERSECT / UNION ALL / EXCEPT, so SQLite does all the set work and the ids come
back in one bulk fetch.  The few look-ups the plan depends on (which member tables hold
a refset, which language refsets a dialect names) are run while compiling.
"""

from __future__ import annotations

import sqlite3

from codelists.ecl import ast
from codelists.ecl.render import render
from codelists.ecl.semantics import (
    ALTERNATE_SCHEMES,
    IDENTIFIER_SCHEME,
    IS_A,
    holds_components,
    scheme_named,
)
from codelists.ecl.sql_filters import FilterCompiler
from codelists.errors import ECLError, NotSupportedError

EMPTY = "SELECT NULL AS id WHERE 0"


class Step:
    """One CTE of a compiled expression (a plain class: no dataclasses at start-up)."""

    __slots__ = ("name", "sql", "params", "label", "hierarchy", "union", "rank")

    def __init__(self, name: str, sql: str, params: list | None = None, label: str = "",
                 hierarchy: tuple[str, int] | None = None, union: tuple[str, ...] = (),
                 rank: int = 3) -> None:
        self.name = name
        self.sql = sql
        self.params = [] if params is None else params
        self.label = label
        #: (operator, concept) when the step is `< X`, `<< X`, `> X` or `>> X` of one
        #: concept: membership in it is then a point look-up in the closure table
        self.hierarchy = hierarchy
        #: the steps an OR step unites (membership in it is membership in any of them)
        self.union = union
        #: a guess at the size for choosing which operand of AND to iterate (lower: smaller)
        self.rank = rank

    def __repr__(self) -> str:
        return f"Step({self.name!r}, {self.sql!r}, {self.params!r}, {self.label!r})"


class Compiler(FilterCompiler):
    """Builds the CTEs of one expression; ``query(name)`` gives the SQL for a step."""

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn
        self.steps: list[Step] = []

    # ---- plumbing --------------------------------------------------------------------
    def add(self, sql: str, params=(), label: str = "") -> str:
        name = f"e{len(self.steps)}"
        self.steps.append(Step(name, sql, list(params), label))
        return name

    def query(self, name: str, select: str = "SELECT id FROM {name}") -> tuple[str, list]:
        upto = self.steps[:int(name[1:]) + 1]
        ctes = ",\n".join(f"{s.name} AS ({s.sql})" for s in upto)
        params = [p for s in upto for p in s.params]
        return f"WITH {ctes}\n{select.format(name=name)}", params

    def fetch(self, name: str) -> set[int]:
        sql, params = self.query(name, "SELECT DISTINCT id FROM {name}")
        return {row[0] for row in self.conn.execute(sql, params) if row[0] is not None}

    @staticmethod
    def ids(name: str) -> str:
        return f"SELECT id FROM {name}"

    def contains(self, column: str, name: str) -> str:
        """SQL true when ``column`` is in step ``name``; a closure point look-up for a
        hierarchy step of one concept, so that no temporary table of it is built."""
        step = self.steps[int(name[1:])]
        single = self._single_concept(name)
        if single is not None:
            return f"{column} = {single}"
        if step.union and all(self.cheap(u) for u in step.union):
            return "(" + " OR ".join(self.contains(column, u) for u in step.union) + ")"
        if step.hierarchy is None:
            return f"{column} IN ({self.ids(name)})"
        operator, concept = step.hierarchy
        if operator in ("<", "<<"):
            test = (f"EXISTS (SELECT 1 FROM closure WHERE ancestor_id = {concept} "
                    f"AND descendant_id = {column})")
        else:
            test = (f"EXISTS (SELECT 1 FROM closure WHERE ancestor_id = {column} "
                    f"AND descendant_id = {concept})")
        if operator in ("<<", ">>"):
            test = f"({column} = {concept} OR {test})"
        return test

    def cheap(self, name: str) -> bool:
        """Membership in the step is a few index look-ups (no temporary table)."""
        step = self.steps[int(name[1:])]
        return step.hierarchy is not None or self._single_concept(name) is not None or (
            bool(step.union) and all(self.cheap(u) for u in step.union))

    # ---- expressions -----------------------------------------------------------------
    def expression(self, node) -> str:
        if isinstance(node, ast.Compound):
            return self.compound(node)
        if isinstance(node, ast.Refined):
            focus = self.expression(node.focus)
            return self.refinement(focus, node.refinement, render(node))
        if isinstance(node, ast.Dotted):
            current = self.expression(node.focus)
            for attribute in node.attributes:
                condition = self.type_condition("r.type_id", attribute)
                current = self.add(
                    f"SELECT r.destination_id AS id FROM relationships r WHERE r.source_id IN "
                    f"({self.ids(current)}) AND {condition}", label=f". {render(attribute)}")
            return current
        return self.sub_expression(node)

    def compound(self, node: ast.Compound) -> str:
        """OR is a UNION ALL; AND and MINUS filter one operand by membership in the
        others (a closure look-up when the other is a hierarchy of one concept)."""
        if node.operator == "OR":
            return self.disjunction(node)
        parts = [self.expression(o) for o in node.operands]
        if node.operator == "MINUS":
            driver, others, negate = parts[0], parts[1:], "NOT "
        else:
            driver = min(parts, key=lambda p: (self.cheap(p), self.steps[int(p[1:])].rank))
            others, negate = [p for p in parts if p != driver], ""
        if negate:  # probes every id of the driver: an index of the other side is cheaper
            tests = " AND ".join(f"{driver}.id NOT IN ({self.ids(p)})" for p in others)
        else:
            tests = " AND ".join(self.contains(f"{driver}.id", p) for p in others)
        return self.add(f"SELECT {driver}.id AS id FROM {driver} WHERE {tests}",
                        label=render(node))

    def disjunction(self, node: ast.Compound) -> str:
        """A UNION ALL; plain concept references are gathered into one IN list and long
        unions are nested, so that codelist-sized disjunctions stay within SQLite's limit
        on the terms of a compound SELECT."""
        singles = [o.focus.id for o in node.operands if _plain_reference(o)]
        parts = [self.expression(o) for o in node.operands if not _plain_reference(o)]
        if singles:
            listed = ", ".join(map(str, sorted(set(singles))))
            parts.insert(0, self.add(f"SELECT id FROM concepts WHERE id IN ({listed})"))
        while len(parts) > 400:
            parts = [self.add(" UNION ALL ".join(self.ids(p) for p in parts[i:i + 400]))
                     for i in range(0, len(parts), 400)]
        if len(parts) == 1:
            self.steps[-1].label = render(node)
            return parts[0]
        name = self.add(" UNION ALL ".join(self.ids(p) for p in parts), label=render(node))
        self.steps[-1].union = tuple(parts)
        return name

    def sub_expression(self, node: ast.SubExpression) -> str:
        if node.member_of is not None:
            current = self.member_of(node, selected_component_field(node.member_of))
        else:
            current = self.focus(node.focus)
        if node.operator:
            current = self.operator(node.operator, current, node)
        for block in node.filters:
            current = self.filter_block(current, block)
        if node.history is not None:
            current = self.history(current, node.history)
        if current == self.steps[-1].name and not self.steps[-1].label:
            self.steps[-1].label = render(node)
        return current

    def focus(self, focus) -> str:
        if isinstance(focus, ast.Wildcard):
            return self.add("SELECT id FROM concepts", label="*")
        if isinstance(focus, ast.ConceptReference):
            name = self.add("SELECT id FROM concepts WHERE id = ?", [focus.id],
                            label=render(focus))
            self.steps[-1].rank = 0
            return name
        if isinstance(focus, ast.AlternateIdentifier):
            return self.alternate(focus)
        return self.expression(focus)

    def alternate(self, alt: ast.AlternateIdentifier) -> str:
        """``SCHEME#code``: through the release's Identifier file (any scheme it holds,
        named by concept id or by a description of the scheme concept); CTV3 also
        through its simple map when the Identifier file does not hold it."""
        held = self._identifier_schemes()
        named = scheme_named(alt.scheme, held)
        if len(named) > 1:
            raise ECLError(f"alternate identifier scheme {alt.scheme!r} is ambiguous: it "
                           f"names {', '.join(map(str, sorted(named)))}; use the concept id")
        if named and named <= held.keys():
            return self.add("SELECT referenced_component_id AS id FROM identifiers "
                            "WHERE scheme_id = ? AND alternate_identifier = ? AND active = 1",
                            [named.pop(), alt.code], label=render(alt))
        scheme = ALTERNATE_SCHEMES.get(alt.scheme.lower())
        table = self.refset_tables([scheme[0]]) if scheme else {}
        if not scheme or "refset_simple_map" not in table:
            names = "; ".join(f"{s} ({', '.join(sorted(t)) or 'no description'})"
                              for s, t in sorted(held.items()))
            raise NotSupportedError(
                f"alternate identifier scheme {alt.scheme!r} is not held in this store"
                + (f"; its Identifier file holds {names}" if held else
                   "; it has no Identifier file rows (a store imported before identifiers "
                   "were kept needs a re-import)"))
        return self.add("SELECT referenced_component_id AS id FROM refset_simple_map "
                        "WHERE refset_id = ? AND map_target = ?", [scheme[0], alt.code],
                        label=render(alt))

    def _identifier_schemes(self) -> dict[int, set[str]]:
        """The schemes of the Identifier file and the identifier scheme concepts, each
        with its active descriptions."""
        if not self.conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'identifiers'"
                                 ).fetchone():
            return {}
        held = {s for (s,) in self.conn.execute("SELECT DISTINCT scheme_id FROM identifiers")}
        schemes: dict[int, set[str]] = {s: set() for s in held}
        for concept, term in self.conn.execute(
                "SELECT concept_id, term FROM descriptions WHERE active = 1 AND (concept_id "
                "IN (SELECT DISTINCT scheme_id FROM identifiers) OR concept_id IN (SELECT "
                "descendant_id FROM closure WHERE ancestor_id = ?))", (IDENTIFIER_SCHEME,)):
            if concept in held:
                schemes[concept].add(term)
        return schemes

    def operator(self, operator: str, inner: str, node) -> str:
        single = self._single_concept(inner)
        source = "= ?" if single is not None else f"IN ({self.ids(inner)})"
        params = [single] if single is not None else []
        label = render(node) if not node.filters and node.history is None else ""
        if operator in ("<", "<<"):
            sql = f"SELECT descendant_id AS id FROM closure WHERE ancestor_id {source}"
        elif operator in (">", ">>"):
            sql = f"SELECT ancestor_id AS id FROM closure WHERE descendant_id {source}"
        elif operator in ("<!", "<<!"):
            sql = (f"SELECT source_id AS id FROM relationships WHERE type_id = {IS_A} "
                   f"AND destination_id {source}")
        elif operator in (">!", ">>!"):
            sql = (f"SELECT destination_id AS id FROM relationships WHERE type_id = {IS_A} "
                   f"AND source_id {source}")
        elif operator == "!!>":
            sql = (f"SELECT DISTINCT s.id FROM {inner} s WHERE NOT EXISTS (SELECT 1 FROM closure "
                   f"c WHERE c.descendant_id = s.id AND c.ancestor_id IN ({self.ids(inner)}))")
            params = []
        else:  # !!<
            sql = (f"SELECT DISTINCT s.id FROM {inner} s WHERE NOT EXISTS (SELECT 1 FROM closure "
                   f"c WHERE c.ancestor_id = s.id AND c.descendant_id IN ({self.ids(inner)}))")
            params = []
        if operator in ("<<", ">>", "<<!", ">>!"):
            sql += f" UNION ALL {self.ids(inner)}"
        name = self.add(sql, params, label=label)
        if single is not None and operator in ("<", "<<", ">", ">>"):
            self.steps[-1].hierarchy = (operator, single)
        return name

    def _single_concept(self, name: str) -> int | None:
        step = self.steps[int(name[1:])]
        if step.sql == "SELECT id FROM concepts WHERE id = ?":
            return step.params[0]
        return None

    # ---- member of -------------------------------------------------------------------
    def refset_tables(self, refsets) -> dict[str, list[int]]:
        tables: dict[str, list[int]] = {}
        refsets = sorted(refsets)
        for start in range(0, len(refsets), 500):
            chunk = refsets[start:start + 500]
            marks = ", ".join("?" * len(chunk))
            for refset_id, table in self.conn.execute(
                    f"SELECT refset_id, member_table FROM refsets WHERE refset_id IN ({marks})",
                    chunk):
                tables.setdefault(table, []).append(refset_id)
        return tables

    def member_of(self, node: ast.SubExpression, field: str | None = None) -> str:
        """The referenced components of the members, or the values of one selected field
        that holds component ids (``^ [targetComponentId] ...``)."""
        if isinstance(node.focus, ast.Wildcard):
            refsets = [r for (r,) in self.conn.execute("SELECT refset_id FROM refsets")]
        elif isinstance(node.focus, ast.ConceptReference):
            refsets = [node.focus.id]  # the refsets table only holds refsets that exist
        else:
            refsets = self.fetch(self.focus(node.focus))
        parts, params = [], []
        for table, ids in sorted(self.refset_tables(refsets).items()):
            where, where_params = self.member_conditions(table, node.member_filters)
            marks = ", ".join(str(int(i)) for i in ids)
            source = self.member_source(table, node.member_filters)
            column = self.member_column(table, field or "referencedComponentId")
            if column is None:  # these refsets have no such field
                continue
            if table != "refset_other" and column == "referenced_component_id":
                selected, check = column, ""  # an INTEGER column: the plain, fast path
            else:
                selected = f"CAST({column} AS INTEGER)"
                check = (f" AND {column} IS NOT NULL "
                         f"AND NOT (CAST({column} AS TEXT) GLOB '*[^0-9]*')")
            sql = (f"SELECT {selected} AS id FROM {source} WHERE refset_id IN ({marks}) "
                   f"AND {where}{check}")
            parts.append(sql)
            params.extend(where_params)
        label = render(ast.SubExpression(node.focus, member_of=node.member_of,
                                         member_filters=node.member_filters))
        name = self.add(" UNION ALL ".join(parts) or EMPTY, params, label=label)
        self.steps[-1].rank = 1
        return name

    # ---- refinements -----------------------------------------------------------------
    def refinement(self, focus: str, refinement, label: str = "") -> str:
        if isinstance(refinement, ast.RefinementCompound):
            if refinement.operator == "AND":  # each part narrows the focus of the next
                for operand in _selective_first(refinement.operands):
                    focus = self.refinement(focus, operand)
                self.steps[-1].label = label or render(refinement)
                return focus
            parts = [self.refinement(focus, o) for o in refinement.operands]
            return self.add(" UNION ".join(self.ids(p) for p in parts),
                            label=label or render(refinement))
        if isinstance(refinement, ast.AttributeGroup):
            pairs = self.group_pairs(focus, refinement.attributes)
            sql = self.counted(focus, f"SELECT id, grp FROM {pairs}", "id",
                               refinement.cardinality)
            return self.add(sql, label=label or render(refinement))
        rows = self.attribute_rows(focus, refinement, grouped=False)
        sql = self.counted(focus, rows, "id", refinement.cardinality)
        return self.add(sql, label=label or render(refinement))

    def counted(self, universe: str, rows: str, key: str, card) -> str:
        """The keys whose number of rows is within the cardinality (default [1..*])."""
        card = card or ast.Cardinality(1, None)
        if card.min == 0:
            if card.max is None:
                return f"SELECT {key} FROM {universe}"
            return (f"SELECT {key} FROM {universe} EXCEPT SELECT {key} FROM ({rows}) "
                    f"GROUP BY {key} HAVING count(*) > {card.max}")
        if card.min == 1 and card.max is None:
            return f"SELECT DISTINCT {key} FROM ({rows})"
        having = f"count(*) >= {card.min}"
        if card.max is not None:
            having += f" AND count(*) <= {card.max}"
        return f"SELECT {key} FROM ({rows}) GROUP BY {key} HAVING {having}"

    def group_pairs(self, focus: str, attributes) -> str:
        """A step of (id, grp): the non-zero groups of the focus concepts that satisfy."""
        if isinstance(attributes, ast.RefinementCompound):
            parts = []
            for operand in (_selective_first(attributes.operands)
                            if attributes.operator == "AND" else attributes.operands):
                parts.append(self.group_pairs(focus, operand))
                if attributes.operator == "AND":  # later parts need only these concepts
                    focus = self.add(f"SELECT DISTINCT id FROM {parts[-1]}")
            glue = " INTERSECT " if attributes.operator == "AND" else " UNION "
            return self.add(glue.join(f"SELECT id, grp FROM {p}" for p in parts))
        if attributes.reverse:
            raise NotSupportedError("reverse attributes inside an attribute group")
        rows = self.attribute_rows(focus, attributes, grouped=True)
        universe = self.add(
            f"SELECT source_id AS id, relationship_group AS grp FROM relationships WHERE "
            f"relationship_group <> 0 AND source_id IN ({self.ids(focus)}) UNION "
            f"SELECT source_id, relationship_group FROM concrete_values WHERE "
            f"relationship_group <> 0 AND source_id IN ({self.ids(focus)})")
        return self.add(self.counted(universe, rows, "id, grp", attributes.cardinality),
                        label=f"{{ {render(attributes)} }}")

    def attribute_rows(self, focus: str, a: ast.Attribute, grouped: bool) -> str:
        """SQL for one row per matching relationship: columns id (and grp)."""
        grp = ", r.relationship_group AS grp" if grouped else ""
        in_group = " AND r.relationship_group <> 0" if grouped else ""
        names = self.type_condition("r.type_id", a.name)
        value = a.value
        if isinstance(value, ast.SubExpression):
            own, other = ("r.destination_id", "r.source_id") if a.reverse else (
                "r.source_id", "r.destination_id")
            cond = self.value_condition(other, a.operator, value)
            if a.operator == "=" and not _is_any(value):
                # drive from the (usually smaller) value set; test the focus per row
                focus_test = self.contains(f"+{own}", focus)
            else:
                focus_test = f"{own} IN ({self.ids(focus)})"
            return (f"SELECT {own} AS id{grp} FROM relationships r WHERE {focus_test} AND "
                    f"{names} AND {cond}{in_group}")
        if a.reverse:
            raise NotSupportedError("reverse attributes with concrete values")
        cond = self.concrete_condition(a.operator, value)
        return (f"SELECT r.source_id AS id{grp} FROM concrete_values r WHERE r.source_id IN "
                f"({self.ids(focus)}) AND {names} AND {cond}{in_group}")

    def type_condition(self, column: str, name: ast.SubExpression) -> str:
        if _is_any(name):
            return "1"
        return f"{column} IN ({self.ids(self.expression(name))})"

    def value_condition(self, column: str, operator: str, value: ast.SubExpression) -> str:
        if _is_any(value):
            return "1" if operator == "=" else "0"
        negate = "NOT " if operator == "!=" else ""
        return f"{column} {negate}IN ({self.ids(self.expression(value))})"


def _plain_reference(node) -> bool:
    return (isinstance(node, ast.SubExpression) and isinstance(node.focus, ast.ConceptReference)
            and node.operator is None and node.member_of is None and not node.filters
            and node.history is None)


def _selective_first(operands) -> list:
    """Attributes with a constrained value first: they narrow the focus the most."""
    def constrained(a) -> bool:
        return (isinstance(a, ast.Attribute) and a.operator == "=" and not a.reverse
                and (a.cardinality is None or a.cardinality.min > 0)
                and not (isinstance(a.value, ast.SubExpression) and _is_any(a.value)))
    return sorted(operands, key=lambda a: not constrained(a))


def _is_any(node: ast.SubExpression) -> bool:
    return (isinstance(node.focus, ast.Wildcard) and node.operator is None
            and node.member_of is None and not node.filters and node.history is None)


def selected_component_field(member_of: ast.MemberOf) -> str | None:
    """The one field a nested ``^ [field]`` selects, when it holds component ids; any
    other selection yields rows, not a set of concepts: an ECLError says so."""
    fields = member_of.fields
    if not fields:
        return None
    if len(fields) == 1 and fields[0] != "*" and holds_components(fields[0]):
        return fields[0]
    shown = ", ".join(fields)
    raise ECLError(f"^ [{shown}] selects refset fields whose values are not a set of "
                   "concepts (rows of member fields); here a set of concepts is needed. "
                   "Select one field that holds component ids (e.g. [targetComponentId]), "
                   "or run the expression on its own with `codelist ecl expand` to see the rows")
