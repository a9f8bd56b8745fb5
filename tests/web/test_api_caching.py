"""HTTP caching of API reads: an ETag on every GET, 304 to a matching If-None-Match,
answers kept per client (private, revalidated each time) and never shared between
clients that see different things."""

from __future__ import annotations

import datetime

import pytest

from tests.plugins.web import ASTHMA, make_codelist_text
from webapp.repository import actions

pytestmark = pytest.mark.django_db
URL = "/api/v1/codelists/"


def test_a_repeated_read_is_answered_304_until_the_data_changes(client, web_article,
                                                                web_users):
    first = client.get(URL)
    assert first.status_code == 200 and first["ETag"]
    assert "private" in first["Cache-Control"] and "no-cache" in first["Cache-Control"]
    assert {"Authorization", "Cookie"} <= {v.strip() for v in first["Vary"].split(",")}
    again = client.get(URL, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304 and again.content == b""
    actions.add_codelist(web_users["depositor"], web_article, actions.NewCodelist(
        make_codelist_text(id="copd", title="COPD", active=ASTHMA["active"])))
    changed = client.get(URL, HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200 and changed["ETag"] != first["ETag"]
    assert "COPD" in changed.content.decode()


def test_what_a_member_sees_of_an_embargo_is_never_an_anonymous_304(client, web_users):
    depositor = web_users["depositor"]
    hidden = actions.create_article(depositor, title="Embargoed", embargo_until=(
        datetime.date.today() + datetime.timedelta(days=10)))
    actions.add_codelist(depositor, hidden, actions.NewCodelist(
        make_codelist_text(id="secret", title="Secret list", active=ASTHMA["active"])))
    client.force_login(depositor)
    member = client.get(URL)
    assert "Secret list" in member.content.decode()
    client.logout()
    anonymous = client.get(URL, HTTP_IF_NONE_MATCH=member["ETag"])
    assert anonymous.status_code == 200 and "Secret list" not in anonymous.content.decode()


def test_a_version_download_is_revalidated_by_etag(client, web_article):
    codelist = web_article.codelists.get()
    url = f"/api/v1/codelists/{codelist.pk}/versions/1/download/csv/"
    first = client.get(url)
    assert first.status_code == 200 and first["ETag"]
    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
