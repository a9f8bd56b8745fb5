"""The Codelist model: accessors, edits other areas rely on, front-matter editing."""

from __future__ import annotations

import pytest

from codelists.codelist.fileformat import dumps, parse
from codelists.codelist.model import Line, split_comment
from codelists.errors import CodelistFormatError

TEXT = """---
id: demo
title: Demo
terminology: SNOMED CT
created: 2026-01-01
updated: 2026-01-01
version: 1
status: draft
---

# ── Included ──
195967001      Asthma  # uncertainty=1
389145006      Allergic asthma

# ── Candidates ──
# ? 57607007  Irritant-induced asthma  # source=search:3
# ? 41553006  Occupational asthma
"""


@pytest.fixture
def cl():
    return parse(TEXT, path="demo.codelist")


def test_accessors(cl):
    assert cl.active_codes() == ["195967001", "389145006"]
    assert cl.pending_codes() == ["57607007", "41553006"]
    assert cl.excluded_codes() == []
    assert cl.line_for("195967001").tags == {"uncertainty": "1"}
    assert [ln.code for ln in cl.code_lines("pending")] == ["57607007", "41553006"]
    assert cl.terms()["389145006"] == "Allergic asthma"
    assert cl.lines_for("57607007")[0].lineno == 16
    assert cl.id == "demo" and cl.title == "Demo" and cl.method is None


def test_accept_keeps_place_and_adds_tags(cl):
    cl.accept("57607007", tags={"screened": "2"})
    line = cl.line_for("57607007")
    assert line.kind == "active"
    assert line.tags == {"source": "search:3", "screened": "2"}
    text = dumps(cl)
    assert "57607007       Irritant-induced asthma  # source=search:3 screened=2\n" in text
    assert text.index("57607007") > text.index("Candidates")


def test_exclude_with_reason(cl):
    cl.exclude("41553006", reason="negation", comment="not asthma itself")
    assert cl.excluded_codes() == ["41553006"]
    assert "# 41553006      Occupational asthma  # reason=negation not asthma itself" in dumps(cl)
    cl.exclude("195967001", reason="scope")
    assert cl.line_for("195967001").tags == {"uncertainty": "1", "reason": "scope"}
    cl.reinstate("195967001")
    assert cl.line_for("195967001").kind == "active"
    assert cl.line_for("195967001").tags == {"uncertainty": "1"}


def test_add_deduplicates_and_checks_codes(cl):
    before = len(cl.lines)
    assert cl.add_active("195967001", "Asthma").lineno == 12  # existing line returned
    assert len(cl.lines) == before
    cl.add_pending("22298006", "Myocardial infarction", tags={"source": "ecl"})
    cl.add_excluded("73211009", "Diabetes mellitus", reason="scope")
    assert cl.pending_codes()[-1] == "22298006"
    assert cl.excluded_codes() == ["73211009"]
    with pytest.raises(CodelistFormatError) as info:
        cl.add_active("J45", "Asthma")
    assert "not a SNOMED CT code" in info.value.message
    with pytest.raises(CodelistFormatError):
        cl.add_active("22298006", "two\nlines")
    with pytest.raises(CodelistFormatError):
        cl.add_active("22298006", "x", tags={"bad key": "v"})


def test_moving_an_absent_code_is_an_error(cl):
    with pytest.raises(CodelistFormatError):
        cl.accept("195967001")  # active, not pending
    with pytest.raises(CodelistFormatError):
        cl.exclude("22298006")


def test_set_tags_and_remove_tag(cl):
    cl.set_tags("389145006", uncertainty=2, source="ecl")
    assert cl.line_for("389145006").tags == {"uncertainty": "2", "source": "ecl"}
    cl.set_tags("389145006", source=None)
    assert cl.line_for("389145006").tags == {"uncertainty": "2"}


def test_touch_and_method_block_edit_only_their_keys(cl):
    cl.touch("2026-02-02")
    cl.method = {"definition": "asthma diagnosis", "searches": [{"id": 3, "query": "asthma"}]}
    text = dumps(cl)
    assert "updated: 2026-02-02\nversion: 2\n" in text
    assert "created: 2026-01-01\n" in text
    assert "method:\n  definition: asthma diagnosis\n  searches:\n  - id: 3\n" in text
    again = parse(text)
    assert again.method["searches"][0]["query"] == "asthma"
    assert dumps(again) == text


def test_untouched_lines_keep_their_exact_text():
    text = "---\nid: x\n---\n195967001 Asthma   # odd   spacing\n"
    cl = parse(text)
    cl.add_active("389145006", "Allergic asthma")
    assert dumps(cl).startswith("---\nid: x\n---\n195967001 Asthma   # odd   spacing\n")


def test_split_comment():
    assert split_comment("a=1 b=x:y free text") == ({"a": "1", "b": "x:y"}, "free text")
    assert split_comment("free a=1") == ({}, "free a=1")
    assert split_comment(None) == ({}, None)
    assert split_comment("a=1") == ({"a": "1"}, None)


def test_line_as_dict():
    line = Line("active", "195967001", "Asthma", None, {"uncertainty": "1"}, lineno=3)
    assert line.as_dict() == {"kind": "active", "line": 3, "code": "195967001",
                              "term": "Asthma", "tags": {"uncertainty": "1"}, "comment": None}


def test_plugin_fixtures(make_codelist, sct_codelist):
    cl = make_codelist("195967001      Asthma\n", status="published")
    assert cl.active_codes() == ["195967001"] and cl.meta["status"] == "published"
    icd = make_codelist("J45.9  Asthma, unspecified\n", terminology="icd10")
    assert icd.system.id == "icd10" and icd.active_codes() == ["J45.9"]
    assert sct_codelist.name == "asthma-diagnosis.codelist"
