"""Attack uploads are refused quickly with a 4xx that names the budget hit (issue 14:
YAML alias bomb, deeply nested JSON, a CSV of a million lines, an .xlsx zip bomb)."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.web.test_repository_deposit import ARTICLE
from webapp.repository.models import Article

pytestmark = pytest.mark.django_db


def alias_bomb(levels: int = 6, width: int = 10) -> str:
    lines = ['l0: &l0 "lol"']
    for i in range(1, levels + 1):
        lines.append(f"l{i}: &l{i} [" + ",".join([f"*l{i - 1}"] * width) + "]")
    front = "\n".join(lines)
    return (f"---\nid: bomb\ntitle: Bomb\nterminology: snomedct\n{front}\n---\n"
            "195967001 Asthma\n")


def deep_json(depth: int = 50_000) -> str:
    return "[" * depth + "]" * depth


def million_lines() -> str:
    return "code\n" + "1\n" * 1_000_000


def xlsx_bomb() -> bytes:
    """A small file whose one member unpacks to 200 MB of XML."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        with zf.open("xl/worksheets/sheet1.xml", "w") as member:
            chunk = b"<row/>" * 100_000
            for _ in range(200 * 1024 * 1024 // len(chunk)):
                member.write(chunk)
    return buffer.getvalue()


@pytest.fixture
def depositor_client(client, web_users):
    client.force_login(web_users["depositor"])
    response = client.post(reverse("repository:deposit"), ARTICLE)
    assert response.status_code == 302
    return client


@pytest.mark.parametrize(("name", "make", "limit", "status"), [
    ("bomb.codelist", alias_bomb, "aliases", 422),
    ("deep.json", deep_json, "nested", 422),
    ("million.csv", million_lines, "lines", 422),
])
def test_attack_uploads_are_refused_naming_the_limit(depositor_client, name, make, limit,
                                                     status):
    data = make()
    response = depositor_client.post(reverse("repository:deposit-files"), {
        "files": [SimpleUploadedFile(name, data.encode())]}, follow=True)
    page = response.content.decode()
    assert response.status_code == status
    assert limit in page
    assert not Article.objects.filter(codelists__isnull=False, title=ARTICLE["title"]).exists()


def test_workbook_zip_bomb_is_refused_by_its_unpacked_size(depositor_client):
    data = xlsx_bomb()
    assert len(data) < 1024 * 1024
    response = depositor_client.post(reverse("repository:deposit-files"), {
        "files": [SimpleUploadedFile("bomb.xlsx", data)]})
    assert response.status_code == 413
    assert "unpacks to" in response.content.decode()


def test_api_refuses_an_alias_bomb_and_stores_nothing(api_client, web_users, web_article):
    api_client.force_authenticate(web_users["depositor"])
    before = web_article.codelists.count()
    response = api_client.post(f"/api/v1/articles/{web_article.pk}/codelists/",
                               {"text": alias_bomb(levels=8)}, format="json")
    assert response.status_code == 422
    problem = response.json()["error"]["details"]["problems"][0]
    assert problem["rule"] == "limit-yaml_aliases"
    assert web_article.codelists.count() == before


def test_api_refuses_more_lines_than_the_budget(api_client, web_users, web_article, settings):
    from codelists.formats.limits import Limits

    settings.CODELISTS_UPLOAD_LIMITS = Limits(rows=1000)
    api_client.force_authenticate(web_users["depositor"])
    text = "---\nid: big\ntitle: Big\nterminology: snomedct\n---\n" + "195967001\n" * 2000
    response = api_client.post(f"/api/v1/articles/{web_article.pk}/codelists/",
                               {"text": text}, format="json")
    assert response.status_code == 422
    problem = response.json()["error"]["details"]["problems"][0]
    assert problem["rule"] == "limit-rows" and "limit is 1,000" in problem["message"]


def test_a_deeply_nested_json_request_body_is_a_400(api_client, web_users):
    api_client.force_authenticate(web_users["depositor"])
    response = api_client.post("/api/v1/articles/", data=deep_json(50_000),
                               content_type="application/json")
    assert response.status_code == 400
    assert "nested" in response.json()["error"]["message"]
