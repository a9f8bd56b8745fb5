"""A search rule that matches an ICD-10 chapter or block offers its codes (#19, item 10).

Reproduces the report: on the WHO ICD-10 gastric ulcer fixture, `regexm(lower(desc),
"digestive")` matched chapter XI, which the format rejects, and `search run` exited 4.
"""

import json

import pytest

from codelists.cli.main import main
from codelists.codelist.fileformat import load

RELEASE = ("data", "terminologies", "opencodelists-fixtures", "coding_systems", "icd10",
           "fixtures", "import_resources", "icd10_gastric_ulcer.zip")


@pytest.fixture
def gastric(shared, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["terminology", "import", str(shared.joinpath(*RELEASE))]) == 0
    assert main(["new", "g.codelist", "-t", "icd10", "--title", "Gastric"]) == 0
    return tmp_path


def strategy(folder, pattern: str, *, expand: bool = False) -> str:
    (folder / "g.do").write_text(f'gen g = 1 if regexm(lower(desc), "{pattern}")\n')
    assert main(["search", "import-stata", "g.codelist", "g.do"]) == 0
    if expand:
        codelist = load(folder / "g.codelist")
        codelist.method["search"]["expand"] = "descendants"
        from codelists.codelist.fileformat import save

        save(codelist)
    return "g.codelist"


def run_json(capsys, *argv):
    capsys.readouterr()
    assert main([*argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_a_matched_chapter_offers_its_codes_and_says_so(gastric, capsys):
    path = strategy(gastric, "digestive")
    dry = run_json(capsys, "search", "run", path, "--dry-run")
    assert [c["code"] for c in dry["candidates"]] == ["K25"]
    assert dry["groupings"] == [{"code": "XI", "term": "Diseases of the digestive system",
                                 "kind": "chapter", "rules": ["1"], "offered": ["K25"]}]
    capsys.readouterr()
    assert main(["search", "run", path]) == 0
    out = capsys.readouterr().out
    assert "chapter XI 'Diseases of the digestive system' (rule 1) is not a code a list " \
           "holds: its 1 codes are offered instead (K25)" in out
    codelist = load(gastric / path)
    assert codelist.pending_codes() == ["K25"]
    assert codelist.line_for("K25").tags["source"] == "chapter:XI"


def test_a_matched_block_with_descendants(gastric, capsys):
    path = strategy(gastric, "oesophagus, stomach", expand=True)
    result = run_json(capsys, "search", "run", path)
    assert result["groupings"][0]["code"] == "K20-K31"
    codes = [c["code"] for c in result["candidates"]]
    assert codes[0] == "K25" and "K25.0" in codes and len(codes) == 10
    assert not [c for c in load(gastric / path).pending_codes() if "-" in c or c == "XI"]


def test_without_a_store_a_match_that_is_no_code_is_reported_not_added(tmp_path, capsys,
                                                                       monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["new", "g.codelist", "-t", "icd10", "--title", "Gastric"]) == 0
    strategy(tmp_path, "digestive")
    (tmp_path / "dict.csv").write_text("code,term\nXI,Diseases of the digestive system\n"
                                       "K25,Gastric ulcer (digestive)\n")
    result = run_json(capsys, "search", "run", "g.codelist", "--dictionary", "dict.csv")
    assert [c["code"] for c in result["candidates"]] == ["K25"]
    assert result["groupings"] == [{"code": "XI", "term": "Diseases of the digestive system",
                                    "kind": "", "rules": ["1"], "offered": []}]
    assert load(tmp_path / "g.codelist").pending_codes() == ["K25"]
