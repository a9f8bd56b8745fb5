"""Replaying a codelist's recorded search strategy and recording what it found.

``replay(codelist, descriptions, ...)`` runs ``method.search`` over a description stream,
optionally widens the hits (descendants, ECL) through a terminology, compares the result
with the codes earlier runs found (lines tagged ``source=search:...``), adds a pending
line for each new candidate and records the run under ``method.search.last_run``.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
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


@dataclass
class Replay:
    result: SearchResult
    comparison: Comparison
    added: list[str]

    def as_dict(self) -> dict[str, Any]:
        return {**self.result.summary(), "new": self.comparison.new,
                "vanished": self.comparison.vanished, "added": self.added,
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
    if terminology is not None:
        concepts = terminology.lookup_many(result.codes())
        preferred = {code: c.term for code, c in concepts.items() if c.term}
        for candidate in result.candidates:
            candidate.term = preferred.get(candidate.code, candidate.term)
        _widen(result, terminology)
    elif strategy.expand != "none" or strategy.ecl:
        raise NotSupportedError("hierarchy expansion and ECL need a terminology store, "
                                "not a plain dictionary")
    comparison = compare(previous_codes(codelist), result.codes())
    added = [] if dry_run else add_candidates(codelist, result)
    if not dry_run:
        block.record_search(codelist, result.summary(), release=release,
                            new=comparison.new, vanished=comparison.vanished, today=today)
    return Replay(result, comparison, added)


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
