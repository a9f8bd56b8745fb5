"""Event codes as data sources write them match the list's canonical codes (DuckDB)."""

from __future__ import annotations

import pyarrow as pa
import pytest

from codelists.frequency import codekeys

CASES = [
    ("cprd_medcode", "719", ["719", "719.0", " 719 ", "719.00"], ["7190", "71", "719.5"]),
    ("cprd_aurum_medcodeid", "1234567890123", ["1234567890123", "1234567890123.0"],
     ["123456789012"]),
    ("snomedct", "195967001", ["195967001", " 195967001"], ["19596700"]),
    ("icd10", "J45.0", ["J450", "J45.0", "j45.0", " J45.0 ", "J45.0+", "J45.0*"],
     ["J45", "J45.1", "J4501"]),
    ("icd10", "I10", ["I10", "I10X", "I10-", "i10", "I10.X"], ["I10.0", "I1"]),
    ("icd10", "M77.00", ["M7700", "M77.00"], ["M77.0"]),
    ("opcs4", "K40.1", ["K401", "K40.1", "k40.1"], ["K40", "K40.2"]),
    ("readv2", "H33..", ["H33..", "H33", "H33.", "H33.."], ["H33..00", "H330."]),
    ("readv2", "H33..00", ["H33..00", " H33..00"], ["H33.."]),
    ("ctv3", "XaBVJ", ["XaBVJ"], ["xabvj"]),
    ("dictionary", "asthma review", ["asthma review", " asthma review "], ["Asthma review"]),
]


@pytest.mark.parametrize("system, code, matching, other", CASES,
                         ids=[f"{c[0]}:{c[1]}" for c in CASES])
def test_event_key_agrees_with_python_key(duckdb_engine, system, code, matching, other):
    canonical = codekeys.canonical(system, code)
    key = codekeys.python_key(system, canonical)
    raw = matching + other
    table = duckdb_engine.register("raw", pa.table({"code": pa.array(raw, pa.string())}))
    rows = duckdb_engine.to_rows(table.select(
        code=table.code, key=codekeys.event_key(system, table.code)))
    got = {r["code"] for r in rows if r["key"] == key}
    assert got == set(matching)


def test_medcode_alias():
    assert codekeys.system_name("medcode") == "cprd_medcode"
    assert codekeys.canonical("medcode", "719.0") == "719"
