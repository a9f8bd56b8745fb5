"""Pages: browse, search, article and codelist pages, diff, citations, downloads."""

from __future__ import annotations

import csv
import io
import json
import zipfile

import pytest
from django.urls import reverse

from tests.plugins.web import make_codelist_text
from webapp.repository import actions

pytestmark = pytest.mark.django_db


def test_home_and_browse_list_the_article(client, web_article):
    for name in ("repository:home", "repository:browse"):
        page = client.get(reverse(name))
        assert page.status_code == 200
        assert "Asthma in primary care" in page.content.decode()


@pytest.mark.parametrize("query,found", [
    ("system=snomedct", True), ("system=icd10", False), ("year=2024", True),
    ("year=2023", False), ("article_type=journal-article", True),
    ("article_type=qof-release", False), ("tag=respiratory", True), ("tag=asthma", True),
    ("tag=cancer", False), ("sort=title", True), ("sort=oldest", True),
])
def test_browse_filters(client, web_article, query, found):
    page = client.get(reverse("repository:browse") + "?" + query)
    assert ("Asthma in primary care" in page.content.decode()) is found


def test_browse_paginates(client, web_users):
    for i in range(25):
        actions.create_article(web_users["depositor"], title=f"Study {i:02d}")
    first = client.get(reverse("repository:browse") + "?sort=title").content.decode()
    second = client.get(reverse("repository:browse") + "?sort=title&page=2").content.decode()
    assert "Study 00" in first and "Study 24" not in first
    assert "Study 24" in second and "Page 2 of 2" in second


def test_browse_filter_by_htmx_returns_the_list_only(client, web_article):
    page = client.get(reverse("repository:browse") + "?tag=respiratory", HTTP_HX_REQUEST="true")
    body = page.content.decode()
    assert "Asthma in primary care" in body and "<html" not in body


@pytest.mark.parametrize("query", ["code=195967001", "q=195967001", "q=childhood",
                                   "q=asthma", "tag=asthma", "system=snomedct",
                                   "q=primary+care"])
def test_search_finds_the_codelist(client, web_article, query):
    page = client.get(reverse("repository:search") + "?" + query)
    assert page.status_code == 200
    assert 'href="/codelists/' in page.content.decode()


def test_search_by_code_uses_the_latest_version_and_active_codes(client, web_article):
    search = reverse("repository:search")
    assert "/codelists/" in client.get(search + "?code=266361008").content.decode()
    # excluded and pending codes do not count as "contains"
    for code in ("41553006", "57607007", "999999999"):
        assert "No codelists found" in client.get(f"{search}?code={code}").content.decode()


def test_article_page_shows_codelists_and_downloads(client, web_article):
    page = client.get(reverse("repository:article", args=[web_article.pk])).content.decode()
    assert "Ada Lovelace, Alan Turing" in page
    assert "Asthma</a>" in page and "CC-BY-4.0" in page
    assert "Edit metadata" not in page  # anonymous


def test_codelist_page_shows_codes_apart_and_versions(client, web_article):
    codelist = web_article.codelists.get()
    page = client.get(reverse("repository:codelist", args=[codelist.pk])).content.decode()
    assert "Included" in page and "Excluded" in page and "Pending review" in page
    assert "41553006" in page and "57607007" in page
    assert "version 2 of 2" in page
    old = client.get(reverse("repository:codelist", args=[codelist.pk]) + "?version=1")
    assert "266361008" not in old.content.decode()
    assert client.get(reverse("repository:codelist", args=[codelist.pk]) + "?version=9"
                      ).status_code == 404


def _long_codelist(web_users, n: int):
    article = actions.create_article(web_users["depositor"], title="Many codes", authors="A",
                                     year=2024)
    codes = [(f"{chr(65 + i // 100)}{i % 100:02d}", f"Term {i}") for i in range(n)]
    text = make_codelist_text(id="many", title="Many", system="icd10", active=codes)
    return actions.add_codelist(web_users["depositor"], article, actions.NewCodelist(text)), codes


