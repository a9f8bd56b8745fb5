"""Screening by rules (#19, item 3): the paper's Table 1 from a rules file, first match
wins, recorded and replayed on the next search run; `screen --counts` ends with totals."""

import json

import pytest

from codelists.cli.main import main
from codelists.codelist.fileformat import load
from codelists.errors import InputFileError
from codelists.method.screening_rules import read_rules

RULES = """\
- {pattern: "apno?ea|apnea", match: regex, reason: different-condition, note: apnoea}
- {pattern: "no shortness|not breathless", match: regex, reason: negation}
- {pattern: tachypn, match: regex, reason: different-condition, note: tachypnoea}
- {pattern: "neonatal|pregnancy", match: regex, reason: pregnancy-neonatal}
- {pattern: hyperpnoea, reason: different-condition, note: hyperpnoea}
- pattern: '\\Bsob|sob(?!oe)\\w'
  match: regex
  reason: substring-match
  note: "'sob' inside another word"
"""


def run_json(capsys, *argv):
    capsys.readouterr()
    assert main([*argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


@pytest.fixture
def searched(sob_dir):
    path = str(sob_dir / "sob.codelist")
    assert main(["search", "run", path, "--dictionary", str(sob_dir / "dictionary.csv")]) == 0
    (sob_dir / "rules.yaml").write_text(RULES, encoding="utf-8")
    return path


def test_rules_reproduce_the_papers_screening(searched, sob_dir, capsys):
    dry = run_json(capsys, "screen", searched, "--rules", str(sob_dir / "rules.yaml"),
                   "--dry-run")
    assert len(dry["screened"]) == 29 and load(searched).excluded_codes() == []
    result = run_json(capsys, "screen", searched, "--rules", str(sob_dir / "rules.yaml"))
    reasons = {(r["reason"], r["detail"]): r["count"] for r in result["table"]}
    assert reasons == {("different-condition", "apnoea"): 15, ("negation", ""): 2,
                       ("different-condition", "tachypnoea"): 3,
                       ("pregnancy-neonatal", ""): 2, ("different-condition", "hyperpnoea"): 1,
                       ("substring-match", "'sob' inside another word"): 6}
    assert result["totals"] == {"screened_out": 29, "pending": 49, "active": 0}
    # first match wins: an apnoea-hypopnoea term is screened as apnoea, not hyperpnoea
    assert load(searched).line_for("207").comment == "apnoea"
    assert len(load(searched).method["screening"]["rules"]) == 6
    capsys.readouterr()
    assert main(["screen", searched, "--counts"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == \
        "total: 29 screened out, 49 pending, 0 active"


def test_recorded_rules_screen_new_candidates_of_a_rerun(searched, sob_dir, capsys):
    assert main(["screen", searched, "--rules", str(sob_dir / "rules.yaml")]) == 0
    with (sob_dir / "dictionary.csv").open("a", encoding="utf-8") as handle:
        handle.write("900,Sleep apnoea NOS\n901,Breathless on exertion\n")
    rerun = run_json(capsys, "search", "run", searched, "--dictionary",
                     str(sob_dir / "dictionary.csv"))
    assert [s["code"] for s in rerun["screened"]] == ["900"]
    codelist = load(searched)
    assert codelist.line_for("900").kind == "excluded"
    assert codelist.line_for("900").tags["reason"] == "different-condition"
    assert "901" in codelist.pending_codes()
    assert codelist.method["screening"]["excluded"] == 30


def test_a_malformed_rules_file_is_refused_whole_with_every_defect(sob_dir, tmp_path):
    bad = tmp_path / "rules.csv"
    bad.write_text("pattern,match,reason,note\n"
                   "apnoea,words,different-condition,apnoea\n"
                   ",words,negation,\n"
                   "(unclosed,regex,negation,\n"
                   "sob,fuzzy,substring-match,\n"
                   "hiccup,words,other,\n", encoding="utf-8")
    with pytest.raises(InputFileError) as caught:
        read_rules(bad)
    message = caught.value.render()
    for text in ("line 3: no pattern", "line 4: pattern '(unclosed' is not a valid regular",
                 "line 5: match must be words or regex", "line 6: reason 'other' needs a note",
                 "4 problem(s)"):
        assert text in message, message
    assert "line 2" not in message


def test_yaml_defects_name_their_lines(tmp_path):
    bad = tmp_path / "rules.yaml"
    bad.write_text("- {pattern: apnoea, reason: different-condition}\n"
                   "- {pattern: x, reason: made-up}\n", encoding="utf-8")
    with pytest.raises(InputFileError, match=r"line 2: unknown screening reason"):
        read_rules(bad)


def test_within_needs_a_subtree(icd10cm_store, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["new", "x.codelist", "-t", "icd10cm", "--title", "Breath"]) == 0
    (tmp_path / "x.do").write_text('gen x = 1 if regexm(lower(desc), "breath")\n')
    assert main(["search", "import-stata", "x.codelist", "x.do"]) == 0
    assert main(["search", "run", "x.codelist", "--db", str(icd10cm_store)]) == 0
    (tmp_path / "r.yaml").write_text("- {pattern: breath, reason: different-condition, "
                                     "note: not dyspnoea}\n")
    result = run_json(capsys, "screen", "x.codelist", "--rules", "r.yaml", "--within", "R06",
                      "--db", str(icd10cm_store))
    screened = {s["code"] for s in result["screened"]}
    assert screened and all(code.startswith("R06") for code in screened)
    assert any(not c.startswith("R06") for c in load(tmp_path / "x.codelist").pending_codes())
