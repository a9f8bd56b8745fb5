"""State changes of the Delphi review: the only code that writes review models.

Views and tests call these functions; each checks the caller's permission first
(:mod:`webapp.review.permissions`).  Rounds, consensus and sheet checks are the method
library's (:mod:`webapp.review.method`); a closed round's consensus becomes a new codelist
version through the repository's own actions.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from codelists.errors import UserError
from codelists.method.delphi import DEFAULT_RULE, PRESETS
from codelists.method.delphi import Round as LibraryRound
from webapp.repository import actions as repository_actions
from webapp.repository.models import CodelistVersion
from webapp.review import method
from webapp.review.models import ClosedRoundError, PanelMember, Rating, Review, Round
from webapp.review.permissions import (
    is_chair,
    require_chair,
    require_member,
    require_start,
)

UNSET = object()
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Invitee:
    """A panel member to add: a registered user, or an e-mail address to invite."""

    user: User | None = None
    email: str = ""
    label: str = ""


class RoundClosed(UserError):
    """The round is closed: its ratings can no longer change."""


def _labels(panel: Sequence[Invitee]) -> list[str]:
    labels = [p.label.strip() or f"R{i}" for i, p in enumerate(panel, start=1)]
    if len(set(labels)) != len(labels):
        raise UserError("two panel members have the same label",
                        hint="give each reviewer a different label")
    users = [p.user.pk for p in panel if p.user is not None]
    if len(set(users)) != len(users):
        raise UserError("a user is on the panel twice")
    if not panel:
        raise UserError("the panel is empty", hint="add at least one reviewer")
    return labels


@transaction.atomic
def start_review(user: User, version: CodelistVersion, *, panel: Sequence[Invitee],
                 rule: str = DEFAULT_RULE, instructions: str = "",
                 codes: Sequence[str] | None = None,
                 link: Callable[[str], str] | None = None) -> Review:
    """Start a review of a version's pending codes (or ``codes``); the caller chairs it."""
    require_start(user, version)
    if rule not in PRESETS:
        raise UserError(f"unknown consensus rule {rule!r}",
                        hint=f"choose one of: {', '.join(PRESETS)}")
    if version.codelist.latest_version_id != version.pk:
        raise UserError(f"version {version.number} is not the codelist's latest version",
                        hint="start the review from the latest version")
    labels = _labels(panel)
    planned = method.plan_round(version.text, labels, codes)
    review = Review.objects.create(codelist=version.codelist, base_version=version, chair=user,
                                   rule=rule, instructions=instructions)
    now = timezone.now()
    members = [PanelMember.objects.create(
        review=review, user=p.user, email=(p.user.email if p.user else p.email),
        label=label, token=secrets.token_urlsafe(24), joined=now if p.user else None)
        for p, label in zip(panel, labels, strict=True)]
    _create_round(review, planned, version)
    if link is not None:
        transaction.on_commit(lambda: _invite(review, members, link))
    return review


def _create_round(review: Review, planned: LibraryRound, source: CodelistVersion) -> Round:
    return Round.objects.create(review=review, number=planned.number, codes=planned.codes,
                                reviewers=planned.reviewers, key=planned.key,
                                items=method.round_items(source.text, planned),
                                source_version=source)


def _invite(review: Review, members: Sequence[PanelMember], link: Callable[[str], str]):
    title = review.codelist.title
    for member in members:
        if not member.email:
            continue
        body = (f"{review.chair.get_username()} invites you to review the codelist "
                f"\"{title}\" as reviewer {member.label}.\n\n"
                f"Open this link to join the panel (log in or sign up first):\n"
                f"{link(member.token)}\n\n{review.instructions}".rstrip() + "\n")
        try:
            send_mail(f"Codelist review: {title}", body, settings.DEFAULT_FROM_EMAIL,
                      [member.email])
        except OSError as exc:  # the review stands; the chair can resend the link by hand
            logger.warning("review %s: invitation to %s not sent: %s", review.pk,
                           member.email, exc)


@transaction.atomic
def accept_invitation(user: User, token: str) -> PanelMember:
    """Join a panel through an invitation link (idempotent for the invitee)."""
    if user is None or not user.is_authenticated:
        raise PermissionDenied("log in or sign up first")
    member = PanelMember.objects.select_for_update().get(token=token)
    if member.user_id == user.pk:
        return member
    if member.user_id is not None:
        raise PermissionDenied("this invitation has already been accepted by another account")
    if member.review.panel.filter(user=user).exists():
        raise UserError("you are already on this review's panel")
    member.user = user
    member.joined = timezone.now()
    member.save(update_fields=["user", "joined"])
    return member


