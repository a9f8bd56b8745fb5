"""Ratings of a closed round are immutable: in the models and in the database itself."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from tests.web.review_helpers import make_review_article, make_reviewers, rate_all, start
from webapp.review import actions
from webapp.review.models import ClosedRoundError, Rating, Round

pytestmark = pytest.mark.django_db


@pytest.fixture
def closed_round(web_users):
    codelist = make_review_article(web_users["depositor"])
    reviewers = make_reviewers()
    review = start(web_users["depositor"], codelist, reviewers)
    round_ = review.current_round()
    rate_all(round_, reviewers)
    actions.close_round(web_users["depositor"], round_)
    round_.refresh_from_db()
    return round_


def test_models_refuse_to_change_closed_ratings(closed_round):
    rating = Rating.objects.filter(round=closed_round).first()
    rating.rating = 3 if rating.rating != 3 else 1
    with pytest.raises(ClosedRoundError):
        rating.save()
    with pytest.raises(ClosedRoundError):
        rating.delete()
    with pytest.raises(ClosedRoundError):
        Rating.objects.filter(round=closed_round).update(rating=1)
    with pytest.raises(ClosedRoundError):
        Rating.objects.filter(round=closed_round).delete()
    with pytest.raises(ClosedRoundError):
        Rating(round=closed_round, member=rating.member, code="x", rating=1).save()


def _sql(statement, params=()):
    with pytest.raises(IntegrityError, match="immutable"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement, params)


def test_database_refuses_raw_changes(closed_round):
    before = sorted(Rating.objects.filter(round=closed_round)
                    .values_list("member_id", "code", "rating", "comment"))
    member_id = before[0][0]
    _sql("UPDATE review_rating SET rating = 3")
    _sql("DELETE FROM review_rating")
    _sql("INSERT INTO review_rating (round_id, member_id, code, rating, comment, updated) "
         "VALUES (%s, %s, 'new', 1, '', %s)", [closed_round.pk, member_id, timezone.now()])
    _sql("UPDATE review_round SET closed = NULL")
    _sql("DELETE FROM review_round")
    after = sorted(Rating.objects.filter(round=closed_round)
                   .values_list("member_id", "code", "rating", "comment"))
    assert after == before
    assert Round.objects.get(pk=closed_round.pk).is_closed


def test_database_allows_ratings_of_an_open_round(web_users):
    codelist = make_review_article(web_users["depositor"])
    reviewers = make_reviewers()
    round_ = start(web_users["depositor"], codelist, reviewers).current_round()
    actions.rate(reviewers[0], round_, round_.codes[0], rating=2)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE review_rating SET rating = 1 WHERE round_id = %s", [round_.pk])
    assert Rating.objects.get(round=round_).rating == 1