def test_a_long_code_table_shows_more_on_request(client, web_users):
    codelist, codes = _long_codelist(web_users, 1234)
    page = client.get(reverse("repository:codelist", args=[codelist.pk])).content.decode()
    shown = [c for c, _ in codes if f"<code>{c}</code>" in page]
    assert shown == [c for c, _ in codes[:500]]
    assert "Show the next 500 codes" in page and "offset=500" in page
    url = reverse("repository:codelist-codes", args=[codelist.pk])
    second = client.get(url + "?version=1&status=active&offset=500").content.decode()
    assert "<table" not in second  # rows to append, not a new table
    assert [c for c, _ in codes if f"<code>{c}</code>" in second] == [
        c for c, _ in codes[500:1000]]
    assert "offset=1000" in second
    last = client.get(url + "?version=1&status=active&offset=1000").content.decode()
    assert [c for c, _ in codes if f"<code>{c}</code>" in last] == [c for c, _ in codes[1000:]]
    assert "Show the next" not in last and "No codes" not in last
    # a filter keeps its query in the next link; a short filtered table has none
    filtered = client.get(url + "?version=1&status=active&q=erm").content.decode()
    assert "q=erm&amp;offset=500" in filtered
    few = client.get(url + "?version=1&status=active&q=Term 1").content.decode()
    assert few.count("<code>") == 1 + 10 + 100 + 234 and "offset=" not in few
    assert client.get(url + "?offset=nonsense").status_code == 200


def test_codes_are_searchable(client, web_article):
    codelist = web_article.codelists.get()
    url = reverse("repository:codelist-codes", args=[codelist.pk])
    body = client.get(url + "?q=child", HTTP_HX_REQUEST="true").content.decode()
    assert "233678006" in body and "195967001" not in body
    excluded = client.get(url + "?status=excluded").content.decode()
    assert "41553006" in excluded and "233678006" not in excluded


def test_diff_between_versions(client, web_article):
    codelist = web_article.codelists.get()
    body = client.get(reverse("repository:codelist-diff", args=[codelist.pk])
                      + "?from=1&to=2").content.decode()
    assert "266361008" in body and "195967001" not in body


def test_citations(client, web_article):
    codelist = web_article.codelists.get()
    text = client.get(reverse("repository:codelist-cite", args=[codelist.pk, "text"])).content
    assert b"Ada Lovelace, Alan Turing (2024). Asthma [codelist, version 2]" in text
    bib = client.get(reverse("repository:codelist-cite", args=[codelist.pk, "bibtex"]))
    assert bib.content.decode().startswith("@misc{asthma_v2,")
    assert "doi = {10.1136/bmjopen-2024-000001}" in bib.content.decode()
    ris = client.get(reverse("repository:codelist-cite", args=[codelist.pk, "ris"])).content
    assert b"TY  - DATA" in ris and b"AU  - Ada Lovelace" in ris and ris.endswith(b"ER  - \r\n")


def _csv(body: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(body.decode())))


def test_codelist_csv_download_states_licence(client, web_article):
    codelist = web_article.codelists.get()
    response = client.get(reverse("repository:codelist-download", args=[codelist.pk, "csv"]))
    assert response["Link"] == '<https://creativecommons.org/licenses/by/4.0/>; rel="license"'
    assert 'filename="asthma-v2.csv"' in response["Content-Disposition"]
    rows = _csv(response.content)
    assert {r["licence"] for r in rows} == {"CC-BY-4.0"}
    assert {(r["code"], r["status"]) for r in rows} >= {("195967001", "active"),
                                                        ("41553006", "excluded")}


def test_codelist_file_download_is_the_stored_text(client, web_article):
    codelist = web_article.codelists.get()
    url = reverse("repository:codelist-download", args=[codelist.pk, "codelist"])
    assert client.get(url + "?version=1").content.decode() == codelist.versions.get(
        number=1).text
    assert b"licence: CC-BY-4.0" in client.get(url).content


