"""The repository under attack: each test reproduces an attack of issue 14 first, then
asserts the site's answer (embargo leaks, header injection, login lock-outs, ...)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from tests.plugins.web import ASTHMA, client_for, make_codelist_text
from webapp.repository import actions

pytestmark = pytest.mark.django_db


def _embargoed_derivative(web_users, web_article):
    """A codelist in an embargoed article, derived from the public article's codelist."""
    other = web_users["other"]
    secret = actions.create_article(
        other, title="Secret study", embargo_until=dt.date.today() + dt.timedelta(days=30))
    public = web_article.codelists.get()
    derived = actions.add_codelist(other, secret, actions.NewCodelist(
        make_codelist_text(id="secret-asthma", title="Secret asthma list", **{
            k: v for k, v in ASTHMA.items()}), derived_from=public))
    return public, derived


def test_embargoed_derivative_is_not_shown_on_a_public_codelist_page(
        client, web_users, web_article):
    public, derived = _embargoed_derivative(web_users, web_article)
    page = client.get(reverse("repository:codelist", args=[public.pk])).content.decode()
    assert "Secret asthma list" not in page
    assert reverse("repository:codelist", args=[derived.pk]) not in page
    # its own depositor still sees it
    page = client_for(client, web_users["other"]).get(
        reverse("repository:codelist", args=[public.pk])).content.decode()
    assert "Secret asthma list" in page


def test_embargoed_source_is_not_named_on_a_public_derivative(client, web_users, web_article):
    other = web_users["other"]
    secret = actions.create_article(
        other, title="Secret study", embargo_until=dt.date.today() + dt.timedelta(days=30))
    source = actions.add_codelist(other, secret, actions.NewCodelist(
        make_codelist_text(id="secret-source", title="Secret source list", **ASTHMA)))
    public = web_article.codelists.get()
    actions.set_derived_from(web_users["depositor"], public, source)
    page = client.get(reverse("repository:codelist", args=[public.pk])).content.decode()
    assert "Secret source list" not in page


# -- header injection --------------------------------------------------------------------
INJECTED = "MIT\r\nSet-Cookie: a=b"


def test_api_refuses_a_licence_with_a_line_break(api_client, web_users):
    api_client.force_authenticate(web_users["depositor"])
    response = api_client.post("/api/v1/articles/", {"title": "T", "licence": INJECTED},
                               format="json")
    assert response.status_code == 400
    assert "licence" in response.json()["error"]["details"]


def test_action_and_form_refuse_control_characters(web_users, web_article):
    from codelists.errors import UserError
    from webapp.repository.forms import ArticleForm

    with pytest.raises(UserError, match="licence"):
        actions.update_article(web_users["depositor"], web_article, licence=INJECTED)
    with pytest.raises(UserError, match="title"):
        actions.create_article(web_users["depositor"], title="A\nB")
    form = ArticleForm({"title": "T", "licence": INJECTED, "article_type": "other"})
    assert not form.is_valid() and "licence" in form.errors


def test_downloads_of_legacy_bad_licence_are_safe(client, web_article):
    """A licence stored before the rule existed never reaches a header raw."""
    from webapp.repository.models import Article

    Article.objects.filter(pk=web_article.pk).update(licence=INJECTED)
    response = client.get(f"/api/v1/articles/{web_article.pk}/download/json/")
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers.get("Set-Cookie", "")
    assert "\n" not in response["X-Licence"] and "\r" not in response["X-Licence"]
    assert response["Content-Disposition"].startswith("attachment; filename=")


# -- immutability: codes and licence frozen at publication -----------------------------
def test_no_code_can_be_added_to_a_published_version(web_article):
    from django.db import IntegrityError, connection, transaction

    from webapp.repository.models import Code

    version = web_article.codelists.get().latest_version
    before = version.codes.count()
    with pytest.raises(IntegrityError, match="immutable"), transaction.atomic():
        Code.objects.create(version=version, code="1234567", status="active", line=99)
    with pytest.raises(IntegrityError, match="immutable"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO repository_code (version_id, code, term, status, "
                           "line, comment) VALUES (%s, '1', '', 'active', 1, '')",
                           [version.pk])
    with pytest.raises(IntegrityError, match="immutable"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("UPDATE repository_publication SET licence = 'CC0-1.0'")
    assert version.codes.count() == before


def test_licence_of_a_published_version_is_frozen(client, web_users, web_article):
    codelist = web_article.codelists.get()
    url = f"/api/v1/codelists/{codelist.pk}/versions/1/download/csv/"
    assert client.get(url).content.decode().splitlines()[1].endswith("CC-BY-4.0")
    actions.update_article(web_users["depositor"], web_article, licence="CC0-1.0")
    response = client.get(url)
    assert response.content.decode().splitlines()[1].endswith("CC-BY-4.0")
    assert response["X-Licence"] == "CC-BY-4.0"
    # a version published after the change carries the new licence
    text = make_codelist_text(**dict(ASTHMA, active=[("195967001", "Asthma")]))
    version = actions.add_version(web_users["depositor"], codelist, text)
    csv = client.get(f"/api/v1/codelists/{codelist.pk}/versions/{version.number}/download/csv/")
    assert csv.content.decode().splitlines()[1].endswith("CC0-1.0")
