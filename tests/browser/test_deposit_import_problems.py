"""The deposit page shows the importer's problems as `codelist import` does (issue 13):
every bad cell with its line, each change to a code, and a list with no included code
never ready, in Debian's chromium (Playwright)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.plugins.web import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_deposit_shows_import_problems(page, live_server, test_data, web_users):
    url = live_server.url
    page.goto(url + "/accounts/login/")
    page.fill("#id_username", "depositor")
    page.fill("#id_password", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    page.goto(url + "/deposit/")
    page.fill("#id_title", "Anxiety in CPRD GOLD")
    page.fill("#id_authors", "R. Searcher")
    page.fill("#id_year", "2025")
    page.click("#deposit-next")

    hostile = test_data / "import-hostile"
    page.set_input_files("#id_files", [str(hostile / name) for name in
                                       ("scientific.tsv", "dagger.csv", "header-only.csv")])
    page.click("#upload")
    assert page.locator("section.entry").count() == 3
    first = page.locator("#entry-0")
    expect(first.get_by_text("line 3: '1.23E+05'", exact=False)).to_be_visible()
    expect(page.locator("#entry-1").get_by_text("stored as B01.2", exact=False).first).to_be_visible()
    expect(page.locator("#entry-2").get_by_text("no rows of codes", exact=False)).to_be_visible()
    assert page.locator("#confirm").is_disabled()
    page.screenshot(path="test-results/screenshots/deposit-import-problems.png", full_page=True)
