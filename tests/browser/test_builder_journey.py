"""The builder as a person uses it, in Debian's chromium (Playwright): build "disorder of
elbow" on the tennis-elbow SNOMED CT release, exclude arthritis with its descendants,
then only arthritis itself -- each download equal to OpenCodelists' fixtures (less the
inactive 156659008 their README says was added by hand); the same on ICD-10-CM for
shortness of breath; the tree by keyboard; no serious or critical axe-core violations on
any page.  With CODELISTS_DOCS_SCREENSHOTS=1 (`make screenshots`) the pages are saved
into docs/images/ for the user guide."""

from __future__ import annotations

import csv
import io
import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.plugins.web import PASSWORD, make_codelist_text

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

FIXTURES = "data/terminologies/opencodelists-fixtures/coding_systems/snomedct/fixtures"
DOCS = Path(__file__).resolve().parents[2] / "docs" / "images"


def expected(shared, name: str) -> set[str]:
    rows = csv.DictReader(open(shared / FIXTURES / f"{name}.csv", encoding="utf-8"))
    return {r["code"] for r in rows if r["code"] != "156659008"}


def shoot(page, name: str) -> None:
    """A screenshot for the user guide (only when asked: `make screenshots`)."""
    if os.environ.get("CODELISTS_DOCS_SCREENSHOTS") == "1":
        DOCS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(DOCS / f"{name}.png"), full_page=True)


