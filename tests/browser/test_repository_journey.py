"""A new user's journey through the repository in Debian's chromium (Playwright):
sign up, create an article, upload two codelists, browse, search by code, download all
codes.  A screenshot is saved under test-results/screenshots/ when it fails."""

from __future__ import annotations

import csv
import io

import pytest

from tests.plugins.web import ASTHMA, PASSWORD, make_codelist_text

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_new_user_journey(page, live_server, tmp_path, shared, fast_passwords):
    url = live_server.url
    page.goto(url + "/")
    page.get_by_role("link", name="Sign up").click()
    page.fill("#id_username", "researcher")
    page.fill("#id_email", "researcher@example.org")
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    page.fill("#id_orcid", "0000-0002-1825-0097")
    page.get_by_role("button", name="Create account").click()
    assert page.get_by_text("Welcome! Your account is ready.").is_visible()

    page.get_by_role("link", name="Deposit").click()
    page.fill("#id_title", "Asthma and HDL cholesterol in primary care")
    page.fill("#id_authors", "R. Searcher\nC. O. Author")
    page.fill("#id_year", "2025")
    page.fill("#id_tags", "asthma, cholesterol")
    page.click("#deposit-next")

    asthma = tmp_path / "asthma.codelist"
    asthma.write_text(make_codelist_text(**ASTHMA), encoding="utf-8")
    hdl = (shared / "data/codelists/opensafely-post-covid-vaccinated/codelists/"
           "bristol-hdl-cholesterol.csv")
    page.set_input_files("#id_files", [str(asthma), str(hdl)])
    page.click("#upload")
    assert page.locator("section.entry").count() == 2
    assert page.locator("#entry-1").get_by_text("Column mapping").is_visible()
    page.click("#confirm")
    page.wait_for_url("**/articles/*/")
    assert page.locator("h1").inner_text() == "Asthma and HDL cholesterol in primary care"
    assert page.get_by_role("link", name="Asthma", exact=True).is_visible()

    page.get_by_role("link", name="Browse").click()
    page.wait_for_function("window.htmx !== undefined")  # filters submit through htmx
    page.select_option("#f-system", "snomedct")
    page.wait_for_url("**system=snomedct**")
    assert page.get_by_role("link", name="Asthma and HDL cholesterol in primary care").is_visible()

    page.goto(url + "/search/")
    page.fill("#s-code", "195967001")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="Asthma", exact=True).click()
    assert page.get_by_text("version 1 of 1").is_visible()
    page.get_by_role("link", name="Asthma and HDL cholesterol in primary care").click()

    with page.expect_download() as download_info:
        page.click("#download-all-csv")
    download = download_info.value
    rows = list(csv.DictReader(io.StringIO(open(download.path(), encoding="utf-8").read())))
    assert {r["codelist"] for r in rows} == {"asthma", "bristol-hdl-cholesterol"}
    assert "195967001" in {r["code"] for r in rows}
    assert {r["licence"] for r in rows} == {"CC-BY-4.0"}


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
