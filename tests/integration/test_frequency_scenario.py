"""The known-answer scenario on DuckDB (tests/data/frequency-scenario/README.md)."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from codelists.errors import InputFileError
from codelists.frequency.check import frequency_check, run_check
from codelists.frequency.inputs import Window, column_map

GOLD = column_map("gold")


def check(s, codes, **options):
    """The scenario's known answers count every record (README): exact duplicates too."""
    options.setdefault("columns", GOLD)
    options.setdefault("dedupe_same_day", False)
    return run_check(codes, s.events, cohort_patient="patid", **options)


def per_code(result):
    return {r.code: (r.episodes, r.patients) for r in result.rows}


def test_year_before_index_excluding_index_day(freq_scenario, scenario_codes):
    s = freq_scenario
    result = check(s, scenario_codes, cohort=s.cohort, window=Window(-365, -1))
    assert per_code(result) == s.per_code
    assert result.never_used == s.never_used
    assert result.cohort_size == s.cohort_size
    got = [(o.level, o.codes, o.patients, o.episodes) for o in result.outcomes]
    assert got[:3] == list(s.outcomes)
    assert result.outcome("all").proportion == pytest.approx(132 / 200)
    assert result.outcome("u0").patients_difference == 117 - 132
    assert result.outcome("u1").episodes_difference == 192 - 196
    assert result.codes_for_share == 7
    assert [r.code for r in result.rows[:3]] == ["101", "102", "103"]
    assert result.rows[-1].cumulative_share == pytest.approx(1.0)
    assert result.rows[0].share == pytest.approx(60 / 196)


def test_index_day_included(freq_scenario, scenario_codes):
    s = freq_scenario
    result = check(s, scenario_codes, cohort=s.cohort, window=Window(-365, 0))
    assert per_code(result)["303"] == (10, 10)
    assert result.never_used == ("109", "204")
    assert result.outcome("all").patients == 142


def test_dedupe_same_day(freq_scenario, scenario_codes):
    s = freq_scenario
    result = check(s, scenario_codes, cohort=s.cohort, window=Window(-365, -1),
                   dedupe_same_day=True)
    assert per_code(result)["104"] == (10, 10)
    assert result.outcome("all").episodes == 191


def test_open_window_and_no_cohort(freq_scenario, scenario_codes):
    s = freq_scenario
    before = check(s, scenario_codes, cohort=s.cohort, window=Window(None, -1))
    assert per_code(before)["109"] == (10, 10)  # 366 days before is still before
    everything = check(s, scenario_codes)
    counts = per_code(everything)
    assert counts["101"] == (62, 61)  # patient 999 and patient 7's undated event
    assert everything.never_used == ()
    assert everything.cohort_size is None and everything.outcome("all").proportion is None


def test_cohort_without_window_counts_undated_events(freq_scenario, scenario_codes):
    s = freq_scenario
    result = check(s, scenario_codes, cohort=s.cohort)
    assert per_code(result)["101"] == (61, 60)


def test_parquet_with_typed_columns_gives_the_same_answer(freq_scenario, scenario_codes,
                                                          tmp_path):
    s = freq_scenario
    events = pacsv.read_csv(s.events, convert_options=pacsv.ConvertOptions(
        column_types={"patid": pa.int64(), "medcode": pa.string(), "eventdate": pa.string()}))
    dates = [dt.datetime.strptime(d, "%d/%m/%Y").date() if d else None
             for d in events["eventdate"].to_pylist()]
    codes = [int(float(c)) for c in events["medcode"].to_pylist()]
    table = pa.table({"patid": events["patid"], "medcode": pa.array(codes, pa.int64()),
                      "eventdate": pa.array(dates, pa.date32())})
    pq.write_table(table, tmp_path / "events.parquet")
    cohort = pacsv.read_csv(s.cohort)
    pq.write_table(cohort, tmp_path / "cohort.parquet")
    result = run_check(scenario_codes, tmp_path / "events.parquet", columns=GOLD,
                       cohort=tmp_path / "cohort.parquet", cohort_patient="patid",
                       window=Window(-365, -1), dedupe_same_day=False)
    assert per_code(result) == s.per_code
    # a folder of Parquet parts (as Spark and partitioned exports write them)
    parts = tmp_path / "events-parts" / "year=2020"
    parts.mkdir(parents=True)
    half = table.num_rows // 2
    pq.write_table(table.slice(0, half), parts / "part-0.parquet")
    pq.write_table(table.slice(half), parts / "part-1.parquet")
    result = run_check(scenario_codes, tmp_path / "events-parts", columns=GOLD,
                       cohort=tmp_path / "cohort.parquet", cohort_patient="patid",
                       window=Window(-365, -1), dedupe_same_day=False)
    assert per_code(result) == s.per_code


def test_protected_result_matches_readme(freq_scenario, scenario_codes):
    s = freq_scenario
    result = frequency_check(scenario_codes, s.events, columns=GOLD, cohort=s.cohort,
                             cohort_patient="patid", window=Window(-365, -1),
                             dedupe_same_day=False)
    hidden = sorted(r.code for r in result.rows if r.suppressed)
    assert hidden == ["106", "107", "108", "202", "203", "301", "302"]
    assert [(o.patients, o.episodes) for o in result.outcomes][:3] == [
        (130, 195), (115, 175), (130, 190)]
    assert result.cohort_size == 200


def test_duplicate_cohort_patients_are_an_error(freq_scenario, scenario_codes, tmp_path):
    cohort = tmp_path / "cohort.csv"
    cohort.write_text("patid,index_date\n1,2020-01-02\n1,2020-03-01\n2,2020-01-03\n")
    with pytest.raises(InputFileError, match="repeated patient"):
        check(freq_scenario, scenario_codes, cohort=cohort, window=Window(-365, -1))


def test_window_needs_a_cohort(freq_scenario, scenario_codes):
    from codelists.errors import UsageError

    with pytest.raises(UsageError, match="needs a cohort"):
        check(freq_scenario, scenario_codes, window=Window(-365, -1))


def test_missing_column_names_the_columns(freq_scenario, scenario_codes):
    with pytest.raises(InputFileError, match="no patient column 'patient'; columns are: patid, medcode"):
        run_check(scenario_codes, freq_scenario.events)


def test_tsv_iso_dates_and_custom_columns(scenario_codes, tmp_path):
    events = tmp_path / "events.tsv"
    events.write_text("person\tcode_value\twhen\n1\t101\t2020-01-01\n1\t101\t2020-01-01\n"
                      "2\t102.0\t2019-12-31\n3\t999\t2020-01-01\n\t101\t2020-01-01\n")
    result = run_check(scenario_codes, events,
                       columns=column_map(patient="person", code="code_value", date="when"),
                       dedupe_same_day=True)
    assert per_code(result) == {"101": (1, 1), "102": (1, 1)}


def _objects(engine) -> set[str]:
    sql = ("SELECT table_name FROM duckdb_tables() UNION ALL "
           "SELECT view_name FROM duckdb_views() WHERE NOT internal")
    return {row[0] for row in engine.con.con.execute(sql).fetchall()}


def test_temporary_tables_are_dropped(freq_scenario, scenario_codes, duckdb_engine):
    s = freq_scenario
    before = _objects(duckdb_engine)
    run_check(scenario_codes, s.events, columns=GOLD, cohort=s.cohort, cohort_patient="patid",
              window=Window(-365, -1), engine=duckdb_engine)
    assert _objects(duckdb_engine) == before
