"""Reading and writing the ``method:`` block of a codelist (schema: docs/reference/method-block.md).

Everything the method produces lives either in this block or on the body lines, so the
whole history of a codelist's development is in its file (and in git).
"""

from __future__ import annotations

import datetime as _dt
from typing import Any

from codelists.errors import UserError
from codelists.method.definition import Definition
from codelists.method.delphi import DEFAULT_RULE, ConsensusRule, Round
from codelists.method.strategy import Strategy


def block(codelist) -> dict[str, Any]:
    """The ``method`` mapping, created (empty) when the file has none."""
    data = codelist.method
    if data is None:
        data = {}
        codelist.method = data
    if not isinstance(data, dict):
        raise UserError("`method:` must be a mapping", path=codelist.path,
                        hint="see docs/reference/method-block.md")
    return data


def definition(codelist) -> Definition | None:
    data = (codelist.method or {}).get("definition")
    return Definition.from_dict(data) if data else None


def set_definition(codelist, value: Definition) -> None:
    block(codelist)["definition"] = value.as_dict()


def strategy(codelist) -> Strategy:
    data = (codelist.method or {}).get("search")
    if not data or not data.get("rules"):
        raise UserError("this codelist has no search strategy (method.search.rules)",
                        path=codelist.path,
                        hint="add rules under `method: search:` "
                             "(see docs/how-to/method-search-strategy.md)")
    try:
        return Strategy.from_dict(data)
    except UserError as exc:
        raise UserError(f"method.search: {exc.message}", path=codelist.path,
                        hint=exc.hint) from None


def set_strategy(codelist, value: Strategy) -> None:
    old = block(codelist).get("search") or {}
    data = value.as_dict()
    if "last_run" in old:
        data["last_run"] = old["last_run"]
    block(codelist)["search"] = data


def last_run(codelist) -> dict[str, Any] | None:
    return ((codelist.method or {}).get("search") or {}).get("last_run")


def record_search(codelist, summary: dict[str, Any], *, release: dict[str, Any] | None,
                  new: list[str], vanished: list[str], today: str | None = None) -> None:
    search = block(codelist).setdefault("search", {})
    run = {"date": today or _dt.date.today().isoformat()}
    if release:
        run["release"] = release
    run.update(summary)
    run["new"] = list(new)
    run["vanished"] = list(vanished)
    search["last_run"] = run


def record_screening(codelist, counts: dict[str, int]) -> None:
    """The screening counts (the recorded rules, if any, are kept)."""
    old = block(codelist).get("screening") or {}
    data: dict[str, Any] = {"excluded": sum(counts.values()), "by_reason": dict(counts)}
    if old.get("rules"):
        data["rules"] = old["rules"]
    block(codelist)["screening"] = data


def screening_rules(codelist) -> list:
    """The recorded screening rules (``screening.rules``), in order."""
    from codelists.method.screening_rules import rule_from_data

    rules = []
    for number, data in enumerate(((codelist.method or {}).get("screening") or {})
                                  .get("rules") or [], start=1):
        rule, problems = rule_from_data(data, f"method.screening.rules[{number}]")
        if problems:
            raise UserError("; ".join(problems), path=codelist.path,
                            hint="fix the rule in the method: block, or screen again")
        rules.append(rule)
    return rules


def add_screening_rules(codelist, rules: list) -> None:
    """Append rules (not already recorded) to ``screening.rules``, keeping their order."""
    screening = block(codelist).setdefault("screening", {})
    recorded = list(screening.get("rules") or [])
    for rule in rules:
        if rule.as_dict() not in recorded:
            recorded.append(rule.as_dict())
    screening["rules"] = recorded


def delphi(codelist) -> dict[str, Any]:
    return (codelist.method or {}).get("delphi") or {}


def rounds(codelist) -> list[Round]:
    return [Round.from_dict(r) for r in delphi(codelist).get("rounds") or []]


def set_rounds(codelist, values: list[Round]) -> None:
    block(codelist).setdefault("delphi", {})["rounds"] = [r.as_dict() for r in values]


def rule(codelist) -> ConsensusRule:
    return ConsensusRule.from_data(delphi(codelist).get("rule") or DEFAULT_RULE)


def set_rule(codelist, value: ConsensusRule) -> None:
    from codelists.method.delphi import PRESETS

    entry: Any = value.name if PRESETS.get(value.name) == value else value.as_dict()
    block(codelist).setdefault("delphi", {})["rule"] = entry


def set_results(codelist, results: dict[str, Any]) -> None:
    block(codelist).setdefault("delphi", {})["results"] = results


def frequency(codelist) -> Any:
    return (codelist.method or {}).get("frequency")
