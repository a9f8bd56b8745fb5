"""Accounts: a profile beside Django's user, and API tokens (stored hashed)."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Profile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    display_name = models.CharField(max_length=200, blank=True)
    orcid = models.CharField("ORCID iD", max_length=19, blank=True)
    affiliation = models.CharField(max_length=300, blank=True)
    #: the e-mail address its owner proved they read (a link mailed to it was opened);
    #: the account's address is verified while it equals this one
    verified_email = models.EmailField(blank=True)

    def __str__(self) -> str:
        return self.display_name or self.user.get_username()

    def email_verified(self) -> bool:
        email = self.user.email.strip().lower()
        return bool(email) and email == self.verified_email.strip().lower()


class TokenScope(models.TextChoices):
    READ = "read", "Read only"
    WRITE = "write", "Read and write"


class ApiToken(models.Model):
    """A bearer token for the REST API; only its SHA-256 is stored.

    A ``read`` token may only read (GET, HEAD, OPTIONS); a ``write`` token may deposit
    and change what its user may.  After ``expires`` (if set) the token is refused."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=8, db_index=True)
    digest = models.CharField(max_length=64, unique=True)
    created = models.DateTimeField(auto_now_add=True)
    last_used = models.DateTimeField(null=True, blank=True)
    revoked = models.BooleanField(default=False)
    scope = models.CharField(max_length=5, choices=TokenScope.choices, default=TokenScope.WRITE)
    expires = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created"]

    def is_expired(self) -> bool:
        from django.utils import timezone

        return self.expires is not None and self.expires <= timezone.now()

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class LoginAttempts(models.Model):
    """Login attempts of one (username, address) pair in the current window; the key is
    a SHA-256 of the pair (see webapp.accounts.throttle)."""

    key = models.CharField(max_length=64, unique=True)
    count = models.PositiveIntegerField(default=0)
    expires = models.DateTimeField(db_index=True)
