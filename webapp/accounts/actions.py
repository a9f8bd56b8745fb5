"""State changes of accounts: the only code that writes users, profiles and tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from webapp.accounts.models import ApiToken, Profile, TokenScope

TOKEN_PREFIX = "cl_"


@transaction.atomic
def sign_up(*, username: str, email: str, password: str, display_name: str = "",
            orcid: str = "", affiliation: str = "") -> User:
    user = User.objects.create_user(username=username, email=email, password=password)
    Profile.objects.create(user=user, display_name=display_name, orcid=orcid,
                           affiliation=affiliation)
    return user


def profile_of(user: User) -> Profile:
    profile, _ = Profile.objects.get_or_create(user=user)
    return profile


def update_profile(user: User, *, display_name: str | None = None, orcid: str | None = None,
                   affiliation: str | None = None, email: str | None = None) -> Profile:
    profile = profile_of(user)
    for field, value in (("display_name", display_name), ("orcid", orcid),
                         ("affiliation", affiliation)):
        if value is not None:
            setattr(profile, field, value)
    profile.save()
    if email is not None and email != user.email:
        user.email = email
        user.save(update_fields=["email"])
    return profile


def digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


#: the longest a token may live, and the default lifetime of a new one (days)
TOKEN_MAX_DAYS = 365
TOKEN_DEFAULT_DAYS = 90


def create_token(user: User, name: str, *, scope: str = TokenScope.WRITE,
                 days: int | None = TOKEN_DEFAULT_DAYS) -> tuple[ApiToken, str]:
    """A new API token; the secret is returned once and only its digest is stored.
    ``days`` is its lifetime (None: until revoked)."""
    if scope not in TokenScope.values:
        raise ValueError(f"unknown token scope {scope!r}")
    expires = None
    if days is not None:
        expires = timezone.now() + timedelta(days=max(1, min(days, TOKEN_MAX_DAYS)))
    key = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name[:100] or "token", scope=scope,
                                    expires=expires, prefix=key[:8], digest=digest(key))
    return token, key


def rename_token(token: ApiToken, name: str) -> ApiToken:
    token.name = name[:100] or token.name
    token.save(update_fields=["name"])
    return token


def revoke_token(token: ApiToken) -> ApiToken:
    token.revoked = True
    token.save(update_fields=["revoked"])
    return token


def token_for_key(key: str) -> ApiToken | None:
    """The live token a bearer key belongs to (None for unknown, revoked or expired
    tokens, or an inactive user); records its use."""
    token = (ApiToken.objects.select_related("user")
             .filter(digest=digest(key), revoked=False).first())
    if token is None or token.is_expired() or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used is None or (now - token.last_used).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used=now)
    return token


def user_for_token(key: str) -> User | None:
    """The user a bearer token belongs to (None for unknown, revoked or expired tokens)."""
    token = token_for_key(key)
    return token.user if token else None
