"""Regenerate events.csv and cohort.csv of this scenario (deterministic).

Run: .venv/bin/python tests/data/frequency-scenario/make.py
The expected answers are in README.md; they follow from the blocks below by construction.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

HERE = Path(__file__).resolve().parent
BASE = dt.date(2020, 1, 1)


def index_date(patient: int) -> dt.date:
    return BASE + dt.timedelta(days=patient)


def gold(d: dt.date) -> str:
    return d.strftime("%d/%m/%Y")


def block(patients, code, offsets, *, written=None):
    """Events of ``code`` for each patient at index+offset days for each offset."""
    rows = []
    for p in patients:
        for off in offsets:
            text = written(p) if written else code
            rows.append((p, text, gold(index_date(p) + dt.timedelta(days=off))))
    return rows


def events() -> list[tuple]:
    rows = []
    # A: 101 (u0), written three ways: 719.0-style float, padded, plain
    rows += block(range(1, 61), "101", [-30],
                  written=lambda p: "101.0" if p <= 10 else (" 101 " if p <= 20 else "101"))
    rows += block(range(1, 41), "102", [-1])           # B: upper boundary, inside
    rows += block(range(61, 91), "103", [-365])        # C: lower boundary, inside
    rows += block(range(91, 101), "104", [-200])       # D: 104 once ...
    rows += block(range(91, 96), "104", [-200])        # ... and again the same day (91-95)
    rows += block(range(101, 111), "105", [-100, -50])  # E: two episodes each
    rows += block(range(111, 116), "106", [-10])       # F: 5 patients
    rows += block(range(116, 118), "107", [-10])       # G: 2 patients
    rows += block(range(1, 4), "108", [-5])            # H: 3 patients already counted
    rows += block(range(118, 128), "201", [-20])       # I: u1, 10 new patients
    rows += block(range(1, 6), "202", [-20])           #    u1, 5 patients already counted
    rows += block(range(128, 130), "203", [-20])       #    u1, 2 new patients
    rows += block(range(130, 133), "301", [-20])       # J: u2, 3 new patients
    rows += block([50], "302", [-20])                  #    u2, 1 patient already counted
    rows += block(range(140, 150), "303", [0])         # K: index day: outside -365:-1
    rows += block(range(150, 160), "109", [-366])      #    a day too early
    rows += block(range(160, 170), "204", [10])        #    after the index date
    rows += [(999, "101", gold(BASE))]                 # L: not in the cohort
    rows += block(range(1, 201), "555", [-10])         # M: a code not in the list
    rows += [(7, "101", "")]                           # N: no date (only counts without window)
    return rows


def main() -> None:
    with open(HERE / "events.csv", "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["patid", "medcode", "eventdate"])
        writer.writerows(events())
    with open(HERE / "cohort.csv", "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["patid", "index_date"])
        writer.writerows((p, index_date(p).isoformat()) for p in range(1, 201))


if __name__ == "__main__":
    main()
