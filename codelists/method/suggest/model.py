"""Suggestions: codes the search did not find, each with its reason and evidence.

Every source (:mod:`.hierarchy`, :mod:`.terminology`, :mod:`.meaning`, :mod:`.data`)
proposes codes of the list's coding system that are not yet on any line of the codelist
(active, excluded or pending), each with a score in [0, 1] and the evidence for it.
:func:`combine` merges the sources: a code proposed by several gets the noisy-OR of their
scores (``1 - (1 - a)(1 - b)``), so agreement between independent sources ranks higher
than either alone.  :func:`add_suggestions` writes the chosen ones as pending lines
tagged ``source=suggest:<kinds>``, so screening, the Delphi review and the report treat
them like search candidates.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

KINDS = ("hierarchy", "terminology", "meaning", "data")
TAG_PREFIX = "suggest:"


@dataclass(frozen=True)
class Evidence:
    kind: str  # the source: hierarchy, terminology, meaning or data
    reason: str  # a short machine-readable reason: descendant, sibling, parent, spelling, ...
    text: str  # what a reviewer reads: "below I48 Atrial fibrillation and flutter"
    score: float

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "reason": self.reason, "text": self.text,
                "score": round(self.score, 4)}


@dataclass
class Suggestion:
    code: str
    term: str = ""
    score: float = 0.0
    evidence: list[Evidence] = field(default_factory=list)

    @property
    def kinds(self) -> list[str]:
        found = {e.kind for e in self.evidence}
        return [k for k in KINDS if k in found]

    def source_tag(self) -> str:
        return TAG_PREFIX + ",".join(self.kinds)

    def reason(self) -> str:
        """The strongest piece of evidence per source, for the pending line's comment."""
        best: dict[str, Evidence] = {}
        for item in self.evidence:
            if item.kind not in best or item.score > best[item.kind].score:
                best[item.kind] = item
        return "; ".join(best[k].text for k in self.kinds)

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "term": self.term, "score": round(self.score, 4),
                "source": self.source_tag(), "reason": self.reason(),
                "evidence": [e.as_dict() for e in self.evidence]}


@dataclass(frozen=True)
class ListState:
    """What the codelist already holds: seeds (active and pending) and every listed code."""

    active: frozenset[str]
    pending: frozenset[str]
    excluded: frozenset[str]
    #: pending seeds the search found only by letters inside longer words (:mod:`.seeds`)
    weak: frozenset[str] = frozenset()

    @classmethod
    def of(cls, codelist, strategy=None) -> ListState:
        """What ``codelist`` holds; with its search ``strategy``, which seeds are weak."""
        from codelists.method.suggest.seeds import weak_seeds

        return cls(frozenset(codelist.active_codes()), frozenset(codelist.pending_codes()),
                   frozenset(codelist.excluded_codes()), weak_seeds(codelist, strategy))

    @cached_property
    def seeds(self) -> frozenset[str]:
        """Codes whose neighbours are evidence: included, or candidates awaiting review."""
        return self.active | self.pending

    @cached_property
    def listed(self) -> frozenset[str]:
        return self.active | self.pending | self.excluded


class Proposals:
    """What one source proposes: code -> (score, evidence), keeping the best per code."""

    def __init__(self, kind: str, state: ListState) -> None:
        self.kind = kind
        self.state = state
        self.found: dict[str, list[Evidence]] = {}

    def add(self, code: str, score: float, reason: str, text: str) -> None:
        if code in self.state.listed:
            return
        self.found.setdefault(code, []).append(
            Evidence(self.kind, reason, text, max(0.0, min(1.0, score))))

    def score(self, code: str) -> float:
        return max(e.score for e in self.found[code])


def combine(proposals: Iterable[Proposals], *, limit: int | None = None,
            min_score: float = 0.0) -> list[Suggestion]:
    """Merge sources by noisy-OR of each source's best score; best first."""
    merged: dict[str, Suggestion] = {}
    for source in proposals:
        for code, evidence in source.found.items():
            suggestion = merged.setdefault(code, Suggestion(code))
            best = source.score(code)
            suggestion.score = 1 - (1 - suggestion.score) * (1 - best)
            suggestion.evidence += sorted(evidence, key=lambda e: -e.score)
    ranked = sorted((s for s in merged.values() if s.score >= min_score),
                    key=lambda s: (-s.score, s.code))
    return ranked[:limit] if limit else ranked


def add_suggestions(codelist, suggestions: Iterable[Suggestion]) -> list[str]:
    """A pending line per suggestion not yet in the codelist; returns the codes added."""
    added = []
    for suggestion in suggestions:
        if codelist.line_for(suggestion.code) is None:
            codelist.add_pending(suggestion.code, suggestion.term,
                                 comment=_comment(suggestion.reason()),
                                 tags={"source": suggestion.source_tag(),
                                       "score": f"{suggestion.score:.2f}"})
            added.append(suggestion.code)
    return added


def _comment(text: str) -> str:
    text = " ".join(text.replace("#", "").split())
    return text if len(text) <= 160 else text[:157] + "..."


def suggested_codes(codelist) -> list[str]:
    """Codes whose line says a suggestion proposed them (any status)."""
    return [line.code for line in codelist.code_lines()
            if str(line.tags.get("source", "")).startswith(TAG_PREFIX)]
