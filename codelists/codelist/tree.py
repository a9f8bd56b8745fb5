"""A set of codes as a tree a reader can follow: each code under its nearest ancestors
that are also in the set, the others at the top.

Works on any terminology that answers ``parents(code)`` (the
:class:`~codelists.terminology.base.Terminology` protocol; a plain mapping of parents will
do).  Hierarchies are polyhierarchies: a code with two nearest ancestors in the set
appears under both, as it does in the terminology browsers clinicians know.  Codes the
terminology does not know (``parents`` raises UnknownCodeError) stay at the top and are
reported in :attr:`Tree.unknown`, so nothing in the list is hidden.

Also here: the orders a code table is shown in (:func:`natural_key`, numbers numerically;
:meth:`Tree.depth_first`, the order of the tree).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Protocol

from codelists.errors import UnknownCodeError


class Hierarchy(Protocol):
    def parents(self, code: str) -> list[str]: ...


@dataclass(frozen=True)
class Tree:
    """``roots`` and ``children`` (each sorted by ``sort_key``), over the codes given."""

    roots: tuple[str, ...]
    children: dict[str, tuple[str, ...]] = field(default_factory=dict)
    unknown: frozenset[str] = frozenset()  # codes of the set the terminology does not know

    def kids(self, code: str) -> tuple[str, ...]:
        return self.children.get(code, ())

    def depth_first(self) -> Iterator[tuple[int, str]]:
        """Every code once, with its depth, in tree order (a code under two parents comes
        where it is first reached)."""
        seen: set[str] = set()
        stack = [(0, code) for code in reversed(self.roots)]
        while stack:
            depth, code = stack.pop()
            if code in seen:
                continue
            seen.add(code)
            yield depth, code
            stack.extend((depth + 1, kid) for kid in reversed(self.kids(code)))

    def size(self) -> int:
        """How many rows the fully expanded tree has (codes under two parents twice)."""
        memo: dict[str, int] = {}

        def count(code: str) -> int:
            if code not in memo:
                memo[code] = 1 + sum(count(kid) for kid in self.kids(code))
            return memo[code]

        return sum(count(code) for code in self.roots)


def build_tree(codes: Iterable[str], hierarchy: Hierarchy, *,
               sort_key: Callable[[str], object] | None = None) -> Tree:
    """The tree of ``codes``: each under its nearest ancestors within ``codes``.

    Ancestors outside the set are walked through (each asked for its parents once), so
    ``A > x > B`` with ``x`` not in the set shows ``B`` under ``A``.
    """
    members = set(codes)
    key = sort_key or natural_key
    parents_of: dict[str, list[str]] = {}
    above: dict[str, frozenset[str]] = {}  # code -> nearest ancestors within members

    unknown: set[str] = set()

    def parents(code: str) -> list[str]:
        if code not in parents_of:
            try:
                parents_of[code] = [str(p) for p in hierarchy.parents(code)]
            except UnknownCodeError:
                parents_of[code] = []
                unknown.add(code)
        return parents_of[code]

    def nearest_above(start: str) -> frozenset[str]:
        """Nearest members strictly above ``start`` (iterative: hierarchies are deep)."""
        stack, busy = [(start, False)], set()
        while stack:
            code, ready = stack.pop()
            if code in above:
                continue
            if ready:
                found: set[str] = set()
                for parent in parents(code):
                    found |= {parent} if parent in members else above.get(parent, set())
                above[code] = frozenset(found)
                continue
            busy.add(code)
            stack.append((code, True))
            stack.extend((p, False) for p in parents(code)
                         if p not in members and p not in above and p not in busy)
        return above[start]

    children: dict[str, list[str]] = {}
    roots: list[str] = []
    for code in members:
        ups = nearest_above(code)
        if not ups:
            roots.append(code)
        for parent in ups:
            children.setdefault(parent, []).append(code)
    return Tree(roots=tuple(sorted(roots, key=key)),
                children={p: tuple(sorted(kids, key=key)) for p, kids in children.items()},
                unknown=frozenset(unknown & members))


_PARTS = re.compile(r"(\d+)")


def natural_key(code: str) -> tuple:
    """Sort codes as a reader expects: numbers numerically (``9 < 10 < 100``), the rest
    as text (``J45 < J45.0 < J45.9``)."""
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part.casefold())
                 for part in _PARTS.split(code) if part != "")
