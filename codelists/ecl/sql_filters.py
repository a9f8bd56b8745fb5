"""SQL for ECL filters, history supplements, concrete values and member filters.

A mixin of :class:`codelists.ecl.to_sql.Compiler`.  Term matching uses the store's FTS5
index to find candidate descriptions and then the SQL functions registered by
:func:`register_functions` (the same definitions as the reference evaluator) to decide.
"""

from __future__ import annotations

from codelists.ecl import ast
from codelists.ecl.render import render
from codelists.ecl.semantics import (
    ACCEPTABILITY_TOKENS,
    COMMON_FIELDS,
    DEFINITION_STATUS_TOKENS,
    DIALECT_ALIASES,
    FIELD_COLUMNS,
    HISTORY_PROFILES,
    TYPE_TOKENS,
    match_words,
    member_string_matches,
    string_value_matches,
    term_matches,
    wild_matches,
)
from codelists.errors import ECLError, NotSupportedError

SQL_OPERATORS = {"=": "=", "!=": "<>", "<": "<", "<=": "<=", ">": ">", ">=": ">="}


def quote(text: str) -> str:
    return "'" + str(text).replace("'", "''") + "'"


def _number(text):
    try:
        return float(str(text))
    except (TypeError, ValueError):
        return None


def register_functions(conn) -> None:
    """The Python definitions the compiled SQL calls (deterministic, per connection)."""
    conn.create_function("ecl_match", 2, lambda s, t: int(term_matches(s, t)),
                         deterministic=True)
    conn.create_function("ecl_wild", 2, lambda p, t: int(wild_matches(p, t)),
                         deterministic=True)
    conn.create_function("ecl_string", 3,
                         lambda k, s, v: int(v is not None and string_value_matches(k, s, str(v))),
                         deterministic=True)
    conn.create_function(
        "ecl_member_string", 3,
        lambda k, s, v: int(v is not None and member_string_matches(k, s, str(v))),
        deterministic=True)
    conn.create_function("ecl_number", 1, _number, deterministic=True)


