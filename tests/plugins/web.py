"""Pytest fixtures for the web area (loaded from tests/conftest.py).

``web_users`` gives the five roles of the permission matrix (anonymous is ``None``);
``web_article`` an article deposited by ``depositor`` with ``coauthor`` added and one
codelist (two versions); ``codelist_text`` writes ``.codelist`` text with the library.
``release_lists`` deposits, on the tennis-elbow SNOMED CT release, a list defined as
``<< 19660004`` (which the merged tennis release affects), one defined by an include rule
on 128133004 (compatible with it) and an ICD-10 list; both releases are installed.
"""

from __future__ import annotations

import pytest

ROLES = ("anonymous", "other", "depositor", "coauthor", "admin")
#: roles allowed to change an article (its depositors, co-authors they add, and staff)
CHANGERS = {"depositor", "coauthor", "admin"}
#: roles allowed to add or remove co-authors
MANAGERS = {"depositor", "admin"}
PASSWORD = "correct-horse-battery-9"


def make_codelist_text(id="asthma", title="Asthma", system="snomedct", active=(),
                       excluded=(), pending=(), tags=None, method=None) -> str:
    from codelists.codelist.fileformat import dumps
    from codelists.codelist.template import new_codelist

    cl = new_codelist(None, id=id, title=title, terminology=system, today="2026-01-01")
    for code, term in active:
        cl.add_active(code, term)
    for code, term in excluded:
        cl.add_excluded(code, term, reason="scope")
    for code, term in pending:
        cl.add_pending(code, term)
    if tags:
        cl.meta["tags"] = list(tags)
    if method:
        cl.method = method
    return dumps(cl)


ASTHMA = dict(active=[("195967001", "Asthma"), ("233678006", "Childhood asthma")],
              excluded=[("41553006", "Occupational asthma")],
              pending=[("57607007", "Irritant-induced asthma")], tags=["asthma", "respiratory"])


@pytest.fixture
def codelist_text():
    return make_codelist_text


@pytest.fixture(autouse=True)
def api_rates_off(settings):
    """No API rate limit, except in the tests of the limit (test_api_throttling.py): the
    suite makes hundreds of API requests a minute from one address."""
    settings.CODELISTS_API_RATES = {"anon": None, "user": None}


@pytest.fixture
def api_rates(settings, tmp_path):
    """Turn the API rate limits on (``api_rates(anon="3/min", user=None)``), counted in
    a fresh folder of this test's own."""
    settings.CODELISTS_RATE_DIR = str(tmp_path / "api-rates")

    def turn_on(*, anon: str | None = None, user: str | None = None) -> dict:
        settings.CODELISTS_API_RATES = {"anon": anon, "user": user}
        return settings.CODELISTS_API_RATES

    return turn_on


@pytest.fixture
def fast_passwords(settings):
    """Cheap password hashing for tests (the real hasher is deliberately slow)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def web_users(db, fast_passwords):
    from django.contrib.auth.models import User

    from webapp.accounts import actions
    from webapp.accounts.verification import mark_verified

    users = {"anonymous": None}
    for role in ("other", "depositor", "coauthor", "admin"):
        users[role] = actions.sign_up(username=role, email=f"{role}@example.org",
                                      password=PASSWORD)
        mark_verified(users[role])  # as if each had opened the link mailed at sign-up
    User.objects.filter(pk=users["admin"].pk).update(is_staff=True, is_superuser=True)
    users["admin"].refresh_from_db()
    return users


@pytest.fixture
def web_article(web_users):
    from webapp.repository import actions

    depositor = web_users["depositor"]
    article = actions.create_article(
        depositor, title="Asthma in primary care", authors="Ada Lovelace\nAlan Turing",
        journal="BMJ Open", year=2024, doi="10.1136/bmjopen-2024-000001",
        tags=["respiratory"])
    actions.add_coauthor(depositor, article, web_users["coauthor"])
    codelist = actions.add_codelist(depositor, article,
                                    actions.NewCodelist(make_codelist_text(**ASTHMA)))
    second = dict(ASTHMA, active=[*ASTHMA["active"], ("266361008", "Intrinsic asthma")])
    actions.add_version(depositor, codelist, make_codelist_text(**second), note="add intrinsic")
    return article


def defined_text(store_path, slug, definition, title=None):
    """A ``.codelist`` whose codes are its definition's expansion on a store."""
    from codelists.codelist.definition import expand
    from codelists.codelist.fileformat import dumps, parse
    from codelists.terminology.registry import open_terminology

    with open_terminology(store_path) as store:
        codes = sorted(expand(definition, store))
        terms = store.lookup_many(codes)
    cl = parse(make_codelist_text(id=slug, title=title or slug,
                                  active=[(c, terms[c].term) for c in codes]))
    cl.definition = definition
    return dumps(cl)


