"""A codelist's definition: the intent behind its expanded codes.

Stored in the ``.codelist`` front matter under the optional key ``definition:`` (files
without it stay byte-for-byte sct-compatible)::

    definition:
      ecl: '<< 19660004 |Disorder of soft tissue|'   # optional (SNOMED CT)
      rules:                                          # optional
      - code: '128133004'
        include: true
      - code: '3723001'
        include: false

Each rule applies to its code *and its descendants*, with OpenCodelists' builder
semantics: a code's status comes from its nearest decided ancestors-or-self (the decided
ones that no other decided ancestor-or-self of the code lies beneath).  If they all
include, the code is included; if they all exclude, excluded; if they disagree, it is
*conflicted* (not included); a code with no decided ancestor-or-self is *unresolved* (not
included).  With both ``ecl`` and ``rules``, the rules win where they decide: the
expansion is the ECL's codes that no rule excludes or leaves in conflict, plus every code
the rules include.

API (a shared contract; names are fixed, more may be added)::

    Rule(code, include); Definition(ecl=None, rules=())
    Definition.from_mapping(data, source=path)   # UserError naming the file on bad input
    definition.to_mapping(); definition.is_empty()
    definition.with_rule(code, include); definition.without_rule(code)
    resolve(rules, codes, hierarchy) -> {code: Status}   # hierarchy.parents(code) -> list
    expand(definition, terminology) -> set[str]            # the included codes
    infer(codes, universe, hierarchy) -> tuple[Rule, ...]  # minimal top-down rules
    to_ecl(definition) -> str                              # the same set, as one ECL text
"""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from codelists.errors import CodelistFormatError, NotSupportedError, UnknownCodeError

KEYS = ("ecl", "rules")


@dataclass(frozen=True)
class Rule:
    """Include (or exclude) a code and its descendants."""

    code: str
    include: bool

    def to_mapping(self) -> dict[str, Any]:
        return {"code": self.code, "include": self.include}


class Status(enum.Enum):
    INCLUDED = "included"
    EXCLUDED = "excluded"
    CONFLICTED = "conflicted"
    UNRESOLVED = "unresolved"


def _bad(message: str, source: str | Path | None, hint: str) -> CodelistFormatError:
    return CodelistFormatError(f"definition: {message}", path=source, hint=hint)


def _rule_from(item: Any, index: int, source) -> Rule:
    where = f"rule {index + 1}"
    if not isinstance(item, Mapping):
        raise _bad(f"{where} is {item!r}, not a mapping", source,
                   "write each rule as {code: '123', include: true}")
    unknown = sorted(set(item) - {"code", "include"})
    if unknown:
        raise _bad(f"{where} has unknown key(s) {', '.join(map(str, unknown))}", source,
                   "a rule has only `code` and `include`")
    code, include = item.get("code"), item.get("include")
    if isinstance(code, bool) or not isinstance(code, (str, int)) or not str(code).strip():
        raise _bad(f"{where} needs a code", source, "give `code: '123'` (quoted)")
    if not isinstance(include, bool):
        raise _bad(f"{where} ({code}) needs include: true or include: false", source,
                   "include: true keeps the code and its descendants; false removes them")
    return Rule(str(code).strip(), include)


