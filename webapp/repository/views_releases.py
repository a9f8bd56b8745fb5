"""Terminology releases and the codelists they affect: the curators' and owners' list,
and the curators' button that checks every published version against an installed
release (a background job, :mod:`webapp.repository.release_jobs`)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import F
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from codelists.errors import CodelistsError
from webapp.repository import library, queries
from webapp.repository.models import Compatibility, Release


def installed_stores() -> list[dict]:
    """Every release store the site has (the data directory's and the installed ones),
    each with the check already stored for it, if any."""
    from codelists.terminology.installed import installed
    from codelists.terminology.locate import list_stores

    found = {str(info.path): info.metadata for info in list_stores()}
    for path, meta in installed().values():
        found.setdefault(str(path), meta)
    checked = {_real(r.store): r for r in Release.objects.filter(checked__isnull=False)}
    current = {str(path) for path, _ in installed().values()}
    return [{"path": path, "name": path.rsplit("/", 1)[-1],
             "system": library.system_name(meta.terminology), "edition": meta.edition,
             "release": meta.release_date, "installed": path in current,
             "check": checked.get(_real(path))} for path, meta in found.items()]


def _real(path: str) -> str:
    """A store's path with links resolved (a check may have named it either way)."""
    from pathlib import Path

    return str(Path(path).resolve())


def affected(user, release: Release, *, mine: bool = False):
    """The latest versions on a release that it affects, of codelists the user sees."""
    rows = (Compatibility.objects
            .filter(release=release, compatible=False,
                    version__codelist__latest_version=F("version"),
                    version__codelist__in=queries.visible_codelists(user))
            .select_related("version__codelist__article")
            .order_by("version__codelist__title", "version__codelist_id"))
    if mine:
        rows = rows.filter(version__codelist__article__members__user=user)
    return rows


def releases_page(request):
    mine = request.GET.get("mine") == "1" and request.user.is_authenticated
    shown = [{"release": r, "affected": list(affected(request.user, r, mine=mine)),
              "compatible": r.results.filter(
                  compatible=True, version__codelist__latest_version=F("version")).count()}
             for r in Release.objects.filter(checked__isnull=False)
             .order_by("coding_system", "-release", "-edition")]
    stores = installed_stores() if request.user.is_staff else None
    return render(request, "repository/releases.html", {
        "releases": shown, "mine": mine, "stores": stores,
        "unchecked": [s for s in stores or () if s["installed"] and s["check"] is None]})


@login_required
@require_POST
def check(request):
    from webapp.repository.release_jobs import submit_check

    if not request.user.is_staff:
        raise PermissionDenied("only curators check a release against the repository")
    wanted = request.POST.get("store", "")
    stores = {s["path"] for s in installed_stores()}
    if wanted not in stores:
        messages.error(request, "Choose one of the releases listed here.")
        return redirect("repository:releases")
    try:
        record = submit_check(request.user, wanted)
    except CodelistsError as exc:
        messages.error(request, str(exc))
        return redirect("repository:releases")
    return redirect(record.get_absolute_url())
