"""The Delphi review applied to a codelist: open rounds, import sheets, apply consensus.

These functions change the in-memory :class:`~codelists.codelist.model.Codelist` (the
caller saves it); the pure rules they use are in :mod:`codelists.method.delphi`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from codelists.errors import UsageError
from codelists.method import block, sheets
from codelists.method.agreement import agreement
from codelists.method.delphi import (
    ConsensusRule,
    Decision,
    RatingSheet,
    Round,
    consensus,
    disputed,
    feedback,
    final_ratings,
    make_sheets,
    new_round,
    summarise,
)
from codelists.method.screening import DELPHI_REASON


def open_round(codelist, reviewers: Sequence[str] | None,
               codes: Sequence[str] | None = None) -> Round:
    """The round to export: the open (incomplete) one, or round 1 on the pending codes."""
    existing = block.rounds(codelist)
    if existing and not existing[-1].complete():
        current = existing[-1]
        if reviewers and list(reviewers) != current.reviewers:
            raise UsageError(f"round {current.number} is open with reviewers "
                             f"{', '.join(current.reviewers)}",
                             hint="import its sheets first, or export without --reviewers")
        return current
    if existing:
        raise UsageError(f"round {existing[-1].number} is complete",
                         hint="start another round on disputed codes with `codelist review "
                              "feedback`, or apply `codelist review consensus`")
    if not reviewers:
        raise UsageError("name the reviewers", hint="e.g. --reviewers GP1 GP2")
    chosen = list(codes) if codes else codelist.pending_codes()
    if not chosen:
        raise UsageError("no pending codes to review",
                         hint="run `codelist search run` first, or pass the codes")
    rnd = new_round(codelist.id, existing, chosen, reviewers)
    block.set_rounds(codelist, [*existing, rnd])
    return rnd


def next_round(codelist, reviewers: Sequence[str] | None = None,
               codes: Sequence[str] | None = None) -> Round:
    """A further round on disputed codes (or the codes given), after a complete round."""
    existing = block.rounds(codelist)
    if not existing or not existing[-1].complete():
        raise UsageError("the current round is not complete",
                         hint="import every reviewer's sheet first")
    chosen = list(codes) if codes else disputed(final_ratings(existing))
    if not chosen:
        raise UsageError("no disputed codes: every code has complete agreement",
                         hint="apply `codelist review consensus`")
    rnd = new_round(codelist.id, existing, chosen, reviewers or existing[-1].reviewers)
    block.set_rounds(codelist, [*existing, rnd])
    return rnd


def sheets_for(codelist, rnd: Round) -> list[RatingSheet]:
    """Blank sheets for a round; from round 2 they carry anonymised panel feedback."""
    earlier = [r for r in block.rounds(codelist) if r.number < rnd.number]
    previous = None
    if earlier:
        comments: dict[str, dict[str, str]] = {}
        for r in earlier:
            for reviewer, texts in r.comments.items():
                for code, text in texts.items():
                    comments.setdefault(f"{r.number}:{reviewer}", {})[code] = text
        previous = feedback(final_ratings(earlier), comments, rnd.codes)
    definition = block.definition(codelist)
    return make_sheets(codelist.id, rnd, codelist.terms(), title=codelist.title,
                       definition=definition.as_dict() if definition else {},
                       previous=previous)


def export(codelist, folder: str | Path, *, reviewers: Sequence[str] | None = None,
           codes: Sequence[str] | None = None, extension: str = "xlsx",
           further: bool = False) -> tuple[Round, list[Path]]:
    rnd = next_round(codelist, reviewers, codes) if further else open_round(
        codelist, reviewers, codes)
    return rnd, sheets.write_sheets(sheets_for(codelist, rnd), folder, extension)


def import_sheets(codelist, paths: Sequence[str | Path], *, replace: bool = False,
                  terminology=None, reviewer: str | None = None,
                  sheet: str | None = None) -> Round:
    """Check every sheet, then record all of them in the open round (or none at all).

    Sheets exported by :func:`export` are read as such; any other CSV or Excel sheet with
    a code and a rating column is read by :mod:`codelists.method.sheets_foreign` (its
    codes matched through the ``terminology``'s cross-maps when they are another
    system's; ``reviewer`` names whose ratings a single such sheet holds).
    """
    from codelists.method.sheets_foreign import read_foreign

    existing = block.rounds(codelist)
    if not existing:
        raise UsageError("no review round is open", hint="run `codelist review export` first")
    target = existing[-1]
    foreign = [p for p in paths if not sheets.is_exported(p)]
    if reviewer and len(foreign) > 1:
        raise UsageError("--reviewer names the reviewer of one sheet, not of several",
                         hint="import each reviewer's sheet with its own --reviewer, or put "
                              "the name in each file name")
    pairs = [(read_foreign(p, codelist=codelist, rnd=target, terminology=terminology,
                           reviewer=reviewer, sheet=sheet) if p in foreign
              else sheets.read_sheet(p),
              Path(p)) for p in paths]
    by_number = {r.number: r for r in existing}
    if pairs and pairs[0][0].round in by_number and pairs[0][0].codelist_id == codelist.id:
        target = by_number[pairs[0][0].round]  # a re-import into an earlier round
    sheets.check_sheets(pairs, codelist.id, target, replace=replace)
    sheets.apply_sheets(target, [s for s, _ in pairs])
    block.set_rounds(codelist, existing)
    return target


def apply_consensus(codelist, rule: ConsensusRule | None = None) -> dict[str, Decision]:
    """Apply a consensus rule to the final ratings and record the results.

    Kept codes become active lines tagged ``uncertainty=``; dropped ones excluded lines
    tagged ``reason=delphi``.
    """
    existing = block.rounds(codelist)
    if not existing or not all(r.complete() for r in existing):
        raise UsageError("the review is not complete",
                         hint="import every reviewer's sheet for every round")
    rule = rule or block.rule(codelist)
    decisions = consensus(final_ratings(existing), rule)
    for code, decision in decisions.items():
        line = codelist.line_for(code)
        if line is None:
            continue
        if decision.keep:
            if line.kind == "active":
                codelist.set_tags(code, uncertainty=decision.uncertainty)
            else:
                if line.kind == "excluded":
                    codelist.reinstate(code)
                else:
                    codelist.accept(code)
                codelist.set_tags(code, uncertainty=decision.uncertainty)
        elif line.kind != "excluded" or line.tags.get("reason") == DELPHI_REASON:
            if line.kind != "excluded":
                codelist.exclude(code, reason=DELPHI_REASON)
            codelist.set_tags(code, uncertainty=None)
    block.set_rule(codelist, rule)
    block.set_results(codelist, results(codelist, decisions))
    return decisions


def results(codelist, decisions: dict[str, Decision]) -> dict[str, Any]:
    existing = block.rounds(codelist)
    stats = agreement(final_ratings(existing))
    summary = summarise(decisions)
    summary["rounds"] = len(existing)
    summary["reviewers"] = stats["reviewers"]
    first = agreement(existing[0].by_code()) if existing else stats
    summary["agreement"] = {k: _round(v) for k, v in first.items()}
    return summary


def _round(value):
    return round(value, 4) if isinstance(value, float) else value