@dataclass(frozen=True)
class Definition:
    """An ECL expression and/or include/exclude-with-descendants rules."""

    ecl: str | None = None
    rules: tuple[Rule, ...] = ()

    def is_empty(self) -> bool:
        return not (self.ecl and self.ecl.strip()) and not self.rules

    @classmethod
    def from_mapping(cls, data: Any, *, source: str | Path | None = None) -> Definition:
        """Read the ``definition:`` value; a UserError names ``source`` on bad input."""
        if data is None:
            return cls()
        if not isinstance(data, Mapping):
            raise _bad(f"expected a mapping with `ecl` and/or `rules`, found {data!r}",
                       source, "write `definition:` then indented `ecl:` / `rules:`")
        unknown = sorted(str(k) for k in set(data) - set(KEYS))
        if unknown:
            raise _bad(f"unknown key(s) {', '.join(unknown)}", source,
                       "a definition has only `ecl` and `rules`")
        ecl = data.get("ecl")
        if ecl is not None and not isinstance(ecl, str):
            raise _bad(f"ecl must be text, found {ecl!r}", source, "quote the expression")
        if ecl is not None:
            _check_ecl(ecl, source)
        raw_rules = data.get("rules") or []
        if not isinstance(raw_rules, list):
            raise _bad("rules must be a list", source, "write one `- code: ...` per rule")
        rules = tuple(_rule_from(item, i, source) for i, item in enumerate(raw_rules))
        seen: dict[str, bool] = {}
        for rule in rules:
            if rule.code in seen:
                raise _bad(f"code {rule.code} has more than one rule", source,
                           "keep one rule per code")
            seen[rule.code] = rule.include
        return cls(ecl.strip() if ecl and ecl.strip() else None, rules)

    def to_mapping(self) -> dict[str, Any]:
        data: dict[str, Any] = {}
        if self.ecl:
            data["ecl"] = self.ecl
        if self.rules:
            data["rules"] = [rule.to_mapping() for rule in self.rules]
        return data

    # -- editing (a new Definition each time) --------------------------------------
    def with_rule(self, code: str, include: bool) -> Definition:
        """This definition with ``code`` decided (replacing an earlier rule for it)."""
        kept = tuple(r for r in self.rules if r.code != code)
        return replace(self, rules=kept + (Rule(str(code), include),))

    def without_rule(self, code: str) -> Definition:
        return replace(self, rules=tuple(r for r in self.rules if r.code != code))

    def with_ecl(self, ecl: str | None) -> Definition:
        return replace(self, ecl=ecl.strip() if ecl and ecl.strip() else None)

    def codes(self) -> list[str]:
        """The codes the rules name, in order."""
        return [r.code for r in self.rules]


def _check_ecl(ecl: str, source) -> None:
    from codelists.ecl import parse
    from codelists.errors import ECLError

    try:
        parse(ecl)
    except ECLError as exc:
        raise _bad(f"ecl does not parse: {exc.message}", source,
                   "fix the expression (try `codelist ecl parse`)") from exc


# -- resolution --------------------------------------------------------------------
def _status_of(nearest: Iterable[bool]) -> Status:
    flags = set(nearest)
    if not flags:
        return Status.UNRESOLVED
    if flags == {True}:
        return Status.INCLUDED
    if flags == {False}:
        return Status.EXCLUDED
    return Status.CONFLICTED


def _fold_up(code: str, hierarchy, memo: dict, combine) -> frozenset[str]:
    """Walk up ``hierarchy.parents`` from ``code`` without recursion, parents first, and
    set ``memo[node] = combine(node, parents)`` for every node not yet in ``memo``; a cycle
    is a CodelistFormatError."""
    stack, opened, parents = [code], set(), {}
    while stack:
        node = stack[-1]
        if node in memo:
            stack.pop()
            continue
        if node not in opened:
            opened.add(node)
            parents[node] = [str(p) for p in hierarchy.parents(node)]
            stack.extend(p for p in parents[node] if p not in memo)
            continue
        if any(p not in memo for p in parents[node]):
            raise CodelistFormatError(f"the hierarchy has a cycle through {node}")
        memo[node] = combine(node, parents[node])
        stack.pop()
    return memo[code]


class _Above:
    """Decided ancestors-or-self of codes, walked up ``hierarchy.parents`` once each."""

    def __init__(self, decided: Mapping[str, bool], hierarchy) -> None:
        self.decided = decided
        self.hierarchy = hierarchy
        self.memo: dict[str, frozenset[str]] = {}
        self._interned: dict[frozenset[str], frozenset[str]] = {}
        self._strict: dict[str, frozenset[str]] = {}

    def of(self, code: str) -> frozenset[str]:
        if code in self.memo:
            return self.memo[code]

        def combine(node: str, parents: list[str]) -> frozenset[str]:
            found = set().union(*(self.memo[p] for p in parents)) if parents else set()
            if node in self.decided:
                found.add(node)
            key = frozenset(found)
            return self._interned.setdefault(key, key)

        return _fold_up(code, self.hierarchy, self.memo, combine)

    def nearest(self, code: str) -> list[str]:
        """The decided ancestors-or-self that no other one lies beneath."""
        above = self.of(code)
        if len(above) <= 1:
            return list(above)
        return [d for d in above
                if not any(d in self.strictly_above(e) for e in above if e != d)]

    def strictly_above(self, decided_code: str) -> frozenset[str]:
        if decided_code not in self._strict:
            parents = [str(p) for p in self.hierarchy.parents(decided_code)]
            self._strict[decided_code] = (frozenset().union(*(self.of(p) for p in parents))
                                          if parents else frozenset())
        return self._strict[decided_code]


