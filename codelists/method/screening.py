"""Screening: marking clearly inappropriate candidates before the Delphi review.

A screened-out candidate becomes an excluded line ``# CODE term  # reason=<reason> detail``
where ``reason`` is one of :data:`REASONS` and the optional free text after the tag says
more (Watson et al. Table 1: "apnoea", "'sob' inside another word", ...).  The Delphi
review later excludes codes with ``reason=delphi``; that reason is not a screening reason.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from codelists.errors import UsageError

REASONS = {
    "negation": "negation (e.g. 'no shortness of breath')",
    "family-history": "family history",
    "screening": "screening, test or procedure without the feature",
    "different-condition": "a different condition",
    "substring-match": "the search term matched inside another word",
    "pregnancy-neonatal": "pregnancy or neonatal",
    "other": "other (say why in the note)",
}
DELPHI_REASON = "delphi"


def check_reason(reason: str, note: str | None) -> str:
    reason = reason.strip().lower().replace(" ", "-").replace("_", "-")
    aliases = {"pregnancy": "pregnancy-neonatal", "neonatal": "pregnancy-neonatal",
               "substring": "substring-match", "family": "family-history"}
    reason = aliases.get(reason, reason)
    if reason not in REASONS:
        raise UsageError(f"unknown screening reason {reason!r}",
                         hint=f"choose one of: {', '.join(REASONS)}")
    if reason == "other" and not (note and note.strip()):
        raise UsageError("reason 'other' needs a note saying why",
                         hint="add --note 'why it is excluded'")
    return reason


def screen(codelist, codes: Iterable[str], reason: str, note: str | None = None) -> list[str]:
    """Exclude pending (or active) candidates with a screening reason; return the codes.

    Every code is checked before any line changes, so a bad code changes nothing.
    """
    reason = check_reason(reason, note)
    codes = [str(c).strip() for c in codes]
    missing = [c for c in codes if codelist.line_for(c, "pending") is None
               and codelist.line_for(c, "active") is None]
    if missing:
        raise UsageError(f"not a pending or active code in this codelist: {', '.join(missing)}",
                         hint="run `codelist search run` first, or check the codes")
    for code in codes:
        codelist.exclude(code, reason=reason, comment=note or None)
    return codes


def screened_lines(codelist) -> list:
    """Excluded lines carrying a screening reason (not ``delphi``)."""
    return [line for line in codelist.code_lines("excluded")
            if line.tags.get("reason") and line.tags["reason"] != DELPHI_REASON]


def counts_by_reason(codelist) -> dict[str, int]:
    """Screening reason -> number of excluded codes (Delphi exclusions not counted)."""
    counts = Counter(line.tags["reason"] for line in screened_lines(codelist))
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def reason_table(codelist) -> list[dict[str, Any]]:
    """Rows ``{reason, detail, count}`` grouped by reason and free-text detail (Table 1)."""
    counts = Counter((line.tags["reason"], line.comment or "")
                     for line in screened_lines(codelist))
    return [{"reason": reason, "detail": detail, "count": count}
            for (reason, detail), count in sorted(counts.items(),
                                                  key=lambda kv: (-kv[1], kv[0]))]
