"""What a frequency check reads: the list's codes, an events table, a cohort, a window.

* :class:`CodeSet` — the codes of a list in canonical form with their ``uncertainty``
  (0, 1, 2 or None when untagged) and terms; built from a plain mapping or from a
  :class:`~codelists.codelist.model.Codelist` (its *active* codes).
* :class:`ColumnMap` — which columns of the events file hold patient, code and date;
  presets for CPRD GOLD (``patid``, ``medcode``, ``eventdate``) and CPRD Aurum
  (``patid``, ``medcodeid``, ``obsdate``).
* :class:`Window` — days, weeks, calendar months or years relative to the index date,
  both ends inclusive.
* :func:`events_table` / :func:`cohort_table` — Ibis tables with standard columns
  ``patient``, ``code`` (raw text), ``date`` (a date) and ``patient``, ``index_date``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from codelists.errors import InputFileError, UsageError
from codelists.frequency import codekeys

DATE_FORMATS = ("auto", "iso", "dmy", "ymd")


@dataclass(frozen=True)
class ColumnMap:
    patient: str = "patient"
    code: str = "code"
    date: str = "date"
    date_format: str = "auto"


PRESETS: dict[str, ColumnMap] = {
    "gold": ColumnMap("patid", "medcode", "eventdate", "auto"),
    "aurum": ColumnMap("patid", "medcodeid", "obsdate", "auto"),
}
PRESET_SYSTEMS = {"gold": "cprd_medcode", "aurum": "cprd_aurum_medcodeid"}


def column_map(preset: str | None = None, *, patient: str | None = None,
               code: str | None = None, date: str | None = None,
               date_format: str | None = None) -> ColumnMap:
    """A column mapping from a preset name and/or explicit column names."""
    if preset is not None and preset not in PRESETS:
        raise UsageError(f"unknown preset {preset!r}", hint=f"choose one of: {', '.join(PRESETS)}")
    base = PRESETS[preset] if preset else ColumnMap()
    if date_format is not None and date_format not in DATE_FORMATS:
        raise UsageError(f"unknown date format {date_format!r}",
                         hint=f"choose one of: {', '.join(DATE_FORMATS)}")
    return ColumnMap(patient or base.patient, code or base.code, date or base.date,
                     date_format or base.date_format)


# --------------------------------------------------------------------------- window
#: window units: days, weeks, calendar months, calendar years
UNITS = {"d": "days", "w": "weeks", "m": "months", "y": "years"}
_OFFSET = r"([+-]?\d+)([dwmy])?"


@dataclass(frozen=True)
class Window:
    """Events dated from ``index + start`` to ``index + end``, both ends inclusive.

    ``start`` and ``end`` count ``start_unit``/``end_unit``: ``d`` days (the default),
    ``w`` weeks, ``m`` calendar months or ``y`` calendar years; ``None`` leaves that end
    open.  ``Window(-365, -1)`` is the 365 days before the index date, excluding the index
    day; ``Window(-1, -1, "y", "d")`` (written ``-1y:-1d``) is the calendar year before it.

    Calendar arithmetic moves the date by whole months or years and, when that day does
    not exist, takes the last day of the month: 29 February 2024 minus one year is
    28 February 2023, and 31 March minus one month is the last day of February.
    """

    start: int | None
    end: int | None
    start_unit: str = "d"
    end_unit: str = "d"

    def __post_init__(self) -> None:
        for unit in (self.start_unit, self.end_unit):
            if unit not in UNITS:
                raise UsageError(f"unknown window unit {unit!r}",
                                 hint="use d (days), w (weeks), m (months) or y (years)")
        if self.start is not None and self.end is not None and \
                self._days(self.start, self.start_unit) > self._days(self.end, self.end_unit):
            raise UsageError(f"window start {self.as_text().split(':')[0]} is after its end "
                             f"{self.as_text().split(':')[1]}",
                             hint="write the window as START:END, e.g. -365:-1 or -1y:-1d")

    @staticmethod
    def _days(amount: int, unit: str) -> float:
        """Roughly in days, only to order the two ends."""
        return amount * {"d": 1, "w": 7, "m": 30.44, "y": 365.25}[unit]

    def interval(self, which: str) -> dict[str, int] | None:
        """The ``ibis.interval`` keyword for one end (``"start"`` or ``"end"``)."""
        amount = self.start if which == "start" else self.end
        unit = self.start_unit if which == "start" else self.end_unit
        return None if amount is None else {UNITS[unit]: amount}

    @staticmethod
    def _end_text(amount: int | None, unit: str, sign: bool) -> str:
        if amount is None:
            return ""
        text = f"{amount:+d}" if sign else str(amount)
        return text if unit == "d" else text + unit

    def describe(self) -> str:
        lo = "-inf" if self.start is None else f"index{self.start:+d}{self.start_unit}"
        hi = "+inf" if self.end is None else f"index{self.end:+d}{self.end_unit}"
        return f"[{lo}, {hi}]"

    def as_text(self) -> str:
        """``START:END`` as :meth:`parse` reads it (days without a unit)."""
        return (f"{self._end_text(self.start, self.start_unit, False)}:"
                f"{self._end_text(self.end, self.end_unit, False)}")

    @classmethod
    def parse(cls, text: str) -> Window:
        m = re.fullmatch(rf"\s*(?:{_OFFSET})?\s*:\s*(?:{_OFFSET})?\s*", text or "")
        if not m or text.strip() == ":":
            raise UsageError(f"cannot read window {text!r}",
                             hint="write START:END relative to the index date, both included, "
                                  "in days (-365:-1) or with units d/w/m/y (-1y:-1d, -6m:0)")
        start, start_unit, end, end_unit = m.groups()
        return cls(None if start is None else int(start), None if end is None else int(end),
                   start_unit or "d", end_unit or "d")


# --------------------------------------------------------------------------- codes
@dataclass(frozen=True)
class CodeSet:
    """The list's codes (canonical) with uncertainty and terms, and their match keys."""

    system: str
    uncertainty: dict[str, int | None]
    terms: dict[str, str] = field(default_factory=dict)
    name: str = ""

    @classmethod
    def from_mapping(cls, system: str, codes: Mapping[str, Any], *,
                     terms: Mapping[str, str] | None = None, name: str = "") -> CodeSet:
        """From ``{code: uncertainty or None}``; codes are normalised for ``system``."""
        out: dict[str, int | None] = {}
        names: dict[str, str] = {}
        for raw, level in codes.items():
            code = codekeys.canonical(system, str(raw))
            out[code] = _uncertainty(level, code)
            if terms and raw in terms:
                names[code] = terms[raw]
        if not out:
            raise UsageError("the codelist has no active codes to count")
        return cls(system, out, names, name)

    @classmethod
    def from_codelist(cls, codelist) -> CodeSet:
        """From a :class:`~codelists.codelist.model.Codelist`: its active codes."""
        codes: dict[str, Any] = {}
        for code in codelist.active_codes():
            line = codelist.line_for(code, "active")
            codes[code] = (line.tags or {}).get("uncertainty") if line else None
        return cls.from_mapping(codelist.system.id, codes, terms=codelist.terms(),
                                name=codelist.id)

    def keys(self) -> dict[str, str]:
        """match key -> canonical code."""
        return {codekeys.python_key(self.system, c): c for c in self.uncertainty}


