"""E-mail verification: a signed link mailed to the address proves its owner reads it.

Only a verified address receives password-reset links, and only an account whose
address is verified is found by that address when a chair invites reviewers by e-mail
(an unverified address is invited by a mailed link instead, which only its owner can
open).  Changing the address makes it unverified until the new one is confirmed.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth.models import User
from django.core import signing
from django.core.mail import send_mail
from django.urls import reverse

from webapp.accounts.models import Profile

logger = logging.getLogger(__name__)
SALT = "codelists.accounts.verify-email"
#: how long a verification link works (seconds)
MAX_AGE = 3 * 24 * 3600


def make_token(user: User) -> str:
    return signing.dumps({"u": user.pk, "e": user.email.strip().lower()}, salt=SALT)


def send_link(request, user: User) -> None:
    """Mail a verification link for the account's current address."""
    if not user.email:
        return
    link = request.build_absolute_uri(reverse("accounts:verify-email",
                                              args=[make_token(user)]))
    body = (f"Confirm that {user.email} is the e-mail address of {user.get_username()} at "
            f"the codelists repository by opening this link (it works for three days):\n"
            f"{link}\n\nIf you did not ask for this, ignore this message.\n")
    try:
        send_mail("Confirm your e-mail address", body, settings.DEFAULT_FROM_EMAIL,
                  [user.email])
    except OSError as exc:  # the account stands; the profile page can resend the link
        logger.warning("verification mail to %s not sent: %s", user.email, exc)


def confirm(token: str) -> User | None:
    """Mark the address in a valid link verified; the user, or None for a bad link (or
    one for an address the account no longer has)."""
    try:
        data = signing.loads(token, salt=SALT, max_age=MAX_AGE)
    except signing.BadSignature:
        return None
    user = User.objects.filter(pk=data.get("u"), is_active=True).first()
    if user is None or user.email.strip().lower() != data.get("e"):
        return None
    mark_verified(user)
    return user


def mark_verified(user: User) -> None:
    """Record the account's current address as verified."""
    Profile.objects.update_or_create(user=user,
                                     defaults={"verified_email": user.email.strip().lower()})


def is_verified(user: User) -> bool:
    profile = Profile.objects.filter(user=user).first()
    return profile is not None and profile.email_verified()


def users_with_verified_email(email: str):
    """Active accounts whose verified address is ``email`` (case-insensitive)."""
    email = email.strip().lower()
    return User.objects.filter(email__iexact=email, is_active=True,
                               profile__verified_email__iexact=email)
