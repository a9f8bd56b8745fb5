"""Full-text and regular-expression search helpers shared by every coding system.

A store with an FTS5 table over its terms uses :func:`fts_query` to turn what a person
typed into a safe FTS5 query with prefix matching, and :func:`ranked_fts` to page
through the ranked matches while filtering them (active, within a subtree) in Python.
:func:`compile_regex` and :func:`regex_matches` serve ``--regex``.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable, Iterable, Iterator

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


def ranked_fts(
    conn: sqlite3.Connection,
    fts_table: str,
    match: str,
    *,
    limit: int,
    accept: Callable[[int], tuple | None],
) -> list[tuple[tuple, float]]:
    """Best-ranked FTS rows that ``accept(rowid)`` turns into a result (None rejects).

    Fetches ranked rowids in growing pages so filters (inactive, outside a subtree) that
    reject many rows still fill ``limit`` results without ranking every match twice.
    """
    results: list[tuple[tuple, float]] = []
    offset = 0
    page = max(limit * 4, 40)
    sql = (f"SELECT rowid, rank FROM {fts_table} WHERE {fts_table} MATCH ? "
           "ORDER BY rank LIMIT ? OFFSET ?")
    while len(results) < limit:
        rows = conn.execute(sql, (match, page, offset)).fetchall()
        for rowid, rank in rows:
            item = accept(rowid)
            if item is not None:
                results.append((item, rank))
                if len(results) >= limit:
                    break
        if len(rows) < page:
            break
        offset += page
        page *= 4
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
