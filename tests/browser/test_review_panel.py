"""Three reviewers rate at the same time in Debian's chromium (three browser contexts,
interleaved; mouse and keyboard), the chair watches progress and closes the round, and
the published consensus equals `codelist review consensus` on the same ratings of the
sheets the command line exported.  Screenshots of every page are saved under
test-results/screenshots/ when the test fails."""

from __future__ import annotations

from pathlib import Path

import pytest

from codelists.cli.main import main
from codelists.codelist.fileformat import load, parse
from tests.plugins.method import fill_csv_sheet
from tests.plugins.web import PASSWORD, SCREENSHOTS
from tests.web.review_helpers import CODES, COMMENTS, RATINGS, review_codelist_text

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]
LABELS = ("R1", "R2", "R3")


@pytest.fixture
def pages(chromium, request):
    """A browser context per person (chair and three reviewers), screenshots on failure."""
    opened = {}

    def open_page(name):
        context = chromium.new_context(viewport={"width": 1280, "height": 900},
                                       accept_downloads=True)
        context.set_default_timeout(15_000)
        opened[name] = context.new_page()
        return opened[name]

    yield open_page
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        folder = Path(request.config.rootpath) / SCREENSHOTS
        folder.mkdir(parents=True, exist_ok=True)
        for name, page in opened.items():
            page.screenshot(path=str(folder / f"{request.node.name}-{name}.png"),
                            full_page=True)
    for page in opened.values():
        page.context.close()


def log_in(page, url, username):
    page.goto(f"{url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()


def cli_round(tmp_path) -> tuple[Path, list[Path]]:
    """The codelist with round 1 opened by `codelist review export`, and its CSV sheets."""
    path = tmp_path / "asthma-review.codelist"
    path.write_text(review_codelist_text(), encoding="utf-8")
    assert main(["review", "export", str(path), "--reviewers", *LABELS, "--format", "csv",
                 "--out", str(tmp_path / "sheets")]) == 0
    return path, sorted((tmp_path / "sheets").glob("*.csv"))


def setup_world(path: Path):
    from webapp.accounts import actions as accounts
    from webapp.repository import actions as repository

    chair = accounts.sign_up(username="chair", email="chair@example.org", password=PASSWORD)
    for name in ("rev1", "rev2", "rev3"):
        accounts.sign_up(username=name, email=f"{name}@example.org", password=PASSWORD)
    article = repository.create_article(chair, title="Asthma codes, reviewed")
    return repository.add_codelist(chair, article,
                                   repository.NewCodelist(path.read_text(encoding="utf-8")))


def rate_with_mouse(page, index, value):
    page.locator(f"#row-{index} .rate-btn[data-value='{value}']").click()
    page.locator(f"#row-{index}[data-rating='{value}']").wait_for()


def rate_with_keys(page, index, value, *, wiggle=False):
    if wiggle:  # move down and back up with j/k and the arrows before rating
        for key in ("j", "ArrowDown", "k", "ArrowUp"):
            page.keyboard.press(key)
    page.keyboard.press(str(value))
    page.locator(f"#row-{index}[data-rating='{value}']").wait_for()


def test_three_reviewers_rate_at_once_and_the_chair_closes(
        pages, live_server, tmp_path, fast_passwords):
    path, sheets = cli_round(tmp_path)
    codelist = setup_world(path)
    url = live_server.url

    chair = pages("chair")
    log_in(chair, url, "chair")
    chair.goto(f"{url}/codelists/{codelist.pk}/")
    chair.click("#start-review")
    chair.fill("#id_panel", "rev1 as R1\nrev2 as R2\nrev3 as R3")
    chair.select_option("#id_rule", "watson2017")
    chair.fill("#id_instructions", "Rate every code on your own.")
    chair.locator("#start-review button[type=submit]").click()
    chair.wait_for_url("**/review/*/")
    review_url = chair.url

    reviewers = {}
    for label, name in zip(LABELS, ("rev1", "rev2", "rev3"), strict=True):
        page = pages(name)
        log_in(page, url, name)
        page.goto(review_url)
        page.click("#open-sheet")
        page.locator("#sheet").wait_for()
        assert "Rate every code on your own." in page.content()
        reviewers[label] = page

    half = len(CODES) // 2
    for index, code in enumerate(CODES, start=1):
        for label, page in reviewers.items():
            value = RATINGS[label][code]
            if label == "R1":
                rate_with_keys(page, index, value)
            elif label == "R3":
                rate_with_keys(page, index, value, wiggle=index == 2)
            else:
                rate_with_mouse(page, index, value)
            if comment := COMMENTS.get(label, {}).get(code):  # c, type, Enter saves
                page.keyboard.press("c")
                page.keyboard.type(comment)
                page.keyboard.press("Enter")
                page.locator(f"#row-{index} input[value='{comment}']").wait_for()
        if index == half:
            chair.reload()
            counts = chair.locator("#progress td.count").all_inner_texts()
            assert counts == [f"{half} of {len(CODES)}"] * 3
            assert "work-related" not in chair.content()
            reviewers["R2"].reload()  # ratings survive a reload
            assert reviewers["R2"].locator("#row-1").get_attribute("data-rating") == str(
                RATINGS["R2"][CODES[0]])
            assert reviewers["R2"].locator("#rated-count").inner_text() == str(half)

    chair.reload()
    assert chair.locator("#progress td.count").all_inner_texts() == ["6 of 6 ✓"] * 3
    chair.click("#close-round")
    chair.get_by_text("consensus published as version 2").wait_for()

    r1 = reviewers["R1"]
    r1.goto(review_url)
    results = r1.locator("#results-1")
    assert "work-related, not asthma as such" in results.inner_text()
    assert results.locator("tr[data-code='57607007'] td.decision").inner_text() == "excluded"
    r1.goto(review_url.rstrip("/") + "/rounds/1/sheet/")
    assert r1.locator("#row-1 .rate-btn").first.is_disabled()

    for sheet in sheets:  # the same ratings, returned on the command line's own sheets
        label = sheet.stem.rsplit("-", 1)[1]
        fill_csv_sheet(sheet, RATINGS[label], COMMENTS.get(label))
    assert main(["review", "import", str(path), *map(str, sheets)]) == 0
    assert main(["review", "consensus", str(path)]) == 0
    codelist.refresh_from_db()
    web, cli = parse(codelist.latest_version.text), load(path)
    assert [(ln.kind, ln.code, ln.tags) for ln in web.code_lines()] == [
        (ln.kind, ln.code, ln.tags) for ln in cli.code_lines()]
    assert web.method["delphi"] == cli.method["delphi"]
