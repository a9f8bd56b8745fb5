"""Agreement between reviewers: percent complete agreement, Cohen's and Fleiss' kappa.

Pure functions over plain data.  ``ratings`` everywhere is a mapping
``code -> {reviewer: rating}``; categories default to the Delphi scale ``(1, 2, 3)``.

* :func:`percent_agreement` -- share of codes on which every reviewer gave the same rating
  (Watson et al. report 44 of 49 codes, 90%).
* :func:`cohen_kappa` -- two raters (Cohen 1960): ``(po - pe) / (1 - pe)``.
* :func:`fleiss_kappa` -- any fixed number of raters per item (Fleiss 1971), from the
  item x category count table.
* :func:`raw_agreement` -- the share (0-1) of agreeing reviewer pairs over all codes
  (for two reviewers, the share of codes rated the same).
* :func:`pabak` -- prevalence- and bias-adjusted kappa (Byrt, Bishop & Carlin 1993), for
  ``k`` categories ``(k * po - 1) / (k - 1)``; with more than two raters the same with the
  mean pairwise agreement (Randolph's free-marginal kappa).
* :func:`agreement` -- all of the above for a panel, as a dict (what reports show), with
  ``advice``: which figure to quote, and why.

**Which to quote.**  Cohen's and Fleiss' kappa correct observed agreement for the agreement
expected from each rater's own marginal totals.  When nearly every code is rated the same
way (most candidates kept after screening are clearly "include"), expected agreement is
close to observed agreement and kappa is low however well the panel agreed -- the kappa
paradox (Feinstein & Cicchetti 1990).  Report the raw agreement with PABAK beside kappa, and
quote kappa alone only when the ratings are spread over the categories.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from codelists.errors import UserError

Ratings = Mapping[str, Mapping[str, int]]
CATEGORIES = (1, 2, 3)


def percent_agreement(ratings: Ratings) -> float | None:
    """Percentage (0-100) of codes whose ratings all agree; None when nothing was rated."""
    rated = [set(r.values()) for r in ratings.values() if len(r) >= 2]
    if not rated:
        return None
    return 100.0 * sum(1 for values in rated if len(values) == 1) / len(rated)


def cohen_kappa(first: Sequence[Any], second: Sequence[Any],
                categories: Sequence[Any] | None = None) -> float | None:
    """Cohen's kappa for two raters' paired ratings (None when undefined: pe == 1)."""
    if len(first) != len(second):
        raise UserError("Cohen's kappa needs the same number of ratings from both raters")
    n = len(first)
    if n == 0:
        return None
    cats = list(categories) if categories is not None else sorted(set(first) | set(second))
    po = sum(1 for a, b in zip(first, second, strict=True) if a == b) / n
    pe = sum((list(first).count(c) / n) * (list(second).count(c) / n) for c in cats)
    if pe == 1:
        return None
    return (po - pe) / (1 - pe)


def fleiss_kappa(table: Sequence[Sequence[int]]) -> float | None:
    """Fleiss' kappa from an items x categories table of rater counts.

    Every row must sum to the same number of raters n >= 2.  Returns None when the
    expected agreement is 1 (every rating in one category).
    """
    if not table:
        return None
    raters = sum(table[0])
    if raters < 2 or any(sum(row) != raters for row in table):
        raise UserError("Fleiss' kappa needs the same number (>= 2) of raters for every item")
    items = len(table)
    total = items * raters
    columns = len(table[0])
    p_j = [sum(row[j] for row in table) / total for j in range(columns)]
    p_i = [(sum(c * c for c in row) - raters) / (raters * (raters - 1)) for row in table]
    p_bar = sum(p_i) / items
    pe_bar = sum(p * p for p in p_j)
    if pe_bar == 1:
        return None
    return (p_bar - pe_bar) / (1 - pe_bar)


def count_table(ratings: Ratings, categories: Sequence[int] = CATEGORIES) -> list[list[int]]:
    """The items x categories count table of a panel's ratings (codes in sorted order)."""
    return [[list(r.values()).count(c) for c in categories]
            for _, r in sorted(ratings.items())]


