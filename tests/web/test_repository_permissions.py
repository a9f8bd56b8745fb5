"""The permission matrix of every write page: anonymous, another user, depositor,
co-author, admin.  Denied writes change nothing."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.plugins.web import ASTHMA, CHANGERS, MANAGERS, ROLES, client_for, make_codelist_text
from webapp.repository.models import Article, ArticleMember, CodelistVersion

pytestmark = pytest.mark.django_db


def _state(article):
    article = Article.objects.get(pk=article.pk)
    codelist = article.codelists.get()
    return (article.title, CodelistVersion.objects.count(), ArticleMember.objects.count(),
            codelist.derived_from_id)


def _requests(article, users):
    codelist = article.codelists.get()
    text = make_codelist_text(**dict(ASTHMA, active=[("195967001", "Asthma")]))
    edit = {"title": "Renamed", "article_type": "other", "licence": "CC-BY-4.0"}
    return {
        "edit_article": (CHANGERS, reverse("repository:article-edit", args=[article.pk]),
                         edit),
        "add_coauthor": (MANAGERS, reverse("repository:coauthor-add", args=[article.pk]),
                         {"username": "other"}),
        "remove_coauthor": (MANAGERS, reverse("repository:coauthor-remove",
                                              args=[article.pk, users["coauthor"].pk]), {}),
        "new_version": (CHANGERS, reverse("repository:codelist-version", args=[codelist.pk]),
                        {"file": SimpleUploadedFile("asthma.codelist", text.encode()),
                         "note": "narrower"}),
        "derived_from": (CHANGERS, reverse("repository:codelist-derived-from",
                                           args=[codelist.pk]), {"source": ""}),
    }


WRITES = ["edit_article", "add_coauthor", "remove_coauthor", "new_version", "derived_from"]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("write", WRITES)
def test_write_pages(client, web_article, web_users, write, role):
    codelist = web_article.codelists.get()
    if write == "derived_from":  # start from a link so that clearing it is a change
        from webapp.repository import actions

        other = actions.create_article(web_users["depositor"], title="Source")
        source = actions.add_codelist(web_users["depositor"], other, actions.NewCodelist(
            make_codelist_text(id="src", active=[("195967001", "Asthma")])))
        actions.set_derived_from(web_users["depositor"], codelist, source)
    allowed, url, data = _requests(web_article, web_users)[write]
    before = _state(web_article)
    response = client_for(client, web_users[role]).post(url, data)
    if role in allowed:
        assert response.status_code == 302
        assert _state(web_article) != before
    else:
        expected = 302 if role == "anonymous" else 403
        assert response.status_code == expected
        if role == "anonymous":
            assert "/accounts/login/" in response["Location"]
        assert _state(web_article) == before


@pytest.mark.parametrize("role", ROLES)
def test_adding_codelists_to_an_article(client, web_article, web_users, role):
    url = reverse("repository:article-deposit", args=[web_article.pk])
    response = client_for(client, web_users[role]).get(url)
    if role in CHANGERS:
        assert response.status_code == 302 and response["Location"] == "/deposit/files/"
    else:
        assert response.status_code == (302 if role == "anonymous" else 403)


def test_a_draft_for_an_article_cannot_be_confirmed_after_losing_rights(client, web_article,
                                                                        web_users):
    coauthor = web_users["coauthor"]
    client.force_login(coauthor)
    client.get(reverse("repository:article-deposit", args=[web_article.pk]))
    client.post(reverse("repository:deposit-files"), {"files": [SimpleUploadedFile(
        "flu.codelist", make_codelist_text(id="flu", active=[("6142004", "Flu")]).encode())]})
    from webapp.repository import actions

    actions.remove_coauthor(web_users["depositor"], web_article, coauthor)
    response = client.post(reverse("repository:deposit-confirm"))
    assert response.status_code == 403
    assert web_article.codelists.count() == 1


def test_csrf_is_enforced(web_article, web_users):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(web_users["depositor"])
    response = client.post(reverse("repository:article-edit", args=[web_article.pk]),
                           {"title": "x", "article_type": "other", "licence": "CC-BY-4.0"})
    assert response.status_code == 403
    assert Article.objects.get(pk=web_article.pk).title == "Asthma in primary care"
