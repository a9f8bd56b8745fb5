"""Issue 19: calendar windows, the episode definition, 50%/90% codes, every uncertainty
level, natural ordering, and threshold 0 in words."""

from __future__ import annotations

import pytest

from codelists.errors import UsageError
from codelists.frequency import outputs
from codelists.frequency.analysis import Counts
from codelists.frequency.disclosure import protect
from codelists.frequency.inputs import CodeSet, Window
from codelists.frequency.results import build, natural_key


def result(per_code, patients, uncertainty, **protect_options):
    codes = CodeSet.from_mapping("dictionary", uncertainty, name="t")
    raw = build(Counts(per_code, patients, 1000, 0), codes,
                {"engine": "duckdb", "dedupe_same_day": True})
    return protect(raw, **protect_options)


@pytest.mark.parametrize("text,window,shown", [
    ("-1y:-1d", Window(-1, -1, "y", "d"), "-1y:-1"),
    ("-6m:0", Window(-6, 0, "m", "d"), "-6m:0"),
    ("-365:-1", Window(-365, -1), "-365:-1"),
    ("-2w:", Window(-2, None, "w"), "-2w:"),
    (":0", Window(None, 0), ":0"),
])
def test_windows_in_days_or_calendar_time(text, window, shown):
    assert Window.parse(text) == window
    assert window.as_text() == shown
    assert Window.parse(window.as_text()) == window


def test_window_interval_and_order_checks():
    assert Window(-1, -1, "y", "d").interval("start") == {"years": -1}
    assert Window(-6, 0, "m").interval("end") == {"days": 0}
    with pytest.raises(UsageError, match="after its end"):
        Window.parse("1m:-1d")
    with pytest.raises(UsageError, match="cannot read window"):
        Window.parse("-1q:0")


def test_every_uncertainty_level_separately_and_cumulatively():
    out = result({"a": (100, 50), "b": (40, 30), "c": (20, 15)},
                 {"all": 70, "u0": 50, "u1": 60, "u2": 70, "only1": 30, "only2": 15},
                 {"a": 0, "b": 1, "c": 2}, threshold=0, rounding=1)
    got = {o.level: (o.codes, o.patients, o.episodes) for o in out.outcomes}
    assert got == {"all": (3, 70, 160), "u0": (1, 50, 100), "u1": (2, 60, 140),
                   "u2": (3, 70, 160), "only1": (1, 30, 40), "only2": (1, 15, 20)}
    md = outputs.to_markdown(out)
    assert "| uncertainty 1 only | 1 | 30 |" in md and "| uncertainty 2 only | 1 | 15 |" in md


def test_codes_for_half_and_ninety_percent_of_episodes():
    out = result({str(i): (n, n) for i, n in enumerate([50, 20, 10, 10, 5, 5], 1)},
                 {"all": 100, "u0": 100, "u1": 100}, {str(i): 0 for i in range(1, 7)},
                 threshold=0, rounding=1)
    assert (out.codes_for_half, out.codes_for_share) == (1, 4)
    assert "1 code gives 50% of episodes and 4 give 90%" in outputs.to_markdown(out)
    entry = outputs.method_entry(out)
    assert (entry["codes_for_50_percent"], entry["codes_for_90_percent"]) == (1, 4)


def test_ties_in_natural_order():
    codes = ["10", "9", "100", "H33z.00", "H33..00", "2"]
    out = result({c: (30, 20) for c in codes}, {"all": 120, "u0": 120, "u1": 120},
                 dict.fromkeys(codes, 0), threshold=0, rounding=1)
    assert [r.code for r in out.rows] == ["2", "9", "10", "100", "H33..00", "H33z.00"]
    assert sorted(["a10", "a9", "b1"], key=natural_key) == ["a9", "a10", "b1"]


@pytest.mark.parametrize("threshold,rounding,words", [
    (0, 1, "no counts suppressed (threshold 0), counts not rounded"),
    (1, 5, "no counts suppressed (threshold 0), counts rounded to the nearest 5"),
    (2, 1, "counts of 1 suppressed, counts not rounded"),
    (10, 5, "counts of 1 to 9 suppressed, counts rounded to the nearest 5"),
])
def test_disclosure_settings_in_words(threshold, rounding, words):
    out = result({"a": (100, 50)}, {"all": 50, "u0": 50, "u1": 50}, {"a": 0},
                 threshold=threshold, rounding=rounding)
    md = outputs.to_markdown(out)
    assert f"- disclosure control: {words}" in md
    assert "1--1" not in md and "1-0" not in md


def test_the_episode_definition_is_printed_with_the_result():
    out = result({"a": (100, 50)}, {"all": 50, "u0": 50, "u1": 50}, {"a": 0})
    md = outputs.to_markdown(out)
    assert "exact duplicate records (same patient, code and date) count once" in md
    assert "count once" in outputs.method_entry(out)["episodes"]
