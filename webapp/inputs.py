"""Request inputs no database can store: NUL characters in the query string or form.

PostgreSQL refuses text with NUL (0x00) bytes and SQLite truncates at them, so a value
carrying one is refused up front with 400 for every page and API (JSON under ``/api/``),
instead of reaching a query and failing with a server error on one database only.
"""

from __future__ import annotations

from django.http import HttpResponseBadRequest, JsonResponse

from webapp.api.errors import error_body
from webapp.fhir.outcome import operation_outcome

MESSAGE = "a request value contains a NUL character (0x00); remove it and send the request again"


def _has_nul(query) -> bool:
    return any("\x00" in key or any("\x00" in v for v in values)
               for key, values in query.lists())


class RefuseNulMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        form = request.POST if request.method == "POST" and request.content_type in (
            "application/x-www-form-urlencoded", "multipart/form-data") else None
        if _has_nul(request.GET) or (form is not None and _has_nul(form)):
            if request.path.startswith("/api/"):
                return JsonResponse(error_body(400, "invalid", MESSAGE), status=400)
            if request.path.startswith("/fhir/"):
                return JsonResponse(operation_outcome("invalid", MESSAGE), status=400,
                                    content_type="application/fhir+json")
            return HttpResponseBadRequest(MESSAGE, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
