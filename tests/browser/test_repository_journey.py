"""A new user's journey through the repository in Debian's chromium (Playwright), step by
step as the tutorial docs/tutorials/repository-deposit.md tells it: sign up, enter the
article, upload two codelists, describe the one that lacks a description, confirm and
publish, add a co-author and download all codes, then on a codelist page filter its
codes, publish a new version, compare the two and copy the citation; browse and search by
code.  The labels the tutorial names are checked to be the pages' own."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.plugins.web import ASTHMA, PASSWORD, make_codelist_text

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


TUTORIAL_LABELS = ["Sign up", "Deposit", "standalone collection", "Upload", "Apply",
                   "Describe this codelist", "Confirm and publish", "Add a co-author",
                   "All codes as one CSV", "Publish new version", "Compare version", "BibTeX",
                   "RIS", "Search"]


def test_the_tutorial_names_the_pages_labels():
    tutorial = Path(__file__).resolve().parents[2] / "docs/tutorials/repository-deposit.md"
    text = tutorial.read_text(encoding="utf-8")
    missing = [label for label in TUTORIAL_LABELS if label.lower() not in text.lower()]
    assert missing == []


def test_new_user_journey(page, live_server, tmp_path, shared, fast_passwords, web_users):
    url = live_server.url
    seen: list[str] = []  # the visible text of every page, for the tutorial's labels
    page.goto(url + "/")
    seen.append(page.inner_text("body"))
    page.get_by_role("link", name="Sign up").click()
    page.fill("#id_username", "researcher")
    page.fill("#id_email", "researcher@example.org")
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    page.fill("#id_orcid", "0000-0002-1825-0097")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_text("Welcome! Your account is ready.")).to_be_visible()

    page.get_by_role("link", name="Deposit").click()
    page.fill("#id_title", "Asthma and HDL cholesterol in primary care")
    page.fill("#id_authors", "R. Searcher\nC. O. Author")
    page.fill("#id_year", "2025")
    page.fill("#id_tags", "asthma, cholesterol")
    seen.append(page.inner_text("body"))
    page.click("#deposit-next")

    asthma = tmp_path / "asthma.codelist"
    asthma.write_text(make_codelist_text(**ASTHMA), encoding="utf-8")
    hdl = (shared / "data/codelists/opensafely-post-covid-vaccinated/codelists/"
           "bristol-hdl-cholesterol.csv")
    page.set_input_files("#id_files", [str(asthma), str(hdl)])
    page.click("#upload")
    assert page.locator("section.entry").count() == 2
    expect(page.locator("#entry-1").get_by_text("Column mapping")).to_be_visible()
    # the CSV has no description: the deposit asks for one (htmx replaces the card)
    card = page.locator("#entry-1")
    expect(card.get_by_text("Describe this codelist for its readers")).to_be_visible()
    card.locator("textarea[name=d1-description]").fill("HDL cholesterol test results.")
    card.locator("textarea[name=d1-appropriate_use]").fill("Primary care, adults.")
    card.locator("textarea[name=d1-misuse]").fill("Not for hospital data.")
    seen.append(page.inner_text("body"))
    page.screenshot(path="test-results/screenshots/deposit-describe.png", full_page=True)
    card.get_by_role("button", name="Save the description").click()
    page.wait_for_function("!document.querySelector('#entry-1').innerText"
                           ".includes('Describe this codelist')")
    seen.append(page.inner_text("body"))
    page.click("#confirm")
    page.wait_for_url("**/articles/*/")
    assert page.locator("h1").inner_text() == "Asthma and HDL cholesterol in primary care"
    expect(page.get_by_role("link", name="Asthma", exact=True)).to_be_visible()

    page.get_by_role("link", name="Browse").click()
    page.wait_for_function("window.htmx !== undefined")  # filters submit through htmx
    page.select_option("#f-system", "snomedct")
    page.wait_for_url("**system=snomedct**")
    expect(page.get_by_role("link", name="Asthma and HDL cholesterol in primary care")).to_be_visible()

    page.goto(url + "/search/")
    page.fill("#s-code", "195967001")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="Asthma", exact=True).click()
    expect(page.get_by_text("version 1 of 1")).to_be_visible()
    page.get_by_role("link", name="Asthma and HDL cholesterol in primary care").click()

    with page.expect_download() as download_info:
        page.click("#download-all-csv")
    download = download_info.value
    rows = list(csv.DictReader(io.StringIO(open(download.path(), encoding="utf-8").read())))
    assert {r["codelist"] for r in rows} == {"asthma", "bristol-hdl-cholesterol"}
    assert "195967001" in {r["code"] for r in rows}
    assert {r["licence"] for r in rows} == {"CC-BY-4.0"}

    # step 6: a co-author
    page.fill("#id_username", "coauthor")
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page.get_by_text("(Co-author)", exact=False)).to_be_visible()
    seen.append(page.inner_text("body"))

    # step 7: on a codelist page, filter its codes, publish a new version, compare, cite
    page.get_by_role("link", name="Bristol hdl cholesterol").click()
    page.get_by_role("tab", name="About").click()
    expect(page.get_by_text("HDL cholesterol test results.").first).to_be_visible()
    expect(page.get_by_text("Primary care, adults.")).to_be_visible()
    with page.expect_download() as download_info:
        page.click("#download-codelist")
    text = open(download_info.value.path(), encoding="utf-8").read()
    changed = tmp_path / "bristol-hdl-cholesterol.codelist"
    first_code = next(line.split()[0] for line in text.split("---", 2)[2].splitlines()
                      if line.strip() and not line.startswith("#"))
    changed.write_text(text.replace(f"\n{first_code} ", f"\n# {first_code} ", 1),
                       encoding="utf-8")
    page.set_input_files("input[name=file]", str(changed))
    page.fill("input[name=note]", "excluded one code")
    page.get_by_role("button", name="Publish new version").click()
    expect(page.get_by_text("version 2 of 2")).to_be_visible()
    page.get_by_role("button", name="Diff").click()
    expect(page.get_by_text(first_code).first).to_be_visible()
    page.go_back()
    seen.append(page.inner_text("body"))
    assert "Bristol hdl cholesterol" in page.locator("pre.cite").first.inner_text()
    text = "\n".join(seen).lower()
    assert [label for label in TUTORIAL_LABELS if label.lower() not in text] == []


def test_a_long_code_table_grows_on_request(page, live_server, web_users):
    from webapp.repository import actions

    article = actions.create_article(web_users["depositor"], title="Many codes", authors="A",
                                     year=2024)
    codes = [(f"{chr(65 + i // 100)}{i % 100:02d}", f"Term {i}") for i in range(1234)]
    codelist = actions.add_codelist(web_users["depositor"], article, actions.NewCodelist(
        make_codelist_text(id="many", title="Many", system="icd10", active=codes)))
    page.goto(f"{live_server.url}/codelists/{codelist.pk}/")
    page.wait_for_function("window.htmx !== undefined")
    page.get_by_role("tab", name="Full list").click()
    rows = page.locator("#codes-active tbody tr:not(.more)")
    assert rows.count() == 500
    page.get_by_role("link", name="Show the next 500 codes").click()
    page.wait_for_function(
        "document.querySelectorAll('#codes-active tbody tr:not(.more)').length === 1000")
    page.get_by_role("link", name="Show the next 500 codes").click()
    page.wait_for_function(
        "document.querySelectorAll('#codes-active tbody tr:not(.more)').length === 1234")
    assert page.locator("#codes-active tr.more").count() == 0
    assert rows.last.locator("code").inner_text() == codes[-1][0]
