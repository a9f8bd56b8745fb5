"""HTTP caching of API reads: every answer to a GET carries a validator, so a client
that asks again with ``If-None-Match`` gets ``304 Not Modified`` and no body.

The ``ETag`` (Django's ``ConditionalGetMiddleware``, a hash of the body) changes with
anything the answer says, including what this client may see: embargoed content is
never served from another client's copy.  ``Cache-Control: private, no-cache`` tells
caches to keep answers per client and to ask again each time (a list grows, an embargo
ends), and ``Vary`` names the headers that say who is asking.
"""

from __future__ import annotations

from django.utils.cache import patch_cache_control, patch_vary_headers

READS = ("GET", "HEAD")


class ApiCacheHeaders:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (request.method in READS and request.path.startswith("/api/")
                and not response.has_header("Cache-Control")):
            patch_cache_control(response, private=True, no_cache=True)
            patch_vary_headers(response, ("Authorization", "Cookie"))
        return response
