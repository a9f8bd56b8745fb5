"""Disclosure control: suppression, secondary suppression, rounding, derived figures."""

from __future__ import annotations

import pytest

from codelists.errors import UsageError
from codelists.frequency import outputs
from codelists.frequency.analysis import Counts
from codelists.frequency.disclosure import protect, publish, round_to, suppressed_codes
from codelists.frequency.inputs import CodeSet
from codelists.frequency.results import build


@pytest.mark.parametrize("value, base, expected", [
    (0, 5, 0), (2, 5, 0), (3, 5, 5), (7, 5, 5), (8, 5, 10), (12, 5, 10), (13, 5, 15),
    (7879, 5, 7880), (7873, 5, 7875), (7, 1, 7), (149, 10, 150), (144, 10, 140),
])
def test_round_to(value, base, expected):
    assert round_to(value, base) == expected


@pytest.mark.parametrize("value, expected", [(0, 0), (1, None), (9, None), (10, 10),
                                             (11, 10), (None, None)])
def test_publish(value, expected):
    assert publish(value, 10, 5) == expected


def result_from(per_code: dict, patients: dict, cohort: int | None = 1000,
                uncertainty: dict | None = None):
    uncertainty = uncertainty or {c: 0 for c in per_code}
    codes = CodeSet.from_mapping("dictionary", uncertainty, name="t")
    counts = Counts(per_code, patients, cohort, 0)
    return build(counts, codes, {"engine": "duckdb"})


def test_secondary_suppression_hides_the_next_smallest():
    # one code with 3 patients: total - visible would reveal it, so hide the next one too
    raw = result_from({"A": (500, 400), "B": (40, 30), "C": (12, 11), "D": (3, 3)},
                      {"all": 420, "u0": 420, "u1": 420})
    assert suppressed_codes(raw.rows, 10) == {"D", "C"}
    safe = protect(raw)
    hidden = {r.code for r in safe.rows if r.suppressed}
    assert hidden == {"C", "D"}
    assert safe.disclosure["suppressed_codes"] == 2


def test_no_secondary_suppression_when_hidden_total_reaches_threshold():
    raw = result_from({"A": (500, 400), "B": (6, 6), "C": (5, 5), "D": (12, 12)},
                      {"all": 420, "u0": 420, "u1": 420})
    assert suppressed_codes(raw.rows, 10) == {"B", "C"}


def test_protect_rounds_and_derives_from_published_figures():
    raw = result_from({"A": (13, 12), "B": (7, 6)}, {"all": 17, "u0": 17, "u1": 17},
                      cohort=103)
    safe = protect(raw, threshold=10, rounding=5)
    assert safe.cohort_size == 105
    a = next(r for r in safe.rows if r.code == "A")
    assert (a.episodes, a.patients) == (None, None)  # B hidden (6) -> A hidden (6 < 10)
    assert safe.outcome("all").patients == 15 and safe.outcome("all").episodes == 20
    assert safe.outcome("all").proportion == pytest.approx(15 / 105)
    # nothing in the protected result equals a raw count below the threshold
    assert 7 not in [r.episodes for r in safe.rows] and 6 not in [r.patients for r in safe.rows]


def test_small_list_outcome_is_suppressed_and_differences_follow():
    raw = result_from({"A": (40, 30), "B": (4, 4)}, {"all": 32, "u0": 30, "u1": 30},
                      uncertainty={"A": 0, "B": 2})
    safe = protect(raw)
    assert safe.outcome("all").patients == 30
    assert safe.outcome("u0").patients_difference == 0
    assert safe.outcome("u0").episodes_difference == 40 - 45


def test_disabled_control_keeps_exact_counts():
    raw = result_from({"A": (13, 12), "B": (7, 6)}, {"all": 17, "u0": 17, "u1": 17})
    safe = protect(raw, threshold=0, rounding=1)
    assert [(r.code, r.episodes, r.patients) for r in safe.rows] == [("A", 13, 12),
                                                                        ("B", 7, 6)]


def test_protect_once_and_valid_settings():
    raw = result_from({"A": (13, 12)}, {"all": 12, "u0": 12, "u1": 12})
    with pytest.raises(UsageError):
        protect(protect(raw))
    with pytest.raises(UsageError):
        protect(raw, rounding=0)


def test_raw_results_cannot_be_written(tmp_path):
    raw = result_from({"A": (13, 12)}, {"all": 12, "u0": 12, "u1": 12})
    for write in (outputs.to_csv, outputs.to_json, outputs.to_markdown, outputs.method_entry):
        with pytest.raises(UsageError, match="raw counts"):
            write(raw)
    with pytest.raises(UsageError):
        outputs.write_all(raw, tmp_path)
    assert list(tmp_path.iterdir()) == []
