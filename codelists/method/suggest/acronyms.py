"""Abbreviations in a search strategy, read through the terminology's own names.

Researchers write ``AMI``, ``CKD`` or ``PE`` in a strategy or a title; terminologies such as
WHO ICD-10 spell the condition out (``Acute myocardial infarction``), so the search finds
nothing, or junk where the letters occur inside longer words (``ami`` in ``vitamin``).
A term is read as an abbreviation when it is two to five letters and no description of the
store has it as a whole word.  Its expansions are the store's own *names* whose initials
spell it: a description, or one clause of it (split at commas, colons and brackets, a
leading ``Other``/``Unspecified`` dropped), whose content words start with those letters
in order (``Chronic kidney disease`` for ``ckd``; ``Other chronic obstructive pulmonary
disease`` for ``copd``).  Requiring a whole clause, not any run of words, keeps
coincidences out (``poisoning, exposure`` is not a name, so it is not ``pe``).

Expansions are ranked by how many clauses name them; those named at least half as often
as the first are kept, at most ``MAX_EXPANSIONS``, each with its share.

When no name spells an abbreviation of three or more letters exactly, names with one
inner word more are read instead (``tia``: *Transient cerebral ischaemic attack*, the
``cerebral`` skipped): terminologies qualify a name that the abbreviation leaves out.
The first and last letters must still be the first and last words.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

MIN_LETTERS, MAX_LETTERS = 2, 5
MAX_EXPANSIONS = 3
#: words an abbreviation's letters skip (``PE`` never stands for "of")
SKIPPED = frozenset({"a", "an", "and", "as", "at", "by", "due", "for", "in", "of", "on",
                     "or", "the", "to", "with"})
#: leading words of a clause that are not part of the name
LEADING = frozenset({"other", "unspecified", "specified"})
#: words a title uses about the list or its coding, never for the condition
ABOUT_THE_LIST = frozenset({"list", "lists", "code", "codes", "codelist", "set", "sets",
                            "icd", "read", "ctv", "opcs", "dmd", "all", "any", "new", "old"})
_CLAUSE = re.compile(r"[,:;()\[\]]")
_LETTERS = re.compile(r"[a-z]+")


@dataclass(frozen=True)
class Expansion:
    abbreviation: str
    phrase: str  # lower-case content words: "chronic kidney disease"
    names: int  # clauses of the store that are exactly this name
    share: float  # names / names of the abbreviation's first expansion


def candidates(texts) -> list[str]:
    """The words of ``texts`` (strategy terms) that could be abbreviations."""
    out: list[str] = []
    for text in texts:
        word = str(text).strip().lower()
        if (MIN_LETTERS <= len(word) <= MAX_LETTERS and word.isalpha()
                and word not in SKIPPED and word not in ABOUT_THE_LIST):
            out.append(word)
    return list(dict.fromkeys(out))


def expand(descriptions, abbreviations: list[str]) -> dict[str, list[Expansion]]:
    """The expansions of each abbreviation that no description has as a whole word.

    ``descriptions``: (code, text, ...) rows, as a store's ``iter_descriptions`` gives them.
    """
    wanted = {a: len(a) for a in abbreviations}
    if not wanted:
        return {}
    present: set[str] = set()
    names: dict[str, Counter] = {a: Counter() for a in wanted}
    near: dict[str, Counter] = {a: Counter() for a in wanted if len(a) >= 3}
    lengths = set(wanted.values()) | {n + 1 for n in wanted.values() if n >= 3}
    for row in descriptions:
        text = str(row[1]).lower()
        present.update(w for w in _LETTERS.findall(text) if w in wanted)
        for clause in _CLAUSE.split(text):
            content = [w for w in _LETTERS.findall(clause) if w not in SKIPPED]
            while content and content[0] in LEADING:
                content = content[1:]
            if len(content) not in lengths:
                continue
            initials = "".join(w[0] for w in content)
            if initials in names:
                names[initials][" ".join(content)] += 1
            for inner in range(1, len(initials) - 1):
                shorter = initials[:inner] + initials[inner + 1:]
                if shorter in near:
                    near[shorter][" ".join(content)] += 1
    return {a: _ranked(a, names[a] or near.get(a, Counter())) for a in wanted
            if a not in present and (names[a] or near.get(a))}


def _ranked(abbreviation: str, counts: Counter) -> list[Expansion]:
    ranked = counts.most_common()
    top = ranked[0][1]
    return [Expansion(abbreviation, phrase, n, n / top)
            for phrase, n in ranked[:MAX_EXPANSIONS] if n * 2 >= top]


def strategy_terms(strategy) -> list[str]:
    """The plain-text terms of a strategy's rules (not regular expressions)."""
    if strategy is None:
        return []
    return [term.text for rule in strategy.rules for term in rule.all_of
            if term.mode in ("substring", "word", "phrase")]


def of_codelist(codelist, strategy) -> list[str]:
    """Possible abbreviations among the strategy's terms and the words of what the list
    is for (the definition's feature, else the title)."""
    from codelists.method import block

    definition = block.definition(codelist)
    said = (definition.feature if definition is not None else "") or codelist.title or ""
    return candidates([*strategy_terms(strategy), *_LETTERS.findall(said.lower())])


def indexed_word(terminology, word: str, *, limit: int = 20) -> bool:
    """True when the store's full-text search shows ``word`` as a whole word of one of its
    first ``limit`` hits (a cheap check before a pass over every description)."""
    from codelists.errors import CodelistsError

    try:
        hits = terminology.search(word, limit=limit)
    except CodelistsError:  # a store without a usable index: the pass decides
        return False
    return any(word in _LETTERS.findall(hit.term.lower()) for hit in hits)


def named(terminology, expansion: Expansion, *, limit: int = 500) -> dict[str, str]:
    """code -> the description naming the expansion (its words in order), by the store's
    full-text index."""
    words = expansion.phrase.split()
    found: dict[str, str] = {}
    for hit in terminology.search(expansion.phrase, limit=limit):
        content = [w for w in _LETTERS.findall(hit.term.lower()) if w not in SKIPPED]
        if _in_order(words, content) and hit.code not in found:
            found[hit.code] = hit.term
    return found


def _in_order(words: list[str], content: list[str]) -> bool:
    n = len(words)
    return any(content[i:i + n] == words for i in range(len(content) - n + 1))
