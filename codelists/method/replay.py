"""Replaying a codelist's recorded search strategy and recording what it found.

``replay(codelist, descriptions, ...)`` runs ``method.search`` over a description stream,
optionally widens the hits (descendants, ECL) through a terminology, compares the result
with the codes earlier runs found (lines tagged ``source=search:...``), adds a pending
line for each new candidate and records the run under ``method.search.last_run``.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from codelists.errors import InputFileError, NotSupportedError
from codelists.method import block
from codelists.method.candidates import (
    Candidate,
    Comparison,
    SearchResult,
    add_candidates,
    compare,
    run,
)

#: kinds of node that group codes without being codes a list holds, per coding system
GROUPING_KINDS = {"icd10": {"chapter", "block"}, "icd10cm": {"chapter", "block"},
                  "opcs4": {"chapter"}}


@dataclass
class Grouping:
    """A chapter or block the search matched, and the codes offered in its place."""

    code: str
    term: str
    kind: str
    rules: list[str]
    offered: list[str]

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "term": self.term, "kind": self.kind,
                "rules": self.rules, "offered": self.offered}


@dataclass
class Replay:
    result: SearchResult
    comparison: Comparison
    added: list[str]
    groupings: list[Grouping] = field(default_factory=list)
    #: (code, term, rule) for new candidates the recorded screening rules excluded
    screened: list[tuple[str, str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {**self.result.summary(), "new": self.comparison.new,
                "vanished": self.comparison.vanished, "added": self.added,
                "groupings": [g.as_dict() for g in self.groupings],
                "screened": [{"code": c, "term": t, "rule": r.as_dict()}
                             for c, t, r in self.screened],
                "candidates": [c.as_dict() for c in self.result.candidates]}


def previous_codes(codelist) -> list[str]:
    """Codes an earlier run found: lines tagged with a search/descendant/ECL source."""
    prefixes = ("search:", "descendant:", "ecl:")
    return [line.code for line in codelist.code_lines()
            if str(line.tags.get("source", "")).startswith(prefixes)]


def replay(codelist, descriptions: Iterable[tuple], *, terminology=None,
           release: dict[str, Any] | None = None, dry_run: bool = False,
           today: str | None = None) -> Replay:
    strategy = block.strategy(codelist)
    preferred = None
    result = run(strategy, descriptions)
    groupings: list[Grouping] = []
    if terminology is not None:
        concepts = terminology.lookup_many(result.codes())
        preferred = {code: c.term for code, c in concepts.items() if c.term}
        for candidate in result.candidates:
            candidate.term = preferred.get(candidate.code, candidate.term)
        groupings = _offer_codes_of_groupings(result, terminology, codelist.system, concepts)
        _widen(result, terminology)
    elif strategy.expand != "none" or strategy.ecl:
        raise NotSupportedError("hierarchy expansion and ECL need a terminology store, "
                                "not a plain dictionary")
    else:
        groupings = _drop_non_codes(result, codelist.system)
    comparison = compare(previous_codes(codelist), result.codes())
    added = [] if dry_run else add_candidates(codelist, result)
    screened = []
    rules = block.screening_rules(codelist)
    if rules and added:  # new candidates are screened as the recorded rules screened
        from codelists.method.screening import counts_by_reason
        from codelists.method.screening_rules import apply_rules

        screened = [(code, term, rules[i]) for code, term, i in apply_rules(
            codelist, rules, terminology=terminology, codes=added)]
        block.record_screening(codelist, counts_by_reason(codelist))
    if not dry_run:
        block.record_search(codelist, result.summary(), release=release,
                            new=comparison.new, vanished=comparison.vanished, today=today)
    return Replay(result, comparison, added, groupings, screened)


def _is_grouping(code: str, concept, system) -> bool:
    kinds = GROUPING_KINDS.get(system.id, set())
    return not system.is_code(code) or (concept is not None and concept.kind in kinds)


def _offer_codes_of_groupings(result: SearchResult, terminology, system,
                              concepts) -> list[Grouping]:
    """Replace each matched chapter or block by the highest codes below it that a codelist
    can hold (their descendants follow with ``expand: descendants``)."""
    groupings = []
    found = result.by_code()
    for candidate in list(result.candidates):
        concept = concepts.get(candidate.code)
        if not _is_grouping(candidate.code, concept, system):
            continue
        result.candidates.remove(candidate)
        offered = []
        frontier = list(terminology.children(candidate.code))
        while frontier:
            code = frontier.pop(0)
            child = terminology.lookup(code)
            if _is_grouping(code, child, system):
                frontier.extend(terminology.children(code))
            elif code not in found and code not in offered:
                offered.append(code)
        terms = terminology.lookup_many(offered)
        for code in offered:
            result.candidates.append(Candidate(code, terms[code].term if code in terms else "",
                                               [], f"{concept.kind if concept else 'group'}:"
                                                   f"{candidate.code}"))
        groupings.append(Grouping(candidate.code, candidate.term,
                                  concept.kind if concept else "", candidate.rules, offered))
    result.candidates.sort(key=lambda c: c.code)
    return groupings


def _drop_non_codes(result: SearchResult, system) -> list[Grouping]:
    """Without a terminology, a matched code the list cannot hold is reported, not added."""
    dropped = [c for c in result.candidates if not system.is_code(c.code)]
    for candidate in dropped:
        result.candidates.remove(candidate)
    return [Grouping(c.code, c.term, "", c.rules, []) for c in dropped]


def _widen(result: SearchResult, terminology) -> None:
    strategy = result.strategy
    found = result.by_code()
    extra: dict[str, str] = {}
    if strategy.expand == "descendants":
        for candidate in list(result.candidates):
            for code in terminology.descendants(candidate.code):
                if code not in found and code not in extra:
                    extra[code] = f"descendant:{candidate.code}"
    for number, expression in enumerate(strategy.ecl, start=1):
        for code in _ecl_members(expression, terminology):
            if code not in found and code not in extra:
                extra[code] = f"ecl:{number}"
    if not extra:
        return
    concepts = terminology.lookup_many(list(extra))
    for code, via in extra.items():
        concept = concepts.get(code)
        result.candidates.append(Candidate(code, concept.term if concept else "", [], via))
    result.candidates.sort(key=lambda c: c.code)


def _ecl_members(expression: str, terminology) -> list[str]:
    try:
        from codelists.ecl import evaluate
    except ImportError as exc:
        raise NotSupportedError("ECL in a search strategy needs the ECL engine, which is "
                                "not installed in this build") from exc
    return [str(code) for code in evaluate(expression, terminology)]


def store_release(path: Path) -> dict[str, Any]:
    from codelists.terminology.store import read_metadata

    meta = read_metadata(path)
    return {"terminology": meta.terminology, "edition": meta.edition,
            "release_date": meta.release_date, "store": path.name}


TERM_COLUMNS = ("term", "desc", "description", "readterm", "name")


def read_dictionary(path: str | Path) -> Iterator[tuple[str, str]]:
    """(code, term) pairs from a CSV/TSV dictionary (columns code and term/desc, or the
    first two columns)."""
    path = Path(path)
    if not path.is_file():
        raise InputFileError("dictionary file not found", path=path)
    delimiter = "\t" if path.suffix.lower() in (".tsv", ".txt", ".tab") else ","
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle, delimiter=delimiter)
        header = [h.strip().lower() for h in next(reader, [])]
        code_at = header.index("code") if "code" in header else 0
        term_at = next((header.index(c) for c in TERM_COLUMNS if c in header), 1)
        for number, row in enumerate(reader, start=2):
            if not row:
                continue
            if len(row) <= max(code_at, term_at):
                raise InputFileError("row has too few columns", path=path, line=number)
            yield row[code_at].strip(), row[term_at]
