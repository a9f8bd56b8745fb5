"""One error shape for the whole API::

    {"error": {"status": 400, "code": "invalid", "message": "...", "details": {...}}}

``details`` carries field errors or, for a rejected codelist, its problems with lines.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_handler

from codelists.errors import CodelistsError, UserError


def error_body(status_code: int, code: str, message: str, details=None) -> dict:
    body = {"status": status_code, "code": code, "message": message}
    if details is not None:
        body["details"] = details
    return {"error": body}


class ProblemsFound(exceptions.APIException):
    """A codelist was rejected: its problems are the details."""

    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_code = "problems"

    def __init__(self, problems: list[dict], message: str = "the codelist has errors"):
        super().__init__(message)
        self.problems = problems


def _message(detail) -> str:
    if isinstance(detail, dict):
        return "; ".join(f"{k}: {_message(v)}" for k, v in detail.items())
    if isinstance(detail, list):
        return "; ".join(_message(d) for d in detail)
    return str(detail)


def exception_handler(exc, context):
    if isinstance(exc, CodelistsError):
        message = exc.message if isinstance(exc, UserError) else str(exc)
        details = {"line": getattr(exc, "line", None), "hint": getattr(exc, "hint", None)}
        return Response(error_body(400, "invalid-codelist", message, details), status=400)
    if isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    response = drf_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, ProblemsFound):
        details = {"problems": exc.problems}
        code = "problems"
    elif isinstance(exc, exceptions.ValidationError):
        details, code = exc.detail, "invalid"
    else:
        details = None
        codes = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
        code = codes if isinstance(codes, str) else "error"
    message = _message(exc.detail) if isinstance(exc, exceptions.ValidationError) else str(
        getattr(exc, "detail", exc))
    response.data = error_body(response.status_code, code, message, details)
    return response


def not_found_json(request, exception=None):
    return JsonResponse(error_body(404, "not_found", "Not found."), status=404)


def not_found(request, exception=None):
    """The site's 404: the API's error shape under /api/, the HTML page elsewhere (a
    URL that matches no route, e.g. ``/api/v1/codelists/-1/``, is still the API's)."""
    if request.path.startswith("/api/"):
        return not_found_json(request, exception)
    from django.views.defaults import page_not_found

    return page_not_found(request, exception)
