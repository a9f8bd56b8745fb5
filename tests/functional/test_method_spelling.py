"""The method's regex search with opt-in spelling expansion, recorded so replays are exact."""

import json

from codelists.cli.main import main
from codelists.codelist.fileformat import load
from codelists.method.matcher import term_pattern
from codelists.method.strategy import Strategy, Term

DO = 'gen sob = 1 if regexm(desc, "dyspnea") | regexm(desc, "[Oo]rthopnea")\n'


def run_json(capsys, *argv):
    capsys.readouterr()
    assert main([*argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_spelling_is_opt_in_recorded_and_replayed(sob_dir, capsys):
    path = str(sob_dir / "sob.codelist")
    (sob_dir / "sob.do").write_text(DO, encoding="utf-8")
    assert main(["search", "import-stata", path, str(sob_dir / "sob.do")]) == 0
    dictionary = ["--dictionary", str(sob_dir / "dictionary.csv")]
    plain = run_json(capsys, "search", "run", path, *dictionary, "--dry-run")
    # the dictionary spells these dyspnoea and orthopnoea, but for one "Orthopnea"
    assert [c["code"] for c in plain["candidates"]] == ["124"]
    widened = run_json(capsys, "search", "run", path, *dictionary, "--spelling", "on")
    found = {c["code"]: c["term"] for c in widened["candidates"]}
    assert found["141"] == "Functional dyspnoea" and found["123"] == "Orthopnoea"
    assert "124" in found and len(found) > 3
    assert load(path).method["search"]["spelling"] is True
    replayed = run_json(capsys, "search", "run", path, *dictionary, "--dry-run")
    assert {c["code"] for c in replayed["candidates"]} == set(found)
    capsys.readouterr()
    assert main(["search", "syntax", path]) == 0
    assert "(?:dyspnea|dyspnoea)" in capsys.readouterr().out  # exported code matches too
    assert main(["search", "run", path, *dictionary, "--spelling", "off", "--dry-run"]) == 0


def test_strategy_spelling_round_trips_and_reaches_every_term():
    strategy = Strategy.from_dict({"rules": [{"all_of": ["oedema"], "none_of": ["tumour"]}],
                                   "exclusions": ["haematoma"], "spelling": True})
    assert all(t.spelling for t in strategy.terms())
    assert strategy.as_dict()["spelling"] is True
    assert Strategy.from_dict(strategy.as_dict()) == strategy
    assert term_pattern(Term("oedema", "word", spelling=True)) == \
        r"(?<!\w)(?:oedema|edema)(?!\w)"
    assert "spelling" not in Strategy.from_dict({"rules": ["oedema"]}).as_dict()
