"""The permission matrix of every review write (anonymous, non-member, reviewer, chair,
admin), through the pages.  Denied writes change nothing."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse

from tests.plugins.web import client_for
from tests.web.review_helpers import (
    CODES,
    RATINGS,
    make_review_article,
    make_reviewers,
    rate_all,
    start,
)
from webapp.review import actions, sheetfiles
from webapp.review.models import Rating, Review, Round

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "other", "reviewer", "chair", "admin")


@pytest.fixture
def world(web_users):
    codelist = make_review_article(web_users["depositor"])
    reviewers = make_reviewers()
    review = start(web_users["depositor"], codelist, reviewers)
    users = {"anonymous": None, "other": web_users["other"], "reviewer": reviewers[0],
             "chair": web_users["depositor"], "admin": web_users["admin"]}
    return {"codelist": codelist, "reviewers": reviewers, "review": review, "users": users}


def _post(client, role, world, url, data, **extra):
    return client_for(client, world["users"][role]).post(url, data, **extra)


def _denied(response):
    return response.status_code in (302, 403, 404) and (
        response.status_code != 302 or "/accounts/login" in response["Location"])


@pytest.mark.parametrize("role", ROLES)
def test_start_review(client, world, role):
    version = world["codelist"].latest_version
    url = reverse("review:start", args=[version.pk])
    before = Review.objects.count()
    response = _post(client, role, world, url, {"panel": "rev1\nrev2", "rule": "watson2017"})
    if role in ("chair", "admin"):
        assert response.status_code == 302 and Review.objects.count() == before + 1
    else:
        assert _denied(response) and Review.objects.count() == before


@pytest.mark.parametrize("role", ROLES)
def test_rate(client, world, role):
    round_ = world["review"].current_round()
    url = reverse("review:rate", args=[world["review"].pk, 1])
    response = _post(client, role, world, url, {"code": CODES[0], "rating": "2"},
                     HTTP_HX_REQUEST="true")
    saved = Rating.objects.filter(round=round_, code=CODES[0], rating=2)
    if role == "reviewer":
        assert response.status_code == 200 and saved.count() == 1
        assert b'data-rating="2"' in response.content
    else:
        assert _denied(response) and not saved.exists()


@pytest.mark.parametrize("role", ROLES)
def test_close_round(client, world, role):
    round_ = world["review"].current_round()
    rate_all(round_, world["reviewers"])
    url = reverse("review:close", args=[world["review"].pk, 1])
    response = _post(client, role, world, url, {})
    round_.refresh_from_db()
    if role in ("chair", "admin"):
        assert response.status_code == 302 and round_.is_closed
        assert world["codelist"].versions.count() == 2
    else:
        assert _denied(response) and not round_.is_closed
        assert world["codelist"].versions.count() == 1


@pytest.mark.parametrize("role", ROLES)
def test_next_round(client, world, role):
    round_ = world["review"].current_round()
    rate_all(round_, world["reviewers"])
    actions.close_round(world["users"]["chair"], round_)
    url = reverse("review:next", args=[world["review"].pk])
    response = _post(client, role, world, url, {})
    opened = Round.objects.filter(review=world["review"], number=2).exists()
    if role in ("chair", "admin"):
        assert response.status_code == 302 and opened
    else:
        assert _denied(response) and not opened


@pytest.mark.parametrize("role", ROLES)
def test_upload_sheets(client, world, role):
    review = world["review"]
    round_ = review.current_round()
    files = sheetfiles.panel_files(review, round_, "csv")
    from codelists.method import sheets_csv

    uploads = []
    for name, data in files:
        text = data.decode("utf-8")
        label = name.split("round1-")[1].removesuffix(".csv")
        uploads.append(_filled_csv(text, RATINGS[label], name, sheets_csv))
    url = reverse("review:upload", args=[review.pk, 1])
    response = _post(client, role, world, url, {"sheets": uploads})
    imported = Rating.objects.filter(round=round_, rating__isnull=False).count()
    if role in ("chair", "admin"):
        assert response.status_code == 302 and imported == 3 * len(CODES)
    else:  # a reviewer may upload only their own sheet: this batch holds all three
        assert (_denied(response) or role == "reviewer") and imported == 0


@pytest.mark.parametrize("role", ROLES)
def test_upload_own_sheet(client, world, role):
    from codelists.method import sheets_csv

    review = world["review"]
    round_ = review.current_round()
    name, data = next((n, d) for n, d in sheetfiles.panel_files(review, round_, "csv")
                      if n.endswith("-R1.csv"))
    upload = _filled_csv(data.decode("utf-8"), RATINGS["R1"], name, sheets_csv)
    url = reverse("review:upload", args=[review.pk, 1])
    _post(client, role, world, url, {"sheets": [upload]})
    imported = Rating.objects.filter(round=round_, rating__isnull=False).count()
    assert imported == (len(CODES) if role in ("reviewer", "chair", "admin") else 0)


def _filled_csv(text, ratings, name, sheets_csv):
    import tempfile
    from pathlib import Path

    from django.core.files.uploadedfile import SimpleUploadedFile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_text(text, encoding="utf-8")
        sheet = sheets_csv.read(path)
        for row in sheet.rows:
            row.rating = ratings[row.code]
        sheets_csv.write(sheet, path)
        return SimpleUploadedFile(name, path.read_bytes(), content_type="text/csv")


@pytest.mark.parametrize("role", ROLES)
def test_accept_invitation(client, world, role):
    panel = [actions.Invitee(user=world["reviewers"][0], label="R1"),
             actions.Invitee(email="someone@example.org", label="R2")]
    review = actions.start_review(world["users"]["chair"], world["codelist"].latest_version,
                                  panel=panel)
    invited = review.panel.get(label="R2")
    response = _post(client, role, world, reverse("review:join", args=[invited.token]), {})
    invited.refresh_from_db()
    if role in ("other", "chair", "admin"):  # anyone logged in and not yet on the panel
        assert response.status_code == 302 and invited.user == world["users"][role]
    else:  # anonymous; a reviewer already on this panel cannot take a second seat
        assert invited.user is None


@pytest.mark.parametrize("role", ROLES)
def test_pages_are_private_to_the_panel(client, world, role):
    review = world["review"]
    c = client_for(client, world["users"][role])
    detail = c.get(reverse("review:detail", args=[review.pk]))
    sheet = c.get(reverse("review:sheet", args=[review.pk, 1]))
    export = c.get(reverse("review:export", args=[review.pk, 1, "csv"]))
    if role == "anonymous":
        assert detail.status_code == 302 and sheet.status_code == 302
    elif role == "other":
        assert {detail.status_code, sheet.status_code, export.status_code} == {403}
    elif role == "reviewer":
        assert detail.status_code == 200 and sheet.status_code == 200
        assert export["Content-Type"].startswith("text/csv")
        assert b"progress" not in detail.content  # progress is the chair's
    else:  # chair and admin: progress, never a rating sheet of their own
        assert detail.status_code == 200 and b'id="progress"' in detail.content
        assert sheet.status_code == 403
        assert export["Content-Type"] == "application/zip"


def test_the_chair_sees_counts_never_ratings(client, world):
    review = world["review"]
    round_ = review.current_round()
    actions.rate(world["reviewers"][1], round_, CODES[2], rating=3, comment="secret note")
    c = client_for(client, world["users"]["chair"])
    page = c.get(reverse("review:detail", args=[review.pk])).content.decode()
    assert "1 of 6" in page and "secret note" not in page
    blank = sheetfiles.panel_files(review, round_, "csv")
    assert all(b"secret note" not in data for _, data in blank)
    other = client_for(client, world["reviewers"][0]).get(
        reverse("review:sheet", args=[review.pk, 1])).content.decode()
    assert "secret note" not in other
    own = io.BytesIO(client_for(client, world["reviewers"][1]).get(
        reverse("review:export", args=[review.pk, 1, "csv"])).content).read()
    assert b"secret note" in own


@pytest.mark.parametrize("role", ROLES)
def test_withdraw_a_reviewer(client, world, role):
    review = world["review"]
    round_ = review.current_round()
    member = review.panel.get(label="R3")
    url = reverse("review:withdraw", args=[review.pk, 1, member.pk])
    _post(client, role, world, url, {})
    round_.refresh_from_db()
    if role in ("chair", "admin"):
        assert round_.reviewers == ["R1", "R2"]
    else:
        assert round_.reviewers == ["R1", "R2", "R3"]


@pytest.mark.parametrize("role", ROLES)
def test_add_a_reviewer(client, world, role):
    review = world["review"]
    round_ = review.current_round()
    url = reverse("review:add-reviewer", args=[review.pk, 1])
    response = _post(client, role, world, url, {"reviewer": "newgp@example.org as GP7"})
    round_.refresh_from_db()
    if role in ("chair", "admin"):
        assert response.status_code == 302 and round_.reviewers == ["R1", "R2", "R3", "GP7"]
        assert review.panel.filter(label="GP7", email="newgp@example.org").exists()
    else:
        assert _denied(response) and round_.reviewers == ["R1", "R2", "R3"]
        assert not review.panel.filter(label="GP7").exists()
