"""Search that understands codes: one result list whose count is its length, the lists
that contain a code's ancestors or descendants on request (from the installed release),
and every row saying why it matched."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tests.plugins.web import make_codelist_text
from webapp.repository import actions

pytestmark = pytest.mark.django_db


def _search(client, query: str) -> tuple[int, list[str], str]:
    page = client.get(reverse("repository:search") + "?" + query).content.decode()
    heading = re.search(r"<h2>(\d+) codelists?", page)
    table = page[page.index('class="codelists"'):] if 'class="codelists"' in page else ""
    titles = re.findall(r'<a href="/codelists/\d+/">([^<]+)</a>', table)
    return (int(heading.group(1)) if heading else -1), titles, table


@pytest.fixture
def elbow_lists(web_users):
    user = web_users["depositor"]
    article = actions.create_article(user, title="Elbow studies", authors="A", year=2024)
    for slug, title, codes in (
            ("whole", "Disorder of elbow", [("128133004", "Disorder of elbow")]),
            ("epi", "Epicondylitis", [("73583000", "Epicondylitis")]),
            ("lateral", "Tennis elbow", [("202855006", "Lateral epicondylitis")])):
        actions.add_codelist(user, article, actions.NewCodelist(make_codelist_text(
            id=slug, title=title, system="snomedct", active=codes)))
    return article


def test_a_keyword_that_is_a_code_gives_one_list_whose_count_agrees(client, web_article):
    count, titles, table = _search(client, "q=195967001")
    assert count == len(titles) == 1
    assert "contains 195967001" in table
    assert "No codelists found" not in table


def test_keyword_results_say_what_matched(client, web_article):
    _, titles, table = _search(client, "q=childhood")
    assert titles == ["Asthma"]
    assert "a code&#x27;s term: 233678006 “Childhood asthma”" in table
    _, _, table = _search(client, "q=asthma")
    assert "title contains “asthma”" in table


def test_code_search_by_itself_and_with_descendants(client, site_snomed, elbow_lists):
    count, titles, _ = _search(client, "code=73583000")
    assert count == 1 and titles == ["Epicondylitis"]
    count, titles, table = _search(client, "code=73583000&related=descendants")
    assert count == len(titles) == 2 and set(titles) == {"Epicondylitis", "Tennis elbow"}
    assert "contains descendant of 73583000: 202855006" in table
    count, titles, table = _search(client, "code=73583000&related=ancestors")
    assert set(titles) == {"Epicondylitis", "Disorder of elbow"} and count == 2
    assert "contains ancestor of 73583000: 128133004" in table
    count, titles, _ = _search(client, "code=73583000&related=ancestors&related=descendants")
    assert count == 3


def test_related_codes_need_a_release_and_say_nothing_false(client, elbow_lists):
    count, titles, _ = _search(client, "code=73583000&related=descendants")
    assert count == 1 and titles == ["Epicondylitis"]
