"""Suggestions: codes the search missed, from the hierarchy, the terminology, the meaning
of terms and the patient data (``codelist suggest``).

>>> found = suggest(codelist, terminology, sources=("hierarchy", "terminology"))  # doctest: +SKIP
>>> add_suggestions(codelist, found)                                           # doctest: +SKIP

See docs/explanation/suggestions.md for how each source scores and how they combine.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from codelists.errors import UsageError
from codelists.method.suggest.model import (
    KINDS,
    Evidence,
    ListState,
    Proposals,
    Suggestion,
    add_suggestions,
    combine,
    suggested_codes,
)

__all__ = ["KINDS", "Evidence", "ListState", "Proposals", "Suggestion", "add_suggestions",
           "combine", "suggest", "suggested_codes", "check_sources"]


def check_sources(sources: Iterable[str]) -> tuple[str, ...]:
    chosen = tuple(dict.fromkeys(s.strip().lower() for s in sources if s.strip()))
    unknown = [s for s in chosen if s not in KINDS]
    if unknown or not chosen:
        raise UsageError(f"unknown suggestion source {', '.join(unknown) or '(none)'}",
                         hint=f"choose from: {', '.join(KINDS)}")
    return chosen


def suggest(codelist, terminology, *, sources: Sequence[str] = ("hierarchy", "terminology"),
            vectors=None, encoder=None, others=(), cooccurrence=None, window_days: int = 0,
            release: dict | None = None,
            limit: int | None = 50, min_score: float = 0.0,
            min_share: float = 0.5) -> list[Suggestion]:
    """Ranked suggestions for ``codelist`` from the chosen sources.

    ``vectors``/``encoder``: the store's meaning vectors and the model (source
    ``meaning``); ``others``: stores of other systems to cross-map through;
    ``cooccurrence``: rows from :func:`codelists.frequency.cooccurrence.cooccurring`
    (source ``data``); ``release``: the store's release (as
    :func:`codelists.method.replay.store_release` gives it), to know whether the last
    search run already read this store.
    """
    sources = check_sources(sources)
    _check_system(codelist, terminology)
    strategy = _strategy(codelist)
    state = ListState.of(codelist, strategy)
    expanded = (_abbreviations(codelist, terminology, strategy, vectors)
                if {"terminology", "meaning"} & set(sources) else {})
    found: list[Proposals] = []
    if "hierarchy" in sources:
        from codelists.method.suggest import hierarchy

        found.append(hierarchy.suggest(terminology, state, min_share=min_share))
    if "terminology" in sources:
        from codelists.method.suggest import terminology as terms

        found.append(terms.suggest(terminology, state, strategy=strategy, others=others,
                                   searched_here=_searched(codelist, release),
                                   expansions=expanded))
    if "meaning" in sources:
        found.append(_meaning(codelist, terminology, state, vectors, encoder, expanded))
    if "data" in sources:
        from codelists.method.suggest import data

        if cooccurrence is None:
            raise UsageError("the data source needs patient events",
                             hint="give --events FILE (and its columns)")
        found.append(data.suggest(cooccurrence, state, terminology, window_days=window_days))
    ranked = combine(found, min_score=min_score)
    if "hierarchy" in sources and len(found) > 1:
        from codelists.method.suggest import hierarchy

        # a suggested block is no code to record, but what is below it may well be
        found.append(hierarchy.below_suggestions(terminology, state, ranked))
        ranked = combine(found, min_score=min_score)
    ranked = _known(terminology, ranked)
    return ranked[:limit] if limit else ranked


def _known(terminology, ranked: list[Suggestion]) -> list[Suggestion]:
    """The suggestions the store has (e.g. not a map target it lacks), with their terms,
    less grouping codes that are never recorded (ICD-10 chapters and blocks), whichever
    source proposed them."""
    from codelists.method.suggest.hierarchy import GROUPING_KINDS

    concepts = terminology.lookup_many([s.code for s in ranked])
    ranked = [s for s in ranked if s.code in concepts
              and concepts[s.code].kind not in GROUPING_KINDS]
    for suggestion in ranked:
        suggestion.term = concepts[suggestion.code].term
    return ranked


def _check_system(codelist, terminology) -> None:
    """Suggestions must be codes of the list's own coding system."""
    from codelists.errors import CodelistsError

    try:
        mine = codelist.system.id
    except CodelistsError:
        return  # a list without a known system: the store decides
    theirs = getattr(terminology, "system", "")
    if theirs and theirs != "dictionary" and mine != theirs:
        raise UsageError(
            f"the codelist is {mine} but the store is {theirs}",
            path=codelist.path, hint=f"pass a {mine} store with --db (stores of other "
                                     "systems go in --also-db, for cross-maps)")


def _strategy(codelist):
    if not ((codelist.method or {}).get("search") or {}).get("rules"):
        return None
    from codelists.method import block

    return block.strategy(codelist)


def _searched(codelist, release: dict | None) -> bool:
    """True when the recorded last search run read the same release of the same store."""
    from codelists.method import block

    last = ((block.last_run(codelist) if codelist.method else None) or {}).get("release")
    if not release or not isinstance(last, dict):
        return False
    keys = ("terminology", "edition", "release_date", "store")
    return all(last.get(k) == release.get(k) for k in keys)


def _abbreviations(codelist, terminology, strategy, vectors) -> dict:
    """Expansions of the abbreviations the strategy or the definition uses.  Words the
    store's vectors know, or its full-text index finds as a whole word, are words of the
    store: only the others cost a pass over every description."""
    from codelists.method.suggest import acronyms

    words = acronyms.of_codelist(codelist, strategy)
    if vectors is not None:
        words = [w for w in words if w not in vectors.vocab]
    words = [w for w in words if not acronyms.indexed_word(terminology, w)]
    if not words:
        return {}
    return acronyms.expand(terminology.iter_descriptions(), words)


def _meaning(codelist, terminology, state, vectors, encoder, expanded) -> Proposals:
    from codelists.method.suggest import meaning

    if vectors is None or encoder is None:
        raise UsageError("the meaning source needs the store's vectors and the model",
                         hint="build them once: codelist terminology vectors")
    seeds = terminology.lookup_many(sorted(state.seeds))
    asked = meaning.queries(codelist, {c: x.term for c, x in seeds.items()}, expanded,
                            weak=state.weak)
    return meaning.suggest(vectors, encoder, state, asked)