class FilterCompiler:
    # ---- description and concept filters ---------------------------------------------
    def filter_block(self, current: str, block) -> str:
        if isinstance(block, ast.ConceptFilters):
            conditions = [self.concept_condition(f) for f in block.filters]
            sql = (f"SELECT c.id FROM concepts c WHERE c.id IN (SELECT id FROM {current}) "
                   f"AND {' AND '.join(conditions)}")
            return self.add(sql, label=render(block))
        conditions = [self.description_condition(f) for f in block.filters]
        if not any(isinstance(f, ast.ActiveFilter) for f in block.filters):
            conditions.insert(0, "d.active = 1")
        if any(isinstance(f, ast.TermFilter) and f.operator == "="
               and all(t.kind == "match" for t in f.terms) for f in block.filters):
            focus = self.contains("+d.concept_id", current)  # the full-text index drives
        else:
            focus = f"d.concept_id IN (SELECT id FROM {current})"
        sql = (f"SELECT DISTINCT d.concept_id AS id FROM descriptions d WHERE {focus} AND "
               f"{' AND '.join(conditions)}")
        return self.add(sql, label=render(block))

    def _in(self, column: str, operator: str, values) -> str:
        """column IN / NOT IN a tuple of concept references, a python set or an expression."""
        negate = "NOT " if operator == "!=" else ""
        if isinstance(values, tuple) and values and isinstance(values[0], ast.ConceptReference):
            values = {r.id for r in values}
        if isinstance(values, set | frozenset | list | tuple):
            listed = ", ".join(quote(v) if isinstance(v, str) else str(int(v))
                               for v in sorted(values, key=str))
            return f"{column} {negate}IN ({listed})"
        return f"{column} {negate}IN (SELECT id FROM {self.expression(values)})"

    def description_condition(self, f) -> str:
        o = f.operator
        if isinstance(f, ast.TermFilter):
            hits = " OR ".join(self.term_condition(t) for t in f.terms)
            return f"({hits})" if o == "=" else f"NOT ({hits})"
        if isinstance(f, ast.LanguageFilter):
            return self._in("lower(d.language_code)", o, set(f.codes))
        if isinstance(f, ast.TypeFilter):
            types = {TYPE_TOKENS[t] for t in f.tokens} if f.tokens else f.ids
            return self._in("d.type_id", o, types)
        if isinstance(f, ast.DialectFilter):
            return self.dialect_condition(f)
        if isinstance(f, ast.ModuleFilter):
            return self._in("d.module_id", o, f.value)
        if isinstance(f, ast.EffectiveTimeFilter):
            return time_condition("d.effective_time", o, f.times)
        if isinstance(f, ast.ActiveFilter):
            return f"d.active {SQL_OPERATORS[o]} {int(f.active)}"
        if isinstance(f, ast.DescriptionIdFilter):
            return self._in("d.id", o, set(f.ids))
        raise NotSupportedError(f"filter {type(f).__name__} on descriptions")

    def term_condition(self, term: ast.TypedSearchTerm) -> str:
        if term.kind == "wild":
            check = f"ecl_wild({quote(term.text)}, d.term)"
            if not term.text.isascii():
                return check
            # ASCII pattern on an ASCII term: LIKE (ASCII case-insensitive) decides alike
            return (f"(CASE WHEN d.term NOT GLOB '*[^ -~]*' THEN d.term LIKE "
                    f"{quote(like_pattern(term.text))} ESCAPE '\\' ELSE {check} END)")
        words = match_words(term.text)
        if not words:
            return "0"
        fts = " AND ".join('"' + w.replace('"', '""') + '"*' for w in words)
        # for ASCII search words and ASCII terms the index tokenises exactly as
        # semantics.words does, so its answer is final; other terms are re-checked
        check = f"ecl_match({quote(term.text)}, d.term)"
        if term.text.isascii():
            check = f"(d.term NOT GLOB '*[^ -~]*' OR {check})"
        return (f"(d.id IN (SELECT rowid FROM descriptions_fts WHERE descriptions_fts MATCH "
                f"{quote(fts)}) AND {check})")

    def dialect_condition(self, f: ast.DialectFilter) -> str:
        parts = []
        for dialect in f.dialects:
            if f.by_id:
                refsets = self.expression(dialect.refset)
                refset_sql = f"SELECT id FROM {refsets}"
            else:
                if dialect.alias not in DIALECT_ALIASES:
                    raise ECLError(f"unknown dialect alias {dialect.alias!r}",
                                   hint="use a dialectId = <language refset> filter instead")
                refset_sql = str(DIALECT_ALIASES[dialect.alias])
            accepted = dialect.acceptability or f.acceptability
            condition = f"l.refset_id IN ({refset_sql})"
            if accepted is not None:
                ids = ({ACCEPTABILITY_TOKENS[t] for t in accepted.tokens} if accepted.tokens
                       else {r.id for r in accepted.ids})
                condition += f" AND l.acceptability_id IN ({', '.join(map(str, sorted(ids)))})"
            parts.append(f"d.id IN (SELECT l.referenced_component_id FROM refset_language l "
                         f"WHERE {condition})")
        hit = " OR ".join(parts)
        return f"({hit})" if f.operator == "=" else f"NOT ({hit})"

    def concept_condition(self, f) -> str:
        o = f.operator
        if isinstance(f, ast.DefinitionStatusFilter):
            wanted = ({DEFINITION_STATUS_TOKENS[t] for t in f.tokens} if f.tokens else f.ids)
            return self._in("c.definition_status_id", o, wanted)
        if isinstance(f, ast.ModuleFilter):
            return self._in("c.module_id", o, f.value)
        if isinstance(f, ast.EffectiveTimeFilter):
            return time_condition("c.effective_time", o, f.times)
        return f"c.active {SQL_OPERATORS[o]} {int(f.active)}"

    # ---- history supplements ---------------------------------------------------------
    def history(self, current: str, h: ast.HistorySupplement) -> str:
        if h.subset is not None:
            refsets = f"SELECT id FROM {self.expression(h.subset)}"
        else:
            chosen = HISTORY_PROFILES[h.profile or "MAX"]
            refsets = (", ".join(map(str, chosen)) if chosen is not None else
                       "SELECT refset_id FROM refsets WHERE member_table = 'refset_association'")
        sql = (f"SELECT id FROM {current} UNION ALL SELECT a.referenced_component_id FROM "
               f"refset_association a WHERE a.refset_id IN ({refsets}) AND "
               f"a.target_component_id IN (SELECT id FROM {current})")
        return self.add(sql, label=render(h))

    # ---- concrete values -------------------------------------------------------------
    def concrete_condition(self, operator: str, value) -> str:
        sql_op = SQL_OPERATORS[operator]
        if isinstance(value, ast.NumericValue):
            return f"r.value_number IS NOT NULL AND r.value_number {sql_op} {value.value!r}"
        if isinstance(value, ast.BooleanValue):
            return f"r.value_bool IS NOT NULL AND r.value_bool {sql_op} {int(value.value)}"
        hits = " OR ".join(f"ecl_string({quote(t.kind)}, {quote(t.text)}, r.value_text)"
                           for t in value.terms)
        negate = "" if operator == "=" else "NOT "
        return f"r.value_text IS NOT NULL AND {negate}({hits})"

    # ---- member filters --------------------------------------------------------------
    def member_conditions(self, table: str, blocks) -> tuple[str, list]:
        conditions = ["1"]
        for block in blocks:
            for f in block.filters:
                conditions.append(self.member_condition(table, f))
        return " AND ".join(conditions), []

    def member_source(self, table: str, blocks) -> str:
        """What a member-of reads from ``table``: its active members, or, when a filter
        block says which members by ``active``, the active and inactive ones together
        (the filter then chooses)."""
        if not any(isinstance(f, ast.ActiveFilter) for b in blocks for f in b.filters):
            return table
        if not self.conn.execute("SELECT 1 FROM sqlite_master WHERE name = ?",
                                 (f"{table}_inactive",)).fetchone():
            raise NotSupportedError(
                "a member filter on active: this store was imported before inactive refset "
                "members were kept; re-import the release to answer it")
        return f"(SELECT * FROM {table} UNION ALL SELECT * FROM {table}_inactive)"

    def member_column(self, table: str, name: str) -> str | None:
        if name in COMMON_FIELDS:
            return FIELD_COLUMNS[name] if name != "active" else "active"
        if table == "refset_other":
            return f"json_extract(fields, {quote('$.' + name)})"
        column = FIELD_COLUMNS.get(name)
        if column is None or not self._table_has(table, column):
            return None
        return column

    def _table_has(self, table: str, column: str) -> bool:
        cache = self.__dict__.setdefault("_columns", {})
        if table not in cache:
            cache[table] = {r[1] for r in self.conn.execute(f"PRAGMA table_info({table})")}
        return column in cache[table]

    def member_condition(self, table: str, f) -> str:
        o = f.operator
        if isinstance(f, ast.ModuleFilter):
            return self._in("module_id", o, f.value)
        if isinstance(f, ast.EffectiveTimeFilter):
            return time_condition("effective_time", o, f.times)
        if isinstance(f, ast.ActiveFilter):
            return "active = 1" if (f.active if o == "=" else not f.active) else "active = 0"
        column = self.member_column(table, f.field)
        if column is None:
            return "0"
        present = f"{column} IS NOT NULL AND CAST({column} AS TEXT) <> ''"
        return f"({present} AND {self.member_value(column, o, f.value)})"

    def member_value(self, column: str, o: str, value) -> str:
        text = f"CAST({column} AS TEXT)"
        if isinstance(value, ast.NumericValue):
            return f"ecl_number({text}) IS NOT NULL AND ecl_number({text}) {SQL_OPERATORS[o]} {value.value!r}"
        if isinstance(value, ast.BooleanValue):
            truth = f"(lower({text}) IN ('1', 'true'))"
            return f"{truth} {SQL_OPERATORS[o]} {int(value.value)}"
        if isinstance(value, ast.StringValue):
            hits = " OR ".join(f"ecl_member_string({quote(t.kind)}, {quote(t.text)}, {text})"
                               for t in value.terms)
            return f"({hits})" if o == "=" else f"NOT ({hits})"
        digits = f"NOT ({text} GLOB '*[^0-9]*')"
        if isinstance(value, ast.TimeValues):
            return f"{digits} AND {time_condition(f'CAST({column} AS INTEGER)', o, value.times)}"
        if _is_any(value):
            return f"{digits} AND " + ("1" if o == "=" else "0")
        negate = "NOT " if o == "!=" else ""
        return (f"{digits} AND CAST({column} AS INTEGER) {negate}IN "
                f"(SELECT id FROM {self.expression(value)})")


