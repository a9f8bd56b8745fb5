"""The frequency check, written once against Ibis; runs on DuckDB or Spark unchanged.

Pipeline (see docs/reference/frequency-method.md for the exact semantics):

1. match events to list codes by match key (:mod:`codelists.frequency.codekeys`);
2. with a cohort: keep events of cohort patients, dated inside the window relative to
   each patient's index date (both window ends inclusive);
3. per patient and code, count episodes (distinct dates by default: an exact duplicate
   record, same patient, code and day, counts once; every record when
   ``dedupe_same_day=False``) — one pass over the events, materialised as a small table;
4. from that table: per code episodes and patients, and per list the patients with at
   least one episode at each level of ``results.LEVELS`` (all codes; uncertainty 0,
   <= 1, <= 2; uncertainty 1 only, 2 only).

Only engine-neutral Ibis operations appear here; everything engine-specific lives in
:mod:`codelists.frequency.engines`.
"""

from __future__ import annotations

from dataclasses import dataclass

import ibis
import pyarrow as pa

from codelists.errors import InputFileError
from codelists.frequency import codekeys
from codelists.frequency.inputs import CodeSet, Window
from codelists.frequency.results import LEVELS

#: a date no real event has, standing in for a missing date when counting distinct days
_NO_DATE = ibis.date(1000, 1, 1)


@dataclass(frozen=True)
class Counts:
    """Raw counts straight from the engine (never written anywhere as they are)."""

    per_code: dict[str, tuple[int, int]]  # code -> (episodes, patients)
    patients: dict[str, int]  # outcome level -> patients with >= 1 episode
    cohort_size: int | None
    cohort_without_index_date: int


def codes_table(engine, codeset: CodeSet, *, integer_keys: bool = False):
    """The list as a small engine table: key, code (canonical), uncertainty."""
    keys = codeset.keys()
    if integer_keys:  # integer event column: join on integers, no text conversion
        keys = {int(k): c for k, c in keys.items() if k.isdigit()}
    table = pa.table({
        "key": pa.array(list(keys), pa.int64() if integer_keys else pa.string()),
        "code": pa.array(list(keys.values()), pa.string()),
        "uncertainty": pa.array([codeset.uncertainty[c] for c in keys.values()], pa.int64()),
    })
    return engine.register("codes", table)


def integer_match(events, system: str) -> bool:
    """True when event codes are stored as integers of an integer coding system."""
    return events.code.type().is_integer() and codekeys.system_name(system) in (
        codekeys.INTEGER_SYSTEMS)


def matched_events(events, codes, system: str):
    """Events whose code's match key is a list code's key: patient, code, uncertainty, date."""
    if codes.key.type().is_integer():
        keyed = events.mutate(key=events.code.cast("int64"))
    else:
        keyed = events.mutate(key=codekeys.event_key(system, events.code))
    keyed = keyed.filter(keyed.patient.notnull())
    joined = keyed.join(codes, keyed.key == codes.key)
    return joined.select(patient=keyed.patient, code=codes.code,
                         uncertainty=codes.uncertainty, date=keyed.date)


def align_patients(events, cohort):
    """The cohort with its patient column cast to the events' patient type."""
    want = events.patient.type()
    if cohort.patient.type() == want:
        return cohort
    if want.is_string():
        return cohort.mutate(patient=cohort.patient.cast("string"))
    return cohort.mutate(patient=cohort.patient.try_cast(want))


def in_window(matched, cohort, window: Window | None):
    """Events of cohort patients inside the window (None: any date, even a missing one)."""
    joined = matched.join(cohort, "patient")
    if window is None:
        return joined.select(matched.columns)
    # with a window, undated events and patients without an index date never count,
    # even when both ends are open (docs/reference/frequency-method.md)
    conditions = [joined.date.notnull(), joined.index_date.notnull()]
    start, end = window.interval("start"), window.interval("end")
    if start is not None:
        conditions.append(joined.date >= joined.index_date + ibis.interval(**start))
    if end is not None:
        conditions.append(joined.date <= joined.index_date + ibis.interval(**end))
    return joined.filter(*conditions).select(matched.columns)


def per_patient_code(events, dedupe_same_day: bool):
    """Episodes per (patient, code): every event, or distinct event dates."""
    if dedupe_same_day:
        episodes = events.date.fill_null(_NO_DATE).nunique()
    else:
        episodes = events.count()
    return events.group_by(["patient", "code", "uncertainty"]).aggregate(episodes=episodes)


def cohort_summary(engine, cohort) -> tuple[int, int]:
    """(patients, patients without an index date); duplicate patients are an error."""
    row = engine.to_rows(cohort.aggregate(
        rows=cohort.count(), patients=cohort.patient.nunique(),
        no_index=cohort.index_date.isnull().sum(),
    ))[0]
    if row["rows"] != row["patients"]:
        raise InputFileError(
            f"the cohort has {row['rows'] - row['patients']} repeated patient rows",
            hint="give one row per patient with its index date")
    return int(row["patients"]), int(row["no_index"] or 0)


def outcome_patients(table) -> dict:
    """Patients with at least one episode at each outcome level (results.LEVELS)."""
    unc = table.uncertainty
    measures = {}
    for level, _label, low, high in LEVELS:
        if high is None:
            measures[level] = table.patient.nunique()
        else:
            measures[level] = table.patient.nunique(
                where=unc.notnull() & (unc >= low) & (unc <= high))
    return table.aggregate(**measures)


def count(engine, events, codeset: CodeSet, *, cohort=None, window: Window | None = None,
          dedupe_same_day: bool = True) -> Counts:
    """Run the check on an engine; ``events``/``cohort`` are standard Ibis tables."""
    codes = codes_table(engine, codeset, integer_keys=integer_match(events, codeset.system))
    matched = matched_events(events, codes, codeset.system)
    size, no_index = None, 0
    if cohort is not None:
        cohort = align_patients(matched, cohort)
        size, no_index = cohort_summary(engine, cohort)
        matched = in_window(matched, cohort, window)
    pairs = engine.materialise("pairs", per_patient_code(matched, dedupe_same_day))
    per_code = {
        r["code"]: (int(r["episodes"]), int(r["patients"]))
        for r in engine.to_rows(pairs.group_by("code").aggregate(
            episodes=pairs.episodes.sum(), patients=pairs.count()))
    }
    row = engine.to_rows(outcome_patients(pairs))[0]
    patients = {level: int(row[level] or 0) for level, *_ in LEVELS}
    return Counts(per_code, patients, size, no_index)
