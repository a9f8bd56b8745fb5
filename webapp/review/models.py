"""Models of the Delphi review: a review of a codelist version, its panel, rounds, ratings.

Only :mod:`webapp.review.actions` writes these models.  Ratings of a closed round are
immutable: the model refuses changes, and database triggers (migration 0002) refuse them
too.  The rules themselves (rounds, sheet keys, consensus) are the library's
(:mod:`codelists.method.delphi`); the database only holds what reviewers typed.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from webapp.repository.models import Codelist, CodelistVersion


class ClosedRoundError(Exception):
    """A rating of a closed round would have been written, changed or deleted."""


class Review(models.Model):
    """A Delphi review of one codelist version's pending candidates, run by its chair."""

    codelist = models.ForeignKey(Codelist, on_delete=models.PROTECT, related_name="reviews")
    base_version = models.ForeignKey(CodelistVersion, on_delete=models.PROTECT,
                                     related_name="reviews")
    chair = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                              related_name="chaired_reviews")
    rule = models.CharField(max_length=40, help_text="A consensus preset of the library.")
    instructions = models.TextField(blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"review of {self.codelist} v{self.base_version.number}"

    def current_round(self) -> Round | None:
        return self.rounds.order_by("-number").first()


class PanelMember(models.Model):
    """A reviewer: a registered user, or an e-mail invitation until the invitee joins.

    ``label`` is the reviewer's name in rating sheets and in the ``method:`` block (e.g.
    ``R1`` or ``GP1``): the published codelist never names the panel's accounts.
    """

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="panel")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                             blank=True, related_name="review_memberships")
    email = models.EmailField(blank=True)
    label = models.CharField(max_length=40)
    token = models.CharField(max_length=64, unique=True)
    invited = models.DateTimeField(auto_now_add=True)
    joined = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["review_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["review", "label"], name="review_label_once"),
            models.UniqueConstraint(fields=["review", "user"], name="review_user_once",
                                    condition=models.Q(user__isnull=False)),
        ]

    def __str__(self) -> str:
        return self.label


class Round(models.Model):
    """One Delphi round: the codes rated, the panel's labels and the library's sheet key.

    ``source_version`` is the version the round starts from (the review's base version
    for round 1, the previous round's result afterwards); closing the round publishes
    ``result_version``.  ``items`` holds what each reviewer is shown per code (term,
    hierarchy, usage, anonymised feedback of earlier rounds).
    """

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="rounds")
    number = models.PositiveIntegerField()
    codes = models.JSONField(default=list)
    reviewers = models.JSONField(default=list)
    key = models.CharField(max_length=12)
    items = models.JSONField(default=dict)
    source_version = models.ForeignKey(CodelistVersion, on_delete=models.PROTECT,
                                       related_name="+")
    result_version = models.ForeignKey(CodelistVersion, on_delete=models.PROTECT, null=True,
                                       blank=True, related_name="+")
    opened = models.DateTimeField(auto_now_add=True)
    closed = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["review_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["review", "number"], name="review_round_once")
        ]

    def __str__(self) -> str:
        return f"round {self.number}"

    @property
    def is_closed(self) -> bool:
        return self.closed is not None


class RatingQuerySet(models.QuerySet):
    def update(self, **kwargs):
        if self.filter(round__closed__isnull=False).exists():
            raise ClosedRoundError("ratings of a closed round are never changed")
        return super().update(**kwargs)

    def delete(self):
        if self.filter(round__closed__isnull=False).exists():
            raise ClosedRoundError("ratings of a closed round are never deleted")
        return super().delete()


class Rating(models.Model):
    """One reviewer's rating (1/2/3) and comment on one code in one round."""

    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="ratings")
    member = models.ForeignKey(PanelMember, on_delete=models.PROTECT, related_name="ratings")
    code = models.CharField(max_length=64)
    rating = models.PositiveSmallIntegerField(null=True, blank=True)
    comment = models.TextField(blank=True)
    updated = models.DateTimeField(auto_now=True)

    objects = RatingQuerySet.as_manager()

    class Meta:
        ordering = ["round_id", "member_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["round", "member", "code"],
                                    name="one_rating_per_code"),
            models.CheckConstraint(
                condition=models.Q(rating__isnull=True) | models.Q(rating__in=(1, 2, 3)),
                name="rating_is_1_2_or_3"),
        ]

    def save(self, *args, **kwargs):
        if Round.objects.filter(pk=self.round_id, closed__isnull=False).exists():
            raise ClosedRoundError("ratings of a closed round are never changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ClosedRoundError("ratings are never deleted")
