"""Installing a terminology release on the site: every published version checked against
it by a background job (the real django-tasks worker), the results stored and shown
(version page, releases page, API, metadata download), affected codelists flagged, and
the owner's update opened as a draft whose pending lines are reviewed before publishing.

Real data: the tennis-elbow SNOMED CT slice and its merge with the tennis-toe slice (a
later release that adds Tennis toe, 238484001, and its intermediate ancestors under
19660004 |Disorder of soft tissue|); see ``release_lists`` in tests/plugins/web.py.
"""

from __future__ import annotations

import io
import json

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.urls import reverse

from codelists.codelist.definition import Definition, expand
from codelists.codelist.fileformat import parse
from codelists.errors import UserError
from codelists.terminology.registry import open_terminology
from tests.plugins.web import client_for
from webapp.builder import actions as builder
from webapp.jobs.models import Job
from webapp.repository.models import Compatibility, Release
from webapp.repository.release_jobs import submit_check

pytestmark = pytest.mark.django_db(transaction=True)
TENNIS_TOE = "238484001"


@pytest.fixture
def new_concepts(snomed_elbow_store, snomed_tennis_merged_store) -> set[str]:
    """What ``<< 19660004`` gains on the merged release, computed independently of the
    update: the expansion there less the expansion on the tennis-elbow release."""
    definition = Definition(ecl="<< 19660004")
    with open_terminology(snomed_elbow_store) as old, \
            open_terminology(snomed_tennis_merged_store) as new:
        gained = set(expand(definition, new)) - set(expand(definition, old))
        ancestors = set(new.ancestors(TENNIS_TOE))
    assert TENNIS_TOE in gained and gained & ancestors  # and its new intermediate ancestors
    return gained


@pytest.fixture
def checked(release_lists, web_users, snomed_tennis_merged_store):
    """The merged release checked by a curator's background job."""
    record = submit_check(web_users["admin"], str(snomed_tennis_merged_store))
    call_command("run_jobs", batch=True, verbosity=0)
    record.refresh_from_db()
    assert record.state == "done", record.error
    return record


def _result(codelist) -> Compatibility:
    return Compatibility.objects.get(version=codelist.latest_version)


def test_the_check_is_a_job_with_progress_and_stores_each_versions_answer(
        checked, release_lists, new_concepts):
    assert (checked.done, checked.total) == (2, 2)  # two SNOMED CT versions; ICD-10 not
    assert checked.result["summary"] == ("2 published version(s) checked against "
                                         "SNOMED CT international 2020-10-15; 1 codelist(s) affected")
    release = Release.objects.get()
    assert (release.coding_system, release.release, release.versions_checked) == (
        "snomedct", "20201015", 2)
    soft = _result(release_lists["soft-tissue"])
    assert not soft.compatible and soft.needs_decision
    assert soft.counts == {"new": len(new_concepts)}
    assert soft.summary == f"adds {len(new_concepts)} concepts this definition includes"
    assert {c["code"] for c in soft.changes} == new_concepts
    assert _result(release_lists["elbow"]).compatible
    assert not Compatibility.objects.filter(version=release_lists["icd"].latest_version)


def test_pages_flag_the_affected_list_and_list_compatible_releases(
        checked, release_lists, web_users, client, new_concepts):
    soft, elbow = release_lists["soft-tissue"], release_lists["elbow"]
    notice = (f"SNOMED CT international 2020-10-15 adds {len(new_concepts)} concepts this definition "
              "includes.")
    visitor = client.get(reverse("repository:codelist", args=[soft.pk])).content.decode()
    assert notice in visitor and 'id="open-update"' not in visitor
    assert TENNIS_TOE in visitor  # the changes, listed under the notice
    owner = client_for(client, web_users["depositor"])
    page = owner.get(reverse("repository:codelist", args=[soft.pk])).content.decode()
    assert notice in page and 'id="open-update"' in page
    page = owner.get(reverse("repository:codelist", args=[elbow.pk])).content.decode()
    assert "release-notice" not in page
    assert "SNOMED CT international 2020-10-15</td><td><span class=\"badge compatible\">" in page
    listing = owner.get(reverse("repository:releases")).content.decode()
    assert "Disorder of soft tissue" in listing and "Disorder of elbow" not in listing
    assert "1 affected, 1 compatible" in listing
    other = client_for(client, web_users["other"])
    mine = other.get(reverse("repository:releases") + "?mine=1").content.decode()
    assert "Disorder of soft tissue" not in mine and "0 affected of yours" in mine


