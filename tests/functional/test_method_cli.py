"""The paper's flow end to end through the command line, on a dictionary with a known answer.

tests/data/method-sob reproduces Watson et al. 2017: 78 candidates, 29 screened out
(15 apnoea, 2 negation, 3 tachypnoea, 2 pregnancy or neonate, 1 hyperpnoea, 6 'sob'
inside another word), 49 reviewed by two reviewers, 44 with complete agreement and 5
partial.
"""

import json

import pytest

from codelists.cli.main import main
from codelists.codelist.fileformat import load
from tests.plugins.method import fixture_ratings, fixture_screening


def run_json(capsys, *argv):
    capsys.readouterr()
    assert main([*argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def develop(sob_dir, capsys, fill_sheet, fmt="csv"):
    """search -> screen -> export -> fill -> import -> consensus; returns the file path."""
    path = str(sob_dir / "sob.codelist")
    result = run_json(capsys, "search", "run", path, "--dictionary",
                      str(sob_dir / "dictionary.csv"))
    assert result["candidates"] and len(result["candidates"]) == 78
    groups: dict[tuple[str, str], list[str]] = {}
    for row in fixture_screening():
        groups.setdefault((row["reason"], row["note"]), []).append(row["medcode"])
    for (reason, note), codes in groups.items():
        extra = ["--note", note] if note else []
        assert main(["screen", path, *codes, "--reason", reason, *extra]) == 0
    assert main(["review", "export", path, "--reviewers", "GP1", "GP2", "--format", fmt,
                 "--out", str(sob_dir / "review")]) == 0
    sheets = sorted((sob_dir / "review").glob(f"*.{fmt}"))
    ratings = fixture_ratings()
    for sheet, reviewer in zip(sheets, ["GP1", "GP2"], strict=True):
        fill_sheet(sheet, ratings[reviewer])
    assert main(["review", "import", path, *map(str, sheets)]) == 0
    return path


def test_paper_flow_counts_and_badge(sob_dir, capsys, fill_sheet):
    path = develop(sob_dir, capsys, fill_sheet)
    stats = run_json(capsys, "review", "agreement", path)
    assert (stats["codes"], stats["complete_agreement"], stats["partial_agreement"]) == (
        49, 44, 5)
    assert round(stats["percent_agreement"]) == 90
    consensus = run_json(capsys, "review", "consensus", path)
    assert consensus["results"]["included"] == 49
    assert consensus["results"]["uncertainty"] == {"0": 44, "1": 3, "2": 2}
    report = run_json(capsys, "report", path, "--out", str(sob_dir / "report"))
    flow = report["flow"]
    assert (flow["candidates"], flow["screened_out"], flow["reviewed"], flow["reviewers"],
            flow["included"], flow["included_complete"], flow["included_partial"]) == (
        78, 29, 49, 2, 49, 44, 5)
    reasons = {(r["reason"], r["detail"]): r["count"] for r in flow["screening_reasons"]}
    assert reasons == {("different-condition", "apnoea"): 15, ("negation", ""): 2,
                       ("different-condition", "tachypnoea"): 3,
                       ("pregnancy-neonatal", ""): 2, ("different-condition", "hyperpnoea"): 1,
                       ("substring-match", "'sob' inside another word"): 6}
    assert report["badge"]["checks"] == {
        "definition": True, "reproducible_search": True, "candidate_count": True,
        "exclusion_reasons": True, "independent_reviewers": True, "uncertainty": True,
        "frequency_check": False}
    assert (report["badge"]["score"], report["badge"]["level"]) == (6, "silver")
    codelist = load(path)
    assert len(codelist.active_codes()) == 49 and codelist.pending_codes() == []
    assert codelist.line_for("135").tags["uncertainty"] == "2"  # Gasping for breath: 1 & 3
    assert codelist.line_for("101").tags == {"source": "search:1", "uncertainty": "0"}
    assert codelist.line_for("201").tags["reason"] == "different-condition"
    out = sob_dir / "report"
    markdown = (out / "report.md").read_text()
    html = (out / "report.html").read_text()
    for text in ("| Candidates from the search | 78 |", "| Excluded at screening | 29 |",
                 'regexm(desc_x, "[Ss]hort") & regexm(desc_x, "[Bb]reath")',
                 "| different-condition | apnoea | 15 |", "| Percent complete agreement | 89.8% |"):
        assert text in markdown
    assert "<svg" in html and "src=" not in html  # standalone: images inline
    assert "n = 78" in (out / "flow.svg").read_text()
    assert (out / "flow.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "6/7 silver" in (out / "badge.svg").read_text()


def test_rerun_after_new_release_reports_new_and_vanished(sob_dir, capsys, fill_sheet):
    path = develop(sob_dir, capsys, fill_sheet)
    dictionary = sob_dir / "dictionary.csv"
    lines = dictionary.read_text().splitlines()
    lines = [ln for ln in lines if not ln.startswith("132,")]  # "Winded" leaves the release
    lines.append("999,Breathless on lying down")
    dictionary.write_text("\n".join(lines) + "\n")
    result = run_json(capsys, "search", "run", path, "--dictionary", str(dictionary))
    assert result["new"] == ["999"] and result["vanished"] == ["132"]
    assert result["added"] == ["999"]
    codelist = load(path)
    assert codelist.line_for("999").kind == "pending"
    assert codelist.method["search"]["last_run"]["vanished"] == ["132"]


def test_delphi_exclusion_and_feedback_round(sob_dir, capsys, fill_sheet):
    path = develop(sob_dir, capsys, fill_sheet, fmt="xlsx")
    assert main(["review", "feedback", path, "--out", str(sob_dir / "round2")]) == 0
    round2 = sorted((sob_dir / "round2").glob("*.xlsx"))
    assert len(round2) == 2
    from openpyxl import load_workbook

    ws = load_workbook(round2[0])["Ratings"]
    assert ws.max_row == 6  # header + the 5 disputed codes
    assert ws.cell(1, 5).value.startswith("Panel feedback")
    assert "rated 1 by 1" in ws.cell(2, 5).value
    for sheet in round2:  # the panel now rejects "Winded" (132), keeps the rest
        fill_sheet(sheet, {"132": 3, "133": 1, "134": 1, "135": 1, "139": 1})
    assert main(["review", "import", path, *map(str, round2)]) == 0
    consensus = run_json(capsys, "review", "consensus", path, "--rule", "no-veto")
    assert consensus["results"]["rounds"] == 2
    assert consensus["results"]["excluded"] == 1
    codelist = load(path)
    assert codelist.line_for("132").kind == "excluded"
    assert codelist.line_for("132").tags["reason"] == "delphi"
    assert codelist.line_for("135").tags["uncertainty"] == "0"
    assert codelist.method["delphi"]["rule"] == "no-veto"
    report = run_json(capsys, "report", path, "--out", str(sob_dir / "r"))
    assert report["flow"]["excluded_by_review"] == 1
    assert report["flow"]["included"] == 48


def test_bad_sheet_imports_nothing(sob_dir, capsys, fill_sheet):
    path = str(sob_dir / "sob.codelist")
    assert main(["search", "run", path, "--dictionary", str(sob_dir / "dictionary.csv")]) == 0
    assert main(["review", "export", path, "--reviewers", "A", "B", "--format", "csv",
                 "--out", str(sob_dir / "rv")]) == 0
    sheets = sorted((sob_dir / "rv").glob("*.csv"))
    fill_sheet(sheets[0], {})  # A returns an empty sheet
    before = (sob_dir / "sob.codelist").read_text()
    capsys.readouterr()
    assert main(["review", "import", path, *map(str, sheets)]) == 4
    err = capsys.readouterr().err
    assert "nothing was imported" in err and "A.csv row" in err
    assert (sob_dir / "sob.codelist").read_text() == before


def test_define_and_syntax(sob_dir, capsys):
    path = str(sob_dir / "sob.codelist")
    data = run_json(capsys, "define", path, "--feature", "Breathlessness", "--box1-sources",
                    "--driven", "specificity", "--include", "orthopnoea")
    assert data["feature"] == "Breathlessness" and data["driven"] == "specificity"
    assert any(s["name"].startswith("MeSH") for s in data["sources"])
    capsys.readouterr()
    assert main(["search", "syntax", path, "--lang", "stata"]) == 0
    stata = capsys.readouterr().out
    assert 'regexm(lower(desc_x), "sob")' in stata and stata.count("replace candidate = 1") == 16
    assert main(["search", "syntax", path, "--lang", "r"]) == 0
    assert 'grepl("[Ss]hort", desc_x, perl = TRUE)' in capsys.readouterr().out


@pytest.mark.parametrize("argv,code", [
    (["screen", "{f}", "999999", "--reason", "negation"], 2),
    (["screen", "{f}", "101", "--reason", "boredom"], 2),
    (["review", "consensus", "{f}"], 2),
    (["review", "import", "{f}", "missing.csv"], 2),
])
def test_usage_errors(sob_dir, argv, code):
    path = str(sob_dir / "sob.codelist")
    assert main([a.replace("{f}", path) for a in argv]) == code


def test_search_spans_several_sources(sob_dir, capsys):
    lines = (sob_dir / "dictionary.csv").read_text().splitlines()
    header, rows = lines[0], lines[1:]
    (sob_dir / "a.csv").write_text("\n".join([header, *rows[:40]]) + "\n")
    (sob_dir / "b.csv").write_text("\n".join([header, *rows[40:]]) + "\n")
    path = str(sob_dir / "sob.codelist")
    result = run_json(capsys, "search", "run", path, "--dictionary", str(sob_dir / "a.csv"),
                      "--dictionary", str(sob_dir / "b.csv"))
    assert len(result["candidates"]) == 78 and result["descriptions_scanned"] == 92
    release = load(path).method["search"]["last_run"]["release"]
    assert release == {"dictionary": "a.csv", "also": [{"dictionary": "b.csv"}]}