def log_in(page, url: str, username: str = "depositor") -> None:
    page.goto(url + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_url(lambda u: "/accounts/login/" not in u)


def download_codes(page, selector: str = "#download-csv") -> set[str]:
    with page.expect_download() as info:
        page.click(selector)
    text = Path(info.value.path()).read_text(encoding="utf-8")
    return {row["code"] for row in csv.DictReader(io.StringIO(text))}


def node(page, code: str):
    return page.locator(f'[role=treeitem][data-code="{code}"]').first


def button(page, code: str, decision: str):
    """The include/exclude button of a concept (its first copy in the tree or list)."""
    return page.locator(f'[data-code="{code}"] > .row [data-decide={decision}]').first


def wait_status(page, code: str, status: str) -> None:
    page.wait_for_function(
        "([code, status]) => [...document.querySelectorAll(`[data-code='${code}']`)]"
        ".every(n => n.classList.contains(status))", arg=[code, status])


def search(page, kind: str, query: str) -> None:
    page.select_option("#q-kind", kind)
    page.fill("#q-query", query)
    page.click("#q-go")
    page.wait_for_load_state()


def start(page, url: str, title: str, system: str) -> None:
    page.get_by_role("link", name="Build").click()
    page.fill("#b-title", title)
    page.select_option("#b-system", system)
    page.click("#b-start")
    page.wait_for_url(re.compile(r"/builder/\d+/(#.*)?$"), wait_until="domcontentloaded")


def test_disorder_of_elbow_as_opencodelists_builds_it(page, live_server, web_users, site_snomed,
                                                      shared, axe):
    url = live_server.url
    log_in(page, url)
    start(page, url, "Disorder of elbow", "snomedct")
    assert axe(page) == []
    search(page, "term", "elbow")
    shoot(page, "builder-search")

    # include 128133004 from the keyboard: focus the tree, move to it, press +
    tree = page.get_by_role("tree")
    tree.locator("[role=treeitem]").first.focus()
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.dataset.code") == "128133004"
    page.keyboard.press("+")
    wait_status(page, "128133004", "included")
    assert "Included 128133004" in page.get_by_role("status").inner_text()
    assert download_codes(page) == expected(shared, "disorder-of-elbow")

    search(page, "code", "3723001")
    button(page, "3723001", "exclude").click()
    wait_status(page, "3723001", "excluded")
    assert page.locator('[data-count="conflicted"]').inner_text() == "2 conflicted"
    assert download_codes(page) == expected(shared, "disorder-of-elbow-excl-arthritis")
    page.reload()
    expect(page.get_by_text("lie under both an included and an excluded concept")).to_be_visible()
    shoot(page, "builder-conflicts")
    assert axe(page) == []

    # only 3723001 itself: include arthritis of elbow again (it was in conflict)
    page.get_by_role("link", name="2 conflicted").click()
    button(page, "439656005", "include").click()
    wait_status(page, "439656005", "included")
    assert download_codes(page) == expected(shared, "disorder-of-elbow-excl-arthritis-only")

    # undo and redo it, then resolve the findings above the disorder and publish
    page.click("#undo")
    wait_status(page, "439656005", "conflicted")
    button(page, "439656005", "include").click()
    wait_status(page, "439656005", "included")
    page.goto(page.url.split("?")[0])
    button(page, "116309007", "exclude").click()
    wait_status(page, "116309007", "excluded")
    assert page.locator('[data-count="unresolved"]').inner_text() == "0 unresolved"
    page.click("#to-review")
    expect(page.get_by_text("Under review", exact=True)).to_be_visible()
    page.click("#publish")
    page.wait_for_url(re.compile(r"/codelists/\d+/(#.*)?$"),  # tabs add #tab-...
                      wait_until="domcontentloaded")
    assert download_codes(page) == expected(shared, "disorder-of-elbow-excl-arthritis-only")

    # the published page: its tree, definition and method, for everyone
    expect(page.get_by_role("tree")).to_be_visible()
    shoot(page, "codelist-hierarchy")
    assert axe(page) == []
    page.get_by_role("tab", name="Definition").click()
    expect(page.get_by_text("exclude, with descendants").first).to_be_visible()
    shoot(page, "codelist-definition")
    page.get_by_role("tab", name="Full list").click()
    shoot(page, "codelist-full-list")
    assert axe(page) == []


def test_shortness_of_breath_on_icd10cm(page, live_server, web_users, site_icd10cm, icd10cm):
    dyspnea = set(icd10cm.descendants("R06.0", include_self=True))
    assert {"R06.0", "R06.01", "R06.02"} <= dyspnea
    log_in(page, live_server.url)
    start(page, live_server.url, "Shortness of breath", "icd10cm")
    search(page, "term", "shortness of breath")
    search(page, "code", "R06.0")
    button(page, "R06.0", "include").click()
    wait_status(page, "R06.0", "included")
    assert download_codes(page) >= dyspnea  # and what else the term search decided: none
    page.reload()
    node(page, "R06.0").focus()
    page.keyboard.press("ArrowRight")  # open R06.0 if closed, or go to its first child
    button(page, "R06.01", "exclude").click()
    wait_status(page, "R06.01", "excluded")
    assert download_codes(page) == dyspnea - {"R06.01"}
    shoot(page, "builder-icd10cm")


def test_the_codelist_tree_by_keyboard(page, live_server, web_users, site_snomed, shared):
    from webapp.repository import actions

    rows = csv.DictReader(open(shared / FIXTURES / "disorder-of-elbow.csv", encoding="utf-8"))
    article = actions.create_article(web_users["depositor"], title="Elbow", authors="A",
                                     year=2024)
    codelist = actions.add_codelist(web_users["depositor"], article, actions.NewCodelist(
        make_codelist_text(id="elbow", title="Disorder of elbow", system="snomedct",
                           active=[(r["code"], r["name"]) for r in rows])))
    page.goto(f"{live_server.url}/codelists/{codelist.pk}/")
    tabs = page.get_by_role("tab")
    assert tabs.count() == 4 and page.get_by_role("tab", selected=True).inner_text() == "Hierarchy"
    tabs.first.focus()
    page.keyboard.press("ArrowRight")
    assert page.get_by_role("tab", selected=True).inner_text() == "Full list"
    page.keyboard.press("ArrowLeft")
    top = node(page, "128133004")
    top.focus()
    assert top.get_attribute("aria-expanded") == "true"
    page.keyboard.press("ArrowLeft")  # close the branch
    assert top.get_attribute("aria-expanded") == "false"
    expect(node(page, "429554009")).to_be_hidden()
    page.keyboard.press("ArrowRight")  # open it
    page.keyboard.press("ArrowRight")  # to the first child
    assert page.evaluate("document.activeElement.getAttribute('aria-level')") == "2"
    child = page.evaluate("document.activeElement.dataset.code")
    assert node(page, child).get_attribute("aria-expanded") == "true"
    page.keyboard.press("ArrowLeft")  # an open branch closes first
    assert node(page, child).get_attribute("aria-expanded") == "false"
    page.keyboard.press("ArrowLeft")  # then back to the parent
    assert page.evaluate("document.activeElement.dataset.code") == "128133004"
    page.keyboard.press("Home")  # the first item: the inactive concept sorts first
    assert page.evaluate("document.activeElement.dataset.code") == "156659008"


def test_no_serious_accessibility_violations_on_any_page(page, live_server, web_article,
                                                         site_snomed, axe):
    url = live_server.url
    codelist = web_article.codelists.get()
    public = ["/", "/browse/", "/search/", "/search/?q=asthma", "/search/?code=195967001",
              f"/articles/{web_article.pk}/", f"/codelists/{codelist.pk}/",
              f"/codelists/{codelist.pk}/?order=code#tab-codes", "/accounts/login/",
              "/accounts/signup/", "/builder/terminologies/"]
    found = []
    for path in public:
        page.goto(url + path)
        found += axe(page)
    log_in(page, url)
    for path in ["/builder/", "/deposit/", "/review/", f"/codelists/{codelist.pk}/",
                 f"/articles/{web_article.pk}/edit/", "/accounts/profile/"]:
        page.goto(url + path)
        found += axe(page)
    shoot(page, "builder-start")
    assert found == []