def _lock(review_id: int) -> None:
    """Take the review's write lock as the transaction's first statement.

    On PostgreSQL this locks the review's row, so that a rating and the round's closing
    never interleave.  On SQLite it takes the database's write lock before anything is
    read, so concurrent reviewers wait for each other (the busy timeout) instead of
    failing with "database is locked" when a read transaction cannot be upgraded.
    """
    Review.objects.filter(pk=review_id).update(rule=F("rule"))


def _open_round(round_: Round) -> Round:
    locked = Round.objects.select_for_update().get(pk=round_.pk)
    if locked.is_closed:
        raise RoundClosed(f"round {locked.number} is closed: its ratings can no longer change")
    return locked


@transaction.atomic
def rate(user: User, round_: Round, code: str, *, rating=UNSET, comment=UNSET) -> Rating:
    """Save one rating (1/2/3, or None to clear it) and/or comment on the caller's sheet."""
    _lock(round_.review_id)
    member = require_member(user, round_.review)
    round_ = _open_round(round_)
    if member.label not in round_.reviewers:
        raise PermissionDenied(f"{member.label} is not on round {round_.number}'s panel")
    if code not in round_.codes:
        raise UserError(f"code {code} is not in round {round_.number}")
    if rating is not UNSET and rating not in (None, 1, 2, 3):
        raise UserError(f"rating {rating!r} is not 1, 2 or 3", hint="rate it 1, 2 or 3")
    saved, _ = Rating.objects.get_or_create(round=round_, member=member, code=code)
    if rating is not UNSET:
        saved.rating = rating
    if comment is not UNSET:
        saved.comment = str(comment or "").strip()[:4000]
    saved.save()
    return saved


def library_round(round_: Round) -> LibraryRound:
    """The round as the library models it, with the ratings and comments saved so far."""
    labels = {m.pk: m.label for m in round_.review.panel.all()}
    ratings: dict[str, dict[str, int]] = {}
    comments: dict[str, dict[str, str]] = {}
    saved = {(labels[r.member_id], r.code): r for r in round_.ratings.all()}
    for label in round_.reviewers:
        for code in round_.codes:
            row = saved.get((label, code))
            if row is None:
                continue
            if row.rating is not None:
                ratings.setdefault(label, {})[code] = row.rating
            if row.comment:
                comments.setdefault(label, {})[code] = row.comment
    return LibraryRound(round_.number, list(round_.codes), list(round_.reviewers), round_.key,
                        ratings, comments)


def progress(round_: Round) -> list[dict]:
    """Per panel member: how many codes they have rated (counts only, never the ratings)."""
    counts: dict[int, int] = {}
    for member_id in round_.ratings.filter(rating__isnull=False).values_list("member_id",
                                                                              flat=True):
        counts[member_id] = counts.get(member_id, 0) + 1
    return [{"member": m, "rated": counts.get(m.pk, 0), "total": len(round_.codes),
             "done": counts.get(m.pk, 0) == len(round_.codes)}
            for m in round_.review.panel.all() if m.label in round_.reviewers]


@transaction.atomic
def close_round(user: User, round_: Round) -> CodelistVersion:
    """Close a complete round: consensus by the library, published as a new version."""
    _lock(round_.review_id)
    require_chair(user, round_.review)
    round_ = _open_round(round_)
    review = round_.review
    rated = library_round(round_)
    if not rated.complete():
        waiting = [f"{p['member'].label} ({p['rated']} of {p['total']})"
                   for p in progress(round_) if not p["done"]]
        raise UserError("the round is not complete: waiting for " + ", ".join(waiting),
                        hint="wait for every reviewer, or upload their offline sheets")
    text, _ = method.close(round_.source_version.text, rated, review.rule)
    version = repository_actions.add_version(
        user, review.codelist, text,
        note=f"Delphi review round {round_.number}: consensus ({review.rule}) on version "
             f"{round_.source_version.number}")
    round_.closed = timezone.now()
    round_.result_version = version
    round_.save(update_fields=["closed", "result_version"])
    return version


