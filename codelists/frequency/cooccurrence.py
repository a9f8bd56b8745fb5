"""Codes recorded near a list's codes more often than expected (for ``codelist suggest``).

For every code X of the events that is not a list code:

* ``near``: patients with an event of X dated within ``window_days`` (either side, 0 =
  the same day) of one of their events of a list code;
* ``expected``: the patients with any event of X, times the share of all patients who
  have a list code (``patients(X) * patients(list) / patients``) — how many would have X
  near a list code if X and the list were unrelated and "near" meant "ever";
* ``lift = near / expected``.

X is proposed when ``near >= max(min_count, threshold)`` and ``lift >= min_lift``.
Disclosure control: counts below the threshold never leave this function, and the
counts that do are rounded (:func:`codelists.frequency.disclosure.publish`).  Written once
against Ibis, like :mod:`codelists.frequency.analysis`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import ibis

from codelists.frequency import codekeys, disclosure
from codelists.frequency.engines import Engine, connect
from codelists.frequency.inputs import ColumnMap, events_table


@dataclass(frozen=True)
class CoCode:
    code: str  # the event code as the data holds it (trimmed)
    near: int  # patients with it within the window of a list code (rounded)
    patients: int  # patients with it at all (rounded)
    lift: float

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def cooccurring(seeds: list[str], events: Any, *, system: str,
                columns: ColumnMap | None = None, window_days: int = 0,
                min_count: int = 10, min_lift: float = 2.0,
                threshold: int = disclosure.DEFAULT_THRESHOLD,
                rounding: int = disclosure.DEFAULT_ROUNDING,
                engine: Engine | str = "duckdb") -> list[CoCode]:
    """Codes recorded near ``seeds`` with lift >= ``min_lift``; best lift first."""
    own = isinstance(engine, str)
    eng = connect(engine) if own else engine
    try:
        ev = events_table(eng, events, columns or ColumnMap())
        rows = eng.to_rows(_query(eng, ev, seeds, system, window_days))
    finally:
        eng.release()
        if own and eng.name == "duckdb":
            eng.con.disconnect()
    return _select(rows, min_count=max(min_count, threshold), min_lift=min_lift,
                   threshold=threshold, rounding=rounding)


def _query(eng, ev, seeds: list[str], system: str, window_days: int):
    import pyarrow as pa

    keys = sorted({codekeys.python_key(system, codekeys.canonical(system, s)) for s in seeds})
    listed = eng.register("suggest_seeds", pa.table({"key": pa.array(keys, pa.string())}))
    ev = ev.filter(ev.patient.notnull()).mutate(key=codekeys.event_key(system, ev.code),
                                               raw=ev.code.cast("string").strip())
    marked = ev.left_join(listed, ev.key == listed.key).mutate(
        is_seed=lambda t: t.key_right.notnull())
    index = marked.filter(marked.is_seed & marked.date.notnull()).select(
        ipatient=marked.patient, idate=marked.date).distinct()
    others = marked.filter(~marked.is_seed).select("patient", "raw", "date")
    pairs = others.join(index, [others.patient == index.ipatient,
                                others.date >= index.idate - ibis.interval(days=window_days),
                                others.date <= index.idate + ibis.interval(days=window_days)])
    near = pairs.group_by("raw").aggregate(near=pairs.patient.nunique())
    totals = others.group_by("raw").aggregate(patients=others.patient.nunique())
    everyone = ev.aggregate(all_patients=ev.patient.nunique(),
                            )
    with_list = index.aggregate(list_patients=index.ipatient.nunique())
    joined = near.join(totals, "raw").cross_join(everyone).cross_join(with_list)
    return joined.select("raw", "near", "patients", "all_patients", "list_patients")


def _select(rows, *, min_count: int, min_lift: float, threshold: int,
            rounding: int) -> list[CoCode]:
    out = []
    for row in rows:
        raw, near, patients, everyone, listed = (row["raw"], row["near"], row["patients"],
                                                 row["all_patients"], row["list_patients"])
        if not raw or near < min_count or not listed:
            continue
        expected = patients * listed / everyone
        lift = near / expected if expected else 0.0
        if lift < min_lift:
            continue
        out.append(CoCode(str(raw), disclosure.publish(near, threshold, rounding) or 0,
                          disclosure.publish(patients, threshold, rounding) or 0,
                          round(lift, 2)))
    return sorted(out, key=lambda c: (-c.lift, -c.near, c.code))
