"""Statistical disclosure control, applied before any result is written.

Rules (docs/reference/frequency-method.md, "Disclosure control"):

1. **Primary suppression** — a code used by 1 to ``threshold - 1`` patients has its row
   suppressed (episodes and patients shown as ``<threshold``); zero stays zero.
2. **Secondary suppression** — if the suppressed episodes add up to less than
   ``threshold`` (so the total minus the visible rows would reveal them), the smallest
   visible rows are suppressed too until they reach it or none are left.
3. **Rounding** — every count that is shown (per code, per list, cohort size) is rounded
   to the nearest multiple of ``rounding`` (halves up); totals are rounded from the true
   totals, not summed from rounded rows.  A list outcome below the threshold is
   suppressed.
4. **Derived figures** — shares, cumulative shares, proportions and differences are
   computed from the published (rounded) figures only, so none reveals a true count.
"""

from __future__ import annotations

from dataclasses import replace

from codelists.errors import UsageError
from codelists.frequency.results import (
    CodeRow,
    FrequencyResult,
    make_outcomes,
    with_shares,
)

DEFAULT_THRESHOLD = 10
DEFAULT_ROUNDING = 5


def round_to(value: int, base: int) -> int:
    """``value`` to the nearest multiple of ``base`` (halves up)."""
    if base <= 1:
        return value
    return ((value + base // 2) // base) * base


def publish(value: int | None, threshold: int, rounding: int) -> int | None:
    """A count as it may be released: None when suppressed, else rounded."""
    if value is None or 0 < value < threshold:
        return None
    return round_to(value, rounding)


def suppressed_codes(rows: tuple[CodeRow, ...], threshold: int) -> set[str]:
    """Codes whose rows must be hidden (primary, then secondary suppression)."""
    hidden = {r.code for r in rows if 0 < r.patients < threshold}
    if not hidden:
        return hidden
    hidden_sum = sum(r.episodes for r in rows if r.code in hidden)
    visible = sorted((r for r in rows if r.code not in hidden), key=lambda r: (r.episodes, r.code))
    for row in visible:
        if hidden_sum >= threshold:
            break
        hidden.add(row.code)
        hidden_sum += row.episodes
    return hidden


def protect(result: FrequencyResult, *, threshold: int = DEFAULT_THRESHOLD,
            rounding: int = DEFAULT_ROUNDING) -> FrequencyResult:
    """A copy of a raw result that is safe to release under the rules above."""
    if result.disclosure is not None:
        raise UsageError("disclosure control was already applied to this result")
    if threshold < 0 or rounding < 1:
        raise UsageError("the threshold must be >= 0 and the rounding base >= 1")
    hidden = suppressed_codes(result.rows, threshold)
    rows = [CodeRow(r.code, r.term, r.uncertainty, None, None) if r.code in hidden else
            CodeRow(r.code, r.term, r.uncertainty, round_to(r.episodes, rounding),
                    round_to(r.patients, rounding))
            for r in result.rows]
    cohort = publish(result.cohort_size, threshold, rounding)
    levels = {o.level: (o.codes, publish(o.patients, threshold, rounding),
                        publish(o.episodes, threshold, rounding)) for o in result.outcomes}
    total = levels["all"][2]
    notes = list(result.notes)
    if hidden:
        notes.append(f"{len(hidden)} code(s) suppressed (fewer than {threshold} patients, "
                     "or hidden so that suppressed counts cannot be recovered from the total)")
    return replace(
        result, cohort_size=cohort, rows=tuple(with_shares(rows, total)),
        outcomes=make_outcomes(levels, cohort),
        disclosure={"threshold": threshold, "rounding": rounding,
                    "suppressed_codes": len(hidden)},
        notes=tuple(notes),
    )
