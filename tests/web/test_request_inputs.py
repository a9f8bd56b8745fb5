"""NUL characters in request values: 400 on every kind of page, never a server error
(PostgreSQL refuses NUL in text; schemathesis found it on /api/v1/articles/)."""

from __future__ import annotations

import pytest


@pytest.mark.django_db
@pytest.mark.parametrize("path, kind", [
    ("/api/v1/articles/?system=snom%00ed", "api"),
    ("/api/v1/codelists/?q=asth%00ma", "api"),
    ("/search/?q=asth%00ma", "page"),
    ("/fhir/CodeSystem/$lookup?system=http://snomed.info/sct&code=1%00", "fhir"),
])
def test_a_nul_in_the_query_is_a_400_naming_the_problem(client, path, kind):
    response = client.get(path)
    assert response.status_code == 400
    if kind == "api":
        assert response.json()["error"]["code"] == "invalid"
        assert "NUL" in response.json()["error"]["message"]
    elif kind == "fhir":
        assert response.json()["resourceType"] == "OperationOutcome"
    else:
        assert b"NUL character" in response.content


@pytest.mark.django_db
def test_a_nul_in_a_form_is_a_400_and_ordinary_values_pass(client):
    assert client.post("/accounts/login/", {"username": "a\x00b", "password": "x"}
                       ).status_code == 400
    assert client.get("/search/?q=asthma").status_code == 200
