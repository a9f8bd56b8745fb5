"""The API's codelist list is built from plain rows (webapp/api/rows.py): its items must
be exactly what CodelistSerializer gives for the same codelists, for every viewer,
including the cases that differ by viewer (a source under embargo is named only to
those who may see it)."""

from __future__ import annotations

import datetime

import pytest
from rest_framework.test import APIRequestFactory, force_authenticate

from tests.plugins.web import ASTHMA, make_codelist_text
from webapp.api import rows
from webapp.api import serializers as s
from webapp.api.views import CodelistList
from webapp.repository import actions, queries

pytestmark = pytest.mark.django_db


@pytest.fixture
def derived_lists(web_article, web_users):
    """A public derivative of an embargoed codelist, one of a public codelist, and an
    untagged list: every branch of the item."""
    depositor, other = web_users["depositor"], web_users["other"]
    hidden = actions.create_article(depositor, title="Embargoed study", tags=["secret"],
                                    embargo_until=datetime.date.today()
                                    + datetime.timedelta(days=30))
    source = actions.add_codelist(depositor, hidden, actions.NewCodelist(
        make_codelist_text(id="hidden", title="Hidden source", active=ASTHMA["active"])))
    public = actions.create_article(other, title="Public derivatives")
    from_hidden = actions.add_codelist(other, public, actions.NewCodelist(
        make_codelist_text(id="a", title="A from hidden", active=ASTHMA["active"],
                           tags=["zeta", "alpha"])))
    actions.set_derived_from(other, from_hidden, source)
    from_public = actions.add_codelist(other, public, actions.NewCodelist(
        make_codelist_text(id="b", title="B from public", active=ASTHMA["active"])))
    actions.set_derived_from(other, from_public, web_article.codelists.first())
    return from_hidden, from_public


@pytest.mark.parametrize("role", ["anonymous", "other", "depositor", "coauthor", "admin"])
def test_rows_give_what_the_serializer_gives(derived_lists, web_users, role):
    user = web_users[role]
    request = APIRequestFactory().get("/api/v1/codelists/")
    request.user = user
    queryset = queries.search_codelists(user)
    expected = s.CodelistSerializer(queryset, many=True, context={"request": request}).data
    got = rows.codelist_items(list(rows.codelist_values(queryset)), user)
    assert got == [dict(item) for item in expected]
    by_title = {item["title"]: item for item in got}
    assert by_title["A from hidden"]["tags"] == ["alpha", "zeta"]
    sees_hidden = role in ("depositor", "admin")  # the embargoed article's member, staff
    assert (by_title["A from hidden"]["derived_from"] is not None) == sees_hidden
    assert by_title["B from public"]["derived_from"] is not None
    assert ("Hidden source" in by_title) == sees_hidden


def test_the_list_view_pages_rows(derived_lists, web_users):
    request = APIRequestFactory().get("/api/v1/codelists/", {"limit": 2, "offset": 1})
    force_authenticate(request, user=web_users["depositor"])
    response = CodelistList.as_view()(request)
    assert response.status_code == 200
    assert response.data["count"] == 4
    titles = [item["title"] for item in response.data["results"]]
    assert titles == ["Asthma", "B from public"]
