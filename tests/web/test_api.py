"""REST API v1: reads, writes with a token, one error shape, permission matrix."""

from __future__ import annotations

import csv
import io

import pytest

from tests.plugins.web import ASTHMA, CHANGERS, ROLES, make_codelist_text
from webapp.accounts import actions as account_actions
from webapp.repository.models import Article, CodelistVersion

pytestmark = pytest.mark.django_db
API = "/api/v1"


def _auth(api_client, user):
    if user is not None:
        _, key = account_actions.create_token(user, "test")
        api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return api_client


def _is_error(response, status: int):
    body = response.json()
    assert response.status_code == status, body
    assert set(body) == {"error"}
    assert body["error"]["status"] == status and body["error"]["message"]
    return body["error"]


def test_list_and_filter_articles(api_client, web_article):
    data = api_client.get(f"{API}/articles/").json()
    assert data["count"] == 1 and data["results"][0]["title"] == "Asthma in primary care"
    assert data["results"][0]["licence"] == "CC-BY-4.0"
    assert api_client.get(f"{API}/articles/?system=icd10").json()["count"] == 0
    assert api_client.get(f"{API}/articles/?tag=respiratory&year=2024").json()["count"] == 1


def test_search_codelists(api_client, web_article):
    for query in ("code=195967001", "q=childhood", "tag=asthma", "system=snomedct"):
        results = api_client.get(f"{API}/codelists/?{query}").json()["results"]
        assert [r["slug"] for r in results] == ["asthma"], query
    assert api_client.get(f"{API}/codelists/?code=41553006").json()["count"] == 0


def test_versions_codes_and_downloads(api_client, web_article):
    codelist = web_article.codelists.get()
    base = f"{API}/codelists/{codelist.pk}"
    assert [v["number"] for v in api_client.get(f"{base}/versions/").json()] == [1, 2]
    version = api_client.get(f"{base}/versions/1/").json()
    assert version["text"] == codelist.versions.get(number=1).text
    codes = api_client.get(f"{base}/versions/2/codes/?status=excluded").json()["results"]
    assert [c["code"] for c in codes] == ["41553006"]
    download = api_client.get(f"{base}/versions/2/download/csv/")
    assert download["Link"].endswith('rel="license"')
    rows = list(csv.DictReader(io.StringIO(download.content.decode())))
    assert "266361008" in {r["code"] for r in rows}
    zipped = api_client.get(f"{API}/articles/{web_article.pk}/download/zip/")
    assert zipped["Content-Type"] == "application/zip"


def test_error_shape(api_client, web_article):
    error = _is_error(api_client.get(f"{API}/articles/99999/"), 404)
    assert error["code"] == "not_found"
    error = _is_error(api_client.post(f"{API}/articles/", {"title": "x"}, format="json"), 401)
    assert error["code"] == "not_authenticated"
    api_client.credentials(HTTP_AUTHORIZATION="Bearer cl_nope")
    _is_error(api_client.get(f"{API}/articles/"), 401)


def test_create_article_and_deposit_with_a_token(api_client, web_users):
    _auth(api_client, web_users["other"])
    created = api_client.post(f"{API}/articles/", {
        "title": "Via the API", "year": 2025, "tags": ["asthma"]}, format="json")
    assert created.status_code == 201, created.json()
    article_id = created.json()["id"]
    assert created.json()["licence"] == "CC-BY-4.0"
    deposited = api_client.post(f"{API}/articles/{article_id}/codelists/",
                                {"text": make_codelist_text(**ASTHMA)}, format="json")
    assert deposited.status_code == 201, deposited.json()
    codelist_id = deposited.json()["id"]
    new = api_client.post(f"{API}/codelists/{codelist_id}/versions/", {
        "text": make_codelist_text(**dict(ASTHMA, active=[("195967001", "Asthma")])),
        "note": "narrower"}, format="json")
    assert new.status_code == 201 and new.json()["number"] == 2


def test_invalid_inputs_share_the_error_shape(api_client, web_article, web_users):
    _auth(api_client, web_users["depositor"])
    error = _is_error(api_client.post(f"{API}/articles/", {"year": "soon"}, format="json"), 400)
    assert error["code"] == "invalid" and "title" in error["details"]
    broken = make_codelist_text(**ASTHMA).replace("title: Asthma\n", "title: [unclosed\n")
    error = _is_error(api_client.post(f"{API}/articles/{web_article.pk}/codelists/",
                                      {"text": broken}, format="json"), 422)
    assert error["code"] == "problems" and error["details"]["problems"][0]["line"]


def test_tokens_via_the_api(api_client, web_users):
    api_client.force_authenticate(web_users["other"])
    created = api_client.post(f"{API}/tokens/", {"name": "ci"}, format="json").json()
    assert created["key"].startswith("cl_")
    updated = api_client.patch(f"{API}/tokens/{created['id']}/",
                               {"name": "ci-2", "revoked": True}, format="json").json()
    assert updated == {**updated, "name": "ci-2", "revoked": True}
    assert account_actions.user_for_token(created["key"]) is None
    assert [t["name"] for t in api_client.get(f"{API}/tokens/").json()] == ["ci-2"]


def _api_writes(article, users):
    codelist = article.codelists.get()
    text = make_codelist_text(**dict(ASTHMA, active=[("195967001", "Asthma")]))
    return {
        "patch_article": ("patch", f"{API}/articles/{article.pk}/", {"title": "Renamed"}),
        "add_codelist": ("post", f"{API}/articles/{article.pk}/codelists/", {
            "text": make_codelist_text(id="copd", title="COPD", active=[("13645005", "COPD")])}),
        "add_version": ("post", f"{API}/codelists/{codelist.pk}/versions/", {"text": text}),
    }


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("write", ["patch_article", "add_codelist", "add_version"])
def test_api_permission_matrix(api_client, web_article, web_users, write, role):
    method, url, data = _api_writes(web_article, web_users)[write]
    before = (Article.objects.get(pk=web_article.pk).title, CodelistVersion.objects.count())
    response = getattr(_auth(api_client, web_users[role]), method)(url, data, format="json")
    if role in CHANGERS:
        assert response.status_code in (200, 201), response.json()
    else:
        _is_error(response, 401 if role == "anonymous" else 403)
        after = (Article.objects.get(pk=web_article.pk).title, CodelistVersion.objects.count())
        assert after == before


def test_embargoed_articles_are_hidden_in_the_api(api_client, web_users):
    import datetime as dt

    from webapp.repository import actions

    article = actions.create_article(web_users["depositor"], title="Embargoed",
                                     embargo_until=dt.date.today() + dt.timedelta(days=3))
    assert api_client.get(f"{API}/articles/").json()["count"] == 0
    _is_error(api_client.get(f"{API}/articles/{article.pk}/"), 404)
    _auth(api_client, web_users["depositor"])
    assert api_client.get(f"{API}/articles/{article.pk}/").status_code == 200


def test_openapi_schema(api_client):
    response = api_client.get(f"{API}/schema/?format=json")
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/codelists/{id}/versions/{number}/codes/" in schema["paths"]
    assert "bearerAuth" in schema["components"]["securitySchemes"]