@transaction.atomic
def withdraw(user: User, round_: Round, member: PanelMember) -> Round:
    """Take a reviewer off an open round (e.g. one who cannot finish), so it can close.

    Their saved ratings stay in the database but no longer count; the sheet key does not
    change (it depends on the codes only), so the others' sheets stay valid.
    """
    _lock(round_.review_id)
    require_chair(user, round_.review)
    round_ = _open_round(round_)
    if member.review_id != round_.review_id or member.label not in round_.reviewers:
        raise UserError(f"{member.label} is not on round {round_.number}'s panel")
    if len(round_.reviewers) == 1:
        raise UserError("the last reviewer cannot be withdrawn")
    round_.reviewers = [label for label in round_.reviewers if label != member.label]
    round_.save(update_fields=["reviewers"])
    return round_


@transaction.atomic
def add_reviewer(user: User, round_: Round, invitee: Invitee,
                 link: Callable[[str], str] | None = None) -> PanelMember:
    """Put a reviewer on an open round: a new panel member (a user, or an e-mail address
    invited like the first panel), or a member withdrawn earlier, back again.

    The sheet key depends on the codes only, so the other reviewers' sheets stay valid;
    the round cannot close until the new reviewer has rated every code (or is withdrawn).
    """
    _lock(round_.review_id)
    review = round_.review
    require_chair(user, review)
    round_ = _open_round(round_)
    existing = review.panel.filter(user=invitee.user).first() if invitee.user else None
    if existing is not None:
        if existing.label in round_.reviewers:
            raise UserError(f"{invitee.user.get_username()} is already on round "
                            f"{round_.number}'s panel as {existing.label}")
        member = existing  # withdrawn earlier: back on the round under the same label
    else:
        taken = set(review.panel.values_list("label", flat=True))
        label = invitee.label.strip() or next(
            f"R{n}" for n in range(len(taken) + 1, len(taken) + 1000) if f"R{n}" not in taken)
        if label in taken:
            raise UserError(f"the panel already has a reviewer {label}",
                            hint="give the new reviewer a different label")
        member = PanelMember.objects.create(
            review=review, user=invitee.user,
            email=invitee.user.email if invitee.user else invitee.email, label=label,
            token=secrets.token_urlsafe(24), joined=timezone.now() if invitee.user else None)
        if link is not None:
            transaction.on_commit(lambda: _invite(review, [member], link))
    round_.reviewers = [*round_.reviewers, member.label]
    round_.save(update_fields=["reviewers"])
    return member


@transaction.atomic
def start_next_round(user: User, review: Review,
                     codes: Sequence[str] | None = None) -> Round:
    """A further round on the disputed codes (or ``codes``), after a closed round."""
    _lock(review.pk)
    require_chair(user, review)
    last = review.current_round()
    if last is None or not last.is_closed:
        raise UserError("close the current round first")
    planned = method.plan_round(last.result_version.text, list(last.reviewers), codes,
                                further=True)
    return _create_round(review, planned, last.result_version)


@transaction.atomic
def import_sheets(user: User, round_: Round, files: Sequence[tuple[str, bytes]], *,
                  replace: bool = False) -> list[str]:
    """Record offline sheets (xlsx/csv): checked by the library; all imported or none.

    The chair uploads anyone's returned sheet; a reviewer only their own.
    """
    _lock(round_.review_id)
    own = None if is_chair(user, round_.review) else require_member(user, round_.review)
    round_ = _open_round(round_)
    if not files:
        raise UserError("choose one or more returned sheets (.xlsx or .csv)")
    codelist_id = method.parse_version(round_.source_version.text).id
    sheets = method.check_uploads(files, codelist_id, library_round(round_), replace=replace)
    if own is not None and any(sheet.reviewer != own.label for sheet in sheets):
        raise PermissionDenied(f"you may upload only your own sheet ({own.label})")
    members = {m.label: m for m in round_.review.panel.all()}
    for sheet in sheets:
        member = members[sheet.reviewer]
        for row in sheet.rows:
            saved, _ = Rating.objects.get_or_create(round=round_, member=member, code=row.code)
            saved.rating = row.rating
            saved.comment = (row.comment or "").strip()
            saved.save()
    return [s.reviewer for s in sheets]


__all__ = ["ClosedRoundError", "Invitee", "RoundClosed", "accept_invitation", "close_round",
           "import_sheets", "library_round", "progress", "rate", "start_next_round",
           "start_review", "withdraw"]
