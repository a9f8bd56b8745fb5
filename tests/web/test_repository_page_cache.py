"""The codelist page anonymous visitors see is cached, never stale, and holds no CSRF token."""

import pytest

from tests.plugins.web import ASTHMA, make_codelist_text

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def _codelist(article):
    return article.codelists.get()


def test_a_new_version_is_shown_at_once(client, web_article, web_users):
    from webapp.repository import actions

    codelist = _codelist(web_article)
    url = f"/codelists/{codelist.pk}/"
    first = client.get(url).content.decode()
    assert "version 2 of 2" in first and "Status asthmaticus" not in first
    assert client.get(url).content.decode() == first  # served again, unchanged
    third = dict(ASTHMA, active=[*ASTHMA["active"], ("266361008", "Intrinsic asthma"),
                                 ("57546000", "Status asthmaticus")])
    actions.add_version(web_users["depositor"], codelist, make_codelist_text(**third))
    again = client.get(url).content.decode()
    assert "version 3 of 3" in again and "Status asthmaticus" in again


def test_an_article_change_is_shown_at_once(client, web_article, web_users):
    from webapp.repository import actions

    url = f"/codelists/{_codelist(web_article).pk}/"
    assert "Asthma in primary care" in client.get(url).content.decode()
    actions.update_article(web_users["depositor"], web_article, title="Asthma in adults")
    assert "Asthma in adults" in client.get(url).content.decode()


def test_the_anonymous_page_carries_no_csrf_token(client, web_article):
    url = f"/codelists/{_codelist(web_article).pk}/"
    for _ in range(2):
        response = client.get(url)
        body = response.content.decode()
        assert "csrf" not in body.lower()
        assert "csrftoken" not in response.cookies


def test_logged_in_pages_are_not_shared(client, web_article, web_users):
    url = f"/codelists/{_codelist(web_article).pk}/"
    client.get(url)  # fill the anonymous cache
    client.force_login(web_users["depositor"])
    body = client.get(url).content.decode()
    assert "Log out" in body and "X-CSRFToken" in body


def test_an_embargoed_article_stays_hidden(client, web_article, web_users):
    import datetime as dt

    from webapp.repository import actions

    url = f"/codelists/{_codelist(web_article).pk}/"
    assert client.get(url).status_code == 200
    actions.update_article(web_users["depositor"], web_article,
                           embargo_until=dt.date.today() + dt.timedelta(days=30))
    assert client.get(url).status_code == 404