def _is_any(node) -> bool:
    return (isinstance(node, ast.SubExpression) and isinstance(node.focus, ast.Wildcard)
            and node.operator is None and node.member_of is None and not node.filters
            and node.history is None)


def like_pattern(wild: str) -> str:
    """A wild: pattern as a LIKE pattern with escape character backslash."""
    out, i = [], 0
    while i < len(wild):
        ch = wild[i]
        if ch == "\\" and i + 1 < len(wild):
            ch = wild[i + 1]
            i += 2
            out.append("\\" + ch if ch in "%_\\" else ch)
            continue
        i += 1
        out.append("%" if ch == "*" else "\\" + ch if ch in "%_\\" else ch)
    return "".join(out)


def time_condition(column: str, operator: str, times: tuple[str, ...]) -> str:
    values = []
    for t in times:
        if not t and operator not in ("=", "!="):
            raise NotSupportedError('an ordering comparison with the empty time ""')
        values.append(int(t) if t else 0)
    listed = ", ".join(map(str, values))
    if operator == "=":
        return f"{column} IN ({listed})"
    if operator == "!=":
        return f"{column} NOT IN ({listed})"
    return "(" + " OR ".join(f"{column} {operator} {v}" for v in values) + ")"


__all__ = ["FilterCompiler", "register_functions"]
