"""OpenCodelists' version URLs: ``/codelist/<owner>/<slug>/<tag>/`` (and
``/codelist/user/<username>/<slug>/<tag>/``) with ``download.csv``, ``definition.csv``,
``dmd-download.csv`` and our ``download.codelist``.  Anonymous reads; embargoed
articles only for their members, as on the rest of the site."""

from __future__ import annotations

from django.http import HttpResponse, HttpResponseNotFound
from django.shortcuts import redirect
from django.views.decorators.http import require_safe

from webapp.compat import downloads, names


def _version(request, owner, slug, tag, username=None):
    codelist = names.codelist_for(request.user, owner, slug, username=username)
    return codelist, names.version_for(codelist, tag)


def _filename(codelist, version, suffix: str) -> str:
    return f"{names.owner_slug(codelist.article)}-{codelist.slug}-{names.version_tag(version)}" \
           f"{suffix}"


def _csv(body: str, filename: str) -> HttpResponse:
    # exactly "text/csv": the opensafely client refuses any other content type
    response = HttpResponse(body.encode("utf-8"), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_safe
def version_page(request, owner, slug, tag, username=None):
    """The version's page on this site (the manifest's ``url``)."""
    codelist, version = _version(request, owner, slug, tag, username)
    from django.urls import reverse

    return redirect(f"{reverse('repository:codelist', args=[codelist.pk])}"
                    f"?version={version.number}")


@require_safe
def download(request, owner, slug, tag, username=None):
    codelist, version = _version(request, owner, slug, tag, username)
    body = downloads.download_csv(version, fixed_headers="fixed-headers" in request.GET)
    return _csv(body, _filename(codelist, version, ".csv"))


@require_safe
def definition(request, owner, slug, tag, username=None):
    codelist, version = _version(request, owner, slug, tag, username)
    return _csv(downloads.definition_csv(version),
                _filename(codelist, version, "-definition.csv"))


@require_safe
def dmd_download(request, owner, slug, tag, username=None):
    codelist, version = _version(request, owner, slug, tag, username)
    if codelist.coding_system != "bnf":
        return HttpResponseNotFound("dm+d downloads are for BNF codelists",
                                    content_type="text/plain")
    body = downloads.dmd_csv(version)
    if body is None:
        return HttpResponseNotFound("no BNF terminology store is installed on this server",
                                    content_type="text/plain")
    return _csv(body, _filename(codelist, version, "-dmd.csv"))


@require_safe
def codelist_file(request, owner, slug, tag, username=None):
    """The version as a ``.codelist`` file (ours; `codelist pull` fetches it too)."""
    codelist, version = _version(request, owner, slug, tag, username)
    response = HttpResponse(version.text.encode("utf-8"),
                            content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = \
        f'attachment; filename="{_filename(codelist, version, ".codelist")}"'
    return response
