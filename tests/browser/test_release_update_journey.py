"""A new terminology release on the site, in Debian's chromium (Playwright): a curator
checks the published codelists against the merged tennis release (a background job whose
page follows its progress), the affected list is flagged on the releases page and on its
own page, and its owner opens the update as a draft, reviews the pending lines (rejects
Tennis toe, accepts the rest) and publishes version 2 -- no serious or critical axe-core
violations on the way.  With CODELISTS_DOCS_SCREENSHOTS=1 (`make screenshots`) the pages
are saved into docs/images/ for the how-to."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from tests.browser.test_builder_journey import log_in, shoot

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]
TENNIS_TOE = "238484001"


def test_a_release_flags_a_list_and_its_owner_reviews_the_update(page, live_server,
                                                                 release_lists, axe):
    url = live_server.url
    soft = release_lists["soft-tissue"]

    # the curator checks the installed merged release
    log_in(page, url, "admin")
    page.goto(url + "/releases/")
    expect(page.get_by_text("No release has been checked")).to_be_visible()
    page.get_by_role("button", name="Check published codelists against SNOMED CT 20201015"
                     ).click()
    page.wait_for_url("**/jobs/*/")
    expect(page.get_by_text("Waiting to start")).to_be_visible()
    call_command("run_jobs", batch=True, verbosity=0)  # the worker `codelist serve` runs
    page.get_by_text("1 codelist(s) affected").wait_for()  # the page follows the job
    page.get_by_role("link", name="See the affected codelists").click()
    row = page.get_by_role("row").filter(has_text="Disorder of soft tissue")
    assert "adds 14 concepts this definition includes" in row.inner_text()
    assert page.get_by_role("row").filter(has_text="Disorder of elbow").count() == 0
    shoot(page, "releases-affected")
    assert axe(page) == []

    # its owner sees the notice and opens the update
    page.context.clear_cookies()
    log_in(page, url, "depositor")
    page.goto(f"{url}/codelists/{soft.pk}/")
    notice = page.locator("#release-notice")
    assert "SNOMED CT international 2020-10-15 adds 14 concepts this definition includes" \
        in notice.inner_text()
    notice.get_by_text("What SNOMED CT international 2020-10-15 changes").click()
    expect(notice.get_by_text("Tennis toe")).to_be_visible()
    shoot(page, "codelist-release-notice")
    assert axe(page) == []
    page.click("#open-update")
    page.wait_for_url(re.compile(r"/builder/\d+/(#.*)?$"), wait_until="domcontentloaded")
    panel = page.locator("#update-panel")
    expect(panel).to_contain_text("14 of 14 pending lines to review")
    page.click("#to-review")  # refused: lines still pending
    expect(page.get_by_text("14 lines of the update to SNOMED CT international 2020-10-15 "
                            "still pending")).to_be_visible()
    page.get_by_role("button", name=f"Reject {TENNIS_TOE} Tennis toe").click()
    toe = page.locator(f'tr[data-pending="{TENNIS_TOE}"]')
    expect(toe).to_contain_text("rejected")
    expect(toe).to_contain_text("excluded")
    shoot(page, "builder-update-draft")
    assert axe(page) == []
    page.click("#accept-all")
    expect(page.locator("#update-panel")).to_contain_text("All 14 pending lines reviewed.")

    # reviewed: publish, and the codelist is no longer flagged
    page.click("#to-review")
    page.click("#publish")
    page.wait_for_url(re.compile(r"/codelists/\d+/(#.*)?$"),  # tabs add #tab-...
                      wait_until="domcontentloaded")
    expect(page.get_by_text("Published as version 2.")).to_be_visible()
    assert page.locator("#release-notice").count() == 0
    releases = page.locator("table.releases tr").filter(
        has_text="SNOMED CT international 2020-10-15")
    assert "compatible" in releases.inner_text()
    page.goto(f"{url}/codelists/{soft.pk}/?version=1")  # version 1 as published
    assert "affected" in releases.inner_text()
