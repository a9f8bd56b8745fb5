"""One statement for the commonest small expressions: a hierarchy operator on one concept.

``< X``, ``> X``, ``<! X`` and ``>! X`` are each one range of one index (the closure by
ancestor or by descendant, the relationships by destination or by source), which SQLite
reads in ascending id order; ``<< X``, ``>> X``, ``<<! X`` and ``>>! X`` are the same
range split around X with X itself (when the store holds it) in the middle, so they too
come out ascending without a sort.  SQLite joins the ids into one comma-separated text
in C, and the caller splits that into strings (or parses it into ints) in C.

The general compiler (:mod:`codelists.ecl.to_sql`) gives the same ids through common
table expressions, a DISTINCT and an ORDER BY; for these shapes that costs about twice
as much, and they are the shapes a person browsing the hierarchy asks for most.
"""

from __future__ import annotations

from codelists.ecl import ast
from codelists.ecl.semantics import IS_A

#: operator without "self" -> (table, column keyed by the concept, column of the ids,
#: extra condition, whether the same id can come twice)
_RANGES = {
    "<": ("closure", "ancestor_id", "descendant_id", "", False),
    ">": ("closure", "descendant_id", "ancestor_id", "", False),
    # two active IS-A rows between the same pair are possible in a merged release
    "<!": ("relationships", "destination_id", "source_id", f" AND type_id = {IS_A}", True),
    ">!": ("relationships", "source_id", "destination_id", f" AND type_id = {IS_A}", True),
}
_WITH_SELF = {"<<": "<", ">>": ">", "<<!": "<!", ">>!": ">!"}


def hierarchy_query(node) -> str | None:
    """SQL with one parameter (the concept id) whose one row holds the ids of ``node``,
    ascending and distinct, as comma-separated text (NULL for none); None when ``node``
    is not a hierarchy operator applied to one concept reference and nothing else."""
    if not (isinstance(node, ast.SubExpression) and isinstance(node.focus, ast.ConceptReference)
            and node.member_of is None and not node.filters and node.history is None):
        return None
    operator = node.operator
    base = _WITH_SELF.get(operator, operator)
    if base not in _RANGES:
        return None
    table, key, column, condition, repeats = _RANGES[base]
    distinct = "DISTINCT " if repeats else ""
    if operator == base:
        return f"SELECT group_concat({distinct}{column}) FROM {table} WHERE {key} = ?1{condition}"
    below = f"SELECT {column} AS id FROM {table} WHERE {key} = ?1{condition} AND {column} < ?1"
    above = f"SELECT {column} FROM {table} WHERE {key} = ?1{condition} AND {column} > ?1"
    return (f"SELECT group_concat({distinct}id) FROM ({below} UNION ALL "
            f"SELECT id FROM concepts WHERE id = ?1 UNION ALL {above})")
