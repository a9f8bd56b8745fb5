"""Codes in hierarchy order: each code followed by its own descendants, depth first
(:func:`hierarchy_order`), and ancestors from the top down (:func:`ancestor_order`).

``hierarchy_order(terminology, code)`` lists the descendants of ``code`` as a reader of a
classification expects them (``R06.0``, ``R06.00``, ``R06.01`` ... ``R06.1``), each with its
depth below ``code``.  Siblings come in natural code order (numeric runs as numbers),
except in SNOMED CT, whose identifiers carry no order: there siblings come by term.  A
code with several parents inside the subtree is listed once, under the first of them.
"""

from __future__ import annotations

import re

_DIGITS = re.compile(r"(\d+)")


def natural_key(code: str) -> tuple:
    """Natural order of codes: numeric runs compared as numbers (``9`` before ``10``)."""
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part)
                 for part in _DIGITS.split(code) if part)


def hierarchy_order(terminology, code: str, *, include_self: bool = False,
                    terms: dict[str, str] | None = None) -> list[tuple[str, int]]:
    """``(code, depth)`` for every descendant of ``code`` (and ``code`` itself at depth 0
    with ``include_self``), depth first."""
    inside = set(terminology.descendants(code))
    by_term = getattr(terminology, "system", "") == "snomedct"
    if by_term and terms is None:
        terms = {c: concept.term for c, concept in terminology.lookup_many(
            sorted(inside)).items()}

    def ordered(codes):
        if by_term:
            return sorted(codes, key=lambda c: ((terms or {}).get(c, "").lower(), c))
        return sorted(codes, key=natural_key)

    out: list[tuple[str, int]] = [(code, 0)] if include_self else []
    seen = {code}
    stack = [(child, 1) for child in reversed(ordered(
        [c for c in terminology.children(code) if c in inside]))]
    while stack:
        current, depth = stack.pop()
        if current in seen:
            continue
        seen.add(current)
        out.append((current, depth))
        children = [c for c in terminology.children(current) if c in inside and c not in seen]
        stack.extend((child, depth + 1) for child in reversed(ordered(children)))
    # anything the walk could not reach (a store without child edges for it) comes last
    out.extend((c, 1) for c in ordered(inside - seen))
    return out


def ancestor_order(terminology, code: str, *, include_self: bool = False) -> list[str]:
    """The ancestors of ``code`` from the top of the hierarchy down (fewest ancestors
    first; ``code`` itself last with ``include_self``)."""
    found = terminology.ancestors(code)
    depth = {a: len(terminology.ancestors(a)) for a in found}
    ordered = sorted(found, key=lambda a: (depth[a], natural_key(a)))
    return [*ordered, code] if include_self else ordered
