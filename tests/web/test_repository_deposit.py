"""The deposit flow: metadata, multi-file upload, mapping, problems by line, confirm."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.plugins.web import ASTHMA, make_codelist_text
from webapp.repository.models import Article, Codelist

pytestmark = pytest.mark.django_db

ARTICLE = {"title": "COVID-19 and thrombosis", "authors": "A. Author", "journal": "Lancet",
           "year": "2023", "doi": "https://doi.org/10.1016/S0140-6736(23)00001-1",
           "article_type": "journal-article", "licence": "CC-BY-4.0",
           "tags": "covid, thrombosis"}


def _upload(name: str, text: str):
    return SimpleUploadedFile(name, text.encode("utf-8"))


@pytest.fixture
def depositor_client(client, web_users):
    client.force_login(web_users["depositor"])
    return client


def _start(client):
    response = client.post(reverse("repository:deposit"), ARTICLE)
    assert response.status_code == 302, response.content.decode()[:2000]
    return reverse("repository:deposit-files")


def test_full_deposit_with_codelist_and_csv(depositor_client, shared):
    files_url = _start(depositor_client)
    csv_path = shared / "data/codelists/opensafely-post-covid-vaccinated/codelists"
    csv_text = (csv_path / "bristol-hdl-cholesterol.csv").read_text(encoding="utf-8")
    response = depositor_client.post(files_url, {"files": [
        _upload("asthma.codelist", make_codelist_text(**ASTHMA)),
        _upload("bristol-hdl-cholesterol.csv", csv_text)]})
    assert response.status_code == 302
    assert Article.objects.count() == 0 and Codelist.objects.count() == 0  # nothing saved yet
    page = depositor_client.get(files_url).content.decode()
    assert "asthma.codelist" in page and "bristol-hdl-cholesterol.csv" in page
    assert 'id="confirm" disabled' not in page
    response = depositor_client.post(reverse("repository:deposit-confirm"))
    article = Article.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/articles/{article.pk}/"
    assert article.doi == "10.1016/S0140-6736(23)00001-1"
    assert sorted(article.tags.values_list("name", flat=True)) == ["covid", "thrombosis"]
    assert article.members.get().user.username == "depositor"
    lists = {c.title: c for c in article.codelists.all()}
    assert set(lists) == {"Asthma", "Bristol hdl cholesterol"}
    hdl = lists["Bristol hdl cholesterol"]
    assert "licence: CC-BY-4.0" in hdl.latest_version.text
    expected = sum(1 for line in csv_text.splitlines()[1:] if line.strip())
    assert hdl.coding_system == "snomedct" and hdl.code_count == expected


def test_problems_are_shown_per_file_with_line_numbers(depositor_client):
    files_url = _start(depositor_client)
    broken = make_codelist_text(**ASTHMA).replace("title: Asthma\n", "title: [unclosed\n")
    depositor_client.post(files_url, {"files": [_upload("broken.codelist", broken)]})
    page = depositor_client.get(files_url).content.decode()
    assert "broken.codelist" in page and "line " in page and "errors" in page
    assert 'id="confirm" disabled' in page
    response = depositor_client.post(reverse("repository:deposit-confirm"))
    assert response.status_code == 302 and Article.objects.count() == 0


def test_table_needing_a_mapping(depositor_client):
    files_url = _start(depositor_client)
    # five-character codes that are Read v2 and CTV3 alike: only the depositor can tell
    table = ("Remark\tIdentifier\tLabel\nsee notes\tH33..\tAsthma\n"
             "none\tH330.\tExtrinsic asthma\n")
    depositor_client.post(files_url, {"files": [_upload("asthma-icd.tsv", table)]})
    page = depositor_client.get(files_url).content.decode()
    assert "Column mapping" in page and 'id="confirm" disabled' in page
    response = depositor_client.post(
        reverse("repository:deposit-mapping", args=[0]),
        {"f0-code_column": "Identifier", "f0-term_column": "Label",
         "f0-coding_system": "readv2", "f0-title": "Asthma (Read v2)"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "Asthma (Read v2)" in body and 'hx-swap-oob="true"' in body
    assert 'id="confirm" disabled' not in body
    depositor_client.post(reverse("repository:deposit-confirm"))
    codelist = Codelist.objects.get()
    assert codelist.coding_system == "readv2"
    assert sorted(codelist.latest_version.codes.values_list("code", flat=True)) == [
        "H33..", "H330."]


def test_upload_type_and_size_limits(depositor_client, settings):
    files_url = _start(depositor_client)
    page = depositor_client.post(files_url, {"files": [_upload("evil.exe", "MZ")]})
    assert "only .codelist" in page.content.decode()
    settings.CODELISTS_UPLOAD_MAX_BYTES = 100
    page = depositor_client.post(files_url, {"files": [
        _upload("big.codelist", make_codelist_text(**ASTHMA))]})
    assert "larger than" in page.content.decode()


def test_remove_a_file_from_the_draft(depositor_client):
    files_url = _start(depositor_client)
    depositor_client.post(files_url, {"files": [_upload("a.codelist",
                                                        make_codelist_text(**ASTHMA))]})
    depositor_client.post(reverse("repository:deposit-remove", args=[0]))
    assert "a.codelist" not in depositor_client.get(files_url).content.decode()


def test_deposit_needs_login(client):
    response = client.get(reverse("repository:deposit"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_add_codelists_to_an_existing_article(client, web_article, web_users):
    client.force_login(web_users["coauthor"])
    client.get(reverse("repository:article-deposit", args=[web_article.pk]))
    client.post(reverse("repository:deposit-files"), {"files": [_upload(
        "copd.codelist", make_codelist_text(id="copd", title="COPD",
                                            active=[("13645005", "COPD")]))]})
    client.post(reverse("repository:deposit-confirm"))
    assert sorted(web_article.codelists.values_list("slug", flat=True)) == ["asthma", "copd"]


def test_fhir_valueset_and_workbook_uploads(depositor_client, web_article):
    import io

    from openpyxl import Workbook

    codelist = web_article.codelists.get()
    valueset = depositor_client.get(
        reverse("repository:codelist-download", args=[codelist.pk, "fhir"])).content.decode()
    book = Workbook()
    sheet = book.active
    sheet.append(["code", "term"])
    sheet.append(["J45.0", "Predominantly allergic asthma"])
    sheet.append(["J45.1", "Nonallergic asthma"])
    data = io.BytesIO()
    book.save(data)
    files_url = _start(depositor_client)
    depositor_client.post(files_url, {"files": [
        SimpleUploadedFile("asthma.valueset.json", valueset.encode()),
        SimpleUploadedFile("asthma-icd.xlsx", data.getvalue())]})
    page = depositor_client.get(files_url).content.decode()
    assert 'id="confirm" disabled' not in page, page
    depositor_client.post(reverse("repository:deposit-confirm"))
    article = Article.objects.exclude(pk=web_article.pk).get()
    codes = {c.coding_system: sorted(c.latest_version.codes.filter(status="active")
                                     .values_list("code", flat=True))
             for c in article.codelists.all()}
    assert codes == {"snomedct": ["195967001", "233678006", "266361008"],
                     "icd10": ["J45.0", "J45.1"]}


# -- issue 13: the deposit reads uploads through the same library path as `codelist import`
def test_deposit_shows_the_importers_problems_with_line_numbers(depositor_client, test_data):
    files_url = _start(depositor_client)
    hostile = test_data / "import-hostile"
    uploads = [SimpleUploadedFile(name, (hostile / name).read_bytes())
               for name in ("scientific.tsv", "utf16le-bom.csv", "dagger.csv")]
    depositor_client.post(files_url, {"files": uploads})
    page = depositor_client.get(files_url).content.decode()
    # every bad cell of the medcode column listed with its line, as the CLI does
    assert "line 3: &#x27;1.23E+05&#x27;" in page and "line 4: &#x27;6.63E+102&#x27;" in page
    # UTF-16 with a BOM imports (it raised a traceback in the CLI before)
    assert "utf16le-bom.csv" in page and "snomedct · 2 included" in page
    # the dagger mark dropped is reported against its line
    assert "stored as B01.2" in page
    assert 'id="confirm" disabled' in page  # the scientific-notation file has errors


@pytest.mark.parametrize(("name", "content"), [
    ("header-only.csv", b"code,term\n"),
    ("all-excluded.codelist", None),
])
def test_a_file_with_no_included_codes_is_never_ready(depositor_client, name, content):
    files_url = _start(depositor_client)
    if content is None:  # a .codelist whose only code line is excluded
        text = make_codelist_text(**ASTHMA)
        body = text.split("---\n", 2)
        content = (body[0] + "---\n" + body[1] + "---\n\n# 195967001  Asthma\n").encode()
    depositor_client.post(files_url, {"files": [SimpleUploadedFile(name, content)]})
    page = depositor_client.get(files_url).content.decode()
    assert name in page and 'id="confirm" disabled' in page
    assert "no rows of codes" in page or "no included codes" in page
    depositor_client.post(reverse("repository:deposit-confirm"))
    assert Codelist.objects.count() == 0


def test_binary_upload_is_refused_by_name(depositor_client):
    files_url = _start(depositor_client)
    response = depositor_client.post(files_url, {"files": [SimpleUploadedFile(
        "list.csv", b"\x89PNG\r\n\x1a\n\x00\x00")]}, follow=True)
    page = response.content.decode()
    assert "list.csv" in page and "PNG image" in page


def test_the_deposit_asks_for_what_a_file_leaves_as_placeholders(depositor_client):
    """A table import has no description, appropriate use or misuse: the deposit asks for
    them, writes the answers into the file, and the public page never shows a
    placeholder."""
    files_url = _start(depositor_client)
    table = "code,term\n195967001,Asthma\n389145006,Allergic asthma\n"
    depositor_client.post(files_url, {"files": [_upload("asthma.csv", table)]})
    page = depositor_client.get(files_url).content.decode()
    assert "Describe this codelist for its readers" in page
    for field in ("d0-description", "d0-appropriate_use", "d0-misuse"):
        assert f'name="{field}"' in page
    response = depositor_client.post(
        reverse("repository:deposit-describe", args=[0]),
        {"d0-description": "Asthma diagnoses in primary care.",
         "d0-appropriate_use": "UK primary care records, adults.",
         "d0-misuse": "Not for  hospital\nadmissions."})
    assert response.status_code == 302
    page = depositor_client.get(files_url).content.decode()
    assert "Describe this codelist for its readers" not in page  # nothing left to ask
    depositor_client.post(reverse("repository:deposit-confirm"))
    codelist = Codelist.objects.get()
    text = codelist.latest_version.text
    assert "appropriate_use: UK primary care records, adults." in text
    assert "misuse: Not for hospital admissions." in text  # one line, spaces folded
    public = depositor_client.get(reverse("repository:codelist", args=[codelist.pk])).content.decode()
    assert "UK primary care records, adults." in public
    assert "Describe appropriate use here." not in public


def test_a_partial_answer_asks_again_for_the_rest(depositor_client):
    files_url = _start(depositor_client)
    depositor_client.post(files_url, {"files": [_upload("a.csv", "code,term\n195967001,Asthma\n")]})
    depositor_client.post(reverse("repository:deposit-describe", args=[0]),
                          {"d0-description": "Asthma.", "d0-appropriate_use": "",
                           "d0-misuse": ""})
    page = depositor_client.get(files_url).content.decode()
    assert 'name="d0-description"' not in page
    assert 'name="d0-appropriate_use"' in page and 'name="d0-misuse"' in page


def _sctid(n: int) -> str:
    from codelists.terminology.normalise import verhoeff_digit

    body = f"{100000 + n}00"
    return body + verhoeff_digit(body)


def _session_row(client):
    from django.contrib.sessions.models import Session

    return Session.objects.get(pk=client.session.session_key)


def test_a_large_upload_is_kept_server_side_and_the_session_stays_small(depositor_client):
    from webapp.repository.models import DepositDraft

    files_url = _start(depositor_client)
    rows = "".join(f"{_sctid(n)},Synthetic concept number {n} with a long description\n"
                   for n in range(12_000))
    response = depositor_client.post(files_url, {"files": [_upload("big.csv",
                                                                   "code,term\n" + rows)]})
    assert response.status_code == 302
    draft = DepositDraft.objects.get()
    assert draft.owner.username == "depositor"
    assert len(draft.data["files"][0]["text"]) > 700_000
    assert len(_session_row(depositor_client).session_data) < 2_000
    assert depositor_client.session["deposit"] == str(draft.pk)
    assert "big.csv" in depositor_client.get(files_url).content.decode()


def test_another_user_cannot_open_a_draft_even_with_its_id(depositor_client, web_users):
    from django.test import Client

    from webapp.repository import actions
    from webapp.repository.models import DepositDraft

    files_url = _start(depositor_client)
    depositor_client.post(files_url, {"files": [_upload("private.codelist",
                                                        make_codelist_text(**ASTHMA))]})
    draft = DepositDraft.objects.get()
    thief = Client()
    thief.force_login(web_users["other"])
    session = thief.session
    session["deposit"] = str(draft.pk)  # a leaked id
    session.save()
    response = thief.get(files_url)
    assert response.status_code == 302 and response["Location"] == reverse("repository:deposit")
    assert thief.post(reverse("repository:deposit-confirm")).status_code == 302
    assert actions.find_draft(web_users["other"], draft.pk) is None
    assert Article.objects.count() == 0
    assert DepositDraft.objects.get().data["files"][0]["name"] == "private.codelist"


def test_drafts_are_removed_on_deposit_abandon_and_expiry(depositor_client, web_users,
                                                          settings):
    from datetime import timedelta

    from django.utils import timezone

    from webapp.repository import actions
    from webapp.repository.models import DepositDraft

    files_url = _start(depositor_client)
    first = DepositDraft.objects.get().pk
    _start(depositor_client)  # starting again abandons the first draft
    assert list(DepositDraft.objects.values_list("pk", flat=True)) != [first]
    assert DepositDraft.objects.count() == 1
    depositor_client.post(files_url, {"files": [_upload("asthma.codelist",
                                                        make_codelist_text(**ASTHMA))]})
    depositor_client.post(reverse("repository:deposit-confirm"))
    assert Article.objects.count() == 1 and DepositDraft.objects.count() == 0
    assert "deposit" not in depositor_client.session
    # a draft untouched past its lifetime is gone: not found, and pruned
    _start(depositor_client)
    settings.CODELISTS_DRAFT_DAYS = 14
    DepositDraft.objects.update(updated=timezone.now() - timedelta(days=15))
    assert depositor_client.get(files_url)["Location"] == reverse("repository:deposit")
    assert actions.prune_drafts() == 1 and DepositDraft.objects.count() == 0
