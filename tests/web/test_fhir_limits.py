"""The FHIR service's rate limit (the API's throttles) and its answers with no store."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_over_the_rate_limit_is_an_operation_outcome_429(client, api_rates):
    api_rates(anon="3/min")
    answers = [client.get("/fhir/metadata") for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    body = answers[-1].json()
    assert body["resourceType"] == "OperationOutcome"
    assert body["issue"][0]["code"] == "throttled"
    assert 1 <= int(answers[-1]["Retry-After"]) <= 60


def test_no_store_installed(client):
    response = client.get("/fhir/CodeSystem/$lookup",
                          {"system": "http://snomed.info/sct", "code": "3723001"})
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/fhir+json")
    assert "no SNOMED CT terminology is installed" in \
        response.json()["issue"][0]["diagnostics"]
    capabilities = client.get("/fhir/metadata", {"mode": "terminology"}).json()
    assert capabilities["codeSystem"] == []
    bad = client.post("/fhir/CodeSystem/$lookup", data="not json",
                      content_type="application/fhir+json")
    assert bad.status_code == 400 and bad.json()["issue"][0]["code"] == "invalid"


def test_deeply_nested_bodies_are_refused_not_crashed(client, api_client, web_article):
    nested = '{"resourceType": "Parameters", "parameter": ' + "[" * 50_000 + "]" * 50_000 + "}"
    fhir = client.post("/fhir/CodeSystem/$lookup", data=nested,
                       content_type="application/fhir+json")
    assert fhir.status_code == 400 and fhir.json()["resourceType"] == "OperationOutcome"
    from webapp.accounts import actions

    _, key = actions.create_token(web_article.created_by, "t")
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    compat = api_client.post(f"/api/v1/codelist/article-{web_article.pk}/", data=nested,
                             content_type="application/json")
    assert compat.status_code == 400
