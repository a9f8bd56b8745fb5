"""Who may do what in a Delphi review: one place, used by actions and views.

- starting a review: whoever may change the codelist's article (its depositors and
  co-authors, and staff); the starter chairs the review;
- rating and commenting: panel members only, each on their own sheet, while the round is
  open (staff who are not on the panel do not rate);
- closing a round, starting a further round, uploading offline sheets, exporting every
  sheet: the chair (and staff, so that a review never gets stuck);
- seeing the review: the chair, staff and the panel; nobody sees another reviewer's
  ratings before the round closes, and afterwards only anonymised.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from webapp.repository.permissions import can_change
from webapp.review.models import PanelMember, Review


def _active(user) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def can_start(user, version) -> bool:
    return can_change(user, version.codelist.article)


def is_chair(user, review: Review) -> bool:
    return _active(user) and (user.is_staff or review.chair_id == user.pk)


def member_of(user, review: Review) -> PanelMember | None:
    if not _active(user):
        return None
    return review.panel.filter(user=user).first()


def can_view(user, review: Review) -> bool:
    return is_chair(user, review) or member_of(user, review) is not None


def require_start(user, version) -> None:
    if not can_start(user, version):
        raise PermissionDenied("only the codelist's depositors and co-authors may start a "
                               "review of it")


def require_chair(user, review: Review) -> None:
    if not is_chair(user, review):
        raise PermissionDenied("only the review's chair may do this")


def require_member(user, review: Review) -> PanelMember:
    member = member_of(user, review)
    if member is None:
        raise PermissionDenied("only members of the review panel may rate")
    return member


def require_view(user, review: Review) -> None:
    if not can_view(user, review):
        raise PermissionDenied("only the review's chair and panel may see it")
