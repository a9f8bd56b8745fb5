"""validate, lint, stats and diff, against a real SNOMED CT store (tests/data/snomed-small)."""

from __future__ import annotations

import pytest

from codelists.codelist.diff import diff
from codelists.codelist.fileformat import parse
from codelists.codelist.lint import lint
from codelists.codelist.stats import stats
from codelists.codelist.validate import has_errors, validate
from codelists.terminology.registry import open_terminology

HEAD = """---
id: arthritis
title: Arthritis
description: Arthritis codes
terminology: SNOMED CT
created: 2026-01-01
updated: 2026-01-01
version: 1
status: {status}
licence: CC-BY-4.0
copyright: Someone
appropriate_use: Studies of arthritis
misuse: Not for gout
snomed_release: '20250101'
---

"""


@pytest.fixture(scope="module")
def small(snomed_small_store):
    terminology = open_terminology(snomed_small_store)
    yield terminology
    terminology.close()


def make(body: str, status: str = "draft"):
    return parse(HEAD.format(status=status) + body, path="arthritis.codelist")


def rules(problems):
    return sorted({(p.rule, p.severity) for p in problems})


def test_a_clean_list_is_valid(small):
    cl = make("3723001        Arthritis\n69896004       Rheumatoid arthritis\n")
    assert validate(cl, small) == []


def test_store_checks(small):
    cl = make("3723001        Arthritis NOS old term\n"
              "1000004        Arthritis NOS\n"
              "22298006       Myocardial infarction\n"
              "# ? 69896004  Rheumatoid arthritis\n")
    problems = validate(cl, small)
    assert ("inactive-code", "error") in rules(problems)
    assert ("unknown-code", "error") in rules(problems)
    assert ("term-drift", "warning") in rules(problems)
    assert ("pending", "warning") in rules(problems)
    inactive = next(p for p in problems if p.rule == "inactive-code")
    assert (inactive.code, inactive.line) == ("1000004", 18)
    assert has_errors(problems)


def test_published_needs_signoffs_and_real_fields(small):
    text = HEAD.format(status="published").replace("misuse: Not for gout", "misuse: ''")
    cl = parse(text + "3723001        Arthritis\n3723001        Arthritis\n", path="a.codelist")
    problems = validate(cl, small)
    assert ("signoff", "error") in rules(problems)
    assert ("placeholder", "error") in rules(problems)
    assert ("duplicate", "error") in rules(problems)


def test_missing_required_keys_and_stray_lines():
    cl = parse("---\nid: x\nterminology: SNOMED CT\n---\nJ45  Asthma\n", path="x.codelist")
    problems = validate(cl)
    assert ("required-field", "error") in rules(problems)
    stray = next(p for p in problems if p.rule == "stray-line")
    assert stray.line == 5 and "not a SNOMED CT code" in stray.message


def test_wrong_store(small):
    cl = parse(HEAD.format(status="draft").replace("SNOMED CT", "ICD-10") + "J45  Asthma\n")
    assert rules(validate(cl, small)) == [("wrong-store", "error")]


def test_lint_term_rules_and_silencing():
    cl = make("195967001      No history of asthma\n"
              "3723001        Family history of arthritis\n"
              "69896004       Arthritis screening\n"
              "439656005      History of arthritis of elbow  # lint=history-of\n"
              "429554009      Suspected arthropathy of elbow\n"
              "928000         Disorder, not otherwise specified\n")
    found = {(p.rule, p.code) for p in lint(cl)}
    assert ("negation", "195967001") in found
    assert ("family-history", "3723001") in found
    assert ("screening", "69896004") in found
    assert ("suspected", "429554009") in found
    assert not any(code == "439656005" for _, code in found)  # silenced on its line
    assert not any(code == "928000" for _, code in found)  # NOS is not negation
    assert all(p.line for p in lint(cl))


def test_lint_inactive_gives_replacements(small):
    cl = make("1000004        Arthritis NOS\n156659008      Tennis or golfers elbow\n")
    problems = {p.code: p for p in lint(cl, small) if p.rule == "inactive"}
    assert "SAME AS" in problems["1000004"].message or "3723001" in problems["1000004"].message
    assert "439656005" in problems["156659008"].message


def test_lint_scope_icd10():
    text = HEAD.format(status="draft").replace("SNOMED CT", "ICD-10").replace(
        "snomed_release: '20250101'", "scope:\n- C00-C97")
    cl = parse(text + "C50.9  Breast cancer\nD05.1  Carcinoma in situ of breast\n"
                      "C97    Multiple primaries\n")
    out = [p for p in lint(cl) if p.rule == "out-of-scope"]
    assert [p.code for p in out] == ["D05.1"]


