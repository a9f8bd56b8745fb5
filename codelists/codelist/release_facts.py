"""What one terminology release says about the codes and definitions of many codelists,
each question asked of the store once.

``plan_update`` asks the release, for every code a list writes, whether it is inactive,
unknown, under another id or under another preferred term; for the inactive ones, their
history; for the codes a definition reaches, their terms.  A study's lists overlap a lot
(the 200 synthetic lists of the upgrade benchmark write 1,033,801 code lines for 151,543
distinct codes), so :class:`ReleaseFacts` remembers every answer: a code (with the term
a list writes for it) is looked up once however many lists hold it, and a definition
written identically in several lists is evaluated once.  One list planned alone uses a
fresh ``ReleaseFacts``: the same code path, so a study's report equals the per-file ones.

The answers for a code are the same whichever list asks (the release does not change),
so sharing them cannot change a plan; only the term comparison depends on what a list
writes, and that is keyed by (code, term).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from itertools import compress
from operator import ne

from codelists.codelist.definition import Definition, expand
from codelists.terminology.history import concepts_of, differences, inactivations


class ReleaseFacts:
    """Memoised answers from one release (``terminology``) for many codelists."""

    def __init__(self, terminology) -> None:
        self.terminology = terminology
        self._first: dict[str, str] = {}              # code -> the first term asked
        self._asked: set[tuple[str, str]] = set()     # (code, any other term asked)
        self._changed: dict[tuple[str, str], object] = {}  # -> the release's Concept
        self._changed_codes: set[str] = set()
        self._missing: set[str] = set()
        self._history: dict[str, object | None] = {}  # code -> Inactivation | None
        self._concepts: dict[str, object | None] = {}  # code -> Concept | None
        self._expansions: dict[Definition, set[str]] = {}

    # -- codes as written ------------------------------------------------------------
    def differences(self, terms: Mapping[str, str]) -> tuple[dict, set[str]]:
        """:func:`codelists.terminology.history.differences` for ``terms`` (code ->
        term as written), asking the store only about pairs no earlier list wrote.  The
        changed concepts come back in the order of ``terms``."""
        self._learn(terms)
        hits = terms.keys() & self._changed_codes
        changed = {}
        for code in compress(terms, map(hits.__contains__, terms)) if hits else ():
            concept = self._changed.get((code, terms[code]))
            if concept is not None:
                changed[code] = concept
        return changed, terms.keys() & self._missing

    def _learn(self, terms: Mapping[str, str]) -> None:
        # in C: the pairs whose term is not the one first asked for their code (every
        # pair of a code never asked); lists that repeat known codes cost no Python
        first = self._first
        fresh = compress(terms, map(ne, map(first.get, terms), terms.values()))
        rounds: list[dict[str, str]] = [{}]
        for code in fresh:
            term = terms[code]
            if code not in first:
                first[code] = term
                rounds[0][code] = term
            elif (code, term) not in self._asked:  # a code written with another term
                self._asked.add((code, term))
                for batch in rounds[1:]:
                    if code not in batch:
                        batch[code] = term
                        break
                else:
                    rounds.append({code: term})
        for batch in rounds:
            if batch:
                # ascending ids (shorter first) read a SNOMED CT store's pages in order
                self._ask({code: batch[code] for code in sorted(sorted(batch), key=len)})

    def _ask(self, batch: dict[str, str]) -> None:
        changed, missing = differences(self.terminology, batch)
        self._missing |= missing
        for code, concept in changed.items():
            self._changed[(code, batch[code])] = concept
            self._changed_codes.add(code)

    # -- inactive codes and concepts ----------------------------------------------------
    def inactivations(self, codes: Iterable[str]) -> dict:
        """:func:`codelists.terminology.history.inactivations`, remembered per code."""
        codes = list(dict.fromkeys(codes))
        todo = [c for c in codes if c not in self._history]
        if todo:
            found = inactivations(self.terminology, todo)
            for code in todo:
                self._history[code] = found.get(code)
        return {c: self._history[c] for c in codes if self._history[c] is not None}

    def concepts_of(self, codes: Iterable[str]) -> dict:
        """:func:`codelists.terminology.history.concepts_of`, remembered per code."""
        codes = list(dict.fromkeys(codes))
        todo = [c for c in codes if c not in self._concepts]
        if todo:
            found = concepts_of(self.terminology, todo)
            for code in todo:
                self._concepts[code] = found.get(code)
        return {c: self._concepts[c] for c in codes if self._concepts[c] is not None}

    # -- definitions -----------------------------------------------------------------
    def expand(self, definition: Definition) -> set[str]:
        """The definition's codes on this release, evaluated once per distinct
        definition (callers must not change the set)."""
        found = self._expansions.get(definition)
        if found is None:
            found = self._expansions[definition] = expand(definition, self.terminology)
        return found

