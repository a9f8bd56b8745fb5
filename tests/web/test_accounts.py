"""Accounts: sign up, log in and out (throttled), password reset, profile, API tokens."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.urls import reverse

from tests.plugins.web import PASSWORD
from webapp.accounts import actions
from webapp.accounts.models import ApiToken

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import caches

    caches["default"].clear()


def test_sign_up_logs_in_and_stores_the_profile(client, fast_passwords):
    response = client.post(reverse("accounts:signup"), {
        "username": "grace", "email": "grace@example.org", "password1": PASSWORD,
        "password2": PASSWORD, "display_name": "Grace Hopper",
        "orcid": "https://orcid.org/0000-0002-1825-0097", "affiliation": "Yale"})
    assert response.status_code == 302
    user = User.objects.get(username="grace")
    assert user.profile.orcid == "0000-0002-1825-0097"
    assert user.profile.affiliation == "Yale"
    assert "grace" in client.get("/").content.decode()


def test_sign_up_rejects_a_bad_orcid(client, fast_passwords):
    page = client.post(reverse("accounts:signup"), {
        "username": "x", "email": "x@example.org", "password1": PASSWORD,
        "password2": PASSWORD, "orcid": "1234"})
    assert "ORCID iD looks like" in page.content.decode()
    assert not User.objects.filter(username="x").exists()


def test_login_logout(client, web_users):
    response = client.post(reverse("accounts:login"),
                           {"username": "depositor", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("accounts:profile")).status_code == 200
    client.post(reverse("accounts:logout"))
    assert client.get(reverse("accounts:profile")).status_code == 302


def test_login_is_throttled_after_repeated_failures(client, web_users, settings):
    settings.CODELISTS_LOGIN_MAX_FAILURES = 3
    for _ in range(3):
        page = client.post(reverse("accounts:login"),
                           {"username": "depositor", "password": "wrong"})
        assert page.status_code == 200
    locked = client.post(reverse("accounts:login"),
                         {"username": "depositor", "password": PASSWORD})
    assert locked.status_code == 429 and "Too many failed attempts" in locked.content.decode()
    assert "_auth_user_id" not in client.session


def test_password_reset_by_console_email(client, web_users):
    assert client.post(reverse("accounts:password_reset"),
                       {"email": "depositor@example.org"}).status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", mail.outbox[0].body).group(1)
    form = client.get(link, follow=True)
    assert "Set a new password" in form.content.decode()
    new = "another-long-password-7"
    done = client.post(form.redirect_chain[-1][0],
                       {"new_password1": new, "new_password2": new})
    assert done.status_code == 302
    assert client.login(username="depositor", password=new)


def test_profile_update(client, web_users):
    client.force_login(web_users["other"])
    client.post(reverse("accounts:profile"), {"display_name": "O. Ther", "email": "o@x.org",
                                              "orcid": "0000-0002-1825-0097",
                                              "affiliation": "Oxford"})
    profile = User.objects.get(username="other").profile
    assert (profile.display_name, profile.affiliation) == ("O. Ther", "Oxford")


def test_tokens_are_stored_hashed_and_can_be_revoked(client, web_users):
    user = web_users["other"]
    token, key = actions.create_token(user, "laptop")
    assert key.startswith("cl_") and key not in token.digest
    assert actions.user_for_token(key) == user
    assert actions.user_for_token(key + "x") is None
    client.force_login(user)
    client.post(reverse("accounts:token-revoke", args=[token.pk]))
    assert actions.user_for_token(key) is None


def test_token_page_shows_a_new_key_once(client, web_users):
    client.force_login(web_users["other"])
    client.post(reverse("accounts:token-create"), {"name": "ci"})
    first = client.get(reverse("accounts:profile")).content.decode()
    assert 'id="new-token">cl_' in first
    assert 'id="new-token"' not in client.get(reverse("accounts:profile")).content.decode()


def test_cannot_revoke_someone_elses_token(client, web_users):
    token, _ = actions.create_token(web_users["depositor"], "mine")
    client.force_login(web_users["other"])
    assert client.post(reverse("accounts:token-revoke", args=[token.pk])).status_code == 404
    assert not ApiToken.objects.get(pk=token.pk).revoked
