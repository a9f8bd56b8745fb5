"""Login throttling per account *and* address: ``CODELISTS_LOGIN_MAX_FAILURES`` attempts
for one username from one address within ``CODELISTS_LOGIN_WINDOW_SECONDS``.

Counting per pair means a guesser locks out only itself: other users behind the same
address (a hospital's NAT) still log in, and nobody can lock a named account from
elsewhere.  Each attempt takes its number *before* the password is checked, in one
atomic statement on the database (an upsert with RETURNING, serialised by SQLite and
PostgreSQL alike), so 30 simultaneous guesses get exactly N evaluated, across every
server worker.  A successful login clears the pair's count.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from webapp.accounts.models import LoginAttempts

_TABLE = LoginAttempts._meta.db_table
_TAKE = f"""INSERT INTO {_TABLE} (key, count, expires) VALUES (%s, 1, %s)
ON CONFLICT (key) DO UPDATE SET
  count = CASE WHEN {_TABLE}.expires < %s THEN 1 ELSE {_TABLE}.count + 1 END,
  expires = CASE WHEN {_TABLE}.expires < %s THEN excluded.expires ELSE {_TABLE}.expires END
RETURNING count"""


def _key(username: str, address: str) -> str:
    text = f"{username.strip().lower()}\0{address}"
    return hashlib.sha256(text.encode("utf-8", "replace")).hexdigest()


def take_attempt(username: str, address: str) -> bool:
    """Count one login attempt; False when the pair is over its limit (do not evaluate)."""
    now = timezone.now()
    expires = now + timedelta(seconds=settings.CODELISTS_LOGIN_WINDOW_SECONDS)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(_TAKE, [_key(username, address), expires, now, now])
        count = cursor.fetchone()[0]
    return count <= settings.CODELISTS_LOGIN_MAX_FAILURES


def clear(username: str, address: str) -> None:
    LoginAttempts.objects.filter(key=_key(username, address)).delete()
