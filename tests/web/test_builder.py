"""The builder through its pages (Django test client): a draft on the tennis-elbow
SNOMED CT release built as OpenCodelists' fixtures were, review and publish, drafts from
published versions and uploaded files, undo, and who may do what."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.urls import reverse

from tests.plugins.web import client_for, make_codelist_text
from webapp.builder import actions
from webapp.builder.models import Draft, DraftStatus

pytestmark = pytest.mark.django_db

FIXTURES = "data/terminologies/opencodelists-fixtures/coding_systems/snomedct/fixtures"


def expected(shared, name: str) -> set[str]:
    rows = csv.DictReader(open(shared / FIXTURES / f"{name}.csv", encoding="utf-8"))
    return {r["code"] for r in rows if r["code"] != "156659008"}


def downloaded(client, draft) -> set[str]:
    body = client.get(reverse("builder:download", args=[draft.pk, "csv"])).content.decode()
    rows = list(csv.DictReader(io.StringIO(body)))
    return {r["code"] for r in rows}


def decide(client, draft, code, decision) -> dict:
    answer = client.post(reverse("builder:decide", args=[draft.pk]),
                         {"code": code, "decision": decision}, HTTP_ACCEPT="application/json")
    assert answer.status_code == 200, answer.content
    return json.loads(answer.content)


@pytest.fixture
def elbow_draft(client, site_snomed, web_users):
    client = client_for(client, web_users["depositor"])
    page = client.post(reverse("builder:start"), {"title": "Disorder of elbow",
                                                  "system": "snomedct"})
    draft = Draft.objects.get()
    assert page.url == reverse("builder:draft", args=[draft.pk])
    for query in ("128133004", "3723001"):
        client.post(reverse("builder:search", args=[draft.pk]), {"kind": "code",
                                                                 "query": query})
    return client, draft


def test_build_disorder_of_elbow_as_opencodelists_does(elbow_draft, shared):
    client, draft = elbow_draft
    answer = decide(client, draft, "128133004", "include")
    assert answer["changed"]["128133004"] == "included"
    assert downloaded(client, draft) == expected(shared, "disorder-of-elbow")

    answer = decide(client, draft, "3723001", "exclude")
    assert answer["changed"]["439656005"] == "conflicted"
    assert answer["counts"]["conflicted"] == 2  # arthritis of elbow, lateral epicondylitis
    assert downloaded(client, draft) == expected(shared, "disorder-of-elbow-excl-arthritis")
    page = client.get(reverse("builder:draft", args=[draft.pk])).content.decode()
    assert "2 conflicts" in page and "included by <code>128133004</code>" in page

    # a conflicted draft cannot go to review
    client.post(reverse("builder:transition", args=[draft.pk, "review"]))
    draft.refresh_from_db()
    assert draft.status == DraftStatus.DRAFT

    decide(client, draft, "439656005", "include")  # exclude only 3723001 itself
    assert downloaded(client, draft) == expected(shared,
                                                 "disorder-of-elbow-excl-arthritis-only")

    client.post(reverse("builder:transition", args=[draft.pk, "review"]))
    draft.refresh_from_db()
    assert draft.status == DraftStatus.REVIEW
    assert decide_refused(client, draft)  # the list is fixed under review
    page = client.post(reverse("builder:transition", args=[draft.pk, "published"]))
    draft.refresh_from_db()
    version = draft.published_version
    assert draft.status == DraftStatus.PUBLISHED and page.url.endswith(
        f"/codelists/{version.codelist_id}/")
    assert set(version.codes.filter(status="active").values_list("code", flat=True)) == \
        expected(shared, "disorder-of-elbow")
    assert version.metadata["definition"]["rules"] == [
        {"code": "128133004", "include": True}, {"code": "3723001", "include": False},
        {"code": "439656005", "include": True}]
    # the codelist page shows the definition the builder saved
    shown = client.get(reverse("repository:codelist", args=[version.codelist_id])).content
    assert b"exclude, with descendants" in shown and b"3723001" in shown


def decide_refused(client, draft) -> bool:
    answer = client.post(reverse("builder:decide", args=[draft.pk]),
                         {"code": "128133004", "decision": "exclude"},
                         HTTP_ACCEPT="application/json")
    return answer.status_code == 400


def test_undo_and_removing_a_search_keep_what_they_should(elbow_draft):
    client, draft = elbow_draft
    decide(client, draft, "128133004", "include")
    decide(client, draft, "3723001", "exclude")
    answer = json.loads(client.post(reverse("builder:undo", args=[draft.pk]),
                                    HTTP_ACCEPT="application/json").content)
    assert answer["rules"] == {"128133004": True}
    assert answer["changed"]["3723001"] == "unresolved"
    decide(client, draft, "3723001", "exclude")
    client.post(reverse("builder:remove-search", args=[draft.pk, 1]))
    draft.refresh_from_db()
    assert len(draft.searches) == 1
    assert {r["code"] for r in draft.rules} == {"128133004", "3723001"}  # decisions kept
    # taking a decision back
    answer = decide(client, draft, "128133004", "clear")
    assert answer["changed"]["128133004"] == "unresolved"


def test_others_cannot_see_or_change_a_draft(elbow_draft, web_users, client):
    _, draft = elbow_draft
    other = client_for(client, web_users["other"])
    assert other.get(reverse("builder:draft", args=[draft.pk])).status_code == 404
    answer = other.post(reverse("builder:decide", args=[draft.pk]),
                        {"code": "128133004", "decision": "include"})
    assert answer.status_code == 404
    client.logout()
    assert client.get(reverse("builder:index")).status_code == 302  # to log in


def test_a_draft_needs_an_installed_release(client, web_users):
    client = client_for(client, web_users["depositor"])
    page = client.post(reverse("builder:start"), {"title": "X", "system": "snomedct"},
                       follow=True).content.decode()
    assert "no SNOMED CT release is installed on this site" in page
    assert not Draft.objects.exists()


def test_an_uploaded_list_without_a_definition_gets_the_minimal_one(client, site_snomed,
                                                                    web_users, shared):
    rows = csv.DictReader(open(shared / FIXTURES / "disorder-of-elbow-excl-arthritis.csv",
                               encoding="utf-8"))
    text = make_codelist_text(id="elbow", title="Elbow without arthritis", system="snomedct",
                              active=[(r["code"], r["name"]) for r in rows])
    draft = actions.start_from_text(web_users["depositor"], text)
    assert draft.rules == [{"code": "128133004", "include": True},
                           {"code": "439656005", "include": False}]
    client = client_for(client, web_users["depositor"])
    assert downloaded(client, draft) == expected(shared, "disorder-of-elbow-excl-arthritis")


def test_a_new_version_starts_from_the_published_definition(elbow_draft, web_users, shared):
    client, draft = elbow_draft
    decide(client, draft, "128133004", "include")
    decide(client, draft, "3723001", "exclude")
    decide(client, draft, "439656005", "exclude")
    user = web_users["depositor"]
    draft.refresh_from_db()
    actions.submit_for_review(user, draft)
    version = actions.publish(user, draft)
    page = client.post(reverse("builder:new-version", args=[version.codelist_id]))
    again = Draft.objects.exclude(pk=draft.pk).get()
    assert page.url == reverse("builder:draft", args=[again.pk])
    assert again.rules == draft.rules and again.searches == draft.searches
    decide(client, again, "439656005", "include")
    again.refresh_from_db()
    actions.submit_for_review(user, again)
    second = actions.publish(user, again)
    assert second.codelist_id == version.codelist_id and second.number == 2
    assert set(second.codes.values_list("code", flat=True)) == expected(
        shared, "disorder-of-elbow-excl-arthritis-only")


def test_a_file_downloaded_edited_and_uploaded_again_is_understood(elbow_draft, shared):
    """The builder's .codelist, edited as the command line would (one more decision),
    opens in the builder with its searches and decisions."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from codelists.codelist.fileformat import dumps, parse

    client, draft = elbow_draft
    decide(client, draft, "128133004", "include")
    text = client.get(reverse("builder:download", args=[draft.pk, "codelist"])).content
    edited = parse(text.decode("utf-8"))
    edited.definition = edited.definition.with_rule("3723001", False)
    upload = SimpleUploadedFile("elbow.codelist", dumps(edited).encode("utf-8"))
    page = client.post(reverse("builder:upload"), {"file": upload})
    again = Draft.objects.exclude(pk=draft.pk).get()
    draft.refresh_from_db()
    assert page.url == reverse("builder:draft", args=[again.pk])
    assert again.searches == draft.searches
    assert again.rules == [{"code": "128133004", "include": True},
                           {"code": "3723001", "include": False}]
    assert downloaded(client, again) == expected(shared, "disorder-of-elbow-excl-arthritis")


