"""API rate limits: requests per client, anonymous clients by address and signed-in ones
(session or token) by account.

The rates are ``settings.CODELISTS_API_RATES`` (``"300/min"`` style, or None for no limit),
read on every request so that they can be changed without a restart of the throttle
classes.  Counts live in the ``throttle`` cache, which every server worker shares (the
same cache as login throttling).  A client over its rate gets 429 in the API's error
shape with a ``Retry-After`` header.
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import caches
from rest_framework.throttling import SimpleRateThrottle


class _Rate(SimpleRateThrottle):
    @property
    def cache(self):
        return caches["throttle"]

    def get_rate(self):
        return settings.CODELISTS_API_RATES.get(self.scope)


class AnonymousRate(_Rate):
    """Requests of one address without a signed-in user."""

    scope = "anon"

    def get_cache_key(self, request, view):
        if request.user and request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope,
                                    "ident": request.META.get("REMOTE_ADDR", "")}


class SignedInRate(_Rate):
    """Requests of one account, whichever address or token it uses."""

    scope = "user"

    def get_cache_key(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}
