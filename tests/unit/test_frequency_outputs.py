"""CSV, Markdown, JSON, method entry and charts from a protected result."""

from __future__ import annotations

import csv
import io
import json

from codelists.frequency import outputs
from codelists.frequency.analysis import Counts
from codelists.frequency.disclosure import protect
from codelists.frequency.inputs import CodeSet
from codelists.frequency.plots import pareto_chart
from codelists.frequency.results import build


def sample(**protect_options):
    codes = CodeSet.from_mapping(
        "dictionary", {"@cmd": 0, "b": 1, "c": 2, "d": None, "never": 0},
        terms={"@cmd": "formula | pipe", "b": "B term"}, name="sample")
    counts = Counts({"@cmd": (120, 100), "b": (60, 50), "c": (30, 20), "d": (4, 3)},
                    {"all": 160, "u0": 100, "u1": 140}, 1000, 2)
    raw = build(counts, codes, {"engine": "duckdb", "events": "e.csv", "cohort": "c.csv",
                                "window_text": "-365:-1", "dedupe_same_day": False})
    return protect(raw, **protect_options)


def test_csv_neutralises_formulas_and_marks_suppression():
    rows = list(csv.reader(io.StringIO(outputs.to_csv(sample()))))
    assert rows[0] == list(outputs.CSV_FIELDS)
    assert rows[1][:5] == ["'@cmd", "formula | pipe", "0", "120", "100"]
    suppressed = [r for r in rows if r[0] == "d"][0]
    assert suppressed[3:5] == ["<10", "<10"] and suppressed[5:] == ["", ""]
    assert rows[-1][:5] == ["never", "", "", "0", "0"]


def test_outcomes_csv_and_json_agree():
    result = sample()
    rows = list(csv.DictReader(io.StringIO(outputs.outcomes_csv(result))))
    assert [r["level"] for r in rows] == ["all", "u0", "u1"]
    assert rows[1]["patients_difference"] == "-60"
    data = json.loads(outputs.to_json(result))
    assert data["outcomes"][1]["patients_difference"] == -60
    assert data["untagged_codes"] == 1
    assert any("no uncertainty tag" in n for n in data["notes"])
    assert any("no index date" in n for n in data["notes"])


def test_markdown_report():
    md = outputs.to_markdown(sample())
    assert "| all codes | 5 | 160 | 16.0% | 215 |  |  |" in md
    assert "| uncertainty 0 | 2 | 100 | 10.0% | 120 | -60 | -95 |" in md
    assert "formula / pipe" in md  # table cells stay one cell
    assert "## Codes never used\n\nnever" in md


def test_method_entry_is_plain_data():
    entry = outputs.method_entry(sample())
    assert entry["window"] == "-365:-1"
    assert entry["outcomes"][0] == {"level": "all", "min_uncertainty": None,
                                    "max_uncertainty": None, "codes": 5,
                                    "patients": 160, "episodes": 215, "proportion": 0.16}
    assert entry["codes_never_used"] == ["never"]
    assert [t["code"] for t in entry["top_codes"]] == ["@cmd", "b"]  # c hidden with d (secondary)
    json.dumps(entry)  # only plain types


def test_charts_are_png_and_reproducible_svg():
    result = sample()
    png = pareto_chart(result, fmt="png")
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    svg1, svg2 = pareto_chart(result, fmt="svg"), pareto_chart(result, fmt="svg")
    assert svg1 == svg2 and b"<svg" in svg1
    assert b"2 suppressed code(s) not shown" in svg1


def test_write_all(tmp_path):
    written = outputs.write_all(sample(), tmp_path / "out", charts=("svg",))
    assert sorted(p.name for p in written) == ["frequency.csv", "frequency.json",
                                               "frequency.md", "outcomes.csv", "pareto.svg"]
    assert not [p for p in (tmp_path / "out").iterdir() if p.name.startswith(".")]


def test_entry_table_for_reports():
    header, rows = outputs.entry_table(outputs.method_entry(sample()))
    assert header[0] == "Codes" and len(rows) == 3
    assert rows[1] == ["uncertainty 0", 2, "100", "10.0%", "120", "-60", "-95"]


def test_results_and_outputs_do_not_need_ibis():
    import subprocess
    import sys

    code = ("import sys, codelists.frequency.outputs, codelists.frequency.results; "
            "sys.exit('ibis' in sys.modules)")
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0