def test_the_terminologies_page_lists_what_is_installed(client, site_snomed, web_users):
    page = client.get(reverse("builder:terminologies")).content.decode()
    assert "SNOMED CT" in page and "20200415" in page
    assert str(site_snomed.parent) not in page  # where stores live: staff only
    staff = client_for(client, web_users["admin"])
    assert str(site_snomed) in staff.get(reverse("builder:terminologies")).content.decode()


def test_a_delphi_review_starts_from_a_draft_under_review(elbow_draft, shared):
    client, draft = elbow_draft
    decide(client, draft, "128133004", "include")
    decide(client, draft, "3723001", "exclude")
    decide(client, draft, "439656005", "exclude")
    client.post(reverse("builder:transition", args=[draft.pk, "review"]))
    page = client.post(reverse("builder:transition", args=[draft.pk, "delphi"]))
    draft.refresh_from_db()
    version = draft.codelist.latest_version
    assert page.url == reverse("review:start", args=[version.pk])
    assert draft.status == DraftStatus.REVIEW
    pending = set(version.codes.filter(status="pending").values_list("code", flat=True))
    assert pending == expected(shared, "disorder-of-elbow-excl-arthritis")
    start = client.get(page.url).content.decode()
    assert f"{len(pending)} pending candidate codes in this version" in start


