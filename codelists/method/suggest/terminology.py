"""The terminology source: what the terminology itself says about the list's codes.

* **other descriptions and spellings**: the recorded search strategy is run over every
  active description of the store with each term also in its other English spelling
  (:mod:`codelists.terminology.spelling`: ``anaemia``/``anemia``); a code found only by
  another description (a synonym, an inclusion term) or another spelling is proposed,
  with the description that matched;
* **abbreviations**: a strategy or definition word that no description has as a whole
  word and whose letters are the initials of names in the terminology (``ckd``: ``Chronic
  kidney disease``) is read as those names (:mod:`.acronyms`); the codes whose
  descriptions contain them are proposed, scored by how often the store uses each reading;
* **history**: the replacements of inactive seeds (SAME AS, REPLACED BY, POSSIBLY
  EQUIVALENT TO ...) are proposed;
* **cross-maps**: through another store (Read v2, CTV3 or ICD-10 <-> SNOMED CT), the codes
  of the list's system that map to the same targets as the seeds are proposed, scored by
  the share of that target's codes already in the list.
"""

from __future__ import annotations

from collections import defaultdict

from codelists.method.strategy import Rule, Strategy, Term
from codelists.method.suggest.model import ListState, Proposals

SEARCH_SCORE = 0.85
SPELLING_SCORE = 0.85
HISTORY_SCORE = 0.8
ABBREVIATION_SCORE = 0.8


def suggest(terminology, state: ListState, *, strategy: Strategy | None = None,
            others=(), searched_here: bool = False, expansions: dict | None = None
            ) -> Proposals:
    """``searched_here``: the strategy's last run read this very store, so its own rules
    cannot find anything new here and only the other spellings are searched;
    ``expansions``: abbreviation -> its :class:`~.acronyms.Expansion`\\ s."""
    found = Proposals("terminology", state)
    if strategy is not None and strategy.rules:
        _search(terminology, strategy, found, searched_here)
    _abbreviations(terminology, expansions or {}, found)
    _history(terminology, state, found)
    for other in others:
        _crossmaps(terminology, other, state, found)
    return found


def widened(strategy: Strategy) -> tuple[Strategy, dict[str, str]]:
    """The strategy with every term also in its other spellings; new rule id -> note."""
    from codelists.terminology.spelling import expand_regex, variants

    rules, notes = [], {}
    for rule in strategy.rules:
        terms = []
        changed = []
        for term in rule.all_of:
            if term.mode in ("substring", "word", "phrase"):
                spelt = variants(term.text)
                alternatives = [Term(t, term.mode, term.case_sensitive) for t in spelt]
            elif term.mode == "regex":
                alternatives = [term, Term(expand_regex(term.text), "regex",
                                           term.case_sensitive)]
                spelt = [term.text, alternatives[1].text]
            else:
                alternatives, spelt = [term], [term.text]
            terms.append(alternatives)
            changed += [t for t in spelt[1:] if t != term.text]
        rules.append(rule)
        others = [c for c in _combinations(terms) if c != rule.all_of]
        for n, combo in enumerate(others, start=1):
            rid = f"{rule.id}~{n}"
            rules.append(Rule(rid, combo, rule.none_of, rule.label))
            notes[rid] = "other spelling: " + ", ".join(changed)
    return Strategy(tuple(rules), strategy.exclusions, strategy.systems,
                    strategy.include_inactive), notes


def _combinations(options: list[list[Term]], limit: int = 16) -> list[tuple[Term, ...]]:
    combos: list[tuple[Term, ...]] = [()]
    for choice in options:
        combos = [(*c, t) for c in combos for t in choice][:limit]
    return combos


def _search(terminology, strategy: Strategy, found: Proposals, searched_here: bool) -> None:
    from codelists.method.candidates import run

    wide, notes = widened(strategy)
    if searched_here:
        if not notes:
            return  # nothing the last run did not already search for
        wide = Strategy(tuple(r for r in wide.rules if r.id in notes), wide.exclusions,
                        wide.systems, wide.include_inactive)
    result = run(wide, terminology.iter_descriptions())
    for candidate in result.candidates:
        match = min(candidate.matches, key=lambda m: ("~" in m.rule, m.rule))
        if "~" in match.rule:
            found.add(candidate.code, SPELLING_SCORE, "spelling",
                      f"'{match.description}' matches rule {match.rule.split('~')[0]} "
                      f"({notes[match.rule]})")
        else:
            found.add(candidate.code, SEARCH_SCORE, "description",
                      f"'{match.description}' matches rule {match.rule}")


def _abbreviations(terminology, expansions: dict, found: Proposals) -> None:
    from codelists.method.suggest.acronyms import named

    for abbreviation, readings in expansions.items():
        for reading in readings:
            for code, term in named(terminology, reading).items():
                found.add(code, ABBREVIATION_SCORE * reading.share, "abbreviation",
                          f"'{term}' spells out '{abbreviation}' ({reading.names} "
                          f"name{'s' if reading.names > 1 else ''} in the terminology)")


def _history(terminology, state: ListState, found: Proposals) -> None:
    concepts = terminology.lookup_many(sorted(state.seeds))
    for code, concept in concepts.items():
        if concept.active:
            continue
        inactivation = terminology.show(code).inactivation or {}
        for item in inactivation.get("replacements", []):
            target = item["code"] if isinstance(item, dict) else str(item)
            how = item.get("association_term", "replaced by") if isinstance(item, dict) \
                else "replaced by"
            found.add(target, HISTORY_SCORE, "history",
                      f"{how} of {code} {concept.term} (inactive, in the list)".strip())


def map_pairs(ours, other) -> list[tuple[str, str]]:
    """(our code, other code) for every active map between two stores, either direction."""
    from codelists.terminology import crossmap

    pairs: list[tuple[str, str]] = []
    if ours.system == "snomedct":
        pairs += [(m.source_code, m.target_code)
                  for m in crossmap.iter_snomed_maps(ours, other.system)]
        if other.system != "snomedct" and hasattr(other, "conn"):
            pairs += [(m.target_code, m.source_code)
                      for m in crossmap.iter_store_maps(other) if m.target_system == "snomedct"]
    else:
        if hasattr(ours, "conn"):
            pairs += [(m.source_code, m.target_code) for m in crossmap.iter_store_maps(ours)
                      if m.target_system == other.system]
        if other.system == "snomedct":
            pairs += [(m.target_code, m.source_code)
                      for m in crossmap.iter_snomed_maps(other, ours.system)]
    return pairs


def _crossmaps(terminology, other, state: ListState, found: Proposals) -> None:
    forward: dict[str, set[str]] = defaultdict(set)
    backward: dict[str, set[str]] = defaultdict(set)
    for mine, theirs in map_pairs(terminology, other):
        forward[mine].add(theirs)
        backward[theirs].add(mine)
    targets = {t for seed in state.seeds for t in forward.get(seed, ())}
    names = other.lookup_many(sorted(targets))
    for target in sorted(targets):
        sources = backward[target]
        inside = [c for c in sources if c in state.seeds]
        share = len(inside) / len(sources)
        label = names[target].term if target in names else ""
        for code in sorted(sources - state.seeds):
            found.add(code, 0.4 + 0.5 * share,
                      "crossmap", f"maps to {other.system} {target} {label}, as "
                                  f"{inside[0]} in the list does".replace("  ", " "))
