"""Pytest fixtures for the frequency area (loaded from tests/conftest.py).

* ``freq_scenario`` — tests/data/frequency-scenario (events, cohort, codelist) and the
  answers known by construction (see that folder's README.md);
* ``duckdb_engine`` — a fresh in-memory DuckDB engine per test;
* ``spark_session`` — ONE local SparkSession for the whole run (local[2], 2 shuffle
  partitions, no UI, loopback only); tests using it are marked spark and slow.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

SCENARIO = Path(__file__).resolve().parent.parent / "data" / "frequency-scenario"

UNCERTAINTY = {
    **{c: 0 for c in ("101", "102", "103", "104", "105", "106", "107", "108", "109")},
    **{c: 1 for c in ("201", "202", "203", "204")},
    **{c: 2 for c in ("301", "302", "303")},
}

#: window -365:-1, every event counted: code -> (episodes, patients)
PER_CODE = {
    "101": (60, 60), "102": (40, 40), "103": (30, 30), "104": (15, 10), "105": (20, 10),
    "106": (5, 5), "107": (2, 2), "108": (3, 3), "201": (10, 10), "202": (5, 5),
    "203": (2, 2), "301": (3, 3), "302": (1, 1),
}


@dataclass(frozen=True)
class Scenario:
    folder: Path
    events: Path
    cohort: Path
    codelist: Path
    uncertainty: dict
    per_code: dict
    never_used: tuple = ("109", "204", "303")
    # outcome level -> (codes, patients, episodes) for window -365:-1
    outcomes: tuple = (("all", 16, 132, 196), ("u0", 9, 117, 175), ("u1", 13, 129, 192))
    cohort_size: int = 200


@pytest.fixture(scope="session")
def freq_scenario() -> Scenario:
    return Scenario(SCENARIO, SCENARIO / "events.csv", SCENARIO / "cohort.csv",
                    SCENARIO / "breathless.codelist", dict(UNCERTAINTY), dict(PER_CODE))


@pytest.fixture
def scenario_codes(freq_scenario):
    from codelists.frequency.inputs import CodeSet

    return CodeSet.from_mapping("cprd_medcode", freq_scenario.uncertainty, name="scenario")


@pytest.fixture
def duckdb_engine():
    from codelists.frequency.engines import connect

    engine = connect("duckdb")
    yield engine
    engine.release()
    engine.con.disconnect()


@pytest.fixture(scope="session")
def spark_session():
    from codelists.frequency.engines import local_spark_session

    session = local_spark_session("local[2]", {"spark.sql.shuffle.partitions": "2",
                                               "spark.default.parallelism": "2"})
    yield session
    session.stop()
