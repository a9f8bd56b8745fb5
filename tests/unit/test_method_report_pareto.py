"""The methods report draws the frequency check's Pareto chart from the recorded top
codes (codelists.method.pareto), with the table beside it."""

from __future__ import annotations

import re

from codelists.codelist.template import new_codelist
from codelists.method import pareto, report


def test_pareto_rows_and_svg():
    top = [{"code": "R06.02", "episodes": 30, "patients": 28},
           {"code": "R06.09", "episodes": 60, "patients": 50},
           {"code": "R06.00", "episodes": 10, "patients": 10}]
    assert pareto.rows_of(top) == [("R06.09", 60, 0.6), ("R06.02", 30, 0.9),
                                   ("R06.00", 10, 1.0)]
    svg = pareto.svg(top)
    assert svg.startswith("<svg") and svg.count("<rect") == 3
    heights = [float(h) for h in re.findall(r'<rect [^>]*height="([\d.]+)"', svg)]
    assert heights == sorted(heights, reverse=True)  # most used first
    assert "R06.09: 60 episodes" in svg


def test_the_report_embeds_the_chart_and_table():
    codelist = new_codelist(None, id="sob", title="SOB", terminology="icd10cm",
                            today="2026-01-01")
    codelist.add_active("R06.02", "Shortness of breath")
    codelist.method = {"frequency": {"cohort_patients": 100, "top_codes": [
        {"code": "R06.02", "episodes": 5, "patients": 5}]}}
    blocks = report.document(codelist)
    images = [b for b in blocks if b[0] == "image" and b[1] == "pareto.svg"]
    assert len(images) == 1
    table = next(b for b in blocks if b[0] == "table" and "Cumulative %" in b[1])
    assert table[2] == [["R06.02", "Shortness of breath", 5, 5, "100.0"]]


def test_the_chart_is_labelled_with_terms_and_names_the_50_and_90_percent_lines():
    top = [{"code": "R06.02", "episodes": 30, "patients": 28},
           {"code": "R06.09", "episodes": 60, "patients": 50}]
    svg = pareto.svg(top, terms={"R06.02": "Shortness of breath",
                                 "R06.09": "Other forms of dyspnea and a very long tail"},
                     total=200)
    assert "R06.02 Shortness of breath" in svg and "R06.09 Other forms of dyspnea and…" in svg
    assert "50% of episodes" in svg and "90% of episodes" in svg
    assert pareto.rows_of(top, 200) == [("R06.09", 60, 0.3), ("R06.02", 30, 0.45)]


def test_the_html_report_is_a_styled_supplement():
    codelist = new_codelist(None, id="sob", title="SOB", terminology="icd10cm",
                            today="2026-01-01")
    codelist.add_active("R06.02", "Shortness of breath")
    page = report.html(report.document(codelist), "Methods report: SOB")
    assert "@media print" in page and "@page" in page and 'class="toc"' in page
    assert '<header class="report"><h1>Methods report: SOB</h1>' in page
    assert 'id="6-the-codelist"' in page and 'href="#6-the-codelist"' in page
