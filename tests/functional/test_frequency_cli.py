"""`codelist frequency` end to end: files written, JSON, recording, published form."""

from __future__ import annotations

import json
import shutil

import pytest

from codelists.cli.main import main


@pytest.fixture
def listfile(freq_scenario, tmp_path):
    path = tmp_path / "breathless.codelist"
    shutil.copy(freq_scenario.codelist, path)
    return path


def test_check_writes_protected_outputs(freq_scenario, listfile, tmp_path, capsys):
    out = tmp_path / "out"
    code = main(["frequency", str(listfile), "--events", str(freq_scenario.events),
                 "--preset", "gold", "--cohort", str(freq_scenario.cohort),
                 "--window", "-365:-1", "--count-duplicates", "--out", str(out), "--json"])
    assert code == 0
    data = json.loads(capsys.readouterr().out)
    assert data["disclosure"] == {"threshold": 10, "rounding": 5, "suppressed_codes": 7}
    assert [o["patients"] for o in data["outcomes"]][:3] == [130, 115, 130]
    assert data["never_used"] == ["109", "204", "303"]
    assert data["settings"]["window"] == "[index-365d, index-1d]"
    names = sorted(p.name for p in out.iterdir())
    assert names == ["frequency.csv", "frequency.json", "frequency.md", "outcomes.csv",
                     "pareto.png", "pareto.svg"]
    csv_text = (out / "frequency.csv").read_text()
    assert csv_text.splitlines()[0] == ("code,term,uncertainty,episodes,patients,share,"
                                        "cumulative_share")
    assert "101,Shortness of breath,0,60,60,0.3077,0.3077" in csv_text
    assert "106,Orthopnoea,0,<10,<10,," in csv_text
    assert "109,,,0,0,0.0000," in csv_text
    # no raw small count anywhere in what was written
    for name in ("frequency.csv", "outcomes.csv", "frequency.json", "frequency.md"):
        text = (out / name).read_text()
        assert "132" not in text and "117" not in text and "196" not in text
    assert (out / "pareto.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert b"<svg" in (out / "pareto.svg").read_bytes()[:400]
    md = (out / "frequency.md").read_text()
    assert "| uncertainty 0 | 9 | 115 | 57.5% | 175 | -15 | -20 |" in md


def test_record_in_method_block(freq_scenario, listfile, capsys):
    code = main(["frequency", str(listfile), "--events", str(freq_scenario.events),
                 "--preset", "gold", "--cohort", str(freq_scenario.cohort),
                 "--window=-365:-1", "--dedupe-same-day", "--record"])
    assert code == 0
    assert "| all codes | 16 | 130 | 65.0% | 190 |" in capsys.readouterr().out
    from codelists.codelist.fileformat import load

    entry = load(listfile).method["frequency"]
    assert entry["window"] == "-365:-1" and entry["dedupe_same_day"] is True
    assert entry["outcomes"][0] == {"level": "all", "min_uncertainty": None,
                                    "max_uncertainty": None, "codes": 16,
                                    "patients": 130, "episodes": 190, "proportion": 0.65}
    assert entry["codes_never_used"] == ["109", "204", "303"]
    assert entry["top_codes"][0] == {"code": "101", "episodes": 60, "patients": 60}
    assert load(listfile).active_codes()[0] == "101"  # the body is untouched


def test_usage_errors(freq_scenario, listfile, capsys):
    assert main(["frequency", str(listfile)]) == 2
    assert "--events is required" in capsys.readouterr().err
    assert main(["frequency", str(listfile), "--events", str(freq_scenario.events),
                 "--window", "-1:-365", "--cohort", str(freq_scenario.cohort),
                 "--preset", "gold"]) == 2
    assert main(["frequency", str(listfile), "--events", str(freq_scenario.events),
                 "--window", "-365:-1"]) == 2
    assert main(["frequency", str(listfile), "--events", "missing.csv"]) == 4
    assert main(["frequency", str(listfile), "--events", str(freq_scenario.events),
                 "--preset", "aurum"]) == 2
    assert "aurum events hold cprd_aurum_medcodeid codes but the list is cprd_medcode" in (
        capsys.readouterr().err)


def test_published_form(shared, tmp_path, capsys):
    listfile = tmp_path / "asthma.codelist"
    listfile.write_text(
        "---\nid: asthma\ntitle: Asthma\ndescription: d\nterminology: ICD-10\n"
        "created: 2026-01-01\nupdated: 2026-01-01\nversion: 1\nstatus: draft\n"
        "licence: CC-BY-4.0\ncopyright: c\nappropriate_use: a\nmisuse: m\n---\n\n"
        "J45.0  Predominantly allergic asthma  # uncertainty=0\n"
        "J45.9  Asthma, unspecified  # uncertainty=0\n"
        "J99.9  Unused code  # uncertainty=1\n")
    counts = shared / "data/frequencies/nhs-hes-code-usage/icd10_usage.csv.gz"
    code = main(["frequency", "published", str(listfile), "--counts", str(counts),
                 "--years", "2022-2023", "--json"])
    assert code == 0
    data = json.loads(capsys.readouterr().out)
    assert data["years"] == ["2022", "2023"]
    assert data["never_used"] == ["J99.9"]
    assert {"J45.1", "J45.8"} <= {r["code"] for r in data["missing_related"]}
    assert main(["frequency", "published", str(listfile)]) == 2


def test_events_table_in_a_duckdb_database(freq_scenario, listfile, tmp_path, capsys):
    import duckdb

    db = tmp_path / "cprd.duckdb"
    con = duckdb.connect(str(db))
    con.execute(f"CREATE TABLE clinical AS SELECT * FROM read_csv('{freq_scenario.events}', "
                "all_varchar=true)")
    con.close()
    code = main(["frequency", str(listfile), "--events", str(db), "--events-table",
                 "clinical", "--preset", "gold", "--cohort", str(freq_scenario.cohort),
                 "--window", "-365:-1", "--threshold", "0", "--round", "1",
                 "--count-duplicates", "--json"])
    assert code == 0
    data = json.loads(capsys.readouterr().out)
    assert [o["patients"] for o in data["outcomes"]][:3] == [132, 117, 129]
    assert data["settings"]["events"] == "clinical"


def test_calendar_window_and_default_episode_definition(freq_scenario, listfile, capsys):
    def run(*extra):
        capsys.readouterr()
        assert main(["frequency", str(listfile), "--events", str(freq_scenario.events),
                     "--preset", "gold", "--cohort", str(freq_scenario.cohort),
                     "--threshold", "0", "--round", "1", *extra]) == 0
        return capsys.readouterr().out

    text = run("--window", "-1y:-1d")
    assert "window: -1y:-1" in text
    assert "exact duplicate records (same patient, code and date) count once" in text
    assert "no counts suppressed (threshold 0), counts not rounded" in text
    assert "1--1" not in text
    deduped = run("--window", "-1y:-1d", "--json")
    every = run("--window", "-1y:-1d", "--count-duplicates", "--json")
    first, second = json.loads(deduped), json.loads(every)
    assert first["settings"]["dedupe_same_day"] is True
    assert second["outcomes"][0]["episodes"] > first["outcomes"][0]["episodes"]
    assert "codes_for_half" in first and first["codes_for_half"] <= first["codes_for_share"]
