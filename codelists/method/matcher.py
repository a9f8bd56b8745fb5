"""Matching a search strategy against descriptions.

**The exact rule.**  For one description:

1. every term of a rule is searched; its *occurrences* are the non-overlapping matches
   (start, end) found left to right;
2. an occurrence is *covered* by an ``occurrence``-scope exclusion when some occurrence of
   the exclusion spans it entirely (``exclusion.start <= start and end <= exclusion.end``);
   covered occurrences are discarded;
3. the rule matches when each of its ``all_of`` terms keeps at least one occurrence and
   none of its ``none_of`` terms occurs anywhere in the description;
4. a ``description``-scope exclusion that occurs anywhere removes the description;
5. a description is found when at least one rule matches.  A rule that matched before
   step 2/4 but not after is counted against the exclusions that removed it.

So excluding ``ST depression`` never removes ``Depression`` (no covering occurrence), and
``Depression with ST depression`` is kept because its first occurrence is uncovered.

**Speed.**  :func:`scan` lower-cases every description once, joins them, and for each rule
looks for one literal that any match must contain (the longest literal run of its most
specific term) with ``str.find``; only descriptions containing it are checked with the
real patterns.  Terms without such a literal, and non-ASCII descriptions (where Unicode
case folding could differ from ``str.lower``), are always checked in full.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import accumulate

from codelists.errors import UserError
from codelists.method.stata_regex import translate
from codelists.method.strategy import Exclusion, Rule, Strategy, Term

try:  # Python 3.11+
    import re._constants as _sre_c
    import re._parser as _sre_p
except ImportError:  # pragma: no cover
    import sre_constants as _sre_c  # type: ignore[no-redef]
    import sre_parse as _sre_p  # type: ignore[no-redef]


@lru_cache(maxsize=4096)
def _compiled(term: Term) -> re.Pattern[str]:
    return re.compile(term_pattern(term), 0 if term.case_sensitive else re.IGNORECASE)


def term_pattern(term: Term) -> str:
    """The Python regular expression (without flags) that a term searches for; with
    ``term.spelling``, its literal words widened to their British/American spellings."""
    pattern = _plain_pattern(term)
    if term.spelling:
        from codelists.terminology.spelling import expand_regex

        return expand_regex(pattern)
    return pattern


def _plain_pattern(term: Term) -> str:
    text = term.text
    if term.mode == "substring":
        return re.escape(text)
    if term.mode == "word":
        lead, trail = text.startswith("*"), text.endswith("*") and len(text) > 1
        core = re.escape(text.strip("*"))
        return (r"(?<!\w)" + (r"\w*" if lead else "") + core
                + (r"\w*" if trail else "") + r"(?!\w)")
    if term.mode == "phrase":
        words = [re.escape(w) for w in text.split()]
        return r"(?<!\w)" + r"\s+".join(words) + r"(?!\w)"
    if term.mode == "stata":
        return translate(text)
    try:
        re.compile(text)
    except re.error as exc:
        raise UserError(f"search term {text!r} is not a valid regular expression: {exc}",
                        hint="fix the pattern, or use mode: substring for plain text") from exc
    return text


def occurrences(term: Term, text: str) -> list[tuple[int, int]]:
    return [m.span() for m in _compiled(term).finditer(text)]


@dataclass(frozen=True)
class Verdict:
    """What the strategy says about one description."""

    matched: tuple[str, ...] = ()  # ids of rules that match
    removed: tuple[str, ...] = ()  # ids of rules that matched but were excluded
    by: tuple[str, ...] = ()  # ids of exclusions that removed them
    terms: dict[str, tuple[str, ...]] = field(default_factory=dict)  # rule -> matched texts


def judge(strategy: Strategy, text: str) -> Verdict:
    """Apply every rule and exclusion of ``strategy`` to one description."""
    spans = {x.id: occurrences(x.term, text) for x in strategy.exclusions}
    whole = [x.id for x in strategy.exclusions
             if x.scope == "description" and spans[x.id]]
    covering = [(x.id, s) for x in strategy.exclusions
                if x.scope == "occurrence" for s in spans[x.id]]
    matched, removed, by, terms = [], [], set(), {}
    for rule in strategy.rules:
        outcome = _judge_rule(rule, text, covering)
        if outcome is None:
            continue
        kept, covered_by, found = outcome
        if kept and not whole:
            matched.append(rule.id)
            terms[rule.id] = found
        else:
            removed.append(rule.id)
            by.update(covered_by if not kept else whole)
    return Verdict(tuple(matched), tuple(removed), tuple(sorted(by)), terms)


def _judge_rule(rule: Rule, text: str, covering: list[tuple[str, tuple[int, int]]]):
    """None when the rule does not match at all; else (kept, exclusion ids, matched texts)."""
    if any(_compiled(t).search(text) for t in rule.none_of):
        return None
    covered_by: set[str] = set()
    kept = True
    found = []
    for term in rule.all_of:
        spans = occurrences(term, text)
        if not spans:
            return None
        free = []
        for start, end in spans:
            cover = [xid for xid, (xs, xe) in covering if xs <= start and end <= xe]
            if cover:
                covered_by.update(cover)
            else:
                free.append((start, end))
        if free:
            found.append(text[free[0][0]:free[0][1]])
        else:
            kept = False
    return kept, covered_by, tuple(found)


# --- fast scanning -----------------------------------------------------------------


def required_literal(term: Term) -> str:
    """A lower-case string every match of ``term`` contains ('' when none is certain)."""
    if term.mode in ("substring", "word"):
        return term.text.strip("*").lower() if term.mode == "word" else term.text.lower()
    if term.mode == "phrase":
        return max(term.text.lower().split(), key=len, default="")
    try:
        parsed = _sre_p.parse(term_pattern(term))
    except re.error:
        return ""
    runs = _literal_runs(list(parsed))
    best = max(runs, key=len, default="")
    if "\n" in best or (not best.isascii() and not term.case_sensitive):
        return ""  # Unicode case folding may match what str.lower() does not
    return best


def _literal_runs(items) -> list[str]:
    runs: list[str] = []
    current: list[str] = []

    def flush():
        if current:
            runs.append("".join(current))
            current.clear()

    for op, arg in items:
        char = _single_char(op, arg)
        if char is not None:
            current.append(char)
        elif op is _sre_c.SUBPATTERN:
            flush()
            runs.extend(_literal_runs(list(arg[-1])))
        elif op in (_sre_c.MAX_REPEAT, _sre_c.MIN_REPEAT) and arg[0] >= 1:
            flush()
            runs.extend(_literal_runs(list(arg[2])))
        elif op in (_sre_c.AT, _sre_c.ASSERT, _sre_c.ASSERT_NOT):
            flush()
        else:
            flush()
    flush()
    return runs


def _single_char(op, arg) -> str | None:
    if op is _sre_c.LITERAL:
        return chr(arg).lower()
    if op is _sre_c.IN:
        chars = {chr(v).lower() for o, v in arg if o is _sre_c.LITERAL}
        if len(chars) == 1 and all(o is _sre_c.LITERAL for o, _ in arg):
            return chars.pop()
    return None


def rule_needle(rule: Rule) -> str:
    """The literal used to prefilter descriptions for a rule (longest of its terms')."""
    return max((required_literal(t) for t in rule.all_of), key=len, default="")


class DescriptionIndex:
    """Descriptions joined and lower-cased once, for repeated literal prefiltering."""

    def __init__(self, texts: Sequence[str]) -> None:
        self.count = len(texts)
        joined = "\n".join(texts)
        if joined.isascii():  # the common case: one lower() and exact offsets
            self.text = joined.lower()
            self.starts = list(accumulate((len(t) + 1 for t in texts), initial=0))[:-1]
            self.always: list[int] = []
            return
        lowered = [t.lower() for t in texts]  # lower() may change a non-ASCII length
        self.starts = list(accumulate((len(t) + 1 for t in lowered), initial=0))[:-1]
        self.text = "\n".join(lowered)
        self.always = [i for i, t in enumerate(texts) if not t.isascii()]

    def containing(self, needle: str) -> Iterable[int]:
        """Indices of descriptions that may contain ``needle`` (a superset, never fewer)."""
        if not needle:
            return range(self.count)
        found: set[int] = set(self.always)
        starts, find = self.starts, self.text.find
        last = len(starts) - 1
        pos = find(needle)
        while pos != -1:
            index = bisect_right(starts, pos) - 1
            found.add(index)
            if index == last:
                break
            pos = find(needle, starts[index + 1])
        return found


def scan(strategy: Strategy, texts: Sequence[str],
         index: DescriptionIndex | None = None) -> dict[int, Verdict]:
    """Verdicts for every description that matched or was excluded (by position)."""
    index = index or DescriptionIndex(texts)
    todo: set[int] = set()
    for needle in _needles(strategy):
        todo.update(index.containing(needle))
    verdicts = {}
    for i in sorted(todo):
        verdict = judge(strategy, texts[i])
        if verdict.matched or verdict.removed:
            verdicts[i] = verdict
    return verdicts


def _needles(strategy: Strategy) -> list[str]:
    """The distinct literals to look for; one containing another is implied by it."""
    needles = sorted({rule_needle(rule) for rule in strategy.rules}, key=len)
    if "" in needles:
        return [""]
    kept: list[str] = []
    for needle in needles:
        if not any(shorter in needle for shorter in kept):
            kept.append(needle)
    return kept


def exclusion_by_id(strategy: Strategy) -> dict[str, Exclusion]:
    return {x.id: x for x in strategy.exclusions}
