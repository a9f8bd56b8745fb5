"""The hierarchy source: what sits below, beside and above the codes already in the list.

* **descendants** of a seed (an active or pending code) that are not in the list: a code
  more specific than one the list includes usually belongs too.  A descendant of an
  excluded code is not proposed: the exclusion is the more specific decision.  Below a
  weak pending seed the score is lower still (``WEAK_DESCENDANT_SCORE``).
* **siblings**: for each parent of a seed, when at least ``min_share`` of its children
  are seeds, the other children are proposed, scored by that share (times
  ``PENDING_SIBLING_FACTOR`` when none of them is active).  Weak seeds (found by
  letters inside a longer word, :mod:`.seeds`) do not count towards it.
* **parents** whose children are mostly seeds, by the same share.

It works for every system whose store answers ``children``/``parents``/``descendants``:
SNOMED CT by its is-a hierarchy, ICD-10 / ICD-10-CM / OPCS-4 by their chapters, blocks
and categories, Read v2 and CTV3 by their hierarchies.  Grouping codes that are never
recorded (ICD-10 chapters and blocks, whose kind says so) are not proposed.
"""

from __future__ import annotations

from codelists.method.suggest.model import ListState, Proposals

#: concept kinds that group codes but are never recorded against a patient
GROUPING_KINDS = frozenset({"chapter", "block", "section"})
DESCENDANT_SCORE = 0.9  # below an active code
#: below a pending one (an unscreened search candidate): low, because a naive search's
#: noise has neighbours too, and the meaning source ranks the right ones higher (0.1 and
#: the sibling factor were chosen on the suggest benchmark's tuning half; 0.7 before)
PENDING_DESCENDANT_SCORE = 0.1
#: a family whose listed members are all pending (unscreened) is weaker evidence
PENDING_SIBLING_FACTOR = 0.4
#: below a weak pending seed (found by letters inside a longer word, :mod:`.seeds`)
WEAK_DESCENDANT_SCORE = 0.05
MAX_DESCENDANTS = 2_000  # per seed: a seed high in a hierarchy is not evidence for all below


def suggest(terminology, state: ListState, *, min_share: float = 0.5) -> Proposals:
    found = Proposals("hierarchy", state)
    seeds = sorted(state.seeds)
    concepts = terminology.lookup_many(seeds)
    present = [c for c in seeds if c in concepts]
    blocked = _below_exclusions(terminology, state)
    terms = {c: concepts[c].term for c in present}
    for seed in present:
        below = terminology.descendants(seed)
        if len(below) > MAX_DESCENDANTS:
            continue
        score = (DESCENDANT_SCORE if seed in state.active
                 else WEAK_DESCENDANT_SCORE if seed in state.weak
                 else PENDING_DESCENDANT_SCORE)
        for code in below:
            if code not in blocked:
                found.add(code, score, "descendant", f"below {seed} {terms[seed]}".strip())
    _siblings(terminology, state, present, found, min_share, blocked)
    _drop_grouping(terminology, found)
    return found


def _below_exclusions(terminology, state: ListState) -> set[str]:
    blocked: set[str] = set()
    known = terminology.lookup_many(sorted(state.excluded))
    for code in known:
        blocked.update(terminology.descendants(code))
    return blocked


def _siblings(terminology, state: ListState, seeds: list[str], found: Proposals,
              min_share: float, blocked: set[str]) -> None:
    parents: set[str] = set()
    for seed in seeds:
        parents.update(terminology.parents(seed))
    names = terminology.lookup_many(sorted(parents))
    for parent in sorted(parents):
        children = terminology.children(parent)
        if not children:
            continue
        inside = [c for c in children if c in state.seeds and c not in state.weak]
        share = len(inside) / len(children)
        if share < min_share:
            continue
        label = names[parent].term if parent in names else ""
        text = (f"{len(inside)} of {len(children)} codes under {parent} {label} are in the "
                "list").replace("  ", " ")
        score = 0.3 + 0.6 * share
        if not state.active.intersection(inside):  # only unscreened candidates say so
            score *= PENDING_SIBLING_FACTOR
        for child in children:
            if child not in blocked:
                found.add(child, score, "sibling", text)
        if parent not in blocked:
            found.add(parent, score, "parent", text)


def _drop_grouping(terminology, found: Proposals) -> None:
    concepts = terminology.lookup_many(sorted(found.found))
    for code in list(found.found):
        concept = concepts.get(code)
        if concept is None or concept.kind in GROUPING_KINDS or not concept.active:
            del found.found[code]


def below_suggestions(terminology, state: ListState, ranked, *, top: int = 20,
                      min_score: float = 0.5, factor: float = 0.9) -> Proposals:
    """Descendants of the strongest suggestions of the other sources: a reviewer who takes
    a suggested code usually wants what is below it too (scored ``factor`` x its score)."""
    found = Proposals("hierarchy", state)
    strong = [s for s in ranked if s.score >= min_score and "hierarchy" not in s.kinds][:top]
    names = terminology.lookup_many([s.code for s in strong])
    for suggestion in strong:
        below = terminology.descendants(suggestion.code)
        if len(below) > MAX_DESCENDANTS:
            continue
        term = names[suggestion.code].term if suggestion.code in names else ""
        label = f"below {suggestion.code} {term}".strip()
        for code in below:
            found.add(code, factor * suggestion.score, "below-suggested",
                      f"{label} (suggested by {', '.join(suggestion.kinds)})")
    _drop_grouping(terminology, found)
    return found
