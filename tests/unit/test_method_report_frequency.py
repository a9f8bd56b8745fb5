"""The methods report shows a recorded frequency check's sensitivity analysis."""

from codelists.codelist.fileformat import parse
from codelists.method.report import document, markdown

TEXT = """---
id: sob
title: Shortness of breath
description: d
terminology: icd10cm
created: '2026-01-01'
updated: '2026-01-01'
version: 1
status: draft
licence: CC-BY-4.0
copyright: c
appropriate_use: a
misuse: m
method:
  frequency:
    engine: duckdb
    window: "-365:-1"
    disclosure: {threshold: 10, rounding: 5}
    cohort_patients: 200
    outcomes:
    - {level: all, max_uncertainty: null, codes: 16, patients: 130, episodes: 195, proportion: 0.65}
    - {level: u0, max_uncertainty: 0, codes: 9, patients: 115, episodes: 175, proportion: 0.575}
    - {level: u1, max_uncertainty: 1, codes: 13, patients: null, episodes: 190, proportion: null}
    codes_never_used: ['R06.81', 'R06.89']
---

R06.02  Shortness of breath  # uncertainty=0
"""


def test_report_shows_the_sensitivity_table():
    text = markdown(document(parse(TEXT)))
    section = text[text.index("Frequency check"):]
    assert "uncertainty 0" in section and "uncertainty <= 1" in section
    row = next(line for line in section.splitlines() if line.startswith("| uncertainty 0"))
    assert "115" in row and "-15" in row and "-20" in row  # differences from all codes
    suppressed = next(line for line in section.splitlines()
                      if line.startswith("| uncertainty <= 1"))
    assert "<10" in suppressed  # a suppressed count is shown as suppressed, never as 0
    assert "Codes never used (2): R06.81, R06.89." in section


def test_report_without_a_frequency_check_says_so():
    plain = TEXT[:TEXT.index("method:")] + TEXT[TEXT.index("---\n\nR06"):]
    assert "No frequency check is recorded." in markdown(document(parse(plain)))