def test_the_api_and_metadata_give_each_versions_releases(checked, release_lists,
                                                          api_client, client):
    soft = release_lists["soft-tissue"]
    data = api_client.get(f"/api/v1/codelists/{soft.pk}/versions/").json()
    (result,) = data[0]["releases"]
    assert result["release"] == "20201015" and result["compatible"] is False
    assert result["summary"].startswith("adds ")
    detail = api_client.get(f"/api/v1/codelists/{soft.pk}/versions/1/").json()
    assert detail["releases"] == data[0]["releases"]
    elbow = release_lists["elbow"]
    meta = json.loads(client.get(reverse("repository:codelist-download",
                                         args=[elbow.pk, "json"])).content)
    assert meta["version"]["releases"][0]["compatible"] is True


def test_only_curators_check_and_only_owners_open_an_update(checked, release_lists,
                                                           web_users,
                                                           snomed_tennis_merged_store):
    with pytest.raises(PermissionDenied):
        submit_check(web_users["depositor"], str(snomed_tennis_merged_store))
    with pytest.raises(UserError):  # not a store: said at once, not in a failed job
        submit_check(web_users["admin"], "/nonexistent/release.db")
    with pytest.raises(PermissionDenied):
        builder.start_update(web_users["other"], release_lists["soft-tissue"],
                             Release.objects.get())


def test_the_update_draft_holds_the_new_concepts_as_pending_until_reviewed(
        checked, release_lists, web_users, client, new_concepts):
    soft = release_lists["soft-tissue"]
    before = soft.latest_version.text
    owner = client_for(client, web_users["depositor"])
    response = owner.post(reverse("builder:update", args=[soft.pk, Release.objects.get().pk]))
    draft = builder.Draft.objects.get()
    assert response["Location"] == reverse("builder:draft", args=[draft.pk])
    assert set(draft.update["pending"]) == new_concepts
    assert parse(draft.update["text"]).pending_codes() and draft.store == ""
    page = owner.get(response["Location"]).content.decode()
    assert f"{len(new_concepts)} of {len(new_concepts)} pending lines to review" in page
    assert f'data-pending="{TENNIS_TOE}"' in page
    again = owner.post(reverse("builder:update", args=[soft.pk, Release.objects.get().pk]))
    assert again["Location"] == response["Location"]  # the draft already begun
    with pytest.raises(UserError, match="still pending"):
        builder.submit_for_review(web_users["depositor"], draft)

    owner.post(reverse("builder:review-pending", args=[draft.pk]),
               {"code": TENNIS_TOE, "decision": "reject"})
    owner.post(reverse("builder:review-pending", args=[draft.pk]), {"decision": "accept"})
    draft.refresh_from_db()
    assert f"All {len(new_concepts)} pending lines reviewed." in owner.get(
        response["Location"]).content.decode()
    assert draft.update["reviewed"][TENNIS_TOE] == "rejected"
    assert list(draft.update["reviewed"].values()).count("accepted") == len(new_concepts) - 1
    builder.submit_for_review(web_users["depositor"], draft)
    with pytest.raises(UserError, match="not by a Delphi panel"):
        builder.publish_for_delphi(web_users["depositor"], draft)
    version = builder.publish(web_users["depositor"], draft)

    assert version.number == 2 and soft.versions.get(number=1).text == before
    published = parse(version.text)
    assert set(published.active_codes()) == (set(parse(before).active_codes())
                                             | new_concepts) - {TENNIS_TOE}
    assert published.line_for(TENNIS_TOE).tags["reason"] == "rejected"
    assert not published.pending_codes()
    assert published.meta["snomed_release"] == "20201015"
    assert published.method["updates"][-1]["to"] == "20201015"
    assert published.definition.ecl == "<< 19660004"  # the intent is kept, with
    assert (TENNIS_TOE, False) in {(r.code, r.include)  # the owner's rejection
                                   for r in published.definition.rules}
    assert "update to SNOMED CT international 2020-10-15" in version.note
    # the new version is checked on its release at once: the notice goes away
    assert Compatibility.objects.get(version=version).compatible is True
    soft.refresh_from_db()
    page = owner.get(reverse("repository:codelist", args=[soft.pk])).content.decode()
    assert "release-notice" not in page