def test_a_draft_says_when_the_release_changed_under_it(elbow_draft):
    client, draft = elbow_draft
    Draft.objects.filter(pk=draft.pk).update(release="international 20190731")
    page = client.get(reverse("builder:draft", args=[draft.pk])).content.decode()
    assert "started on SNOMED CT international 20190731" in page
    assert "the site now has SNOMED CT international 20200415" in page


def test_a_release_is_titled_with_its_system_once():
    from webapp.builder.session import titled

    assert titled("ICD-10-CM", "ICD-10-CM FY2026 (CDC) 20260401") == "ICD-10-CM FY2026 (CDC) 20260401"
    assert titled("SNOMED CT", "international 20200415") == "SNOMED CT international 20200415"


def test_a_draft_on_an_earlier_release_of_the_data_directory(client, site_snomed, web_users):
    import shutil

    earlier = site_snomed.parent / "snomedct-earlier.db"
    shutil.copy(site_snomed.resolve(), earlier)
    client = client_for(client, web_users["depositor"])
    index = client.get(reverse("builder:index")).content.decode()
    assert 'value="snomedct:snomedct-earlier.db"' in index and "an earlier release" in index
    client.post(reverse("builder:start"), {"title": "On the earlier release",
                                           "system": "snomedct:snomedct-earlier.db"})
    draft = Draft.objects.get()
    assert draft.store == "snomedct-earlier.db" and draft.coding_system == "snomedct"
    client.post(reverse("builder:search", args=[draft.pk]), {"kind": "code",
                                                             "query": "128133004"})
    assert decide(client, draft, "128133004", "include")["counts"]["included"] == 7
    earlier.unlink()
    page = client.get(reverse("builder:draft", args=[draft.pk]))
    assert page.status_code == 503
    assert "snomedct-earlier.db is no longer installed" in page.content.decode()
