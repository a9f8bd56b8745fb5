"""The library call behind ``codelist frequency``: one function, data in, data out.

>>> result = frequency_check(codeset, "events.parquet", cohort="cohort.csv",
...                          window=Window(-365, -1))                # doctest: +SKIP

returns a disclosure-protected :class:`~codelists.frequency.results.FrequencyResult`;
:func:`run_check` returns the raw counts (for use inside a secure environment only).
"""

from __future__ import annotations

import datetime as _dt
from pathlib import Path
from typing import Any

from codelists.errors import UsageError
from codelists.frequency import analysis, disclosure, results
from codelists.frequency.engines import Engine, connect
from codelists.frequency.inputs import (
    CodeSet,
    ColumnMap,
    Window,
    cohort_table,
    events_table,
)


def _codeset(codes: Any) -> CodeSet:
    if isinstance(codes, CodeSet):
        return codes
    if isinstance(codes, str | Path):
        from codelists.codelist.fileformat import load

        codes = load(codes)
    return CodeSet.from_codelist(codes)


def _label(source: Any) -> str | None:
    if source is None:
        return None
    if isinstance(source, str | Path):
        return Path(source).name
    return getattr(source, "get_name", lambda: "table")()


def settings_for(engine: Engine, events: Any, cohort: Any, window: Window | None,
                 dedupe_same_day: bool) -> dict[str, Any]:
    from codelists.terminology.store import tool_version

    return {
        "date": _dt.date.today().isoformat(),
        "tool": f"codelists {tool_version()}",
        "engine": engine.name,
        "events": _label(events),
        "cohort": _label(cohort),
        "window_text": window.as_text() if window and cohort is not None else None,
        "window": window.describe() if window and cohort is not None else None,
        "dedupe_same_day": dedupe_same_day,
        "episodes": results.episode_definition(dedupe_same_day),
    }


def run_check(codes: Any, events: Any, *, columns: ColumnMap | None = None,
              cohort: Any = None, cohort_patient: str = "patient",
              cohort_index: str = "index_date", window: Window | None = None,
              dedupe_same_day: bool = True, engine: Engine | str = "duckdb",
              ) -> results.FrequencyResult:
    """Raw result (``disclosure=None``): do not release it outside a secure environment.

    Episodes: an exact duplicate record (same patient, code and date) counts once unless
    ``dedupe_same_day=False`` (then every record counts).

    ``codes``: a CodeSet, a Codelist or a ``.codelist`` path; ``events``/``cohort``: file
    paths (CSV/TSV/Parquet) or Ibis tables of the engine.
    """
    if window is not None and cohort is None:
        raise UsageError("a window needs a cohort (each patient's index date)",
                         hint="give the cohort, or drop the window")
    codeset = _codeset(codes)
    own = isinstance(engine, str)
    eng = connect(engine) if own else engine
    try:
        ev = events_table(eng, events, columns or ColumnMap())
        co = None
        if cohort is not None:
            co = cohort_table(eng, cohort, patient=cohort_patient, index_date=cohort_index)
        counts = analysis.count(eng, ev, codeset, cohort=co, window=window,
                                dedupe_same_day=dedupe_same_day)
        settings = settings_for(eng, events, cohort, window, dedupe_same_day)
        return results.build(counts, codeset, settings)
    finally:
        eng.release()
        if own and eng.name == "duckdb":
            eng.con.disconnect()


def frequency_check(codes: Any, events: Any, *, threshold: int = disclosure.DEFAULT_THRESHOLD,
                    rounding: int = disclosure.DEFAULT_ROUNDING, **options: Any,
                    ) -> results.FrequencyResult:
    """The check with disclosure control applied: safe to write, print or record."""
    raw = run_check(codes, events, **options)
    return disclosure.protect(raw, threshold=threshold, rounding=rounding)


def record_in_codelist(path: str | Path, result: results.FrequencyResult) -> Path:
    """Write the result into the codelist's ``method:`` block as ``frequency:`` (atomic)."""
    from codelists.codelist.fileformat import load, save
    from codelists.frequency.outputs import method_entry

    entry = method_entry(result)
    codelist = load(path)
    method = dict(codelist.method or {})
    method["frequency"] = entry
    codelist.method = method
    return save(codelist, path)
