"""The search strategy (stage 2 of Watson et al. 2017) as data.

A :class:`Strategy` is a list of :class:`Rule`\\ s (a description is found when any rule
matches) and of :class:`Exclusion` terms.  A rule is an AND-group of terms (``"short"`` &
``"breath"``) with optional ``none_of`` terms that veto the rule for a description.  Each
:class:`Term` has a match mode and an explicit case sensitivity:

``substring``  the text anywhere (``sob`` matches ``Sobriety``)
``word``       whole words only; ``*`` at either end is a wildcard over word characters
               (``liver`` never matches ``deliveries``; ``breath*`` matches ``breathless``)
``phrase``     these words in this order, separated by any whitespace, whole words
``regex``      a Python regular expression
``stata``      a Stata ``regexm()`` regular expression (POSIX ERE), verbatim from a do-file

Exclusions (see :mod:`codelists.method.matcher` for the exact rule) with
``scope: occurrence`` (the default) remove a match only where the excluded text covers the
matched occurrence: excluding ``ST depression`` keeps ``Depression`` and ``Depression
with ST depression`` but drops ``ST depression on ECG``.  ``scope: description`` drops any
description containing the exclusion, like Stata's ``drop if regexm(...)``.

The strategy is stored in the ``.codelist`` file under ``method.search`` (see
docs/reference/method-block.md) so ``codelist search run`` replays it exactly.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from codelists.errors import UserError
from codelists.method.stata_regex import parse_stata_condition

MODES = ("substring", "word", "phrase", "regex", "stata")
SCOPES = ("occurrence", "description")
EXPANSIONS = ("none", "descendants")


@dataclass(frozen=True)
class Term:
    text: str
    mode: str = "substring"
    case_sensitive: bool = False
    spelling: bool = False  # match British and American spellings (set by Strategy.spelling)

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise UserError(f"unknown match mode {self.mode!r} for term {self.text!r}",
                            hint=f"use one of: {', '.join(MODES)}")
        if not self.text:
            raise UserError("a search term is empty", hint="give the term some text")

    def as_dict(self) -> dict[str, Any]:
        return {"text": self.text, "mode": self.mode, "case_sensitive": self.case_sensitive}

    @classmethod
    def from_data(cls, data: Any, *, default_mode: str = "substring") -> Term:
        if isinstance(data, str):
            return cls(data, default_mode, default_mode == "stata")
        if not isinstance(data, dict) or "text" not in data:
            raise UserError(f"a term must be text or a mapping with 'text': {data!r}")
        mode = data.get("mode", default_mode)
        case = data.get("case_sensitive", mode == "stata")
        return cls(str(data["text"]), str(mode), bool(case))


@dataclass(frozen=True)
class Rule:
    """All ``all_of`` terms must match a description, and none of ``none_of``."""

    id: str
    all_of: tuple[Term, ...]
    none_of: tuple[Term, ...] = ()
    label: str = ""
    stata: str = ""  # the verbatim Stata condition this rule was read from, if any

    def as_dict(self) -> dict[str, Any]:
        if self.stata:
            data: dict[str, Any] = {"id": self.id, "stata": self.stata}
        else:
            data = {"id": self.id, "all_of": [t.as_dict() for t in self.all_of]}
            if self.none_of:
                data["none_of"] = [t.as_dict() for t in self.none_of]
        if self.label:
            data["label"] = self.label
        return data

    @classmethod
    def from_data(cls, data: Any, index: int) -> Rule:
        if isinstance(data, str):
            return cls(str(index), (Term(data),))
        if not isinstance(data, dict):
            raise UserError(f"search rule {index} must be a term or a mapping: {data!r}")
        rule_id = str(data.get("id", index))
        label = str(data.get("label", ""))
        if "stata" in data:
            return rule_from_stata(str(data["stata"]), rule_id, label)
        terms = data.get("all_of")
        if terms is None and "text" in data:
            terms = [data]
        if not terms:
            raise UserError(f"search rule {rule_id} has no terms",
                            hint="give 'all_of: [...]', 'text:' or 'stata:'")
        mode = data.get("mode", "substring")
        return cls(
            rule_id,
            tuple(Term.from_data(t, default_mode=mode) for t in terms),
            tuple(Term.from_data(t, default_mode=mode) for t in data.get("none_of", [])),
            label,
        )


def rule_from_stata(condition: str, rule_id: str, label: str = "") -> Rule:
    """A rule from a verbatim Stata condition (``regexm(desc,"a") & !regexm(desc,"b")``)."""
    tests = parse_stata_condition(condition)
    all_of = tuple(Term(t.pattern, "stata", not t.lower) for t in tests if not t.negated)
    none_of = tuple(Term(t.pattern, "stata", not t.lower) for t in tests if t.negated)
    if not all_of:
        raise UserError(f"Stata rule {rule_id} has only negated tests: {condition!r}")
    return Rule(rule_id, all_of, none_of, label, condition)


@dataclass(frozen=True)
class Exclusion:
    id: str
    term: Term
    scope: str = "occurrence"

    def __post_init__(self) -> None:
        if self.scope not in SCOPES:
            raise UserError(f"unknown exclusion scope {self.scope!r}",
                            hint=f"use one of: {', '.join(SCOPES)}")

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, **self.term.as_dict(), "scope": self.scope}

    @classmethod
    def from_data(cls, data: Any, index: int) -> Exclusion:
        if isinstance(data, str):
            return cls(f"x{index}", Term(data))
        if not isinstance(data, dict):
            raise UserError(f"exclusion {index} must be a term or a mapping: {data!r}")
        if "stata" in data:
            term = Term(str(data["stata"]), "stata", True)
        else:
            term = Term.from_data(data)
        return cls(str(data.get("id", f"x{index}")), term, str(data.get("scope", "occurrence")))


@dataclass(frozen=True)
class Strategy:
    rules: tuple[Rule, ...]
    exclusions: tuple[Exclusion, ...] = ()
    systems: tuple[str, ...] = ()  # coding systems or store paths searched
    include_inactive: bool = False
    expand: str = "none"  # "descendants": add every descendant of a hit
    ecl: tuple[str, ...] = ()  # ECL expressions whose members are candidates too
    fields: dict[str, Any] = field(default_factory=dict)  # unknown keys, kept on round trip
    #: every term also matches the other spellings of its words (oedema/edema, ...): the
    #: literal words of each pattern widened by codelists.terminology.spelling.expand_regex
    spelling: bool = False

    def __post_init__(self) -> None:
        if any(t.spelling != self.spelling for t in self.terms()):
            object.__setattr__(self, "rules", tuple(_respelt_rule(r, self.spelling)
                                                    for r in self.rules))
            object.__setattr__(self, "exclusions", tuple(
                Exclusion(x.id, replace(x.term, spelling=self.spelling), x.scope)
                for x in self.exclusions))
        if self.expand not in EXPANSIONS:
            raise UserError(f"unknown expansion {self.expand!r}",
                            hint=f"use one of: {', '.join(EXPANSIONS)}")
        ids = [r.id for r in self.rules]
        if len(set(ids)) != len(ids):
            raise UserError(f"search rule ids repeat: {ids}", hint="give each rule its own id")

    def terms(self) -> list[Term]:
        """Every term of every rule and exclusion."""
        return [t for r in self.rules for t in (*r.all_of, *r.none_of)] + [
            x.term for x in self.exclusions]

    def rule(self, rule_id: str) -> Rule:
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(rule_id)

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = dict(self.fields)
        if self.systems:
            data["systems"] = list(self.systems)
        data["rules"] = [r.as_dict() for r in self.rules]
        if self.exclusions:
            data["exclusions"] = [x.as_dict() for x in self.exclusions]
        if self.include_inactive:
            data["include_inactive"] = True
        if self.expand != "none":
            data["expand"] = self.expand
        if self.ecl:
            data["ecl"] = list(self.ecl)
        if self.spelling:
            data["spelling"] = True
        return data

    @classmethod
    def from_dict(cls, data: Any) -> Strategy:
        if not isinstance(data, dict):
            raise UserError("method.search must be a mapping with 'rules'")
        known = {"systems", "rules", "exclusions", "include_inactive", "expand", "ecl",
                 "spelling"}
        systems = data.get("systems", [])
        if isinstance(systems, str):
            systems = [systems]
        ecl = data.get("ecl", [])
        if isinstance(ecl, str):
            ecl = [ecl]
        return cls(
            rules=tuple(Rule.from_data(r, i) for i, r in enumerate(data.get("rules", []), 1)),
            exclusions=tuple(Exclusion.from_data(x, i)
                             for i, x in enumerate(data.get("exclusions", []), 1)),
            systems=tuple(str(s) for s in systems),
            include_inactive=bool(data.get("include_inactive", False)),
            expand=str(data.get("expand", "none")),
            ecl=tuple(str(e) for e in ecl),
            fields={k: v for k, v in data.items() if k not in known and k != "last_run"},
            spelling=bool(data.get("spelling", False)),
        )


def _respelt_rule(rule: Rule, spelling: bool) -> Rule:
    return replace(rule, all_of=tuple(replace(t, spelling=spelling) for t in rule.all_of),
                   none_of=tuple(replace(t, spelling=spelling) for t in rule.none_of))


def strategy_from_do_file(text: str, *, systems: tuple[str, ...] = ()) -> Strategy:
    """A strategy from Box 2 style Stata lines, every condition kept verbatim."""
    from codelists.method.stata_regex import parse_do_file, parse_stata_condition

    conditions, drops = parse_do_file(text)
    if not conditions:
        raise UserError("no `replace VAR = 1 if regexm(...)` lines found",
                        hint="write one rule per line, as in Watson et al. Box 2")
    rules = tuple(rule_from_stata(c, str(i)) for i, c in enumerate(conditions, start=1))
    exclusions = []
    for i, condition in enumerate(drops, start=1):
        tests = parse_stata_condition(condition)
        if len(tests) != 1 or tests[0].negated:
            raise UserError(f"an exclusion must be one regexm() test: {condition!r}")
        exclusions.append(Exclusion(f"x{i}", Term(tests[0].pattern, "stata", not tests[0].lower),
                                    "description"))
    return Strategy(rules=rules, exclusions=tuple(exclusions), systems=systems)
