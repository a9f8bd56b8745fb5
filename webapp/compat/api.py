"""OpenCodelists' API in its own shapes, beside our ``/api/v1/``:

* ``GET /api/v1/codelist/`` and ``GET /api/v1/codelist/<owner>/`` -- ``{"codelists":
  [...]}`` with ``full_slug``, ``slug``, ``name``, ``coding_system_id``, ``organisation``,
  ``user``, ``versions`` and, when asked for, ``description``, ``methodology``,
  ``references``; filters ``coding_system_id`` and ``tag``;
* ``POST /api/v1/codelist/<owner>/`` -- create a codelist; ``POST
  /api/v1/codelist/<owner>/<slug>/versions/`` -- a new version (token required);
* ``POST /api/v1/check/`` -- form fields ``codelists`` and ``manifest``; answers
  ``{"status": "ok"}``, ``{"status": "error", "data": {"error": ...}}`` or
  ``{"status": "error", "data": {"added", "removed", "changed"}}``.

Authentication and rate limits are the API's own (DRF classes in settings).
"""

from __future__ import annotations

import json

from django.core.exceptions import PermissionDenied
from django.http import Http404
from rest_framework import permissions
from rest_framework.response import Response
from rest_framework.views import APIView

from webapp.compat import actions, downloads, names
from webapp.repository.models import Codelist


class CompatView(APIView):
    """OpenCodelists' API: its shapes, outside our OpenAPI schema (which describes our
    own /api/v1/, unchanged).  Bodies: JSON (under the API's nesting budget) or forms,
    the API's default parsers."""

    schema = None


def _error(message: str, status: int = 400) -> Response:
    return Response({"error": message}, status=status)


def _record(codelist: Codelist, params) -> dict:
    article = codelist.article
    record = {
        "full_slug": names.full_slug(codelist),
        "slug": codelist.slug,
        "name": codelist.title,
        "coding_system_id": codelist.coding_system,
        "organisation": names.owner_name(article),
        "user": "",
        "versions": [{
            "hash": version.sha256[:8],
            "tag": names.version_tag(version),
            "full_slug": f"{names.full_slug(codelist)}/{names.version_tag(version)}",
            "status": "published",
            "downloadable": True,
            "updated_date": version.created.date().isoformat(),
        } for version in codelist.versions.select_related("compat_tag").order_by("number")],
    }
    if "description" in params:
        record["description"] = codelist.description
    if "methodology" in params:
        record["methodology"] = str((codelist.latest_version.metadata or {})
                                    .get("methodology") or "") if codelist.latest_version else ""
    if "references" in params:
        record["references"] = _references(article)
    return record


def _references(article) -> list[dict]:
    refs = []
    if article.doi:
        refs.append({"text": article.title, "url": f"https://doi.org/{article.doi}"})
    elif article.link:
        refs.append({"text": article.title, "url": article.link})
    return refs


class Codelists(CompatView):
    def get(self, request, owner: str | None = None):
        from webapp.repository.queries import visible_codelists

        queryset = visible_codelists(request.user).select_related(
            "article", "article__compat_owner", "latest_version")
        if owner is not None:
            queryset = queryset.filter(article=names.visible(
                request.user, names.article_for_owner(owner)))
        if request.GET.get("coding_system_id"):
            queryset = queryset.filter(coding_system=request.GET["coding_system_id"])
        if request.GET.get("tag"):
            queryset = queryset.filter(tags__name=request.GET["tag"])
        codelists = sorted(queryset, key=lambda c: (names.owner_slug(c.article), c.slug))
        return Response({"codelists": [_record(c, request.GET) for c in codelists]})

    def post(self, request, owner: str | None = None):
        if owner is None:
            raise Http404
        article = names.visible(request.user, names.article_for_owner(owner))
        data, problem = _body(request, {"name", "coding_system_id"}, {"codes", "csv_data"})
        if problem:
            return _error(problem)
        try:
            codelist = actions.create_codelist(request.user, article, data)
        except actions.RequestError as exc:
            return _error(str(exc))
        except PermissionDenied as exc:
            return _error(str(exc), 403)
        return Response({"codelist": f"/codelist/{names.full_slug(codelist)}/"})