def test_codelist_json_metadata(client, web_article):
    codelist = web_article.codelists.get()
    data = json.loads(client.get(reverse("repository:codelist-download",
                                         args=[codelist.pk, "json"])).content)
    assert data["licence"] == "CC-BY-4.0" and data["version"]["number"] == 2
    assert data["article"]["doi"] == "10.1136/bmjopen-2024-000001"


def test_article_downloads(client, web_article, web_users):
    depositor = web_users["depositor"]
    actions.add_codelist(depositor, web_article, actions.NewCodelist(make_codelist_text(
        id="copd", title="COPD", active=[("13645005", "Chronic obstructive lung disease")])))
    url = lambda fmt: reverse("repository:article-download", args=[web_article.pk, fmt])  # noqa: E731
    rows = _csv(client.get(url("csv")).content)
    assert {r["codelist"] for r in rows} == {"asthma", "copd"}
    assert {r["licence"] for r in rows} == {"CC-BY-4.0"}
    archive = zipfile.ZipFile(io.BytesIO(client.get(url("zip")).content))
    names = set(archive.namelist())
    assert {"asthma-v2.codelist", "copd-v1.csv", "metadata.json", "LICENCE.txt"} <= names
    assert "CC-BY-4.0" in archive.read("LICENCE.txt").decode()
    meta = json.loads(client.get(url("json")).content)
    assert meta["licence"] == "CC-BY-4.0" and len(meta["codelists"]) == 2


def test_formula_cells_are_neutralised(client, web_users):
    depositor = web_users["depositor"]
    article = actions.create_article(depositor, title="Formulae")
    actions.add_codelist(depositor, article, actions.NewCodelist(make_codelist_text(
        id="evil", title="Evil", active=[("195967001", "=HYPERLINK(\"http://x\")"),
                                         ("233678006", "+1+1"), ("41553006", "@SUM(A1)")])))
    rows = _csv(client.get(reverse("repository:article-download",
                                   args=[article.pk, "csv"])).content)
    assert {r["term"] for r in rows} == {"'=HYPERLINK(\"http://x\")", "'+1+1", "'@SUM(A1)"}


def test_user_text_is_escaped(client, web_users):
    article = actions.create_article(web_users["depositor"], title="<script>alert(1)</script>",
                                     abstract="<img src=x onerror=alert(2)>")
    body = client.get(reverse("repository:article", args=[article.pk])).content.decode()
    assert "<script>alert(1)" not in body and "&lt;script&gt;alert(1)" in body
    assert "<img src=x" not in body


def test_embargoed_article_hidden_from_others(client, web_users):
    import datetime as dt

    article = actions.create_article(web_users["depositor"], title="Under embargo",
                                     embargo_until=dt.date.today() + dt.timedelta(days=5))
    url = reverse("repository:article", args=[article.pk])
    assert client.get(url).status_code == 404
    assert "Under embargo" not in client.get(reverse("repository:browse")).content.decode()
    client.force_login(web_users["other"])
    assert client.get(url).status_code == 404
    client.force_login(web_users["depositor"])
    assert "embargoed until" in client.get(url).content.decode()


def test_fhir_and_opencodelists_downloads(client, web_article):
    codelist = web_article.codelists.get()
    url = lambda fmt: reverse("repository:codelist-download", args=[codelist.pk, fmt])  # noqa: E731
    fhir = client.get(url("fhir"))
    assert fhir["Content-Type"] == "application/fhir+json" and fhir["X-Licence"] == "CC-BY-4.0"
    valueset = json.loads(fhir.content)
    assert valueset["resourceType"] == "ValueSet"
    included = {c["code"] for c in valueset["compose"]["include"][0]["concept"]}
    assert included == {"195967001", "233678006", "266361008"}
    rows = _csv(client.get(url("opencodelists")).content)
    assert {r["code"] for r in rows} == included