def test_check_release_save_stores_what_installing_a_release_computes(
        release_lists, snomed_tennis_merged_store, new_concepts):
    out = io.StringIO()
    with pytest.raises(SystemExit) as exited:
        call_command("check_release", str(snomed_tennis_merged_store), "--save", "--json",
                     stdout=out, stderr=io.StringIO())
    assert exited.value.code == 1
    rows = {r["codelist"]: r for r in json.loads(out.getvalue())["codelists"]}
    assert rows["soft-tissue"]["changes"] == {"new": len(new_concepts)}
    assert rows["elbow"]["compatible"] is True
    assert Compatibility.objects.count() == 2 and Release.objects.get().checked is not None
    assert Job.objects.count() == 0  # at once, not queued


def test_the_summary_says_what_a_release_does_in_words():
    from webapp.repository.releases import summary

    assert summary({"inactive": 2, "new": 3}) == (
        "retires 2 codes and adds 3 concepts this definition includes")
    assert summary({"term": 1, "replacement": 1, "inactive": 1}) == (
        "retires 1 code, offers 1 replacement and changes 1 term")
    assert summary({}) == ""


@pytest.fixture(scope="module")
def synthetic_stores(tmp_path_factory):
    """A synthetic release N and its successor N+1 (benchmarks/synthetic_successor.py),
    with the generator's record of what changed."""
    from codelists.terminology.snomedct.importer import import_release
    from tests.integration.test_upgrade_synthetic import built

    tmp = tmp_path_factory.mktemp("site-synthetic")
    old, _ = built(False)
    new, evolution = built(True)
    old.write(tmp / "n")
    new.write(tmp / "n1")
    return (old, evolution, import_release(tmp / "n", tmp / "n.db"),
            import_release(tmp / "n1", tmp / "n1.db"))


@pytest.mark.slow
def test_retired_codes_are_excluded_with_their_history_and_replacements_pending(
        synthetic_stores, web_users):
    """A list whose codes N+1 retires (replacements outside the list): flagged as such,
    and the update draft brings the replacements in as pending lines."""
    from tests.integration.test_upgrade_synthetic import pick_top
    from tests.plugins.web import defined_text, install_store
    from webapp.repository import actions
    from webapp.repository.release_jobs import run_check

    old, evolution, store_n, store_n1 = synthetic_stores
    top = pick_top(old, evolution, "retired-parent")
    install_store(store_n)
    install_store(store_n1)
    user = web_users["depositor"]
    article = actions.create_article(user, title="Synthetic")
    (codelist,) = actions.deposit(user, article, [actions.NewCodelist(
        defined_text(store_n, "retired", Definition(ecl=f"<< {top}")))])
    run_check(str(store_n1))
    result = _result(codelist)
    retired = {c["code"] for c in result.changes if c["kind"] == "inactive"}
    offered = {c["code"] for c in result.changes if c["kind"] == "replacement"}
    assert retired and offered and result.summary.startswith(f"retires {len(retired)} code")
    assert retired == {str(c) for c in evolution.retired} & set(
        parse(codelist.latest_version.text).active_codes())

    draft = builder.start_update(user, codelist, Release.objects.get())
    assert offered <= set(draft.update["pending"])
    builder.review_pending(user, draft, None, True)  # accept every pending line
    builder.submit_for_review(user, draft)
    published = parse(builder.publish(user, draft).text)
    for code in retired:
        line = published.line_for(code)
        assert line.kind == "excluded" and line.tags["reason"] == "inactive"
        assert "inactive in" in line.comment
    assert offered <= set(published.active_codes())
    assert Compatibility.objects.get(version=codelist.versions.get(number=2)).compatible


