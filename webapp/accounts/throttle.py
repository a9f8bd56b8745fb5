"""Login throttling: too many failures for a username or an address lock it out a while."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache


def _keys(username: str, address: str) -> list[str]:
    return [f"login-fail:user:{username.lower()}", f"login-fail:addr:{address}"]


def is_locked(username: str, address: str) -> bool:
    limit = settings.CODELISTS_LOGIN_MAX_FAILURES
    return any((cache.get(k) or 0) >= limit for k in _keys(username, address))


def record_failure(username: str, address: str) -> None:
    window = settings.CODELISTS_LOGIN_WINDOW_SECONDS
    for key in _keys(username, address):
        cache.add(key, 0, window)
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, 1, window)


def clear(username: str, address: str) -> None:
    cache.delete_many(_keys(username, address))
