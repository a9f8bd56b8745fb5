"""How much each seed of a list counts as evidence for its neighbours.

A seed is an active code (judged to belong) or a pending one (a search candidate not yet
screened).  Among pending seeds, those the search found only because one of its plain-text
terms occurs *inside* a longer word are accidents far more often than not: ``tia`` in
*poten-tia-l*, ``ami`` in *vit-ami-n*, ``pe`` in *ty-pe*.  A researcher's substring
``diabet`` or ``asthm`` matches at the start of a word; the letters in the middle of
another word are not what was meant.  Such *weak* seeds still count, but much less, so
that a search that returned mostly noise does not drown the suggestions in the noise's
neighbours (the hierarchy below a matched chapter title, terms close in meaning to it).

Only plain-text terms (``substring``) are judged; regular expressions, whole words and
phrases say exactly what their author meant.  A pending line whose search rule is unknown
(no ``source=search:<rule>`` tag, or the rule gone) keeps the ordinary pending weight.
"""

from __future__ import annotations

from collections.abc import Iterable


def weak_seeds(codelist, strategy) -> frozenset[str]:
    """The pending codes the recorded search found only by letters inside longer words."""
    from codelists.method.candidates import search_rules

    if strategy is None or not strategy.rules:
        return frozenset()
    rules = {rule.id: rule for rule in strategy.rules}
    pending = set(codelist.pending_codes())
    weak = set()
    for line in codelist.code_lines():
        if line.code not in pending or not line.term:
            continue
        matched = search_rules(line.tags.get("source", ""))
        found = [rules[r] for r in matched if r in rules]
        if found and not any(_at_word_start(rule, line.term) for rule in found):
            weak.add(line.code)
    return frozenset(weak)


def _at_word_start(rule, text: str) -> bool:
    """True unless every plain-text term of the rule occurs only inside words of ``text``."""
    from codelists.method.matcher import occurrences

    plain = [t for t in rule.all_of if t.mode == "substring"]
    if len(plain) < len(rule.all_of) or not plain:
        return True  # a regex, word or phrase term: its author said what it matches
    return all(_starts_a_word(text, occurrences(term, text)) for term in plain)


def _starts_a_word(text: str, spans: Iterable[tuple[int, int]]) -> bool:
    return any(start == 0 or not text[start - 1].isalnum() for start, _ in spans)