def test_method_summary_and_quality_badge(client, web_users):
    depositor = web_users["depositor"]
    article = actions.create_article(depositor, title="Method")
    method = {"definition": {"feature": "Asthma diagnosis", "sources": ["BTS guideline"]}}
    codelist = actions.add_codelist(depositor, article, actions.NewCodelist(make_codelist_text(
        id="m", title="With method", active=[("195967001", "Asthma")], method=method)))
    page = client.get(reverse("repository:codelist", args=[codelist.pk])).content.decode()
    assert "Asthma diagnosis" in page and "BTS guideline" in page
    assert "quality 1/7" in page


def test_a_new_version_with_errors_is_refused_with_its_line(client, web_article, web_users):
    from django.core.files.uploadedfile import SimpleUploadedFile

    codelist = web_article.codelists.get()
    broken = codelist.latest_version.text.replace("title: Asthma\n", "title: [unclosed\n")
    client.force_login(web_users["depositor"])
    response = client.post(reverse("repository:codelist-version", args=[codelist.pk]),
                           {"file": SimpleUploadedFile("asthma.codelist", broken.encode())},
                           follow=True)
    assert "asthma.codelist: line " in response.content.decode()
    assert codelist.versions.count() == 2


def test_depositor_profile_on_the_article_page(client, web_article, web_users):
    from webapp.accounts import actions as account_actions

    account_actions.update_profile(web_users["depositor"], display_name="Dee Positor",
                                   orcid="0000-0002-1825-0097", affiliation="LSHTM")
    page = client.get(reverse("repository:article", args=[web_article.pk])).content.decode()
    assert "Deposited by Dee Positor (LSHTM)" in page
    assert "https://orcid.org/0000-0002-1825-0097" in page


def test_review_link_for_pending_codes(client, web_article, web_users):
    codelist = web_article.codelists.get()
    url = reverse("repository:codelist", args=[codelist.pk])
    assert 'id="start-review"' not in client.get(url).content.decode()
    client.force_login(web_users["depositor"])
    page = client.get(url).content.decode()
    assert f'href="/review/start/{codelist.latest_version_id}/"' in page


def test_search_by_code_accepts_other_spellings(client, web_users):
    depositor = web_users["depositor"]
    article = actions.create_article(depositor, title="ICD")
    actions.add_codelist(depositor, article, actions.NewCodelist(make_codelist_text(
        id="asthma-icd", title="Asthma ICD-10", system="icd10",
        active=[("J45.0", "Predominantly allergic asthma")])))
    page = client.get(reverse("repository:search") + "?code=j450").content.decode()
    assert "Asthma ICD-10" in page


def test_codelist_page_shows_front_matter(client, web_article):
    codelist = web_article.codelists.get()
    page = client.get(reverse("repository:codelist", args=[codelist.pk])).content.decode()
    assert "Appropriate use" in page and "This codelist has not yet been reviewed." in page
    # the scaffold's placeholders are never shown as if the authors had written them
    assert "Describe misuse here." not in page and "Not stated by the authors." in page


def test_search_page_offers_tags_and_systems(client, web_article):
    page = client.get(reverse("repository:search")).content.decode()
    assert 'href="?tag=respiratory"' in page and 'href="?tag=asthma"' in page
    assert '<option value="snomedct"' in page


def test_derived_from_is_shown_on_both_pages(client, web_article, web_users):
    depositor = web_users["depositor"]
    source = web_article.codelists.get()
    other = actions.create_article(depositor, title="Follow-up study")
    derived = actions.add_codelist(depositor, other, actions.NewCodelist(make_codelist_text(
        id="asthma-narrow", title="Asthma narrow", active=[("195967001", "Asthma")]),
        derived_from=source))
    derived_page = client.get(reverse("repository:codelist", args=[derived.pk])).content.decode()
    assert f'Derived from <a href="/codelists/{source.pk}/">Asthma</a>' in derived_page
    source_page = client.get(reverse("repository:codelist", args=[source.pk])).content.decode()
    assert f'<a href="/codelists/{derived.pk}/">Asthma narrow</a>' in source_page
