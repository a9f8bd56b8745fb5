"""Running a search strategy over a stream of descriptions: the candidate codes.

The description stream is what ``Terminology.iter_descriptions()`` yields: tuples
``(code, term, type, active)``.  (A plain ``(code, term)`` pair is accepted too, as from
a dictionary CSV.)  Every :class:`Candidate` records why it was found: which rule matched
which description, and which text of that description each term matched.  Applying the
result to a codelist (:func:`add_candidates`) adds pending lines tagged
``source=search:<rule ids>``; :func:`compare` lists the candidates that are new since the
last run and those that vanished (e.g. after a new terminology release).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from codelists.method.matcher import DescriptionIndex, scan
from codelists.method.strategy import Strategy

#: how a ``source=`` tag says a search found the line (:meth:`Candidate.source_tag`)
SEARCH_TAG = "search:"


@dataclass(frozen=True)
class Match:
    rule: str
    description: str
    terms: tuple[str, ...] = ()  # the text each term matched in the description

    def as_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "description": self.description, "terms": list(self.terms)}


@dataclass
class Candidate:
    code: str
    term: str
    matches: list[Match] = field(default_factory=list)
    via: str = "search"  # "search", "descendant:<code>" or "ecl:<n>"

    @property
    def rules(self) -> list[str]:
        return sorted({m.rule for m in self.matches}, key=_rule_key)

    def source_tag(self) -> str:
        """The ``source=`` tag value: ``search:1,3``, ``descendant:R06.0`` or ``ecl:1``."""
        if self.matches:
            return SEARCH_TAG + ",".join(self.rules)
        return self.via

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "term": self.term, "source": self.source_tag(),
                "matches": [m.as_dict() for m in self.matches]}


@dataclass(frozen=True)
class Removal:
    """A description some rule matched but an exclusion removed."""

    code: str
    description: str
    rules: tuple[str, ...]
    exclusions: tuple[str, ...]


@dataclass
class SearchResult:
    candidates: list[Candidate]
    removals: list[Removal]
    descriptions_scanned: int
    strategy: Strategy

    def codes(self) -> list[str]:
        return [c.code for c in self.candidates]

    def by_code(self) -> dict[str, Candidate]:
        return {c.code: c for c in self.candidates}

    def rule_counts(self) -> dict[str, int]:
        """Rule id -> number of candidate codes it found."""
        counts = {r.id: 0 for r in self.strategy.rules}
        for candidate in self.candidates:
            for rule in candidate.rules:
                counts[rule] = counts.get(rule, 0) + 1
        return counts

    def exclusion_counts(self) -> dict[str, dict[str, int]]:
        """Exclusion id -> descriptions it removed, and codes that it alone kept out."""
        kept = set(self.codes())
        counts = {x.id: {"descriptions": 0, "codes": 0} for x in self.strategy.exclusions}
        codes_by: dict[str, set[str]] = {x.id: set() for x in self.strategy.exclusions}
        for removal in self.removals:
            for xid in removal.exclusions:
                counts[xid]["descriptions"] += 1
                if removal.code not in kept:
                    codes_by[xid].add(removal.code)
        for xid, codes in codes_by.items():
            counts[xid]["codes"] = len(codes)
        return counts

    def excluded_codes(self) -> list[str]:
        kept = set(self.codes())
        return sorted({r.code for r in self.removals if r.code not in kept})

    def summary(self) -> dict[str, Any]:
        return {
            "descriptions_scanned": self.descriptions_scanned,
            "candidates": len(self.candidates),
            "by_rule": self.rule_counts(),
            "excluded_by_terms": self.exclusion_counts(),
        }


def _rule_key(rule_id: str):
    return (0, int(rule_id), "") if rule_id.isdigit() else (1, 0, rule_id)


def _columns(descriptions: Iterable[tuple], include_inactive: bool):
    codes, texts, types = [], [], []
    for item in descriptions:
        code, text = str(item[0]), str(item[1])
        kind = item[2] if len(item) > 2 else ""
        active = item[3] if len(item) > 3 else True
        if not active and not include_inactive:
            continue
        codes.append(code)
        texts.append(text)
        types.append(kind or "")
    return codes, texts, types


PREFERRED_TYPES = ("preferred", "pt", "preferred_term", "label", "title")


def run(strategy: Strategy, descriptions: Iterable[tuple], *,
        preferred: Mapping[str, str] | None = None) -> SearchResult:
    """Candidates for ``strategy`` over every description in the stream.

    ``preferred`` maps codes to the term to show on their line; otherwise the code's
    preferred description, or the first description that matched, is used.
    """
    codes, texts, types = _columns(descriptions, strategy.include_inactive)
    verdicts = scan(strategy, texts, DescriptionIndex(texts))
    found: dict[str, Candidate] = {}
    removals = []
    for i, verdict in verdicts.items():
        code = codes[i]
        for rule in verdict.matched:
            candidate = found.setdefault(code, Candidate(code, texts[i]))
            candidate.matches.append(Match(rule, texts[i], verdict.terms.get(rule, ())))
        if verdict.removed:
            removals.append(Removal(code, texts[i], verdict.removed, verdict.by))
    _choose_terms(found, codes, texts, types, preferred)
    candidates = sorted(found.values(), key=lambda c: c.code)
    return SearchResult(candidates, removals, len(texts), strategy)


def _choose_terms(found, codes, texts, types, preferred) -> None:
    if preferred:
        for code, candidate in found.items():
            if preferred.get(code):
                candidate.term = preferred[code]
        return
    for code, text, kind in zip(codes, texts, types, strict=True):
        if code in found and str(kind).lower() in PREFERRED_TYPES:
            found[code].term = text


@dataclass(frozen=True)
class Comparison:
    new: list[str]
    vanished: list[str]
    unchanged: list[str]

    def as_dict(self) -> dict[str, list[str]]:
        return {"new": self.new, "vanished": self.vanished, "unchanged": self.unchanged}


def compare(previous: Iterable[str], current: Iterable[str]) -> Comparison:
    """Codes new in ``current`` and vanished from ``previous`` (both in sorted order)."""
    before, after = set(previous), set(current)
    return Comparison(sorted(after - before), sorted(before - after), sorted(after & before))


def searched_codes(codelist) -> list[str]:
    """Codes whose line says a search found them (``source=search:...``), any status."""
    return [line.code for line in codelist.code_lines()
            if str(line.tags.get("source", "")).startswith(SEARCH_TAG)]


def search_rules(source: str) -> list[str]:
    """The rule ids of a ``source=search:<id>[,<id>...]`` tag (none for another source)."""
    source = str(source)
    if not source.startswith(SEARCH_TAG):
        return []
    return [r for r in source.removeprefix(SEARCH_TAG).split(",") if r]


def add_candidates(codelist, result: SearchResult) -> list[str]:
    """Add a pending line for each candidate not yet in the codelist; return their codes."""
    added = []
    for candidate in result.candidates:
        if codelist.line_for(candidate.code) is None:
            codelist.add_pending(candidate.code, candidate.term,
                                 tags={"source": candidate.source_tag()})
            added.append(candidate.code)
    return added