def _decided(rules: Iterable[Rule]) -> dict[str, bool]:
    return {rule.code: rule.include for rule in rules}


def resolve(rules: Iterable[Rule], codes: Iterable[str], hierarchy) -> dict[str, Status]:
    """Each code's status under ``rules`` (``hierarchy.parents(code) -> list[str]``)."""
    decided = _decided(rules)
    above = _Above(decided, hierarchy)
    return {str(code): _status_of(decided[d] for d in above.nearest(str(code)))
            for code in codes}


def resolve_below(rules: Iterable[Rule], descendants) -> dict[str, Status]:
    """The status of every code at or below a rule's code (the others are unresolved).

    ``descendants(code) -> iterable of codes`` (without the code itself); this is the
    fast path over a store's closure table, with the same meaning as :func:`resolve`.
    """
    decided = _decided(rules)
    below = {code: set(map(str, descendants(code))) for code in decided}
    covering: dict[str, list[str]] = defaultdict(list)
    for code, under in below.items():
        covering[code].append(code)
        for d in under:
            covering[d].append(code)
    out: dict[str, Status] = {}
    for code, over in covering.items():
        if len(over) > 1:
            over = [d for d in over if not any(e in below[d] for e in over if e != d)]
        out[code] = _status_of(decided[d] for d in over)
    return out


def _store_descendants(terminology):
    def descendants(code: str) -> list[str]:
        try:
            return terminology.descendants(code)
        except UnknownCodeError:
            return []
    return descendants


def expand(definition: Definition, terminology) -> set[str]:
    """The codes a definition includes on a terminology release (active codes only).

    The ECL is evaluated on SNOMED CT stores; rules are resolved over the hierarchy.
    Rule codes the release does not hold, or holds as inactive, are not included.
    """
    base: set[str] = set()
    if definition.ecl:
        if getattr(terminology, "system", "snomedct") != "snomedct":
            raise NotSupportedError(
                f"an ECL definition needs a SNOMED CT store, not {terminology.system}")
        from codelists.ecl import evaluate

        base = set(map(str, evaluate(definition.ecl, terminology).ids))
    if not definition.rules:
        return base
    statuses = resolve_below(definition.rules, _store_descendants(terminology))
    included = {c for c, s in statuses.items() if s is Status.INCLUDED}
    result = (base - set(statuses)) | included
    named = [r.code for r in definition.rules if r.code in result]
    if named:
        known = terminology.lookup_many(named)
        for code in named:
            concept = known.get(code)
            if concept is None or not concept.active:
                result.discard(code)
    return result


# -- inference -----------------------------------------------------------------------
class _Within:
    """Ancestors and descendants of a universe of codes (ancestry walked in full)."""

    def __init__(self, universe: set[str], hierarchy) -> None:
        self.universe = universe
        memo: dict[str, frozenset[str]] = {}
        for code in universe:
            self._ancestors(code, hierarchy, memo)
        self.up = {c: memo[c] & universe for c in universe}
        self.down: dict[str, set[str]] = defaultdict(set)
        for code, ups in self.up.items():
            for a in ups:
                self.down[a].add(code)

    @staticmethod
    def _ancestors(code, hierarchy, memo) -> None:
        _fold_up(code, hierarchy, memo,
                 lambda node, parents: frozenset(parents).union(*(memo[p] for p in parents)))

    def tops(self, codes: set[str]) -> list[str]:
        """The codes with no ancestor among ``codes``, sorted."""
        return sorted((c for c in codes if not (self.up[c] & codes)), key=_code_key)


def _code_key(code: str):
    return (0, int(code), "") if code.isdigit() else (1, 0, code)


def infer(codes: Iterable[str], universe: Iterable[str], hierarchy) -> tuple[Rule, ...]:
    """The minimal top-down rules that reproduce ``codes`` within ``universe``.

    OpenCodelists' construction: include the topmost codes of the set with their
    descendants; exclude the topmost descendants that are not in the set; include again
    the topmost codes of the set below those; and so on.  ``resolve(infer(S, U, h), U,
    h)`` includes exactly ``S``.
    """
    wanted = {str(c) for c in codes}
    within = _Within({str(c) for c in universe} | wanted, hierarchy)
    decided: dict[str, bool] = {}
    work: list[tuple[set[str], bool]] = [(wanted, True)]
    while work:
        group, include = work.pop(0)
        target = wanted if include else within.universe - wanted
        for top in within.tops(group):
            if decided.get(top) == include:
                continue
            decided[top] = include
            below = within.down.get(top, set())
            strays = below - target
            if strays:
                work.append((strays, not include))
    return tuple(Rule(code, include) for code, include in decided.items())


