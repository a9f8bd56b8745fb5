"""Login throttling: too many failures for a username or an address lock it out a while
(counts live in the ``throttle`` cache, shared by all server workers)."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import caches


def _cache():
    return caches["throttle"]


def _keys(username: str, address: str) -> list[str]:
    def digest(text: str) -> str:
        return hashlib.sha256(text.encode("utf-8", "replace")).hexdigest()[:40]

    return [f"login-fail:user:{digest(username.lower())}", f"login-fail:addr:{digest(address)}"]


def is_locked(username: str, address: str) -> bool:
    limit = settings.CODELISTS_LOGIN_MAX_FAILURES
    return any((_cache().get(k) or 0) >= limit for k in _keys(username, address))


def record_failure(username: str, address: str) -> None:
    window = settings.CODELISTS_LOGIN_WINDOW_SECONDS
    cache = _cache()
    for key in _keys(username, address):
        cache.add(key, 0, window)
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, 1, window)


def clear(username: str, address: str) -> None:
    _cache().delete_many(_keys(username, address))