def _uncertainty(level: Any, code: str) -> int | None:
    if level is None or level == "":
        return None
    try:
        value = int(level)
    except (TypeError, ValueError):
        value = -1
    if value not in (0, 1, 2):
        raise UsageError(f"code {code}: uncertainty must be 0, 1 or 2, not {level!r}")
    return value


# --------------------------------------------------------------------------- tables
def _column(table, name: str, what: str, path: Any):
    if name not in table.columns:
        raise InputFileError(
            f"no {what} column {name!r}; columns are: {', '.join(table.columns)}",
            path=path, hint="name the column with --patient-col/--code-col/--date-col, "
                            "or use --preset gold|aurum")
    return table[name]


def _sample_text(engine, column) -> list[str]:
    rows = engine.to_rows(column.name("v").as_table().filter(column.notnull()).limit(50))
    return [str(r["v"]).strip() for r in rows if str(r["v"]).strip()]


def detect_date_format(samples: list[str]) -> str:
    """``dmy`` (DD/MM/YYYY), ``ymd`` (YYYYMMDD) or ``iso`` (YYYY-MM-DD...) from samples."""
    if samples and all(re.fullmatch(r"\d{1,2}/\d{1,2}/\d{4}", s) for s in samples):
        return "dmy"
    if samples and all(re.fullmatch(r"\d{8}", s) for s in samples):
        return "ymd"
    return "iso"


def date_expression(engine, column, date_format: str = "auto"):
    """An Ibis date expression from a date, timestamp or text column (bad text -> null)."""
    if not column.type().is_string():
        return column.cast("date")
    text = column.strip()
    if date_format == "auto":
        date_format = detect_date_format(_sample_text(engine, text))
    if date_format == "dmy":
        parts = text.split("/")
        text = parts[2] + "-" + parts[1].lpad(2, "0") + "-" + parts[0].lpad(2, "0")
    elif date_format == "ymd":
        text = text.substr(0, 4) + "-" + text.substr(4, 2) + "-" + text.substr(6, 2)
    else:
        text = text.substr(0, 10)
    return text.try_cast("date")


def events_table(engine, source, columns: ColumnMap, *, path: Any = None):
    """``patient``, ``code`` (raw), ``date`` from a file path or an Ibis table."""
    table = engine.read_file(source) if isinstance(source, str | Path) else source
    where = path or (source if isinstance(source, str | Path) else None)
    patient = _column(table, columns.patient, "patient", where)
    code = _column(table, columns.code, "code", where)
    date = _column(table, columns.date, "date", where)
    return table.select(patient=patient, code=code,
                        date=date_expression(engine, date, columns.date_format))


def cohort_table(engine, source, *, patient: str = "patient", index_date: str = "index_date",
                 date_format: str = "auto", path: Any = None):
    """``patient``, ``index_date`` from a file path or an Ibis table."""
    table = engine.read_file(source) if isinstance(source, str | Path) else source
    where = path or (source if isinstance(source, str | Path) else None)
    if patient not in table.columns and "patid" in table.columns:
        patient = "patid"
    pcol = _column(table, patient, "cohort patient", where)
    dcol = _column(table, index_date, "cohort index date", where)
    return table.select(patient=pcol, index_date=date_expression(engine, dcol, date_format))
