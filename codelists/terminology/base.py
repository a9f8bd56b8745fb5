"""The interface every coding system's store offers.

Each coding system (``snomedct``, ``icd10``, ``icd10cm``, ``opcs4``, ``readv2``, ``ctv3``,
``dmd``, ``bnf``, ``dictionary``) has a package under ``codelists.terminology`` with an
importer and a class implementing :class:`Terminology` over its store.  Codes cross this
interface as strings (``"195967001"``, ``"J45.0"``, ``"H33..00"``); a system may keep
them as integers inside its store.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable


@dataclass(frozen=True)
class Concept:
    """A code with its preferred term, as every system can report it."""

    code: str
    term: str
    active: bool = True
    system: str = ""
    kind: str = ""  # e.g. "chapter", "block", "category" for ICD-10; semantic tag for SNOMED

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "term": self.term, "active": self.active,
                "system": self.system, "kind": self.kind}


@dataclass(frozen=True)
class SearchHit:
    """One matching description."""

    code: str
    term: str  # the description that matched
    preferred_term: str
    active: bool = True
    score: float = 0.0
    description_id: str | None = None
    why: str = ""  # in words: "all words in inclusion term 'Breathlessness'"

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class ConceptDetail:
    """Everything ``show`` reports; sections a system lacks stay empty."""

    concept: Concept
    terms: list[dict[str, Any]] = field(default_factory=list)  # {"term","type","lang",...}
    preferred_terms: dict[str, str] = field(default_factory=dict)  # dialect -> term
    parents: list[Concept] = field(default_factory=list)
    children: list[Concept] = field(default_factory=list)
    ancestor_count: int = 0
    descendant_count: int = 0
    attributes: list[dict[str, Any]] = field(default_factory=list)  # {"group","type","value",...}
    refsets: list[dict[str, Any]] = field(default_factory=list)
    maps: list[dict[str, Any]] = field(default_factory=list)
    notes: list[dict[str, Any]] = field(default_factory=list)  # inclusion/exclusion notes
    inactivation: dict[str, Any] | None = None  # {"reason", "replacements": [...]}

    def as_dict(self) -> dict[str, Any]:
        return {
            "concept": self.concept.as_dict(),
            "terms": self.terms,
            "preferred_terms": self.preferred_terms,
            "parents": [c.as_dict() for c in self.parents],
            "children": [c.as_dict() for c in self.children],
            "ancestor_count": self.ancestor_count,
            "descendant_count": self.descendant_count,
            "attributes": self.attributes,
            "refsets": self.refsets,
            "maps": self.maps,
            "notes": self.notes,
            "inactivation": self.inactivation,
        }


@runtime_checkable
class Terminology(Protocol):
    """What every coding system's store offers (read-only)."""

    system: str

    def normalise(self, code: str) -> str:
        """The canonical form of a code (dotted ICD-10, Read padding, Excel damage)."""

    def lookup(self, code: str) -> Concept | None:
        """The concept for a code, or None when the store does not have it."""

    def lookup_many(self, codes: list[str]) -> dict[str, Concept]:
        """Concepts for many codes at once (missing codes are absent from the result)."""

    def show(self, code: str) -> ConceptDetail:
        """Everything known about a code; raises UnknownCodeError when absent."""

    def search(self, query: str, *, limit: int = 50, within: str | None = None,
               include_inactive: bool = False, partial: bool = False,
               whole_words: bool = False) -> list[SearchHit]:
        """Ranked full-text search with prefix matching (with ``whole_words``, each word
        matches a whole word), in British and American spelling; with ``partial``,
        descriptions with most of the words after those with all."""

    def search_regex(self, pattern: str, *, limit: int | None = None,
                     within: str | None = None,
                     include_inactive: bool = False) -> list[SearchHit]:
        """A Python regular expression over every description."""

    def iter_descriptions(self, *, include_inactive: bool = False
                          ) -> Iterator[tuple[str, str, str, bool]]:
        """Every description as (code, term, type, active), fetched in bulk.

        ``type`` is ``'fsn'``, ``'synonym'`` or ``'definition'`` (systems without
        description types report ``'synonym'``).  Without ``include_inactive``: only
        active descriptions of active codes.
        """

    def descendants(self, code: str, *, include_self: bool = False) -> list[str]: ...

    def ancestors(self, code: str, *, include_self: bool = False) -> list[str]: ...

    def children(self, code: str) -> list[str]: ...

    def parents(self, code: str) -> list[str]: ...

    def close(self) -> None: ...
