"""The methods report as a publication supplement (#19, item 9), in Debian's chromium:
styled on screen, printed to A4 PDF without anything running off the page."""

from __future__ import annotations

import re

import pytest

from codelists.cli.main import main
from tests.functional.test_method_cli import develop

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def report(sob_dir, capsys, fill_sheet, freq_scenario):
    path = develop(sob_dir, capsys, fill_sheet)
    assert main(["define", path, "--feature", "Shortness of breath", "--box1-sources"]) == 0
    assert main(["review", "consensus", path]) == 0
    assert main(["frequency", path, "--events", str(freq_scenario.events), "--preset", "gold",
                 "--cohort", str(freq_scenario.cohort), "--window", "-1y:-1d",
                 "--threshold", "0", "--round", "1", "--record"]) == 0
    assert main(["report", path, "--out", str(sob_dir / "report")]) == 0
    return sob_dir / "report" / "report.html"


def test_the_report_reads_on_screen_and_prints_to_a4(chromium, report, tmp_path):
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(report.as_uri())
    assert page.locator("nav.toc a").count() >= 6
    pareto = page.locator("figure[aria-label='Pareto chart of code usage']")
    assert "101 Breathlessness" in pareto.inner_text()
    assert "50% of episodes" in pareto.inner_text() and "90% of episodes" in pareto.inner_text()
    assert page.locator("figure[aria-label='flow diagram'] svg").count() == 1
    page.screenshot(path=str(tmp_path / "report-screen.png"), full_page=True)
    page.emulate_media(media="print")
    assert page.locator("nav.toc").is_hidden()  # the contents list is for the screen
    overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
    page.set_viewport_size({"width": 700, "height": 990})  # A4 less margins, at 96 dpi
    assert not page.evaluate("document.documentElement.scrollWidth > window.innerWidth + 1")
    assert not overflow
    pdf = page.pdf(format="A4", print_background=True)
    assert pdf.startswith(b"%PDF")
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) >= 4
    context.close()