def interpret(kappa: float | None) -> str:
    """Landis & Koch (1977) labels for a kappa value."""
    if kappa is None:
        return "undefined"
    for bound, label in ((0.0, "poor"), (0.20, "slight"), (0.40, "fair"), (0.60, "moderate"),
                         (0.80, "substantial"), (1.0, "almost perfect")):
        if kappa <= bound:
            return label
    return "almost perfect"


def raw_agreement(ratings: Ratings) -> float | None:
    """The share (0-1) of agreeing pairs of ratings, over every pair of reviewers of every
    code rated by two or more (Fleiss' mean observed agreement)."""
    agreeing = pairs = 0
    for rated in ratings.values():
        values = list(rated.values())
        for i, first in enumerate(values):
            for second in values[i + 1:]:
                pairs += 1
                agreeing += first == second
    return agreeing / pairs if pairs else None


def pabak(observed: float | None, categories: int = len(CATEGORIES)) -> float | None:
    """Prevalence- and bias-adjusted kappa for observed agreement ``observed`` (0-1)."""
    if observed is None or categories < 2:
        return None
    return (categories * observed - 1) / (categories - 1)


#: when raw agreement is at least this high and kappa is "slight" or worse, the kappa
#: paradox is named in the advice
PARADOX_AGREEMENT = 0.8


def advice(stats: Mapping[str, Any]) -> str:
    """One paragraph saying which agreement figure to quote for these statistics."""
    kappa_name = "Cohen's kappa" if stats["reviewers"] == 2 else "Fleiss' kappa"
    kappa = stats["cohen_kappa"] if stats["reviewers"] == 2 else stats["fleiss_kappa"]
    raw = stats["raw_agreement"]
    if raw is None:
        return "No code was rated by two or more reviewers: there is no agreement to report."
    shown = f"raw agreement {100 * raw:.1f}% and PABAK {stats['pabak']:.2f}"
    if kappa is None:
        return (f"Quote {shown}: {kappa_name} is undefined because every rating fell in "
                "one category.")
    if raw >= PARADOX_AGREEMENT and kappa <= 0.2:
        return (f"Quote {shown}, with {kappa_name} ({kappa:.2f}) beside them: kappa is low "
                "although the panel agreed on most codes, because nearly all ratings fall "
                "in one category (the kappa paradox); PABAK adjusts for that prevalence.")
    return (f"Quote {kappa_name} ({kappa:.2f}, {interpret(kappa)}) with {shown}: the "
            "ratings are spread enough over the categories for kappa to be informative.")


def agreement(ratings: Ratings, categories: Sequence[int] = CATEGORIES) -> dict[str, Any]:
    """Agreement statistics for a panel: counts, percent, Cohen (2 raters), Fleiss (all).

    Only codes rated by every reviewer of the panel enter the kappas.
    """
    reviewers = sorted({name for r in ratings.values() for name in r})
    complete = {code: r for code, r in ratings.items() if set(r) == set(reviewers)}
    same = sum(1 for r in complete.values() if len(set(r.values())) == 1)
    result: dict[str, Any] = {
        "reviewers": len(reviewers),
        "codes": len(complete),
        "complete_agreement": same,
        "partial_agreement": len(complete) - same,
        "percent_agreement": percent_agreement(complete),
        "cohen_kappa": None,
        "fleiss_kappa": None,
    }
    if len(reviewers) == 2 and complete:
        codes = sorted(complete)
        a, b = reviewers
        result["cohen_kappa"] = cohen_kappa([complete[c][a] for c in codes],
                                            [complete[c][b] for c in codes], categories)
    if len(reviewers) >= 2 and complete:
        result["fleiss_kappa"] = fleiss_kappa(count_table(complete, categories))
    result["interpretation"] = interpret(
        result["cohen_kappa"] if len(reviewers) == 2 else result["fleiss_kappa"])
    result["raw_agreement"] = raw_agreement(complete)
    result["pabak"] = pabak(result["raw_agreement"], len(categories))
    result["pabak_interpretation"] = (interpret(result["pabak"])
                                      if result["pabak"] is not None else "undefined")
    result["advice"] = advice(result)
    return result
