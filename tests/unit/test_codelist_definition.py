"""The `definition:` front-matter key: reading, writing, sct compatibility, resolution."""

from __future__ import annotations

import pytest

from codelists.codelist.definition import (
    Definition,
    Rule,
    Status,
    infer,
    resolve,
    resolve_below,
)
from codelists.codelist.fileformat import dumps, load, parse
from codelists.codelist.validate import validate
from codelists.errors import CodelistFormatError, UserError


class Tree:
    r"""OpenCodelists' node_status example::

           a
          / \
         b   c
        / \ / \
       d   e   f
      / \ / \ / \
     g   h   i   j
    """

    EDGES = {"b": "a", "c": "a", "d": "b", "e": "bc", "f": "c", "g": "d", "h": "de",
             "i": "ef", "j": "f"}

    def parents(self, code):
        return list(self.EDGES.get(code, ""))

    def descendants(self, code):
        out = set()
        for child, ps in self.EDGES.items():
            if code in ps:
                out |= {child} | self.descendants(child)
        return out


NODES = "abcdefghij"


def test_builder_semantics_of_the_opencodelists_example():
    rules = [Rule("a", True), Rule("e", True), Rule("b", False), Rule("c", False)]
    got = resolve(rules, NODES, Tree())
    inc, exc = Status.INCLUDED, Status.EXCLUDED
    assert got == {"a": inc, "b": exc, "c": exc, "d": exc, "e": inc, "f": exc, "g": exc,
                   "h": inc, "i": inc, "j": exc}


def test_conflict_and_unresolved():
    got = resolve([Rule("d", True), Rule("f", False)], NODES, Tree())
    assert got["g"] is Status.INCLUDED and got["j"] is Status.EXCLUDED
    assert got["h"] is Status.INCLUDED  # h's only decided ancestor is d
    assert got["i"] is Status.EXCLUDED
    got = resolve([Rule("b", True), Rule("c", False)], NODES, Tree())
    assert got["e"] is Status.CONFLICTED and got["h"] is Status.CONFLICTED
    assert got["a"] is Status.UNRESOLVED


def test_fast_path_agrees_with_parent_walk():
    rules = [Rule("b", True), Rule("c", False), Rule("i", True)]
    slow = resolve(rules, NODES, Tree())
    fast = resolve_below(rules, Tree().descendants)
    assert {c: s for c, s in slow.items() if s is not Status.UNRESOLVED} == fast


def test_infer_is_top_down_and_minimal_on_the_example():
    wanted = {"a", "b", "c", "d", "e", "f", "g", "h", "i"}  # everything but j
    assert infer(wanted, NODES, Tree()) == (Rule("a", True), Rule("j", False))
    rules = infer({"h", "i"}, NODES, Tree())
    assert {c for c, s in resolve(rules, NODES, Tree()).items()
            if s is Status.INCLUDED} == {"h", "i"}


FRONT = """---
id: demo
title: Demo
terminology: SNOMED CT
created: 2026-01-01
updated: 2026-01-01
version: 1
status: draft
{extra}---

128133004      Disorder of elbow
"""


def test_mapping_round_trip_and_yaml_layout():
    d = Definition("<< 19660004 |Disorder of soft tissue|",
                   (Rule("128133004", True), Rule("3723001", False)))
    assert Definition.from_mapping(d.to_mapping()) == d
    cl = parse(FRONT.format(extra=""), path="demo.codelist")
    assert cl.definition == Definition() and cl.definition.is_empty()
    cl.definition = d
    text = dumps(cl)
    assert ("definition:\n  ecl: << 19660004 |Disorder of soft tissue|\n  rules:\n"
            "  - code: '128133004'\n    include: true\n  - code: '3723001'\n"
            "    include: false\n---\n") in text
    again = parse(text)
    assert again.definition == d
    assert dumps(again) == text
    again.definition = None
    assert "definition" not in dumps(again)


def test_files_without_a_definition_stay_byte_for_byte(sct_codelist):
    data = sct_codelist.read_bytes()
    cl = load(sct_codelist)
    assert cl.definition.is_empty()
    cl.definition = Definition()  # setting an empty one writes nothing
    assert dumps(cl).encode("utf-8") == data


def test_adding_a_definition_keeps_the_other_keys_bytes(sct_codelist):
    original = sct_codelist.read_text(encoding="utf-8")
    cl = load(sct_codelist)
    cl.definition = Definition(rules=(Rule("195967001", True),))
    text = dumps(cl)
    head, rest = original.split("\n---\n", 1)
    assert text.startswith(head + "\ndefinition:\n  rules:\n  - code: '195967001'\n")
    assert text.endswith("---\n" + rest)


@pytest.mark.parametrize(("value", "words"), [
    ("<< 1", "expected a mapping"),
    ({"ecl": "<< 1", "rule": []}, "unknown key(s) rule"),
    ({"ecl": 5}, "ecl must be text"),
    ({"ecl": "<< AND"}, "ecl does not parse"),
    ({"rules": {"code": "1"}}, "rules must be a list"),
    ({"rules": [{"code": "1"}]}, "needs include: true or include: false"),
    ({"rules": [{"include": True}]}, "needs a code"),
    ({"rules": ["1"]}, "not a mapping"),
    ({"rules": [{"code": "1", "include": True, "x": 1}]}, "unknown key(s) x"),
    ({"rules": [{"code": "1", "include": True}, {"code": "1", "include": False}]},
     "more than one rule"),
])
def test_bad_definitions_name_the_file_and_a_fix(value, words):
    with pytest.raises(UserError) as info:
        Definition.from_mapping(value, source="demo.codelist")
    assert words in info.value.message
    assert info.value.path == "demo.codelist" and info.value.hint


def test_validate_reports_a_bad_definition_on_its_line():
    cl = parse(FRONT.format(extra="definition:\n  rules: [{code: '1'}]\n"),
               path="demo.codelist")
    with pytest.raises(CodelistFormatError):
        cl.definition  # noqa: B018
    problems = [p for p in validate(cl) if p.rule == "definition"]
    assert len(problems) == 1 and problems[0].line == 9


def test_with_rule_replaces_and_without_rule_drops():
    d = Definition().with_rule("1", True).with_rule("2", False).with_rule("1", False)
    assert d.rules == (Rule("2", False), Rule("1", False))
    assert d.without_rule("2").rules == (Rule("1", False),)
    assert Definition(ecl="  ").is_empty()