OPTIONAL = {"slug", "tag", "description", "methodology", "references", "signoffs",
            "always_create_new_version", "ignore_unfound_codes",
            "coding_system_database_alias", "name", "coding_system_id"}


def _body(request, required: set[str], one_of: set[str]) -> tuple[dict, str]:
    data = request.data
    if not isinstance(data, dict):
        return {}, "Invalid JSON"
    data = dict(data)
    given = set(data) & one_of
    if len(given) != 1:
        return data, "Provide exactly one of " + " or ".join(f"`{k}`" for k in sorted(one_of))
    missing = sorted(k for k in required if k not in data)
    if missing:
        return data, "Missing keys: " + ", ".join(f"`{k}`" for k in missing)
    extra = sorted(k for k in data if k not in OPTIONAL | required | one_of)
    if extra:
        return data, "Extra keys: " + ", ".join(f"`{k}`" for k in extra)
    codes = data.get("codes")
    if codes is not None and not (isinstance(codes, list)
                                  and all(isinstance(c, str | int) for c in codes)):
        return data, "`codes` must be a list of codes"
    if "codes" in data:
        data["codes"] = [str(c).strip() for c in codes]
    for key in ("csv_data", "ecl", "name", "slug", "tag", "description", "methodology"):
        if key in data and not isinstance(data[key], str):
            return data, f"`{key}` must be text"
    return data, ""


class Versions(CompatView):
    def post(self, request, owner: str, slug: str):
        codelist = names.codelist_for(request.user, owner, slug)
        data, problem = _body(request, set(), {"codes", "csv_data", "ecl"})
        if problem:
            return _error(problem)
        try:
            version = actions.create_version(request.user, codelist, data)
        except actions.RequestError as exc:
            return _error(str(exc))
        except PermissionDenied as exc:
            return _error(str(exc), 403)
        return Response({"codelist_version":
                         f"/codelist/{names.full_slug(codelist)}/{names.version_tag(version)}/"})


class Check(CompatView):
    """Is a study's ``codelists/`` folder current with this repository?  A read: anyone
    may ask (POST only because OpenCodelists takes the folder's files as a form)."""

    permission_classes = [permissions.AllowAny]

    def post(self, request):
        def error(message):
            return Response({"status": "error", "data": {"error": message}})

        try:
            manifest = json.loads(request.data.get("manifest") or "")
            files = manifest["files"].values()
        except (ValueError, KeyError, TypeError, AttributeError):
            return error("Codelists manifest file is invalid")
        current: dict[str, set[str]] = {}
        for line in str(request.data.get("codelists") or "").split("\n"):
            line = line.strip().rstrip("/")
            if not line or line.startswith("#"):
                continue
            try:
                version = names.version_for_line(request.user, line)
            except ValueError as exc:
                return error(str(exc))
            except Http404:
                return error(f"{line} could not be found")
            current[line] = _shas(version)
        listed = {entry.get("id") for entry in files}
        added = sorted(set(current) - listed)
        removed = sorted(listed - set(current))
        changed = [entry["id"] for entry in files
                   if entry.get("id") in current and entry.get("sha") not in current[entry["id"]]]
        if added or removed or changed:
            return Response({"status": "error",
                             "data": {"added": added, "removed": removed, "changed": changed}})
        return Response({"status": "ok"})


def _shas(version) -> set[str]:
    """Every download of a version a study may hold: as served, and with fixed headers."""
    from codelists.formats.study import content_sha

    return {content_sha(downloads.download_csv(version, fixed_headers=fixed).encode("utf-8"))
            for fixed in (False, True)}