def test_lint_scope_snomed_hierarchy(small):
    text = HEAD.format(status="draft").replace("snomed_release: '20250101'",
                                              "scope: <<3723001")
    cl = parse(text + "69896004       Rheumatoid arthritis\n195967001      Asthma\n")
    assert [p.code for p in lint(cl, small) if p.rule == "out-of-scope"] == ["195967001"]


def test_lint_mixed_systems_and_excel_damage():
    cl = make("H33..  Asthma (Read code)\n29903411000001100  Excel-rounded dm+d id\n")
    found = {p.rule for p in lint(cl)}
    assert {"mixed-systems", "excel-damage"} <= found


def test_stats_with_store(small):
    cl = make("3723001        Arthritis\n69896004       Rheumatoid arthritis\n"
              "# 195967001      Asthma\n")
    import datetime

    data = stats(cl, small, today=datetime.date(2026, 1, 1))
    assert data["counts"] == {"active": 2, "excluded": 1, "pending": 0, "headings": 0}
    assert data["leaves"] == 1 and data["intermediate"] == 1
    assert data["release"] == {"date": "2025-01-01", "age_days": 365, "stale": False}


def test_diff():
    a = make("3723001        Arthritis\n69896004       Rheumatoid arthritis\n"
             "439656005      Arthritis of elbow\n")
    b = make("3723001        Arthritis (disorder)\n# 69896004       Rheumatoid arthritis\n"
             "928000         Disorder of musculoskeletal system\n")
    result = diff(a, b)
    assert result.added == [("928000", "Disorder of musculoskeletal system")]
    assert result.removed == [("439656005", "Arthritis of elbow")]
    assert result.excluded == [("69896004", "Rheumatoid arthritis")]
    assert result.term_changed == [("3723001", "Arthritis", "Arthritis (disorder)")]
    text = result.render("a", "b")
    assert "Moved to excluded (1):\n  ~ 69896004" in text
    assert diff(a, a).empty


def test_validate_and_lint_an_icd10cm_codelist(icd10cm):
    text = HEAD.format(status="draft").replace("SNOMED CT", "ICD-10-CM").replace(
        "snomed_release: '20250101'", "scope:\n- E08-E13")
    cl = parse(text + "E11.9  Type 2 diabetes mellitus without complications\n"
                      "E119   Type 2 diabetes mellitus without complications\n"
                      "E11.99 Not a real code\n"
                      "Z83.3  Family history of diabetes mellitus\n", path="dm.codelist")
    problems = validate(cl, icd10cm)
    unknown = [p.code for p in problems if p.rule == "unknown-code"]
    assert unknown == ["E11.99"]
    assert ("duplicate", "error") not in rules(problems)  # E11.9 and E119 are written apart
    findings = {(p.rule, p.code) for p in lint(cl, icd10cm)}
    assert ("family-history", "Z83.3") in findings
    assert ("out-of-scope", "Z83.3") in findings
    assert ("out-of-scope", "E11.9") not in findings
    assert ("duplicate", "E119") in findings  # the same code written undotted


@pytest.mark.parametrize("rules,expected", [
    ("128133004,Disorder of elbow,+\n", "disorder-of-elbow.csv"),
    ("128133004,Disorder of elbow,+\n3723001,Arthritis,-\n",
     "disorder-of-elbow-excl-arthritis.csv"),
])
def test_definition_rules_expand_as_opencodelists_does(rules, expected, shared, tmp_path,
                                                       snomed_elbow_store):
    import csv

    from codelists.formats import import_file
    from codelists.formats.opencodelists import expand_definition

    path = tmp_path / "definition.csv"
    path.write_text("code,term,is_included\n" + rules)
    terminology = open_terminology(snomed_elbow_store)
    imported = expand_definition(import_file(path), terminology)
    fixtures = shared / ("data/terminologies/opencodelists-fixtures/coding_systems/snomedct/"
                         "fixtures")
    with open(fixtures / expected, newline="") as fh:
        want = {row["code"] for row in csv.DictReader(fh)}
    # OpenCodelists also lists 156659008, an inactive concept it places under the elbow
    # through history; our hierarchy holds active concepts only
    inactive = {c for c, concept in terminology.lookup_many(sorted(want)).items()
                if not concept.active}
    assert inactive == {"156659008"}
    assert set(imported.included()) == want - inactive
