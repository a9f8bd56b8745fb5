"""Writing a frequency result: CSV, JSON, Markdown, and the ``method:`` block entry.

Every function here refuses a raw result (one that has not been through
:func:`codelists.frequency.disclosure.protect`), so no unprotected count can reach a file.
Files are written atomically (temporary file beside the target, fsync, rename).
"""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from codelists.errors import UsageError
from codelists.frequency.results import (
    HALF_SHARE,
    LEVELS,
    PARETO_SHARE,
    FrequencyResult,
    episode_definition,
)

CSV_FIELDS = ("code", "term", "uncertainty", "episodes", "patients", "share",
              "cumulative_share")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def require_protected(result: FrequencyResult) -> None:
    if result.disclosure is None:
        raise UsageError("refusing to write raw counts: apply disclosure control first",
                         hint="call codelists.frequency.disclosure.protect(result)")


def atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _cell(value: Any, threshold: int) -> str:
    if value is None:
        return f"<{threshold}"
    if isinstance(value, float):
        return f"{value:.4f}"
    text = str(value)
    if isinstance(value, str) and text.startswith(FORMULA_START):
        return "'" + text  # a spreadsheet would run it as a formula
    return text


def _suppressed_cell(row, name: str, threshold: int) -> str:
    value = getattr(row, name)
    if value is None and name in ("share", "cumulative_share"):
        return ""
    if value is None and name == "uncertainty":
        return ""
    return _cell(value, threshold)


def to_csv(result: FrequencyResult) -> str:
    """Per-code table, then the codes never used (episodes 0)."""
    require_protected(result)
    threshold = result.disclosure["threshold"]
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(CSV_FIELDS)
    for row in result.rows:
        writer.writerow([_suppressed_cell(row, f, threshold) for f in CSV_FIELDS])
    for code in result.never_used:
        writer.writerow([_cell(code, threshold), "", "", 0, 0, "0.0000", ""])
    return buf.getvalue()


def outcomes_csv(result: FrequencyResult) -> str:
    require_protected(result)
    threshold = result.disclosure["threshold"]
    fields = ("level", "label", "max_uncertainty", "codes", "patients", "episodes",
              "proportion", "patients_difference", "episodes_difference")
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(fields)
    for o in result.outcomes:
        cells = []
        for f in fields:
            value = getattr(o, f)
            blank = value is None and (f in ("max_uncertainty", "proportion")
                                       or f.endswith("difference"))
            cells.append("" if blank else _cell(value, threshold))
        writer.writerow(cells)
    return buf.getvalue()


def to_json(result: FrequencyResult) -> str:
    require_protected(result)
    return json.dumps(result.as_dict(), indent=2, ensure_ascii=False) + "\n"


def _num(value: Any, threshold: int) -> str:
    if value is None:
        return f"<{threshold}"
    if isinstance(value, float):
        return f"{value:.1%}"
    return f"{value:,}"


def _diff(value: int | None) -> str:
    return "" if value is None else f"{value:+,}"


def to_markdown(result: FrequencyResult, *, top: int | None = None) -> str:
    """A report section: settings, outcomes with the sensitivity analysis, per-code table."""
    require_protected(result)
    t = result.disclosure["threshold"]
    s = result.settings
    lines = [f"# Frequency check: {result.codelist or 'codelist'}", ""]
    lines.append(f"- events: `{s.get('events')}`; cohort: `{s.get('cohort') or 'none'}`; "
                 f"window: {s.get('window_text') or 'none'}")
    lines.append(f"- episodes: {episode_definition(bool(s.get('dedupe_same_day')))}; "
                 f"engine: {s.get('engine')}")
    lines.append(f"- disclosure control: {disclosure_text(result.disclosure)}")
    if result.cohort_size is not None:
        lines.append(f"- cohort: {_num(result.cohort_size, t)} patients")
    lines += ["", "## Outcome and sensitivity analysis", "",
              "| codes | n codes | patients | % of cohort | episodes | Δ patients | Δ episodes |",
              "|---|---:|---:|---:|---:|---:|---:|"]
    for o in result.outcomes:
        lines.append(f"| {o.label} | {o.codes} | {_num(o.patients, t)} | "
                     f"{'' if o.proportion is None else f'{o.proportion:.1%}'} | "
                     f"{_num(o.episodes, t)} | {_diff(o.patients_difference)} | "
                     f"{_diff(o.episodes_difference)} |")
    n_used = sum(1 for r in result.rows)
    lines += ["", f"{n_used} codes used, {len(result.never_used)} never used"]
    if result.codes_for_share:
        lines[-1] += f"; {share_sentence(result.codes_for_half, result.codes_for_share)}"
    lines += ["", "## Per code", "",
              "| code | term | uncertainty | episodes | patients | share | cumulative |",
              "|---|---|---:|---:|---:|---:|---:|"]
    for row in result.rows[:top] if top else result.rows:
        share = "" if row.share is None else f"{row.share:.1%}"
        cum = "" if row.cumulative_share is None else f"{row.cumulative_share:.1%}"
        unc = "" if row.uncertainty is None else str(row.uncertainty)
        lines.append(f"| {row.code} | {row.term.replace('|', '/')} | {unc} | "
                     f"{_num(row.episodes, t)} | {_num(row.patients, t)} | {share} | {cum} |")
    if result.never_used:
        lines += ["", "## Codes never used", "", ", ".join(result.never_used)]
    if result.notes:
        lines += ["", "## Notes", ""] + [f"- {n}" for n in result.notes]
    return "\n".join(lines) + "\n"


