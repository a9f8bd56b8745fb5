"""The modified Delphi review (stage 3 of Watson et al. 2017): sheets, rounds, consensus.

Pure functions over plain data, shared by the command line and the web review app.

Ratings use the paper's scale: **1** the code means the clinical feature (include),
**2** unsure, **3** it does not (exclude).  ``ratings`` is ``code -> {reviewer: rating}``.

Consensus rules (:data:`PRESETS`; a rule is data and is recorded in the codelist):

``watson2017`` (default; sensitivity-driven, the paper's rule)
    keep a code rated 1 by at least one reviewer; drop it when all rated 2 or 3.
``no-veto``
    as ``watson2017``, but a single 3 drops the code (specificity-driven).
``majority``
    keep a code rated 1 by more than half of the reviewers (specificity-driven).
``unanimous``
    keep a code only when every reviewer rated it 1 (most specific).

Uncertainty of a kept code (every rule): ``max(ratings) - 1``, i.e. 0 when all rated 1,
1 when the worst rating is 2, 2 when anyone rated 3.  With two reviewers this is exactly
the paper's "0 all 1s, 1 when one rated 2, 2 when one rated 3"; with more reviewers, or a
mix of 2 and 3, the worst rating decides (a code someone called "not the feature" is the
most uncertain, however many agreed).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from codelists.errors import UsageError

RATINGS = (1, 2, 3)
RATING_LABELS = {
    1: "include - the code means the clinical feature",
    2: "unsure",
    3: "exclude - the code does not mean the clinical feature",
}
INSTRUCTIONS = (
    "Rate every code independently, without discussing it with the other reviewers.\n"
    "1 = include: the code means the clinical feature as defined on this sheet.\n"
    "2 = unsure.\n"
    "3 = exclude: the code does not mean the clinical feature.\n"
    "Use the comment column for anything the panel should know. Leave the code and term "
    "columns as they are, and return the sheet to the codelist author."
)

Ratings = Mapping[str, Mapping[str, int]]


@dataclass(frozen=True)
class ConsensusRule:
    name: str
    keep_when: str  # "any" | "majority" | "all" reviewers rated 1
    veto: int | None = None  # a rating that drops the code whatever the others said
    description: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "keep_when": self.keep_when, "veto": self.veto,
                "description": self.description}

    @classmethod
    def from_data(cls, data: Any) -> ConsensusRule:
        if data is None:
            return PRESETS[DEFAULT_RULE]
        if isinstance(data, str):
            return preset(data)
        keep = str(data.get("keep_when", "any"))
        if keep not in ("any", "majority", "all"):
            raise UsageError(f"unknown keep_when {keep!r}", hint="use any, majority or all")
        veto = data.get("veto")
        return cls(str(data.get("name", "custom")), keep, int(veto) if veto else None,
                   str(data.get("description", "")))


PRESETS: dict[str, ConsensusRule] = {
    "watson2017": ConsensusRule(
        "watson2017", "any", None,
        "Keep a code rated 1 by at least one reviewer; drop it when all rated 2 or 3 "
        "(Watson et al. 2017; sensitivity-driven)."),
    "no-veto": ConsensusRule(
        "no-veto", "any", 3,
        "Keep a code rated 1 by at least one reviewer unless anyone rated it 3 "
        "(specificity-driven)."),
    "majority": ConsensusRule(
        "majority", "majority", None,
        "Keep a code rated 1 by more than half of the reviewers (specificity-driven)."),
    "unanimous": ConsensusRule(
        "unanimous", "all", None,
        "Keep a code only when every reviewer rated it 1 (most specific)."),
}
DEFAULT_RULE = "watson2017"


def preset(name: str) -> ConsensusRule:
    try:
        return PRESETS[name]
    except KeyError:
        raise UsageError(f"unknown consensus rule {name!r}",
                         hint=f"choose one of: {', '.join(PRESETS)}") from None


@dataclass(frozen=True)
class Decision:
    code: str
    keep: bool
    uncertainty: int | None  # None for dropped codes
    ratings: dict[str, int]
    complete_agreement: bool

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def uncertainty(values: Iterable[int]) -> int:
    """0 when every rating is 1, else the worst rating minus one."""
    return max(values) - 1


def decide(code: str, ratings: Mapping[str, int], rule: ConsensusRule) -> Decision:
    """Apply a consensus rule to one code's ratings."""
    values = list(ratings.values())
    if not values:
        raise UsageError(f"{code} has no ratings", hint="import the review sheets first")
    ones = values.count(1)
    keep = {"any": ones >= 1, "majority": ones * 2 > len(values),
            "all": ones == len(values)}[rule.keep_when]
    if rule.veto is not None and rule.veto in values:
        keep = False
    return Decision(code, keep, uncertainty(values) if keep else None, dict(ratings),
                    len(set(values)) == 1)


