"""One analysis, two engines: the same scenarios on DuckDB and on Spark (local mode)."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pytest

from codelists.frequency.check import run_check
from codelists.frequency.engines import Engine, connect
from codelists.frequency.inputs import CodeSet, Window, column_map

pytestmark = [pytest.mark.spark, pytest.mark.slow]


def comparable(result) -> dict:
    data = result.as_dict()
    for key in ("engine", "events", "cohort"):  # engine name, generated table names
        data["settings"].pop(key)
    return data


def icd10_events(engine):
    """ICD-10 codes as HES and spreadsheets write them, with real date types."""
    day = dt.date(2021, 6, 1)
    rows = [(1, "J450", day), (1, "J45.0", day), (2, "j45.9 ", day), (3, "I10X", day),
            (3, "I10", day - dt.timedelta(days=400)), (4, "J46X", None), (5, "E119", day),
            (6, "J45.0*", day + dt.timedelta(days=1))]
    table = pa.table({"patient": pa.array([r[0] for r in rows], pa.int64()),
                      "code": pa.array([r[1] for r in rows], pa.string()),
                      "date": pa.array([r[2] for r in rows], pa.date32())})
    cohort = pa.table({"patient": pa.array(["1", "2", "3", "4", "6"], pa.string()),
                       "index_date": pa.array([dt.date(2021, 6, 2)] * 5, pa.date32())})
    return engine.register("events", table), engine.register("cohort", cohort)


def run_all(engine: Engine, scenario, codes) -> list[dict]:
    out = []
    gold = column_map("gold")
    result = run_check(codes, scenario.events, columns=gold, cohort=scenario.cohort,
                       cohort_patient="patid", window=Window(-365, -1), engine=engine,
                       dedupe_same_day=False)  # the scenario's answers count every record
    out.append(comparable(result))
    icd = CodeSet.from_mapping("icd10", {"J45.0": 0, "J45.9": 1, "I10": 2, "J46": None})
    events, cohort = icd10_events(engine)
    out.append(comparable(run_check(icd, events, cohort=cohort, window=Window(-365, -1),
                                    dedupe_same_day=True, engine=engine)))
    for window in (Window(-1, -1, "y", "d"), Window(-6, 0, "m", "d")):  # calendar time
        out.append(comparable(run_check(codes, scenario.events, columns=gold,
                                        cohort=scenario.cohort, cohort_patient="patid",
                                        window=window, engine=engine)))
    leap = pa.table({"patient": pa.array([1, 1, 2], pa.int64()),
                     "code": pa.array(["J450", "J450", "J459"], pa.string()),
                     "date": pa.array([dt.date(2023, 2, 28), dt.date(2023, 2, 27),
                                       dt.date(2024, 2, 29)], pa.date32())})
    leap_cohort = pa.table({"patient": pa.array([1, 2], pa.int64()),
                            "index_date": pa.array([dt.date(2024, 2, 29),
                                                    dt.date(2024, 3, 31)], pa.date32())})
    leap_result = run_check(icd, engine.register("leap", leap),
                            cohort=engine.register("leap_cohort", leap_cohort),
                            window=Window(-1, 0, "y", "m"), engine=engine)
    out.append(comparable(leap_result))
    engine.release()
    return out


def test_duckdb_and_spark_give_identical_results(freq_scenario, scenario_codes,
                                                 spark_session):
    duck = connect("duckdb")
    expected = run_all(duck, freq_scenario, scenario_codes)
    spark = connect("spark", spark_session=spark_session)
    got = run_all(spark, freq_scenario, scenario_codes)
    assert got == expected
    # 29 Feb 2024 - 1y = 28 Feb 2023 (27 Feb is outside); 31 Mar - 1m = 29 Feb 2024
    leap = {r["code"]: (r["episodes"], r["patients"]) for r in expected[-1]["rows"]}
    assert leap == {"J45.0": (1, 1), "J45.9": (1, 1)}
    # and the answers are the known ones, not merely equal
    first = {r["code"]: (r["episodes"], r["patients"]) for r in expected[0]["rows"]}
    assert first == freq_scenario.per_code
    icd = {r["code"]: (r["episodes"], r["patients"]) for r in expected[1]["rows"]}
    assert icd == {"J45.0": (1, 1), "J45.9": (1, 1), "I10": (1, 1)}
    assert expected[1]["never_used"] == ["J46"]
    assert [o["patients"] for o in expected[1]["outcomes"]][:3] == [3, 1, 2]


def test_command_line_on_spark(freq_scenario, spark_session, capsys):
    import json

    from codelists.cli.main import main

    code = main(["frequency", str(freq_scenario.codelist), "--events",
                 str(freq_scenario.events), "--preset", "gold", "--cohort",
                 str(freq_scenario.cohort), "--window=-365:-1", "--engine", "spark",
                 "--threshold", "0", "--round", "1", "--count-duplicates", "--json"])
    assert code == 0
    data = json.loads(capsys.readouterr().out)
    assert data["settings"]["engine"] == "spark"
    assert [(o["patients"], o["episodes"]) for o in data["outcomes"]][:3] == [
        (132, 196), (117, 175), (129, 192)]