@pytest.fixture
def release_lists(web_users, snomed_elbow_store, snomed_tennis_merged_store):
    """{slug: Codelist} deposited by ``depositor``; the merged release is the site's."""
    from codelists.codelist.definition import Definition, Rule
    from webapp.repository import actions

    install_store(snomed_elbow_store)
    install_store(snomed_tennis_merged_store)
    user = web_users["depositor"]
    article = actions.create_article(user, title="Soft tissue disorders")
    lists = actions.deposit(user, article, [
        actions.NewCodelist(defined_text(snomed_elbow_store, "soft-tissue",
                                         Definition(ecl="<< 19660004"),
                                         "Disorder of soft tissue")),
        actions.NewCodelist(defined_text(snomed_elbow_store, "elbow",
                                         Definition(rules=(Rule("128133004", True),)),
                                         "Disorder of elbow")),
        actions.NewCodelist(make_codelist_text(id="icd", system="icd10",
                                               active=[("J45.0", "Asthma")])),
    ])
    return {c.slug: c for c in lists}


@pytest.fixture
def api_client():
    from rest_framework.test import APIClient

    return APIClient()


def install_store(store):
    """A store built by a fixture, installed in the (test's own) data directory as
    `codelist terminology import` puts it there; the site finds it like the CLI does."""
    from codelists.terminology.locate import data_dir

    folder = data_dir()
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / store.name
    if not target.exists():
        target.symlink_to(store)
    return target


@pytest.fixture
def site_snomed(snomed_elbow_store):
    """The tennis-elbow SNOMED CT release installed on the site."""
    return install_store(snomed_elbow_store)


@pytest.fixture
def site_icd10cm(icd10cm_store):
    """The ICD-10-CM release installed on the site."""
    return install_store(icd10cm_store)


def client_for(client, user):
    """A Django test client logged in as ``user`` (or anonymous for None)."""
    if user is not None:
        client.force_login(user)
    return client


# -- browser tests -------------------------------------------------------------------------
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
SCREENSHOTS = "test-results/screenshots"


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


@pytest.fixture(scope="session")
def chromium():
    """Debian's chromium driven by Playwright (one browser for the session)."""
    import os

    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; Django's ORM calls made
    # by the test itself are still synchronous and safe.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium, request, tmp_path):
    """A fresh browser context and page; a screenshot is saved when the test fails."""
    from pathlib import Path

    context = chromium.new_context(accept_downloads=True, viewport={"width": 1280,
                                                                     "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        folder = Path(request.config.rootpath) / SCREENSHOTS
        folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(folder / f"{request.node.name}.png"), full_page=True)
    context.close()


# -- accessibility (axe-core from npm, installed by `make system-deps`) ----------------------
AXE = "node_modules/axe-core/axe.min.js"


@pytest.fixture(scope="session")
def axe_script(request) -> str:
    """axe-core's script, as `npm ci` installed it (fails loudly when missing)."""
    from pathlib import Path

    path = Path(request.config.rootpath) / AXE
    assert path.is_file(), f"{path} is missing: run `make system-deps` (npm ci)"
    return path.read_text(encoding="utf-8")


@pytest.fixture
def axe(axe_script):
    """``axe(page)``: the serious and critical axe-core violations of the page as shown
    (WCAG 2.1 A and AA rules), as readable lines."""

    def check(page) -> list[str]:
        if not page.evaluate("typeof window.axe !== 'undefined'"):
            page.add_script_tag(content=axe_script)
        result = page.evaluate("""async () => {
            const r = await axe.run(document, {runOnly: {type: 'tag',
                values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}});
            return r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
              .map(v => v.impact + ' ' + v.id + ': ' + v.help + ' -- ' +
                   v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '));
        }""")
        return [f"{page.url}: {line}" for line in result]

    return check