def consensus(ratings: Ratings, rule: ConsensusRule | None = None) -> dict[str, Decision]:
    """Decisions for every rated code (in the order given)."""
    rule = rule or PRESETS[DEFAULT_RULE]
    return {code: decide(code, r, rule) for code, r in ratings.items()}


def summarise(decisions: Mapping[str, Decision]) -> dict[str, Any]:
    """Counts for reports: included/excluded, agreement, uncertainty levels."""
    kept = [d for d in decisions.values() if d.keep]
    levels: dict[int, int] = {}
    for d in kept:
        levels[d.uncertainty] = levels.get(d.uncertainty, 0) + 1
    complete = sum(1 for d in decisions.values() if d.complete_agreement)
    return {
        "reviewed": len(decisions),
        "included": len(kept),
        "excluded": len(decisions) - len(kept),
        "complete_agreement": complete,
        "partial_agreement": len(decisions) - complete,
        "included_complete": sum(1 for d in kept if d.complete_agreement),
        "included_partial": sum(1 for d in kept if not d.complete_agreement),
        "uncertainty": {str(k): v for k, v in sorted(levels.items())},
    }


def disputed(ratings: Ratings) -> list[str]:
    """Codes without complete agreement (candidates for a further round)."""
    return [code for code, r in ratings.items() if len(set(r.values())) > 1]


def feedback(ratings: Ratings, comments: Mapping[str, Mapping[str, str]] | None = None,
             codes: Iterable[str] | None = None) -> dict[str, dict[str, Any]]:
    """Anonymised panel feedback per code: counts of each rating and the comments.

    ``comments`` is ``reviewer -> {code: text}``.  Comments are sorted so that their order
    does not reveal who wrote them; reviewer names never appear.
    """
    comments = comments or {}
    chosen = list(codes) if codes is not None else list(ratings)
    out = {}
    for code in chosen:
        values = list(ratings.get(code, {}).values())
        texts = sorted(t.strip() for by in comments.values()
                       if (t := by.get(code)) and t.strip())
        out[code] = {"counts": {str(r): values.count(r) for r in RATINGS}, "comments": texts}
    return out


def feedback_text(item: Mapping[str, Any]) -> str:
    """One line for a sheet cell: ``rated 1 by 1, 2 by 1, 3 by 0; comments: "..." "..."``."""
    counts = item["counts"]
    text = "rated " + ", ".join(f"{r} by {counts[str(r)]}" for r in RATINGS)
    if item["comments"]:
        text += "; comments: " + " | ".join(item["comments"])
    return text


# --- rounds and sheets --------------------------------------------------------------


def sheet_key(codelist_id: str, round_number: int, codes: Sequence[str]) -> str:
    """A short fingerprint tying a sheet to its codelist, round and code set."""
    text = "\n".join([codelist_id, str(round_number), *codes])
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]


@dataclass
class SheetRow:
    code: str
    term: str
    rating: int | None = None
    comment: str = ""
    feedback: str = ""
    row: int | None = None  # row number in the returned file
    raw_rating: Any = None  # the cell as read, for error messages


