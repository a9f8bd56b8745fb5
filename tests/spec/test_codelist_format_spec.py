"""The normative spec (docs/reference/codelist-format.md) against the implementation."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from codelists.codelist.fileformat import dumps, parse, parse_line
from codelists.codelist.systems import SYSTEMS

SPEC = Path(__file__).resolve().parents[2] / "docs" / "reference" / "codelist-format.md"


def _blocks() -> list[str]:
    return re.findall(r"```\n(.*?)```", SPEC.read_text(encoding="utf-8"), re.S)


def test_the_spec_example_parses_and_round_trips():
    example = _blocks()[0]
    cl = parse(example)
    assert cl.active_codes() == ["195967001", "389145006", "266361008"]
    assert cl.line_for("389145006").tags == {"uncertainty": "1", "source": "search:3"}
    assert cl.line_for("41553006").tags == {"reason": "scope"}
    assert cl.line_for("41553006").comment == "separate pathway"
    assert cl.pending_codes() == ["57607007"]
    assert dumps(cl) == example


# (system, line, kind, code, term) -- one row per rule of the line grammar
TABLE = [
    ("snomedct", "", "blank", None, ""),
    ("snomedct", "195967001      Asthma", "active", "195967001", "Asthma"),
    ("snomedct", "195967001", "active", "195967001", ""),
    ("snomedct", "# 41553006      Occupational asthma", "excluded", "41553006",
     "Occupational asthma"),
    ("snomedct", "#41553006 x", "excluded", "41553006", "x"),
    ("snomedct", "# ? 57607007  Irritant", "pending", "57607007", "Irritant"),
    ("snomedct", "#? 57607007 Irritant", "pending", "57607007", "Irritant"),
    ("snomedct", "# ── Section ──", "heading", None, ""),
    ("snomedct", "## Section", "heading", None, ""),
    ("snomedct", "# concepts", "comment", None, ""),
    ("snomedct", "# 12345 too short for SNOMED", "comment", None, ""),
    ("snomedct", "Asthma", "comment", None, ""),  # stray: validate reports it
    ("ctv3", "# Notes on this list", "comment", None, ""),
    ("ctv3", "# XaBVJ  Asthma", "excluded", "XaBVJ", "Asthma"),
    ("ctv3", "# X1234 Asthma", "excluded", "X1234", "Asthma"),
    ("ctv3", "XaBVJ Asthma", "active", "XaBVJ", "Asthma"),
    ("readv2", "H33..00  Asthma", "active", "H33..00", "Asthma"),
    ("icd10", "J45.0  Predominantly allergic asthma", "active", "J45.0",
     "Predominantly allergic asthma"),
    ("icd10", "J450  Undotted", "active", "J450", "Undotted"),
    ("opcs4", "# K40.1  Saphenous vein graft  # reason=scope", "excluded", "K40.1",
     "Saphenous vein graft"),
    ("snomedct", "195967001  A \\# B  # c", "active", "195967001", "A # B"),
]


@pytest.mark.parametrize("system,line,kind,code,term", TABLE)
def test_line_grammar(system, line, kind, code, term):
    parsed = parse_line(line, SYSTEMS[system])
    assert (parsed.kind, parsed.code, parsed.term) == (kind, code, term)


def test_the_code_pattern_table_matches_the_implementation():
    text = SPEC.read_text(encoding="utf-8")
    for system in ("snomedct", "icd10", "icd10cm", "opcs4", "readv2", "ctv3", "dmd", "bnf"):
        row = next(r for r in text.splitlines() if r.startswith(f"| `{system}` |"))
        pattern = re.search(r"\| `([^`]+)`(?: \(word-like\))? \|$", row).group(1)
        assert pattern.replace("\\.", ".") in {SYSTEMS[system].pattern.replace("(?:", "(")
                                               .replace("\\.", ".")}, system
