"""Full-text and regular-expression search helpers shared by every coding system.

A store with an FTS5 table over its terms uses :func:`fts_query` to turn what a person
typed into a safe FTS5 query with prefix matching, and :func:`first_matches` to read
matches best first while filtering them (active, within a subtree) in Python.
:func:`compile_regex` and :func:`regex_matches` serve ``--regex``.

**Spelling.**  Each word of a query matches its British and American spellings
(:mod:`codelists.terminology.spelling`): ``dyspnoea`` finds ``Dyspnea``, ``tumor`` finds
``Tumour``.  :func:`partial_query` serves the second tier of a ranked search (descriptions
with some, not all, of the words) and :func:`why` says in words why a description
matched.
"""

from __future__ import annotations

import functools
import re
from array import array
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import accumulate

from codelists.errors import UsageError

_WORD = re.compile(r"\w+", re.UNICODE)
_TEXT_ANCHORS = re.compile(r"(?<!\\)((?:\\\\)*)\\([AZ])")


def query_words(text: str) -> list[str]:
    """The words of a query, lower-cased (punctuation and FTS syntax are dropped)."""
    return [w.lower() for w in _WORD.findall(text)]


#: words that never make a description a match on their own (partial matches)
STOPWORDS = frozenset({"a", "an", "and", "by", "due", "for", "from", "in", "is", "nos", "of",
                       "on", "or", "the", "to", "with", "without"})


def _group(word: str, star: str, spelling: bool) -> str:
    from codelists.terminology.spelling import word_variants

    spellings = word_variants(word) if spelling else [word]
    alternatives = " OR ".join(f'"{w}"{star}' for w in spellings)
    return f"({alternatives})" if len(spellings) > 1 else alternatives


def fts_query(text: str, *, prefix: bool = True, spelling: bool = True) -> str:
    """An FTS5 MATCH expression: every word must match, each as a prefix by default, in
    any of its spellings.

    ``"heart att"`` -> ``"heart"* AND "att"*``; ``"dyspnoea"`` ->
    ``("dyspnoea"* OR "dyspnea"*)``.  Raises UsageError for a query with no words.
    """
    words = query_words(text)
    if not words:
        raise UsageError(f"nothing to search for in {text!r}",
                         hint="give at least one word (letters or digits)")
    star = "*" if prefix else ""
    return " AND ".join(_group(w, star, spelling) for w in words)


def spelling_variants(text: str) -> list[str]:
    """Every spelling of a query (the query itself first)."""
    from codelists.terminology.spelling import variants

    return variants(text)


def content_words(text: str) -> list[str]:
    """The words of a query that can make a partial match (no stop words)."""
    return [w for w in query_words(text) if w not in STOPWORDS]


def partial_query(text: str, *, spelling: bool = True, prefix: bool = True) -> str | None:
    """An FTS5 expression for descriptions with *any* content word of the query (None when
    the query has fewer than two content words: then there is no partial tier); each word
    as a prefix, or with ``prefix=False`` as a whole word."""
    words = content_words(text)
    if len(words) < 2:
        return None
    star = "*" if prefix else ""
    return " OR ".join(_group(w, star, spelling) for w in words)


def by_words_found(rows: Iterable[tuple], query: str, term_index: int) -> list[tuple]:
    """Rows of a partial match, best first: most of the query's content words, then the
    shortest term (then the order given)."""
    wanted = " ".join(content_words(query))
    scored = [(-len(set(words_found(wanted, row[term_index])[0])), len(row[term_index]), n, row)
              for n, row in enumerate(rows)]
    scored.sort(key=lambda item: item[:3])
    return [item[3] for item in scored]


#: how many FTS rows (best by bm25) a partial tier reads per result wanted
PARTIAL_READ = 40


@dataclass(frozen=True)
class _Query:
    """What :func:`why` needs to know of a query, worked out once per query text."""

    words: tuple[str, ...]
    other_spellings: tuple[tuple[str, ...], ...]  # per word, lower case, itself excluded
    content: tuple[str, ...]
    exact: frozenset[str]  # every spelling of the whole query, lower case


@functools.lru_cache(maxsize=256)
def _query(text: str) -> _Query:
    from codelists.terminology.spelling import word_variants

    words = tuple(query_words(text))
    return _Query(words, tuple(tuple(v.lower() for v in word_variants(w)[1:]) for w in words),
                  tuple(content_words(text)),
                  frozenset(v.lower() for v in spelling_variants(text.strip())))


def words_found(text: str, description: str) -> tuple[list[str], list[str]]:
    """(query words found in the description, those found only in another spelling)."""
    query = _query(text)
    # a word starts some token when " word" is in the tokens joined by spaces (tokens
    # hold no spaces): one substring search in C per word, not a loop over tokens
    tokens = " " + " ".join(query_words(description))
    found, respelt = [], []
    for word, others in zip(query.words, query.other_spellings, strict=True):
        if " " + word in tokens:
            found.append(word)
        elif any(" " + v in tokens for v in others):
            found.append(word)
            respelt.append(word)
    return found, respelt


def why(text: str, description: str, kind: str = "", preferred: str = "") -> str:
    """Why ``description`` (of type ``kind``) matched the query ``text``, in words:
    ``"inclusion term 'Breathlessness'; other spelling of dyspnoea"``.  What the query
    itself contributes (its words and their spellings) is worked out once per query text,
    so explaining every hit of a search costs little more than splitting each term."""
    found, respelt = words_found(text, description)
    query = _query(text)
    if description.strip().lower() in query.exact:
        what = "exact"
    elif set(found) >= set(query.words):
        what = "all words"
    else:
        content = query.content
        shown = [w for w in dict.fromkeys(found) if w in content]
        what = f"{len(shown)} of {len(set(content))} words ({', '.join(shown)})"
    if kind and kind not in ("preferred", "fsn") and description != preferred:
        what += f" in {kind} term '{description}'"
    elif description != preferred and preferred:
        what += f" in '{description}'"
    if respelt:
        what += f"; other spelling of {', '.join(respelt)}"
    return what


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
        # the scanner runs over all terms joined by newlines: the text's own anchors
        # (\A, \Z, as Stata's ^ and $ translate) become line anchors there; each
        # candidate is then checked against the pattern as given
        scanner = re.compile(_TEXT_ANCHORS.sub(
            lambda m: m.group(1) + ("^" if m.group(2) == "A" else "$"), pattern.pattern),
            flags)
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
