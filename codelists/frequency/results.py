"""The result of a frequency check as plain data: per code, per list, sensitivity.

:func:`build` turns raw engine counts into a :class:`FrequencyResult` with
``disclosure=None`` (raw: never written).  :func:`codelists.frequency.disclosure.protect`
returns a copy with small counts suppressed and counts rounded; only such a copy can be
written (:mod:`codelists.frequency.outputs`) or recorded in a codelist's ``method:`` block.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # analysis imports Ibis; results stay light for readers of reports
    from codelists.frequency.analysis import Counts
    from codelists.frequency.inputs import CodeSet

#: outcome levels: key, label, lowest and highest uncertainty included (None: every code,
#: tagged or not); cumulative levels first, then each level on its own
LEVELS = (("all", "all codes", None, None), ("u0", "uncertainty 0", 0, 0),
          ("u1", "uncertainty <= 1", 0, 1), ("u2", "uncertainty <= 2", 0, 2),
          ("only1", "uncertainty 1 only", 1, 1), ("only2", "uncertainty 2 only", 2, 2))
PARETO_SHARE = 0.9
HALF_SHARE = 0.5

#: how episodes are counted, printed with every result
EPISODES_DEDUPED = ("an episode is one record of a code for a patient on a day: exact "
                    "duplicate records (same patient, code and date) count once")
EPISODES_EVERY_RECORD = "an episode is every record, exact duplicates included"


def episode_definition(dedupe_same_day: bool) -> str:
    return EPISODES_DEDUPED if dedupe_same_day else EPISODES_EVERY_RECORD


_DIGITS = re.compile(r"(\d+)")


def natural_key(code: str) -> tuple:
    """Codes in natural order: numeric runs compared as numbers (``9`` before ``10``)."""
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part)
                 for part in _DIGITS.split(code) if part)


@dataclass(frozen=True)
class CodeRow:
    code: str
    term: str
    uncertainty: int | None
    episodes: int | None  # None: suppressed
    patients: int | None
    share: float | None = None  # of all episodes
    cumulative_share: float | None = None

    @property
    def suppressed(self) -> bool:
        return self.episodes is None


@dataclass(frozen=True)
class Outcome:
    level: str  # all | u0 | u1
    label: str
    max_uncertainty: int | None
    codes: int  # codes of the list at this level
    patients: int | None  # with at least one episode
    episodes: int | None
    proportion: float | None = None  # of the cohort
    patients_difference: int | None = None  # versus all codes
    episodes_difference: int | None = None
    min_uncertainty: int | None = None


@dataclass(frozen=True)
class FrequencyResult:
    codelist: str
    system: str
    settings: dict[str, Any]
    cohort_size: int | None
    rows: tuple[CodeRow, ...]  # used codes, most episodes first
    never_used: tuple[str, ...]
    outcomes: tuple[Outcome, ...]
    codes_for_share: int | None  # fewest codes giving PARETO_SHARE of episodes
    untagged_codes: int = 0
    codes_for_half: int | None = None  # fewest codes giving HALF_SHARE of episodes
    disclosure: dict[str, Any] | None = None  # None: raw counts, not for release
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def total_episodes(self) -> int | None:
        return self.outcomes[0].episodes

    def outcome(self, level: str) -> Outcome:
        return next(o for o in self.outcomes if o.level == level)

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["rows"] = [asdict(r) for r in self.rows]
        data["outcomes"] = [asdict(o) for o in self.outcomes]
        data["never_used"] = list(self.never_used)
        data["notes"] = list(self.notes)
        return data


def included(uncertainty: int | None, max_uncertainty: int | None,
             min_uncertainty: int | None = None) -> bool:
    """Whether a code of this uncertainty belongs to an outcome level (untagged: only all)."""
    if max_uncertainty is None:
        return True
    return uncertainty is not None and (min_uncertainty or 0) <= uncertainty <= max_uncertainty


def with_shares(rows: list[CodeRow], total: int | None) -> list[CodeRow]:
    """Rows ordered by episodes (suppressed last), with share and cumulative share."""
    visible = sorted((r for r in rows if not r.suppressed),
                     key=lambda r: (-r.episodes, natural_key(r.code)))
    hidden = sorted((r for r in rows if r.suppressed), key=lambda r: natural_key(r.code))
    out, running = [], 0
    for row in visible:
        running += row.episodes
        share = row.episodes / total if total else None
        cumulative = running / total if total else None
        out.append(CodeRow(row.code, row.term, row.uncertainty, row.episodes, row.patients,
                           share, cumulative))
    return out + [CodeRow(r.code, r.term, r.uncertainty, None, None) for r in hidden]


def codes_for_share(episodes: list[int], share: float = PARETO_SHARE) -> int | None:
    total = sum(episodes)
    if not total:
        return None
    running = 0
    for n, value in enumerate(sorted(episodes, reverse=True), 1):
        running += value
        if running >= share * total:
            return n
    return len(episodes)  # pragma: no cover - the loop always reaches the total


def make_outcomes(level_counts: dict[str, tuple[int, int | None, int | None]],
                  cohort_size: int | None) -> tuple[Outcome, ...]:
    """Outcomes from ``level -> (codes, patients, episodes)``; differences versus all."""
    base = level_counts["all"]
    out = []
    for level, label, min_u, max_u in LEVELS:
        if level not in level_counts:
            continue
        codes, patients, episodes = level_counts[level]
        proportion = patients / cohort_size if cohort_size and patients is not None else None
        dp = None if level == "all" or None in (patients, base[1]) else patients - base[1]
        de = None if level == "all" or None in (episodes, base[2]) else episodes - base[2]
        out.append(Outcome(level, label, max_u, codes, patients, episodes, proportion, dp, de,
                           min_u))
    return tuple(out)


def build(counts: Counts, codeset: CodeSet, settings: dict[str, Any]) -> FrequencyResult:
    """The raw result (``disclosure=None``) from engine counts."""
    rows = [CodeRow(code, codeset.terms.get(code, ""), codeset.uncertainty[code], e, p)
            for code, (e, p) in counts.per_code.items()]
    total = sum(r.episodes for r in rows)
    level_counts = {}
    for level, _label, min_u, max_u in LEVELS:
        if level not in counts.patients:
            continue
        codes = [c for c, u in codeset.uncertainty.items() if included(u, max_u, min_u)]
        episodes = sum(counts.per_code.get(c, (0, 0))[0] for c in codes)
        level_counts[level] = (len(codes), counts.patients[level], episodes)
    untagged = sum(1 for u in codeset.uncertainty.values() if u is None)
    notes = []
    if untagged:
        notes.append(f"{untagged} code(s) have no uncertainty tag: they count only in "
                     "'all codes', not in the restricted outcomes")
    if counts.cohort_without_index_date:
        notes.append(f"{counts.cohort_without_index_date} cohort patient(s) have no index "
                     "date: no events counted for them when a window is set")
    return FrequencyResult(
        codelist=codeset.name, system=codeset.system, settings=dict(settings),
        cohort_size=counts.cohort_size, rows=tuple(with_shares(rows, total)),
        never_used=tuple(sorted((c for c in codeset.uncertainty if c not in counts.per_code),
                                key=natural_key)),
        outcomes=make_outcomes(level_counts, counts.cohort_size),
        codes_for_share=codes_for_share([r.episodes for r in rows]),
        codes_for_half=codes_for_share([r.episodes for r in rows], HALF_SHARE),
        untagged_codes=untagged, notes=tuple(notes),
    )
