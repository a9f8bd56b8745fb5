"""Search strategies with ECL and hierarchy expansion on a real SNOMED CT slice."""

from codelists.ecl import evaluate
from codelists.method.candidates import run
from codelists.method.replay import replay
from codelists.method.strategy import Strategy
from codelists.terminology.registry import open_terminology

HEADER = """---
id: elbow
title: Elbow disorders
description: test
terminology: snomedct
created: 2026-11-22
updated: 2026-11-22
version: 1
status: draft
licence: CC-BY-4.0
copyright: test
appropriate_use: test
misuse: test
---
"""


def codelist_with(search: dict):
    from codelists.codelist.fileformat import parse

    codelist = parse(HEADER)
    codelist.method = {"search": search}
    return codelist


def test_ecl_members_join_the_candidates(snomed_elbow_store):
    terminology = open_terminology(snomed_elbow_store)
    try:
        codelist = codelist_with({"rules": [{"id": 1, "text": "elbow", "mode": "word"}],
                                  "ecl": ["<< 128133004"]})
        outcome = replay(codelist, terminology.iter_descriptions(), terminology=terminology)
        members = {str(i) for i in evaluate("<< 128133004", terminology)}
        searched = set(run(Strategy.from_dict({"rules": ["elbow"]}),
                           terminology.iter_descriptions()).codes())
        by_code = outcome.result.by_code()
        assert members <= set(by_code)
        assert {c for c, cand in by_code.items() if cand.via == "ecl:1"} == members - searched
        assert codelist.line_for("202855006").tags == {"source": "search:1"}
    finally:
        terminology.close()


def test_descendants_of_hits_are_candidates(snomed_elbow_store):
    terminology = open_terminology(snomed_elbow_store)
    try:
        codelist = codelist_with({"rules": [{"id": 1, "text": "disorder of elbow",
                                             "mode": "phrase"}], "expand": "descendants"})
        replay(codelist, terminology.iter_descriptions(), terminology=terminology)
        descendants = set(terminology.descendants("128133004"))
        assert descendants and descendants <= set(codelist.pending_codes())
        tags = {codelist.line_for(c).tags["source"] for c in descendants}
        assert tags <= {"search:1", "descendant:128133004"} and "descendant:128133004" in tags
        assert codelist.line_for("128133004").term == "Disorder of elbow"
    finally:
        terminology.close()
