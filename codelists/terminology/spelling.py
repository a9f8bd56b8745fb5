"""British and American spellings of medical words, both ways.

``variants("dyspnoea")`` gives ``["dyspnoea", "dyspnea"]``; ``variants("hemorrhage")``
gives ``["hemorrhage", "haemorrhage"]``; a phrase gives every combination of its words'
spellings (``"oesophageal tumour"`` -> four spellings).  The first spelling returned is
always the one given.

**How variants are made.**  Every rule is tied to a known medical stem or a word ending,
never to a bare letter pair, so a word gets a variant only when it contains a stem the
rules know:

- *oe/e*: ``oesophag/esophag``, ``oedem/edem``, ``oestr/estr``, ``-rrhoea/-rrhea``,
  ``-pnoea/-pnea``, ``coeliac/celiac``, ``foetus/fetus``, ``amoeb/ameb`` ...
- *ae/e*: ``haem-/hem-`` (before *a* or *o*: ``haematuria``, ``haemoglobin``; never
  ``hemi-``), ``-aemia/-emia``, ``-aemic/-emic``, ``anaesth/anesth``,
  ``paediatr/pediatr``, ``orthopaed/orthoped``, ``gynaec/gynec``, ``aetiol/etiol``,
  ``caecum/cecum``, ``faecal/fecal`` ...
- *-our/-or*: a known stem (``tumour``, ``colour``, ``behaviour``, ``labour`` ...) followed
  by the end of the word or an inflection (``-s``, ``-al``, ``-ed``, ``-ation`` ...), so
  ``colorectal`` and ``four`` keep their spelling;
- *-ise/-ize* (and *-yse/-yze*): the endings ``-ise``, ``-ised``, ``-ising``, ``-isation``
  ... after a stem of three letters or more, except the English words that are spelt
  ``-ise`` on both sides of the Atlantic (``exercise``, ``advise``, ``surprise``,
  ``precise`` and their inflections) and ``size``/``seize``/``prize`` the other way;
- *ph/f*: ``sulph/sulf``;
- a curated list of whole words: ``grey/gray``, ``centre/center``, ``fibre/fiber``,
  ``litre/liter``, ``ageing/aging``, ``leucocyte/leukocyte``, ``programme/program``,
  ``defence/defense``, ``manoeuvre/maneuver`` ...

**Regular expressions.**  :func:`expand_regex` rewrites every literal run of letters in a
Python regular expression as an alternation of its spellings (``dyspnoea`` ->
``(?:dyspnoea|dyspnea)``), leaving classes, escapes, groups and quantifiers alone; a letter
that a quantifier applies to (``colou?r``) stays outside the alternation, so the
expression's meaning is only ever widened by other spellings.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache, lru_cache
from itertools import product

__all__ = ["expand_regex", "variants", "word_variants"]

#: prefixes a stem may follow and still count as starting the word (``microhaematuria``)
_PREFIXES = ("", "non", "pre", "post", "intra", "extra", "peri", "sub", "micro", "macro",
             "hypo", "hyper", "poly", "pseudo", "para", "anti", "neo", "auto", "multi")

#: (British, American, where): ``stem`` = at the start of the word (after a prefix above),
#: ``any`` = anywhere in the word, ``end`` = at the end of the word.
_STEM_RULES: tuple[tuple[str, str, str], ...] = (
    # oe / e
    ("oesophag", "esophag", "any"), ("oedem", "edem", "any"), ("oestr", "estr", "stem"),
    ("oestrogen", "estrogen", "any"), ("rrhoe", "rrhe", "any"), ("dyspnoe", "dyspne", "any"),
    ("apnoe", "apne", "any"), ("pnoea", "pnea", "end"), ("pnoeas", "pneas", "end"),
    ("pnoeic", "pneic", "end"), ("coeliac", "celiac", "any"), ("foetus", "fetus", "stem"),
    ("foetal", "fetal", "stem"), ("foeto", "feto", "stem"), ("foetuses", "fetuses", "stem"),
    ("amoeb", "ameb", "any"), ("homoeopath", "homeopath", "stem"),
    ("homoeostas", "homeostas", "stem"), ("coelom", "celom", "any"),
    ("oesophag", "esophag", "stem"), ("manoeuvr", "maneuver", "stem"),
    # ae / e
    ("haema", "hema", "stem"), ("haemo", "hemo", "stem"), ("aemia", "emia", "end"),
    ("aemias", "emias", "end"), ("aemic", "emic", "end"), ("ischaem", "ischem", "any"),
    ("leukaem", "leukem", "any"), ("anaemi", "anemi", "any"), ("septicaem", "septicem", "any"),
    ("glycaem", "glycem", "any"), ("kalaem", "kalem", "any"), ("natraem", "natrem", "any"),
    ("calcaem", "calcem", "any"), ("bacteraem", "bacterem", "any"), ("uraemi", "uremi", "any"),
    ("toxaemi", "toxemi", "any"), ("lipidaem", "lipidem", "any"), ("cythaem", "cythem", "any"),
    ("viraem", "virem", "any"), ("anaesth", "anesth", "any"), ("paediatr", "pediatr", "any"),
    ("orthopaed", "orthoped", "any"), ("gynaec", "gynec", "any"), ("aetiol", "etiol", "any"),
    ("caecum", "cecum", "stem"), ("caecal", "cecal", "stem"), ("faeces", "feces", "stem"),
    ("faecal", "fecal", "stem"), ("praecox", "precox", "stem"), ("caesarean", "cesarean", "stem"),
    ("phaeo", "pheo", "any"), ("aesthe", "esthe", "stem"), ("palaeo", "paleo", "stem"),
    ("encyclopaed", "encycloped", "stem"), ("haem", "heme", "whole"),
    # ph / f
    ("sulph", "sulf", "any"),
)

#: stems spelt -our in British English and -or in American English
_OUR_STEMS = ("tum", "col", "behavi", "hum", "od", "lab", "vap", "fav", "rum", "neighb",
              "hon", "sav", "flav", "harb", "vig", "rig", "clam", "arm", "ferv", "splend",
              "ard", "endeav", "parl")
#: what may follow -our/-or for the rule to apply (the end of the word is "")
_OUR_ENDINGS = ("", "s", "ed", "ing", "al", "ally", "ation", "ations", "less", "ful",
                "er", "ers", "able", "ably", "ite", "ites", "ism", "ist", "ists", "ed")
#: what may come before the stem (``discolouration``)
_OUR_PREFIXES = ("", "dis", "de", "multi", "mis", "water", "mal", "neuro")

_ISE_ENDINGS = ("ise", "ised", "ises", "ising", "iser", "isers", "isation", "isations",
                "yse", "ysed", "ysing", "yser")
_ISE_BOTH_SIDES = (
    "advertise", "advise", "anise", "apprise", "arise", "braise", "bruise", "chastise",
    "circumcise", "clockwise", "comprise", "compromise", "concise", "cruise", "demise",
    "despise", "devise", "disguise", "enterprise", "excise", "exercise", "expertise",
    "franchise", "guise", "improvise", "incise", "likewise", "mayonnaise", "merchandise",
    "mortise", "noise", "otherwise", "paradise", "poise", "porpoise", "praise", "precise",
    "premise", "promise", "raise", "remise", "reprise", "revise", "rise", "sunrise",
    "supervise", "surmise", "surprise", "televise", "tortoise", "treatise", "turquoise",
    "uprise", "valise", "vise", "wise",
)
_IZE_BOTH_SIDES = ("size", "seize", "prize", "capsize", "maize", "baize", "downsize",
                   "oversize", "upsize", "assize")

#: whole words (and their plurals) with two spellings, British first
_WORDS: tuple[tuple[str, str], ...] = (
    ("grey", "gray"), ("centre", "center"), ("centres", "centers"), ("centred", "centered"),
    ("fibre", "fiber"), ("fibres", "fibers"), ("fibreoptic", "fiberoptic"),
    ("litre", "liter"), ("litres", "liters"), ("millilitre", "milliliter"),
    ("millilitres", "milliliters"), ("theatre", "theater"), ("theatres", "theaters"),
    ("calibre", "caliber"), ("meagre", "meager"), ("sombre", "somber"), ("lustre", "luster"),
    ("ageing", "aging"), ("judgement", "judgment"), ("catalogue", "catalog"),
    ("analogue", "analog"), ("analogues", "analogs"), ("dialogue", "dialog"),
    ("defence", "defense"), ("defences", "defenses"), ("offence", "offense"),
    ("licence", "license"), ("enrol", "enroll"), ("enrolment", "enrollment"),
    ("fulfil", "fulfill"), ("sceptic", "skeptic"), ("sceptical", "skeptical"),
    ("pyjamas", "pajamas"), ("distension", "distention"), ("programme", "program"),
    ("programmes", "programs"), ("aluminium", "aluminum"), ("mould", "mold"),
    ("mouldy", "moldy"), ("leucocyte", "leukocyte"), ("leucocytes", "leukocytes"),
    ("leucocytosis", "leukocytosis"), ("leucopenia", "leukopenia"),
    ("leucorrhoea", "leukorrhea"), ("plough", "plow"), ("tyre", "tire"),
    ("manoeuvre", "maneuver"), ("manoeuvres", "maneuvers"), ("haemorrhoids", "hemorrhoids"),
    ("orthopaedic", "orthopedic"), ("orthopaedics", "orthopedics"),
    ("frusemide", "furosemide"), ("amoxycillin", "amoxicillin"),
    ("cephalexin", "cefalexin"),
)

_WORD_MAP: dict[str, set[str]] = {}
for _british, _american in _WORDS:
    _WORD_MAP.setdefault(_british, set()).add(_american)
    _WORD_MAP.setdefault(_american, set()).add(_british)


def _inflections(bases: Iterable[str]) -> frozenset[str]:
    out: set[str] = set()
    for base in bases:
        out.update({base, base + "d", base + "s", base + "r", base + "rs", base[:-1] + "ing",
                    base[:-1] + "ation", base[:-1] + "ations"})
    return frozenset(out)


_KEEP_ISE = _inflections(_ISE_BOTH_SIDES)
_KEEP_IZE = _inflections(_IZE_BOTH_SIDES)
_KEEP = frozenset({"academia", "bohemia", "academias", "anemone", "anemones", "hemi",
                   "chemic", "polemic", "polemics", "endemic", "epidemic", "pandemic",
                   "systemic", "academic", "totemic"})
#: beginnings of words that only look like a stem above (``estranged``, ``fetch``)
_KEEP_STARTS = ("estrang", "estray", "fetch", "fetter", "homeown", "homeless")


def _stem_swaps(word: str, src: str, dst: str, where: str) -> set[str]:
    if where == "whole":
        return {dst} if word == src else set()
    if where == "end":
        return {word[: -len(src)] + dst} if word.endswith(src) and len(word) > len(src) \
            else set()
    if where == "stem":
        if not word.startswith(_stem_starts(src)):  # most words: one check in C
            return set()
        return {p + dst + word[len(p) + len(src):] for p in _PREFIXES
                if word.startswith(p + src)}
    return {word.replace(src, dst)} if src in word else set()


@cache
def _stem_starts(src: str) -> tuple[str, ...]:
    """Every beginning a word needs for the stem ``src`` to be swapped in it."""
    return tuple(p + src for p in _PREFIXES)


def _rule_swaps(word: str) -> set[str]:
    found: set[str] = set(_WORD_MAP.get(word, ()))
    if word in _KEEP or word.startswith(_KEEP_STARTS):
        return found
    for british, american, where in _STEM_RULES:
        found |= _stem_swaps(word, british, american, where)
        if not _stem_swaps(word, british, british, where):  # already British there
            found |= _stem_swaps(word, american, british, where)
    found |= _our_swaps(word)
    found |= _ise_swaps(word)
    return found - {word}


def _our_swaps(word: str) -> set[str]:
    return set(_our_map().get(word, ()))


@lru_cache(maxsize=1)
def _our_map() -> dict[str, frozenset[str]]:
    """Every -our/-or word the rules know, to its other spellings: built once (a few
    thousand pairs), so a new word costs one look-up, not a pass over every pair."""
    found: dict[str, set[str]] = {}
    for prefix, stem, ending in product(_OUR_PREFIXES, _OUR_STEMS, _OUR_ENDINGS):
        head = prefix + stem
        british, american = head + "our" + ending, head + "or" + ending
        found.setdefault(british, set()).add(american)
        found.setdefault(american, set()).add(british)
    return {word: frozenset(others) for word, others in found.items()}


def _ise_swaps(word: str) -> set[str]:
    for ending in sorted(_ISE_ENDINGS, key=len, reverse=True):
        other = ending.replace("s", "z", 1)
        for src, dst, keep in ((ending, other, _KEEP_ISE), (other, ending, _KEEP_IZE)):
            stem = word[: -len(src)] if word.endswith(src) else None
            if stem is not None and len(stem) >= 3 and word not in keep \
                    and not any(word.endswith(k) for k in keep if len(k) > 4):
                return {stem + dst}
    return set()


@lru_cache(maxsize=65536)
def _lower_variants(word: str) -> tuple[str, ...]:
    seen = {word}
    frontier = [word]
    while frontier and len(seen) < 16:  # a word with several stems gets each combination
        nxt = []
        for item in frontier:
            for variant in _rule_swaps(item):
                if variant not in seen:
                    seen.add(variant)
                    nxt.append(variant)
        frontier = nxt
    return (word, *sorted(seen - {word}))


def _same_case(template: str, word: str) -> str:
    if template.isupper() and len(template) > 1:
        return word.upper()
    if template[:1].isupper():
        return word[:1].upper() + word[1:]
    return word


def word_variants(word: str) -> list[str]:
    """Every spelling of one word, the given one first, in the case it was given in."""
    if not word.isalpha():
        return [word]
    return [word] + [_same_case(word, v) for v in _lower_variants(word.lower())[1:]]


_TOKENS = re.compile(r"([^\W\d_]+)")


def variants(text: str, *, limit: int = 32) -> list[str]:
    """Every spelling of a word or phrase, the given one first (at most ``limit``)."""
    parts = _TOKENS.split(text)
    options = [word_variants(p) if i % 2 else [p] for i, p in enumerate(parts)]
    out: list[str] = []
    for combo in product(*options):
        spelling = "".join(combo)
        if spelling not in out:
            out.append(spelling)
        if len(out) >= limit:
            break
    return out


_GROUP_OPENERS = re.compile(r"\((?:\?(?:P<[^>]*>|P=[^)]*\)|<=|<!|[=!:>]|#[^)]*\)|[aiLmsux-]+[:)])?)?")
_QUANTIFIER = re.compile(r"[?*+]|\{\d*,?\d*\}")


def expand_regex(pattern: str) -> str:
    """The pattern with every literal run of letters replaced by its spellings.

    ``r"\\bdyspnoea|haematuria"`` -> ``r"\\b(?:dyspnoea|dyspnea)|(?:haematuria|hematuria)"``.
    Escapes (``\\b``, ``\\w``), character classes, group syntax and counted repetitions are
    copied unchanged; so is a letter a quantifier applies to.  An expression with no letters
    that have other spellings comes back unchanged.
    """
    out: list[str] = []
    i, n = 0, len(pattern)
    while i < n:
        ch = pattern[i]
        if ch == "\\":
            j = _escape_end(pattern, i)
            out.append(pattern[i:j])
            i = j
        elif ch == "[":
            j = _class_end(pattern, i)
            out.append(pattern[i:j])
            i = j
        elif ch == "(":
            match = _GROUP_OPENERS.match(pattern, i)
            out.append(match.group(0))
            i = match.end()
        elif ch == "{":
            match = _QUANTIFIER.match(pattern, i)
            j = match.end() if match else i + 1
            out.append(pattern[i:j])
            i = j
        elif ch.isalpha():
            j = i
            while j < n and pattern[j].isalpha():
                j += 1
            run = pattern[i:j]
            if j < n and _QUANTIFIER.match(pattern, j) and len(run) > 0:
                head, tail = run[:-1], run[-1]
            else:
                head, tail = run, ""
            out.append(_alternation(head) + tail)
            i = j
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def _alternation(run: str) -> str:
    if not run:
        return run
    spellings = word_variants(run)
    if len(spellings) == 1:
        return run
    return "(?:" + "|".join(spellings) + ")"


def _escape_end(pattern: str, i: int) -> int:
    if i + 1 >= len(pattern):
        return i + 1
    nxt = pattern[i + 1]
    if nxt == "x":
        return min(i + 4, len(pattern))
    if nxt in "uU":
        return min(i + (6 if nxt == "u" else 10), len(pattern))
    if nxt == "N" and i + 2 < len(pattern) and pattern[i + 2] == "{":
        close = pattern.find("}", i)
        return close + 1 if close > 0 else len(pattern)
    return i + 2


def _class_end(pattern: str, i: int) -> int:
    j = i + 1
    if j < len(pattern) and pattern[j] == "^":
        j += 1
    if j < len(pattern) and pattern[j] == "]":
        j += 1
    while j < len(pattern) and pattern[j] != "]":
        j += 2 if pattern[j] == "\\" else 1
    return min(j + 1, len(pattern))
