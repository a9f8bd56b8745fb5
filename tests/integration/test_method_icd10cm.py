"""The search replayed over a real terminology store (ICD-10-CM April 2026)."""

import json
import re

from codelists.cli.main import main
from codelists.codelist.fileformat import load
from codelists.method.candidates import run
from codelists.method.matcher import term_pattern
from codelists.method.strategy import Strategy

HEADER = """---
id: sob-icd10cm
title: Shortness of breath
description: test
terminology: icd10cm
created: 2026-11-22
updated: 2026-11-22
version: 1
status: draft
licence: CC-BY-4.0
copyright: test
appropriate_use: test
misuse: test
method:
  search:
    expand: descendants
    rules:
    - id: 1
      all_of:
      - {text: dyspnea, mode: word, case_sensitive: false}
    exclusions:
    - {id: x1, text: transfusion-associated dyspnea, mode: phrase, scope: occurrence}
---
"""


def test_search_run_with_descendants_on_the_store(icd10cm_store, tmp_path, capsys):
    path = tmp_path / "sob.codelist"
    path.write_text(HEADER)
    capsys.readouterr()
    assert main(["search", "run", str(path), "--db", str(icd10cm_store), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    codes = {c["code"]: c for c in result["candidates"]}
    assert {"R06.0", "R06.00", "R06.09", "R06.01", "R06.02"} <= set(codes)
    assert "J95.87" not in codes  # its only match is covered by the exclusion
    assert result["excluded_by_terms"]["x1"]["codes"] == 1
    assert codes["R06.02"]["source"] == "descendant:R06.0"
    assert codes["R06.00"]["source"] == "search:1"
    codelist = load(path)
    line = codelist.line_for("R06.02")
    assert (line.kind, line.term, line.tags) == ("pending", "Shortness of breath",
                                                 {"source": "descendant:R06.0"})
    release = codelist.method["search"]["last_run"]["release"]
    assert release["terminology"] == "icd10cm" and release["release_date"] == "2026-04-01"


def test_box2_scan_equals_a_plain_loop_over_every_description(icd10cm):
    strategy = Strategy.from_dict({"rules": [
        {"id": 1, "stata": 'regexm(desc, "[Ss]hort") & regexm(desc, "[Bb]reath")'},
        {"id": 2, "stata": 'regexm(desc, "pnea")'},
        {"id": 3, "stata": 'regexm(lower(desc), "sob")'},
        {"id": 4, "stata": 'regexm(desc, "[Dd]yspn") & !regexm(desc, "TAD")'},
        {"id": 5, "all_of": [{"text": "liver", "mode": "word"}]}]})
    descriptions = list(icd10cm.iter_descriptions())
    result = run(strategy, descriptions)

    def compiled(terms):
        return [re.compile(term_pattern(t), 0 if t.case_sensitive else re.I) for t in terms]

    rules = [(compiled(r.all_of), compiled(r.none_of)) for r in strategy.rules]
    expected = {code for code, text, *_ in descriptions
                if any(all(p.search(text) for p in need) and not any(p.search(text) for p in veto)
                       for need, veto in rules)}
    assert set(result.codes()) == expected
    assert len(expected) > 50
    # whole-word liver: nothing found only through "deliver..."
    assert all(re.search(r"(?i)(?<!\w)liver(?!\w)", m.description)
               for c in result.candidates for m in c.matches if m.rule == "5")
