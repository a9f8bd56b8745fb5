"""Review pages: start (panel, rule, invitations), the reviewer's sheet (hierarchy, usage),
saving a rating by htmx, closing, the anonymised results and a further round."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from codelists.codelist.fileformat import parse
from tests.plugins.web import client_for, make_codelist_text
from tests.web.review_helpers import (
    CODES,
    PENDING,
    make_review_article,
    make_reviewers,
    rate_all,
    start,
)
from webapp.review import actions, context
from webapp.review.models import Rating, Review

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(web_users):
    codelist = make_review_article(web_users["depositor"])
    reviewers = make_reviewers()
    return {"codelist": codelist, "reviewers": reviewers, "chair": web_users["depositor"]}


def test_codelist_page_links_to_start_a_review(client, world):
    c = client_for(client, world["chair"])
    page = c.get(reverse("repository:codelist", args=[world["codelist"].pk])).content.decode()
    assert reverse("review:start", args=[world["codelist"].latest_version.pk]) in page


def test_start_page_shows_the_definition_and_starts_with_invitations(
        client, world, mailoutbox, django_capture_on_commit_callbacks):
    c = client_for(client, world["chair"])
    url = reverse("review:start", args=[world["codelist"].latest_version.pk])
    page = c.get(url).content.decode()
    assert "6 pending candidate codes" in page and "A diagnosis of asthma" in page
    assert "regexm(desc, &quot;[Aa]sthma&quot;)" in page
    bad = c.post(url, {"panel": "nobody-here\nrev1", "rule": "majority"}).content.decode()
    assert "no user &#x27;nobody-here&#x27;" in bad and Review.objects.count() == 0
    with django_capture_on_commit_callbacks(execute=True):
        response = c.post(url, {"panel": "rev1 as GP1\nrev2\nnew@example.org as GP3",
                                "rule": "majority", "instructions": "Be quick."})
    review = Review.objects.get()
    assert response.status_code == 302 and review.rule == "majority"
    assert [m.label for m in review.panel.all()] == ["GP1", "R2", "GP3"]
    invitation = next(m for m in mailoutbox if m.to == ["new@example.org"])
    token = review.panel.get(label="GP3").token
    assert f"/review/join/{token}/" in invitation.body and "Be quick." in invitation.body


def test_join_page_asks_an_anonymous_invitee_to_log_in(client, world):
    review = actions.start_review(world["chair"], world["codelist"].latest_version,
                                  panel=[actions.Invitee(email="x@example.org")])
    token = review.panel.get().token
    page = client.get(reverse("review:join", args=[token])).content.decode()
    assert "Log in" in page and f"next=/review/join/{token}/" in page


def test_sheet_shows_codes_terms_hierarchy_and_saves_ratings_by_htmx(client, world):
    review = start(world["chair"], world["codelist"], world["reviewers"])
    c = client_for(client, world["reviewers"][0])
    url = reverse("review:sheet", args=[review.pk, 1])
    page = c.get(url).content.decode()
    for code, term in PENDING:
        assert code in page and term in page
    assert "0</span> of 6 rated" in page
    rate = reverse("review:rate", args=[review.pk, 1])
    row = c.post(rate, {"code": "41553006", "rating": "3"}, HTTP_HX_REQUEST="true")
    assert row.status_code == 200 and b'data-rating="3"' in row.content
    c.post(rate, {"code": "41553006", "comment": "work-related"}, HTTP_HX_REQUEST="true")
    saved = Rating.objects.get(code="41553006")
    assert (saved.rating, saved.comment) == (3, "work-related")
    page = c.get(url).content.decode()  # survives a reload
    assert 'data-rating="3"' in page and 'value="work-related"' in page
    assert "1</span> of 6 rated" in page
    refused = c.post(rate, {"code": "41553006", "rating": "5"}, HTTP_HX_REQUEST="true")
    assert refused.status_code == 400 and b"not 1, 2 or 3" in refused.content


def test_hierarchy_from_an_installed_store(world, snomed_small_store, monkeypatch):
    monkeypatch.setenv("CODELISTS_DB", str(snomed_small_store))
    review = start(world["chair"], world["codelist"], world["reviewers"])
    path = review.current_round().items["195967001"]["hierarchy"]
    assert path == ["138875005 SNOMED CT Concept", "404684003 Clinical finding",
                    "64572001 Disease"]


def test_hierarchy_falls_back_to_the_codelist_heading():
    text = make_codelist_text(id="x", title="X", pending=PENDING[:2])
    lines = text.splitlines()
    at = next(i for i, ln in enumerate(lines) if "195967001" in ln)
    lines.insert(at, "# ── Asthma diagnoses ──")
    codelist = parse("\n".join(lines) + "\n")
    assert context.hierarchy(codelist, ["195967001"]) == {"195967001": ["Asthma diagnoses"]}


def test_usage_counts_from_a_recorded_frequency_check(client, web_users):
    from webapp.repository import actions as repository_actions

    frequency = {"top_codes": [{"code": "195967001", "episodes": 90, "patients": 40}],
                 "codes_never_used": ["233678006"]}
    text = make_codelist_text(id="freq", title="Freq", pending=PENDING[:3],
                              method={"frequency": frequency})
    article = repository_actions.create_article(web_users["depositor"], title="F")
    codelist = repository_actions.add_codelist(web_users["depositor"], article,
                                               repository_actions.NewCodelist(text))
    reviewers = make_reviewers(["u1", "u2"])
    review = start(web_users["depositor"], codelist, reviewers)
    items = review.current_round().items
    assert [items[c]["usage"] for c in CODES[:3]] == [40, 0, None]
    page = client_for(client, reviewers[0]).get(
        reverse("review:sheet", args=[review.pk, 1])).content.decode()
    assert "Patients" in page and '<td class="usage">40</td>' in page


def test_close_shows_anonymised_results_and_a_further_round(client, world):
    review = start(world["chair"], world["codelist"], world["reviewers"])
    rate_all(review.current_round(), world["reviewers"])
    chair = client_for(client, world["chair"])
    page = chair.post(reverse("review:close", args=[review.pk, 1]), follow=True)
    html = page.content.decode()
    assert "consensus published as version 2" in html
    assert "work-related, not asthma as such" in html
    assert 'data-code="57607007"' in html and "excluded" in html
    assert "included, uncertainty 2" in html
    reviewer_page = client_for(Client(), world["reviewers"][0]).get(
        reverse("review:detail", args=[review.pk])).content.decode()
    assert "work-related, not asthma as such" in reviewer_page
    assert "rev2" not in reviewer_page  # nobody's account is named beside the results
    chair.post(reverse("review:next", args=[review.pk]))
    second = review.current_round()
    assert second.number == 2 and set(second.codes) < set(CODES)
    sheet = client_for(Client(), world["reviewers"][1]).get(
        reverse("review:sheet", args=[review.pk, 2])).content.decode()
    assert "Panel, earlier rounds" in sheet and "rated 1 by 2" in sheet


def test_closing_an_incomplete_round_says_who_is_missing(client, world):
    review = start(world["chair"], world["codelist"], world["reviewers"])
    actions.rate(world["reviewers"][0], review.current_round(), CODES[0], rating=1)
    html = client_for(client, world["chair"]).post(
        reverse("review:close", args=[review.pk, 1]), follow=True).content.decode()
    assert "waiting for R1 (1 of 6), R2 (0 of 6), R3 (0 of 6)" in html


def test_rating_works_without_javascript(client, world):
    review = start(world["chair"], world["codelist"], world["reviewers"])
    c = client_for(client, world["reviewers"][0])
    response = c.post(reverse("review:rate", args=[review.pk, 1]),
                      {"code": "233678006", "rating": "2"})
    assert response.status_code == 302 and response["Location"].endswith("/sheet/#row-2")
    assert Rating.objects.get(code="233678006").rating == 2


def test_an_invitee_signs_up_and_joins_in_one_step(client, world, fast_passwords):
    from tests.plugins.web import PASSWORD

    review = actions.start_review(world["chair"], world["codelist"].latest_version,
                                  panel=[actions.Invitee(email="gp@example.org", label="GP1")])
    token = review.panel.get().token
    url = reverse("review:join", args=[token])
    page = client.get(url).content.decode()
    assert 'value="gp@example.org"' in page and "Create account and join" in page
    response = client.post(url, {"username": "gp", "email": "gp@example.org",
                                 "password1": PASSWORD, "password2": PASSWORD})
    assert response.status_code == 302
    member = review.panel.get()
    assert member.user.username == "gp" and member.joined is not None
    sheet = client.get(reverse("review:sheet", args=[review.pk, 1]))
    assert sheet.status_code == 200


def test_unreadable_uploads_get_clear_messages_without_server_paths(client, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    review = start(world["chair"], world["codelist"], world["reviewers"])
    c = client_for(client, world["chair"])
    url = reverse("review:upload", args=[review.pk, 1])
    cases = [("notes.txt", b"x", "review sheets are .xlsx or .csv files"),
             ("R1.xlsx", b"not a zip", "R1.xlsx: cannot read Excel workbook"),
             ("R1.csv", b"hello,world\n", "R1.csv row 1: header lacks column(s) code, rating")]
    for name, data, expected in cases:
        html = c.post(url, {"sheets": [SimpleUploadedFile(name, data)]},
                      follow=True).content.decode()
        assert expected in html
        assert "/tmp" not in html and "review-upload-" not in html
    assert not Rating.objects.exists()


def test_the_chair_adds_a_reviewer_on_the_progress_page(client, world, web_users):
    review = start(world["chair"], world["codelist"], world["reviewers"])
    chair = client_for(client, world["chair"])
    url = reverse("review:add-reviewer", args=[review.pk, 1])
    page = chair.get(reverse("review:detail", args=[review.pk])).content.decode()
    assert 'id="add-reviewer"' in page
    html = chair.post(url, {"reviewer": "other as GP4"}, follow=True).content.decode()
    assert "other joined round 1 as GP4." in html and 'data-label="GP4"' in html
    html = chair.post(url, {"reviewer": "nobody-here"}, follow=True).content.decode()
    assert "no user &#x27;nobody-here&#x27;" in html
    html = chair.post(url, {"reviewer": "rev1"}, follow=True).content.decode()
    assert "already on round 1" in html
    html = chair.post(url, {"reviewer": "a@example.org\nb@example.org"},
                      follow=True).content.decode()
    assert "one reviewer at a time" in html
    assert review.current_round().reviewers == ["R1", "R2", "R3", "GP4"]