def disclosure_text(disclosure: dict[str, Any]) -> str:
    """The disclosure settings in words (``threshold 0``: nothing suppressed)."""
    threshold, rounding = disclosure["threshold"], disclosure["rounding"]
    if threshold <= 1:
        suppressed = "no counts suppressed (threshold 0)"
    elif threshold == 2:
        suppressed = "counts of 1 suppressed"
    else:
        suppressed = f"counts of 1 to {threshold - 1} suppressed"
    rounded = ("counts not rounded" if rounding <= 1
               else f"counts rounded to the nearest {rounding}")
    return f"{suppressed}, {rounded}"


def share_sentence(half: int | None, ninety: int | None) -> str:
    """``"3 codes give 50% of episodes and 7 give 90%"``."""
    if half is None:
        return f"{ninety} codes give {PARETO_SHARE:.0%} of episodes"
    return (f"{half} code{'s' if half != 1 else ''} give{'s' if half == 1 else ''} "
            f"{HALF_SHARE:.0%} of episodes and {ninety} give {PARETO_SHARE:.0%}")


def method_entry(result: FrequencyResult, *, top: int = 10) -> dict[str, Any]:
    """The plain dict recorded as ``method: frequency:`` (docs/reference/frequency-results.md)."""
    require_protected(result)
    s = result.settings
    return {
        "date": s.get("date"),
        "tool": s.get("tool"),
        "engine": s.get("engine"),
        "events": s.get("events"),
        "cohort": s.get("cohort"),
        "window": s.get("window_text"),
        "dedupe_same_day": bool(s.get("dedupe_same_day")),
        "episodes": episode_definition(bool(s.get("dedupe_same_day"))),
        "disclosure": {"threshold": result.disclosure["threshold"],
                       "rounding": result.disclosure["rounding"]},
        "cohort_patients": result.cohort_size,
        "outcomes": [{"level": o.level, "min_uncertainty": o.min_uncertainty,
                      "max_uncertainty": o.max_uncertainty, "codes": o.codes,
                      "patients": o.patients, "episodes": o.episodes,
                      "proportion": None if o.proportion is None else round(o.proportion, 4)}
                     for o in result.outcomes],
        "codes_used": len(result.rows),
        "codes_never_used": list(result.never_used),
        "codes_for_50_percent": result.codes_for_half,
        "codes_for_90_percent": result.codes_for_share,
        "top_codes": [{"code": r.code, "episodes": r.episodes, "patients": r.patients}
                      for r in result.rows[:top] if not r.suppressed],
    }


def entry_table(entry: dict[str, Any]) -> tuple[list[str], list[list[Any]]]:
    """The sensitivity table of a recorded ``method: frequency:`` entry, for reports.

    Header and rows (level, codes, patients, % of cohort, episodes, differences from all
    codes); suppressed counts shown as ``<threshold``.
    """
    threshold = (entry.get("disclosure") or {}).get("threshold", 10)
    outcomes = entry.get("outcomes") or []
    base = outcomes[0] if outcomes else {}
    labels = {level: label for level, label, *_ in LEVELS}
    header = ["Codes", "n codes", "Patients", "% of cohort", "Episodes", "Δ patients",
              "Δ episodes"]
    rows = []
    for o in outcomes:
        diff = [None, None]
        if o is not base:
            for i, key in enumerate(("patients", "episodes")):
                if o.get(key) is not None and base.get(key) is not None:
                    diff[i] = f"{o[key] - base[key]:+,}"
        share = o.get("proportion")
        rows.append([labels.get(o.get("level"), o.get("level")), o.get("codes"),
                     _num(o.get("patients"), threshold),
                     "" if share is None else f"{share:.1%}",
                     _num(o.get("episodes"), threshold), diff[0] or "", diff[1] or ""])
    return header, rows


def write_all(result: FrequencyResult, out_dir: str | Path, *,
              charts: tuple[str, ...] = ("png", "svg")) -> list[Path]:
    """Write frequency.csv, outcomes.csv, frequency.json, frequency.md and the charts."""
    require_protected(result)
    out = Path(out_dir)
    written = []
    for name, text in (("frequency.csv", to_csv(result)),
                       ("outcomes.csv", outcomes_csv(result)),
                       ("frequency.json", to_json(result)),
                       ("frequency.md", to_markdown(result))):
        atomic_write(out / name, text.encode("utf-8"))
        written.append(out / name)
    if charts and result.rows:
        from codelists.frequency.plots import pareto_chart

        for fmt in charts:
            path = out / f"pareto.{fmt}"
            atomic_write(path, pareto_chart(result, fmt=fmt))
            written.append(path)
    return written
