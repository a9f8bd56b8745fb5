"""Paged expansions of an ECL expression (FHIR ``$expand``): the members in concept-id
order, optionally narrowed by a text filter, one page at a time with display terms in a
chosen dialect.

The sorted members of an expression are kept for the last few expressions per store, so
paging through a 100,000-member expansion evaluates it once.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

from codelists.ecl.evaluate import evaluate, preferred_terms

#: expansions kept per process (sorted id tuples)
KEPT = 16
_kept: OrderedDict = OrderedDict()
_lock = threading.Lock()


@dataclass(frozen=True)
class Page:
    total: int  # members matching (after the filter)
    offset: int
    items: tuple[tuple[str, str], ...]  # (code, display)
    warnings: tuple[str, ...] = ()


def members(expression: str, terminology) -> tuple[tuple[int, ...], tuple[str, ...]]:
    """The expression's concept ids, ascending, and its warnings (kept for reuse)."""
    store = getattr(terminology, "store", None)
    key = (str(getattr(store, "path", id(terminology))), expression.strip())
    with _lock:
        if key in _kept:
            _kept.move_to_end(key)
            return _kept[key]
    result = evaluate(expression, terminology)
    value = (tuple(sorted(result.ids)), tuple(result.warnings))
    with _lock:
        _kept[key] = value
        while len(_kept) > KEPT:
            _kept.popitem(last=False)
    return value


def _matching(ids: tuple[int, ...], text: str, terminology) -> tuple[int, ...]:
    """The ids with a description matching ``text`` (every word starts a word)."""
    if hasattr(terminology, "matching_ids"):
        found = terminology.matching_ids(text)
    else:
        found = {int(h.code) for h in terminology.search(text, limit=max(len(ids), 1))}
    return tuple(i for i in ids if i in found)


def expand(expression: str, terminology, *, text_filter: str | None = None,
           offset: int = 0, count: int | None = None, dialect: str = "en-GB") -> Page:
    """One page of the expression's members with their preferred terms."""
    ids, warnings = members(expression, terminology)
    if text_filter and text_filter.strip():
        ids = _matching(ids, text_filter.strip(), terminology)
    end = len(ids) if count is None else offset + count
    page = ids[offset:end]
    terms = preferred_terms(page, terminology, dialect=dialect)
    return Page(len(ids), offset, tuple((str(i), terms.get(i, "")) for i in page), warnings)
