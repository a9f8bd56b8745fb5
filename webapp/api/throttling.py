"""API rate limits: requests per client, anonymous clients by address and signed-in ones
(session or token) by account.

The rates are ``settings.CODELISTS_API_RATES`` (``"300/min"`` style, or None for no limit),
read on every request so that they can be changed without a restart of the throttle
classes.  Counts are fixed windows kept by :mod:`webapp.api.counters` under
``settings.CODELISTS_RATE_DIR``: exact across every server worker on this host (each
request takes its number under a file lock).  A client over its rate gets 429 in the
API's error shape with a ``Retry-After`` header (the seconds until its window ends).
"""

from __future__ import annotations

import math

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from rest_framework.throttling import BaseThrottle

from webapp.api import counters

PERIODS = {"s": 1, "m": 60, "h": 3_600, "d": 86_400}


def parse_rate(rate: str) -> tuple[int, int]:
    """``"300/min"`` -> (300, 60): requests allowed, window in seconds."""
    number, _, period = rate.partition("/")
    try:
        return int(number), PERIODS[period.strip()[:1].lower()]
    except (ValueError, KeyError):
        raise ImproperlyConfigured(
            f"API rate {rate!r}: write N/sec, N/min, N/hour or N/day, or off") from None


class _Rate(BaseThrottle):
    scope = ""

    def ident(self, request) -> str | None:
        raise NotImplementedError

    def allow_request(self, request, view) -> bool:
        self._wait = None
        rate = settings.CODELISTS_API_RATES.get(self.scope)
        ident = self.ident(request)
        if rate is None or ident is None:
            return True
        limit, window = parse_rate(rate)
        self._wait = counters.take(settings.CODELISTS_RATE_DIR, f"{self.scope}:{ident}",
                                   limit, window)
        return self._wait is None

    def wait(self) -> float | None:
        # whole seconds, rounded up: a client that waits as told is let through
        return None if self._wait is None else float(math.ceil(self._wait))


class AnonymousRate(_Rate):
    """Requests of one address without a signed-in user."""

    scope = "anon"

    def ident(self, request) -> str | None:
        if request.user and request.user.is_authenticated:
            return None
        return request.META.get("REMOTE_ADDR", "")


class SignedInRate(_Rate):
    """Requests of one account, whichever address or token it uses."""

    scope = "user"

    def ident(self, request) -> str | None:
        if not (request.user and request.user.is_authenticated):
            return None
        return str(request.user.pk)