# -- ECL ---------------------------------------------------------------------------
def _union(codes: list[str], terms: Mapping[str, str]) -> str:
    parts = [f"<< {c}" + (f" |{terms[c]}|" if terms.get(c) else "") for c in codes]
    return parts[0] if len(parts) == 1 else "(" + " OR ".join(parts) + ")"


def rules_to_ecl(rules: Iterable[Rule], descendants, terms: Mapping[str, str] | None = None
                 ) -> str | None:
    """ECL meaning exactly what the rules include (None when they include nothing).

    A code is included when some include rule covers it and every exclude rule that
    covers it has an include rule beneath it that also covers it:
    ``(<< i ...) MINUS ((<< x MINUS (<< i' ...)) OR ...)``.  ``descendants(code)``
    answers which rule codes lie beneath another.
    """
    terms = terms or {}
    rules = list(rules)
    includes = [r.code for r in rules if r.include]
    excludes = [r.code for r in rules if not r.include]
    if not includes:
        return None
    text = _union(includes, terms)
    if not excludes:
        return text
    parts = []
    for x in excludes:
        under = set(map(str, descendants(x)))
        rescued = [i for i in includes if i in under]
        part = f"<< {x}" + (f" |{terms[x]}|" if terms.get(x) else "")
        parts.append(f"({part} MINUS {_union(rescued, terms)})" if rescued else part)
    removed = parts[0] if len(parts) == 1 else "(" + " OR ".join(parts) + ")"
    return f"{text} MINUS {removed}"


def to_ecl(definition: Definition, terminology, terms: Mapping[str, str] | None = None
           ) -> str:
    """The whole definition as one ECL expression (SNOMED CT only)."""
    if getattr(terminology, "system", "snomedct") != "snomedct":
        raise NotSupportedError("only SNOMED CT definitions can be written as ECL")
    if definition.is_empty():
        raise NotSupportedError("this codelist has no definition to write as ECL")
    descendants = _store_descendants(terminology)
    included = rules_to_ecl(definition.rules, descendants, terms)
    if not definition.ecl:
        return included or ""
    if not definition.rules:
        return definition.ecl
    decided = _union([r.code for r in definition.rules], terms or {})
    text = f"({definition.ecl}) MINUS {decided}"
    return f"({text}) OR {_bracket(included)}" if included else text


def _bracket(ecl: str) -> str:
    return f"({ecl})" if " MINUS " in ecl else ecl


# -- on a store ----------------------------------------------------------------------
def infer_on(codes: Iterable[str], terminology) -> tuple[Rule, ...]:
    """Minimal rules for a flat list on a store: within the codes and their descendants.

    Codes the store does not hold as active concepts are left out (they cannot be
    reached through the hierarchy).
    """
    concepts = terminology.lookup_many(list(dict.fromkeys(codes)))
    wanted = {c.code for c in concepts.values() if c.active}
    universe = set(wanted)
    reached: set[str] = set()
    for code in sorted(wanted, key=_code_key):
        if code not in reached:  # a code reached from another brings nothing new
            below = terminology.descendants(code)
            reached.update(below)
            universe.update(below)
    return infer(wanted, universe, terminology)


def describe(definition: Definition, terminology, codes: Iterable[str]) -> dict[str, Any]:
    """The definition with terms, and how its expansion compares with ``codes``."""
    named = [r.code for r in definition.rules]
    concepts = terminology.lookup_many(named) if terminology is not None else {}
    data: dict[str, Any] = {
        "ecl": definition.ecl,
        "rules": [{"code": r.code, "include": r.include,
                   "term": concepts[r.code].term if r.code in concepts else None,
                   "active": concepts[r.code].active if r.code in concepts else None}
                  for r in definition.rules],
    }
    if terminology is not None and not definition.is_empty():
        expanded = expand(definition, terminology)
        listed = set(codes)
        data["expansion"] = {"codes": len(expanded),
                             "not_in_list": sorted(expanded - listed, key=_code_key),
                             "listed_not_expanded": sorted(listed - expanded, key=_code_key)}
    return data
