"""The one seam between the review app and the method library (codelists.method).

Rounds, sheet keys, feedback and consensus are the library's functions -- the same ones
``codelist review export|import|feedback|consensus`` call -- so a review in the browser
and one on the command line give the same codelist for the same ratings.
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from codelists.codelist.fileformat import dumps, parse
from codelists.method import block, review, sheets
from codelists.method.delphi import (
    PRESETS,
    Decision,
    RatingSheet,
    consensus,
    feedback,
    final_ratings,
    preset,
)
from codelists.method.delphi import Round as LibraryRound
from webapp.review import context


def rule_choices() -> list[tuple[str, str]]:
    return [(name, f"{name}: {rule.description}") for name, rule in PRESETS.items()]


def parse_version(text: str):
    return parse(text)


def plan_round(text: str, labels: Sequence[str], codes: Sequence[str] | None = None,
               *, further: bool = False) -> LibraryRound:
    """The round the library would open on this version (round 1, or a further round)."""
    codelist = parse(text)
    if further:
        return review.next_round(codelist, labels, codes)
    return review.open_round(codelist, labels, codes)


def round_items(text: str, rnd: LibraryRound) -> dict[str, dict[str, Any]]:
    """What a reviewer sees per code: term, hierarchy, usage and earlier feedback."""
    codelist = parse(text)
    _with_round(codelist, rnd)
    blank = review.sheets_for(codelist, rnd)[0]
    feedback_by_code = {row.code: row.feedback for row in blank.rows}
    structured = _earlier_feedback(codelist, rnd)
    usage = context.usage_counts(codelist)
    paths = context.hierarchy(codelist, rnd.codes)
    terms = codelist.terms()
    return {code: {"term": terms.get(code, ""), "hierarchy": paths.get(code, []),
                   "usage": usage.get(code), "feedback": feedback_by_code.get(code, ""),
                   "panel": structured.get(code)}
            for code in rnd.codes}


def _earlier_feedback(codelist, rnd: LibraryRound) -> dict[str, Any]:
    earlier = [r for r in block.rounds(codelist) if r.number < rnd.number]
    if not earlier:
        return {}
    comments: dict[str, dict[str, str]] = {}
    for r in earlier:
        for reviewer, texts in r.comments.items():
            for code, text in texts.items():
                comments.setdefault(f"{r.number}:{reviewer}", {})[code] = text
    return feedback(final_ratings(earlier), comments, rnd.codes)


def _with_round(codelist, rnd: LibraryRound) -> None:
    """Record ``rnd`` in the codelist's rounds (replacing an open round of that number)."""
    kept = [r for r in block.rounds(codelist) if r.number < rnd.number]
    block.set_rounds(codelist, [*kept, rnd])


def definition(text: str) -> dict[str, Any]:
    """The ``method:`` block's definition and search strategy, for the reviewers."""
    codelist = parse(text)
    method = codelist.method or {}
    search = method.get("search") or {}
    return {"definition": method.get("definition") or {},
            "rules": search.get("rules") or [], "exclusions": search.get("exclusions") or [],
            "systems": search.get("systems") or [], "syntax": _syntax(codelist)}


def _syntax(codelist) -> str:
    """The search strategy as the library's Stata syntax (empty when there is none)."""
    from codelists.errors import CodelistsError
    from codelists.method import syntax

    if not ((codelist.method or {}).get("search") or {}).get("rules"):
        return ""
    try:
        return syntax.stata(block.strategy(codelist), title=codelist.title)
    except CodelistsError:
        return ""


def close(text: str, rnd: LibraryRound, rule_name: str) -> tuple[str, dict[str, Decision]]:
    """Record the rated round and apply consensus, exactly as ``codelist review consensus``.

    Returns the new version's text (active lines ``uncertainty=``, dropped codes excluded
    with ``reason=delphi``, rounds, rule and results in ``method.delphi``).
    """
    codelist = parse(text)
    _with_round(codelist, rnd)
    decisions = review.apply_consensus(codelist, preset(rule_name))
    codelist.touch()
    return dumps(codelist), decisions


def results(rnd: LibraryRound, earlier_text: str, rule_name: str) -> dict[str, Any]:
    """Anonymised results of a closed round: per code counts, comments and the decision."""
    codelist = parse(earlier_text)
    _with_round(codelist, rnd)
    all_rounds = block.rounds(codelist)
    decisions = consensus(final_ratings(all_rounds), preset(rule_name))
    panel = feedback(rnd.by_code(), rnd.comments, rnd.codes)
    return {code: {**panel[code], "decision": decisions.get(code)} for code in rnd.codes}


def blank_sheets(text: str, rnd: LibraryRound, *, title: str,
                 instructions: str = "") -> list[RatingSheet]:
    codelist = parse(text)
    _with_round(codelist, rnd)
    made = review.sheets_for(codelist, rnd)
    if instructions:
        for sheet in made:
            sheet.instructions = instructions.strip() + "\n\n" + sheet.instructions
    return made


def fill(sheet: RatingSheet, ratings: Mapping[str, int], comments: Mapping[str, str]) -> None:
    for row in sheet.rows:
        row.rating = ratings.get(row.code)
        row.comment = comments.get(row.code, "")


def write(made: Sequence[RatingSheet], extension: str) -> list[tuple[str, bytes]]:
    """The sheets as files (name, bytes), written by the library's sheet writers."""
    with tempfile.TemporaryDirectory(prefix="review-sheets-") as folder:
        paths = sheets.write_sheets(made, folder, extension)
        return [(p.name, p.read_bytes()) for p in paths]


def check_uploads(files: Sequence[tuple[str, bytes]], codelist_id: str, rnd: LibraryRound,
                  *, replace: bool) -> list[RatingSheet]:
    """Read and check returned sheets with the library (one error lists every problem)."""
    with tempfile.TemporaryDirectory(prefix="review-upload-") as folder:
        pairs = []
        for index, (name, data) in enumerate(files):
            safe = Path(name).name or f"sheet-{index}"
            path = Path(folder) / f"{index:03d}" / safe
            path.parent.mkdir()
            path.write_bytes(data)
            pairs.append((sheets.read_sheet(path), path))
        sheets.check_sheets(pairs, codelist_id, rnd, replace=replace)
        return [sheet for sheet, _ in pairs]