def test_curators_are_told_of_a_release_in_use_but_not_checked(release_lists, web_users,
                                                               client,
                                                               snomed_tennis_merged_store):
    from webapp.repository.release_jobs import run_check

    admin = client_for(client, web_users["admin"])
    page = admin.get(reverse("repository:releases")).content.decode()
    assert 'id="unchecked"' in page and "SNOMED CT 20201015 (merged.db) is in use" in page
    run_check(str(snomed_tennis_merged_store))  # named by its own path, not the link's
    page = admin.get(reverse("repository:releases")).content.decode()
    assert 'id="unchecked"' not in page
    assert client_for(client, web_users["depositor"]).get(
        reverse("repository:releases")).content.decode().count('id="unchecked"') == 0


def test_a_visitors_cached_page_shows_a_check_made_after_it_was_cached(
        release_lists, client, snomed_tennis_merged_store):
    from webapp.repository.release_jobs import run_check

    url = reverse("repository:codelist", args=[release_lists["soft-tissue"].pk])
    assert "release-notice" not in client.get(url).content.decode()
    run_check(str(snomed_tennis_merged_store))
    assert "release-notice" in client.get(url).content.decode()


DMD_VMP, DMD_PREVIOUS = "39113611000001102", "320139002"


def test_dmd_releases_flag_a_previous_id_and_the_update_brings_the_current_one(
        dmd_release_stores, web_users, client):
    """The real dm+d excerpts: 1.0.0 names 320139002 as the previous id of a VMP (the
    list written with it gets the current id as a pending line); 1.2.0 no longer holds
    the old id at all."""
    from tests.plugins.web import install_store, make_codelist_text
    from webapp.repository import actions
    from webapp.repository.release_jobs import run_check

    for store in dmd_release_stores.values():
        install_store(store)
    user = web_users["depositor"]
    article = actions.create_article(user, title="Salbutamol")
    codelist = actions.add_codelist(user, article, actions.NewCodelist(make_codelist_text(
        id="salbutamol", title="Salbutamol", system="dmd", active=[
            (DMD_PREVIOUS, "Salbutamol 100micrograms/dose inhaler CFC free"),
            ("91143003", "Salbutamol")])))
    run_check(str(dmd_release_stores["1.0.0"]))
    run_check(str(dmd_release_stores["1.2.0"]))
    first, second = (Release.objects.get(edition=f"dm+d {v}") for v in ("1.0.0", "1.2.0"))
    results = {r.release: r for r in Compatibility.objects.filter(version__codelist=codelist)}
    assert results[first].summary == "gives 1 code a new id"
    assert results[second].summary == "does not hold 1 code"
    page = client.get(reverse("repository:codelist", args=[codelist.pk])).content.decode()
    assert "dm+d 1.2.0 2022-10-01 does not hold 1 code." in page  # the newest one

    draft = builder.start_update(user, codelist, first)
    assert draft.update["pending"] == [DMD_VMP]
    builder.review_pending(user, draft, DMD_VMP, True)
    builder.submit_for_review(user, draft)
    published = parse(builder.publish(user, draft).text)
    assert DMD_VMP in published.active_codes()
    assert DMD_PREVIOUS in published.active_codes()  # old records keep the old id
