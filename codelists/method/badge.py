"""The quality badge: which of the steps Watson et al. recommend a codelist has recorded.

Seven criteria, each checked from the file itself (``method:`` block and body lines):

============================  ===========================================================
``definition``                a clinical feature with at least one cited source
``reproducible_search``       a search strategy (rules) that has been run (``last_run``)
``candidate_count``           the number of candidate codes is recorded
``exclusion_reasons``         every excluded code carries a ``reason=`` tag (and there was
                              screening or review to exclude anything)
``independent_reviewers``     every reviewed code was rated by two or more reviewers
``uncertainty``               every active code carries an ``uncertainty=`` tag
``frequency_check``           a frequency check is recorded (``method.frequency``)
============================  ===========================================================

Level: ``gold`` (7 of 7), ``silver`` (5-6), ``bronze`` (3-4), ``none`` (0-2).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from codelists.method import block
from codelists.method.delphi import final_ratings

CRITERIA = {
    "definition": "Clinical feature defined a priori, with sources",
    "reproducible_search": "Reproducible search strategy, run and recorded",
    "candidate_count": "Number of candidate codes reported",
    "exclusion_reasons": "Reasons recorded for every excluded code",
    "independent_reviewers": "Two or more independent reviewers",
    "uncertainty": "Uncertainty recorded for every included code",
    "frequency_check": "Frequency of codes checked in data",
}
LEVELS = ((7, "gold", "#c9a227"), (5, "silver", "#8a8d91"), (3, "bronze", "#a0522d"),
          (0, "none", "#9f9f9f"))


@dataclass(frozen=True)
class Badge:
    checks: dict[str, bool]

    @property
    def score(self) -> int:
        return sum(self.checks.values())

    @property
    def level(self) -> str:
        return next(name for minimum, name, _ in LEVELS if self.score >= minimum)

    @property
    def colour(self) -> str:
        return next(colour for minimum, _, colour in LEVELS if self.score >= minimum)

    def as_dict(self) -> dict[str, Any]:
        return {"score": self.score, "of": len(self.checks), "level": self.level,
                "checks": dict(self.checks)}

    def svg(self) -> str:
        return badge_svg("codelist quality", f"{self.score}/{len(self.checks)} {self.level}",
                         self.colour)


def assess(codelist) -> Badge:
    method = codelist.method or {}
    definition = method.get("definition") or {}
    last_run = block.last_run(codelist) or {}
    excluded = list(codelist.code_lines("excluded"))
    active = list(codelist.code_lines("active"))
    ratings = final_ratings(block.rounds(codelist))
    checks = {
        "definition": bool(definition.get("feature") and definition.get("sources")),
        "reproducible_search": bool((method.get("search") or {}).get("rules") and last_run),
        "candidate_count": isinstance(last_run.get("candidates"), int),
        "exclusion_reasons": bool(excluded) and all(ln.tags.get("reason") for ln in excluded),
        "independent_reviewers": bool(ratings) and all(len(r) >= 2 for r in ratings.values()),
        "uncertainty": bool(active) and all("uncertainty" in ln.tags for ln in active),
        "frequency_check": bool(method.get("frequency")),
    }
    return Badge(checks)


def badge_svg(label: str, message: str, colour: str) -> str:
    """A flat badge (shields.io style) as standalone SVG text."""
    left = 7 * len(label) + 12
    right = 7 * len(message) + 12
    width = left + right
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="20" role="img" '
        f'aria-label="{_esc(label)}: {_esc(message)}">'
        f"<title>{_esc(label)}: {_esc(message)}</title>"
        f'<rect width="{left}" height="20" fill="#555"/>'
        f'<rect x="{left}" width="{right}" height="20" fill="{colour}"/>'
        f'<g fill="#fff" font-family="Verdana,DejaVu Sans,sans-serif" font-size="11" '
        f'text-anchor="middle">'
        f'<text x="{left / 2}" y="14">{_esc(label)}</text>'
        f'<text x="{left + right / 2}" y="14">{_esc(message)}</text></g></svg>'
    )


def _esc(text: str) -> str:
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;"))
