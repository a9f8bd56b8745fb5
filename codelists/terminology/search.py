"""Full-text and regular-expression search helpers shared by every coding system.

A store with an FTS5 table over its terms uses :func:`fts_query` to turn what a person
typed into a safe FTS5 query with prefix matching, and :func:`first_matches` to read
matches best first while filtering them (active, within a subtree) in Python.
:func:`compile_regex` and :func:`regex_matches` serve ``--regex``.
"""

from __future__ import annotations

import re
from array import array
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator
from itertools import accumulate

from codelists.errors import UsageError

_WORD = re.compile(r"\w+", re.UNICODE)


def query_words(text: str) -> list[str]:
    """The words of a query, lower-cased (punctuation and FTS syntax are dropped)."""
    return [w.lower() for w in _WORD.findall(text)]


def fts_query(text: str, *, prefix: bool = True) -> str:
    """An FTS5 MATCH expression: every word must match, each as a prefix by default.

    ``"heart att"`` -> ``"heart"* AND "att"*``.  Raises UsageError for a query with no words.
    """
    words = query_words(text)
    if not words:
        raise UsageError(f"nothing to search for in {text!r}",
                         hint="give at least one word (letters or digits)")
    star = "*" if prefix else ""
    return " AND ".join(f'"{w}"{star}' for w in words)


#: what an ``accept`` function returns when no later row can be a result
STOP = object()


def first_matches(
    rows: Iterable[tuple],
    *,
    limit: int | None,
    accept: Callable[[tuple], object],
) -> list[tuple]:
    """The first ``limit`` rows that ``accept`` turns into a result (None rejects,
    :data:`STOP` ends the search).

    ``rows`` come best first (a cursor over an FTS table whose rowid is the result
    order, say); reading stops as soon as ``limit`` results are found.
    """
    results: list[tuple] = []
    for row in rows:
        item = accept(row)
        if item is STOP:
            break
        if item is not None:
            results.append(item)
            if limit is not None and len(results) >= limit:
                break
    return results


def compile_regex(pattern: str, *, ignore_case: bool = True) -> re.Pattern[str]:
    try:
        return re.compile(pattern, re.IGNORECASE if ignore_case else 0)
    except re.error as exc:
        raise UsageError(f"not a valid Python regular expression: {exc}",
                         hint="see https://docs.python.org/3/library/re.html") from exc


def regex_matches(rows: Iterable[tuple], pattern: re.Pattern[str],
                  term_index: int = 0) -> Iterator[tuple]:
    """The rows whose term (at ``term_index``) the pattern finds a match in."""
    search = pattern.search
    for row in rows:
        if search(row[term_index]) is not None:
            yield row


class TermIndex:
    """Every term of a store in one string, for fast regular-expression scans.

    Terms are joined with newlines and scanned with one ``finditer`` (C speed); a match
    is checked again against its own term, and a match that ran across terms has each
    of those terms checked on its own, so the answer is exactly the terms the pattern
    finds a match in.
    """

    def __init__(self, terms: Iterable[str] = (), *, text: str | None = None):
        """From terms, or from ``text``: terms already joined by newlines."""
        if text is None:
            cleaned = [t.replace("\n", " ") for t in terms]
            text = "\n".join(cleaned)
        else:
            cleaned = text.split("\n")  # "" is one empty term; no terms: TermIndex([])
        self.terms = cleaned
        self.text = text
        self.starts = array("q", accumulate((len(t) + 1 for t in cleaned[:-1]), initial=0))

    def __len__(self) -> int:
        return len(self.terms)

    def matching(self, pattern: re.Pattern[str], stop: int | None = None) -> list[int]:
        """Indices (ascending) of the terms, among the first ``stop``, the pattern matches."""
        flags = pattern.flags | re.MULTILINE
        scanner = re.compile(pattern.pattern, flags)
        stop = len(self.terms) if stop is None else min(stop, len(self.terms))
        if stop <= 0:
            return []
        end_offset = self.starts[stop - 1] + len(self.terms[stop - 1])
        found: list[int] = []
        seen = -1
        for match in scanner.finditer(self.text, 0, end_offset):
            first = bisect_right(self.starts, match.start()) - 1
            last = bisect_right(self.starts, max(match.end() - 1, match.start())) - 1
            for index in range(max(first, seen + 1), last + 1):
                if pattern.search(self.terms[index]) is not None:
                    found.append(index)
            seen = max(seen, last)
        return found
