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


# -- API tokens: scope, expiry, listing, revoking -----------------------------------------
def test_a_read_token_cannot_write_and_an_expired_token_is_refused(api_client, web_users):
    from datetime import timedelta

    from django.utils import timezone

    from webapp.accounts import actions as account_actions
    from webapp.accounts.models import ApiToken

    user = web_users["depositor"]
    _, read_key = account_actions.create_token(user, "reader", scope="read")
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {read_key}")
    assert api_client.get("/api/v1/articles/").status_code == 200
    refused = api_client.post("/api/v1/articles/", {"title": "T"}, format="json")
    assert refused.status_code == 403 and "read-only" in refused.json()["error"]["message"]
    assert api_client.post("/api/v1/tokens/", {"name": "escalate", "scope": "write"},
                           format="json").status_code == 403

    token, write_key = account_actions.create_token(user, "writer", scope="write", days=1)
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {write_key}")
    assert api_client.post("/api/v1/articles/", {"title": "T"},
                           format="json").status_code == 201
    ApiToken.objects.filter(pk=token.pk).update(expires=timezone.now() - timedelta(seconds=1))
    expired = api_client.get("/api/v1/articles/")
    assert expired.status_code == 401 and "expired" in expired.json()["error"]["message"]


def test_tokens_are_listed_with_scope_and_expiry_and_can_be_revoked(api_client, web_users):
    api_client.force_authenticate(web_users["other"])
    created = api_client.post("/api/v1/tokens/", {"name": "ci"}, format="json").json()
    assert created["scope"] == "read" and created["expires"] is not None
    listed = api_client.get("/api/v1/tokens/").json()
    assert [t["name"] for t in listed] == ["ci"] and "key" not in listed[0]
    assert api_client.delete(f"/api/v1/tokens/{created['id']}/").status_code == 204
    assert api_client.get(f"/api/v1/tokens/{created['id']}/").json()["revoked"] is True
    api_client.force_authenticate(None)
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {created['key']}")
    assert api_client.get("/api/v1/articles/").status_code == 401
    too_long = api_client.post("/api/v1/tokens/", {"name": "x", "expires_in_days": 9999},
                               format="json")
    assert too_long.status_code == 401  # the revoked key authenticates nobody


# -- e-mail verification: reset links and invitations ------------------------------------
def test_sign_up_mails_a_link_that_verifies_the_address(client, fast_passwords):
    import re

    from django.contrib.auth.models import User
    from django.core import mail

    from webapp.accounts.verification import is_verified

    client.post(reverse("accounts:signup"), {
        "username": "grace", "email": "grace@example.org", "password1": "a-long-pass-99x",
        "password2": "a-long-pass-99x"})
    user = User.objects.get(username="grace")
    assert not is_verified(user)
    link = re.search(r"http://testserver(/accounts/verify/\S+/)", mail.outbox[-1].body)[1]
    assert client.get(link).status_code == 200
    assert is_verified(user)
    # a changed address is unverified again, and the old link does not verify the new one
    client.post(reverse("accounts:profile"), {"email": "other@example.org"})
    user.refresh_from_db()
    assert user.email == "other@example.org" and not is_verified(user)
    assert client.get(link).status_code == 400
    assert not is_verified(user)


def test_reset_links_go_only_to_verified_addresses(client, web_users):
    from django.core import mail

    from webapp.accounts import actions as account_actions

    account_actions.update_profile(web_users["other"], email="claimed@example.org")
    client.post(reverse("accounts:password_reset"), {"email": "claimed@example.org"})
    assert mail.outbox == []
    client.post(reverse("accounts:password_reset"), {"email": "depositor@example.org"})
    assert len(mail.outbox) == 1


def test_an_unverified_address_cannot_capture_a_review_invitation(web_users):
    """The attacker types the victim's address into their own profile; the chair invites
    the victim by address: the panel gets an e-mail invitation, not the attacker."""
    from webapp.accounts import actions as account_actions
    from webapp.review.forms import parse_panel

    account_actions.update_profile(web_users["other"], email="victim@example.org")
    [invitee] = parse_panel("victim@example.org as GP1")
    assert invitee.user is None and invitee.email == "victim@example.org"
    [member] = parse_panel("depositor@example.org")  # a verified address finds its account
    assert member.user == web_users["depositor"]


def test_api_does_not_name_an_embargoed_source(api_client, web_users):
    other = web_users["other"]
    secret = actions.create_article(
        other, title="Secret study", embargo_until=dt.date.today() + dt.timedelta(days=30))
    source = actions.add_codelist(other, secret, actions.NewCodelist(
        make_codelist_text(id="secret-source", title="Secret source list", **ASTHMA)))
    public_article = actions.create_article(other, title="Public study")
    derived = actions.add_codelist(other, public_article, actions.NewCodelist(
        make_codelist_text(id="public", title="Public list", **ASTHMA), derived_from=source))
    assert api_client.get(f"/api/v1/codelists/{derived.pk}/").json()["derived_from"] is None
    listed = api_client.get("/api/v1/codelists/?q=Public").json()["results"]
    assert [c["derived_from"] for c in listed] == [None]
    api_client.force_authenticate(other)
    assert api_client.get(f"/api/v1/codelists/{derived.pk}/").json()["derived_from"] == source.pk