@dataclass
class RatingSheet:
    """One reviewer's sheet for one round (what is exported, and what comes back)."""

    codelist_id: str
    round: int
    reviewer: str
    key: str
    rows: list[SheetRow]
    title: str = ""
    definition: dict[str, Any] = field(default_factory=dict)
    instructions: str = INSTRUCTIONS

    def ratings(self) -> dict[str, int]:
        return {r.code: r.rating for r in self.rows if r.rating is not None}

    def comments(self) -> dict[str, str]:
        return {r.code: r.comment for r in self.rows if r.comment}


@dataclass
class Round:
    """A Delphi round as recorded in ``method.delphi.rounds``."""

    number: int
    codes: list[str]
    reviewers: list[str]
    key: str
    ratings: dict[str, dict[str, int]] = field(default_factory=dict)  # reviewer -> code -> r
    comments: dict[str, dict[str, str]] = field(default_factory=dict)  # reviewer -> code -> t

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"round": self.number, "key": self.key,
                                "reviewers": list(self.reviewers), "codes": list(self.codes),
                                "ratings": {k: dict(v) for k, v in self.ratings.items()}}
        if any(self.comments.values()):
            data["comments"] = {k: dict(v) for k, v in self.comments.items() if v}
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Round:
        ratings = {str(rv): {str(c): int(v) for c, v in (codes or {}).items()}
                   for rv, codes in (data.get("ratings") or {}).items()}
        comments = {str(rv): {str(c): str(v) for c, v in (codes or {}).items()}
                    for rv, codes in (data.get("comments") or {}).items()}
        return cls(int(data["round"]), [str(c) for c in data.get("codes", [])],
                   [str(r) for r in data.get("reviewers", [])], str(data.get("key", "")),
                   ratings, comments)

    def by_code(self) -> dict[str, dict[str, int]]:
        """The round's ratings as ``code -> {reviewer: rating}``."""
        out: dict[str, dict[str, int]] = {code: {} for code in self.codes}
        for reviewer, codes in self.ratings.items():
            for code, value in codes.items():
                out.setdefault(code, {})[reviewer] = value
        return out

    def complete(self) -> bool:
        return all(len(self.ratings.get(r, {})) == len(self.codes) for r in self.reviewers)


def new_round(codelist_id: str, rounds: Sequence[Round], codes: Sequence[str],
              reviewers: Sequence[str]) -> Round:
    """The next round over ``codes`` (round 1 when there is none)."""
    if len(set(reviewers)) != len(reviewers) or not reviewers:
        raise UsageError("give each reviewer once", hint="e.g. --reviewers GP1 GP2")
    number = (max(r.number for r in rounds) + 1) if rounds else 1
    codes = list(codes)
    return Round(number, codes, list(reviewers), sheet_key(codelist_id, number, codes))


def final_ratings(rounds: Sequence[Round]) -> dict[str, dict[str, int]]:
    """Each code's ratings from the latest round that rated it (code order of first round)."""
    out: dict[str, dict[str, int]] = {}
    for rnd in sorted(rounds, key=lambda r: r.number):
        for code, values in rnd.by_code().items():
            if values:
                out[code] = values
    return out


def make_sheets(codelist_id: str, rnd: Round, terms: Mapping[str, str], *,
                title: str = "", definition: Mapping[str, Any] | None = None,
                previous: Mapping[str, Mapping[str, Any]] | None = None) -> list[RatingSheet]:
    """One blank sheet per reviewer; ``previous`` is :func:`feedback` from earlier rounds."""
    sheets = []
    for reviewer in rnd.reviewers:
        rows = [SheetRow(code, terms.get(code, ""),
                         feedback=feedback_text(previous[code]) if previous and code in previous
                         else "")
                for code in rnd.codes]
        sheets.append(RatingSheet(codelist_id, rnd.number, reviewer, rnd.key, rows, title,
                                  dict(definition or {})))
    return sheets
