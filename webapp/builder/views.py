"""The builder's pages.  Reads here; every change calls :mod:`webapp.builder.actions`.

Decisions are posted by the page's script (answered with the statuses that changed, as
JSON) or, without JavaScript, by plain forms (answered with a redirect)."""

from __future__ import annotations

from collections import Counter

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from codelists.codelist.definition import Status
from codelists.codelist.workspace import KINDS
from codelists.errors import CodelistsError
from webapp.builder import actions, session, update
from webapp.builder import render as draw
from webapp.builder.models import Draft, DraftStatus
from webapp.builder.permissions import can_change
from webapp.repository import library
from webapp.repository.models import Codelist
from webapp.repository.permissions import can_view

FILTERS = ("unresolved", "conflicted", "included", "excluded")


def _draft(request, pk: int) -> Draft:
    draft = get_object_or_404(Draft, pk=pk)
    if not can_change(request.user, draft):
        raise Http404("no such draft")
    return draft


@login_required
def index(request):
    drafts = Draft.objects.filter(owner=request.user).select_related("codelist")
    return render(request, "builder/index.html", {
        "drafts": drafts, "systems": [(choice, f"{library.system_name(system)} ({label})")
                                      for choice, system, label in session.releases()]})


@login_required
@require_POST
def start(request):
    try:
        draft = actions.start_draft(request.user, title=request.POST.get("title", ""),
                                    coding_system=request.POST.get("system", ""),
                                    description=request.POST.get("description", ""))
    except CodelistsError as exc:
        messages.error(request, str(exc))
        return redirect("builder:index")
    return redirect("builder:draft", pk=draft.pk)


@login_required
@require_POST
def upload(request):
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, "Choose a .codelist file.")
        return redirect("builder:index")
    from webapp.repository.deposit import decode

    try:
        text = decode(upload.read(), upload.name)
        draft = actions.start_from_text(request.user, text, filename=upload.name)
    except CodelistsError as exc:
        messages.error(request, f"{upload.name}: {exc}")
        return redirect("builder:index")
    return redirect("builder:draft", pk=draft.pk)


@login_required
@require_POST
def new_version(request, codelist_pk: int):
    codelist = get_object_or_404(Codelist, pk=codelist_pk)
    return _open_draft(request, codelist, lambda: actions.new_version(request.user, codelist))


@login_required
@require_POST
def start_update(request, codelist_pk: int, release_pk: int):
    from webapp.repository.models import Release

    codelist = get_object_or_404(Codelist, pk=codelist_pk)
    release = get_object_or_404(Release, pk=release_pk, coding_system=codelist.coding_system)
    return _open_draft(request, codelist,
                       lambda: actions.start_update(request.user, codelist, release))


def _open_draft(request, codelist: Codelist, start):
    """A draft begun from a codelist the user can see, or its page with the reason not."""
    if not can_view(request.user, codelist.article):
        raise Http404("no such codelist")
    try:
        draft = start()
    except CodelistsError as exc:
        messages.error(request, str(exc))
        return redirect("repository:codelist", pk=codelist.pk)
    return redirect("builder:draft", pk=draft.pk)


@login_required
@require_POST
def review_pending(request, pk: int):
    """Accept or reject one pending line of an update draft (or all of those left)."""
    draft = _draft(request, pk)
    decision = request.POST.get("decision", "")
    if decision not in ("accept", "reject"):
        messages.error(request, "choose accept or reject")
        return redirect("builder:draft", pk=draft.pk)
    try:
        actions.review_pending(request.user, draft, request.POST.get("code") or None,
                               decision == "accept")
    except CodelistsError as exc:
        messages.error(request, str(exc))
    return redirect(reverse("builder:draft", args=[draft.pk]) + "#h-update")


def _state(draft):
    space = session.workspace(draft)
    rules = session.rules_of(draft)
    statuses = space.statuses(rules)
    decided = {r.code: r.include for r in rules}
    return space, statuses, decided


def _counts(statuses) -> dict[str, int]:
    counts = Counter(draw.LABEL[s] for s in statuses.values())
    return {name: counts.get(name, 0) for name in FILTERS}


@login_required
def draft_page(request, pk: int):
    draft = _draft(request, pk)
    try:
        space, statuses, decided = _state(draft)
    except CodelistsError as exc:
        return render(request, "builder/unavailable.html", {"draft": draft, "error": exc},
                      status=503)
    show = request.GET.get("show", "")
    listed = None
    if show in FILTERS:
        listed = [(c, space.terms.get(c, "")) for c, s in statuses.items()
                  if draw.LABEL[s] == show]
        listed.sort(key=lambda item: space.sort_key(item[0]))
    searches = [{"index": i, "label": s.label(),
                 "found": sum(1 for m in space.matches.values() if i in m)}
                for i, s in enumerate(session.searches_of(draft))]
    return render(request, "builder/draft.html", {
        "draft": draft, "kinds": KINDS, "searches": searches,
        "tree": draw.tree(draft, space, statuses, decided) if space.codes else None,
        "counts": _counts(statuses), "total": len(space.codes), "show": show,
        "listed": listed, "editable": draft.status == DraftStatus.DRAFT,
        "can_undo": bool(draft.history), "system_name": library.system_name(draft.coding_system),
        "conflicts": _conflicts(space, statuses, session.rules_of(draft)),
        "current_release": session.release_label(draft),
        "current_title": session.titled(library.system_name(draft.coding_system),
                                        session.release_label(draft)),
        "draft_title": session.titled(library.system_name(draft.coding_system), draft.release),
        "update": update.panel(draft.update, statuses, space.terms) if draft.update else None,
    })


def _conflicts(space, statuses, rules, limit: int = 50) -> list[dict]:
    """Conflicted codes with the decisions that disagree over them."""
    out = []
    for code, status in statuses.items():
        if status is Status.CONFLICTED:
            out.append({"code": code, "term": space.terms.get(code, ""),
                        "by": [(r.code, space.terms.get(r.code, ""), r.include)
                               for r in space.deciding(code, rules)]})
            if len(out) >= limit:
                break
    return sorted(out, key=lambda c: space.sort_key(c["code"]))


@login_required
def children(request, pk: int, code: str):
    draft = _draft(request, pk)
    space, statuses, decided = _state(draft)
    if code not in space.codes:
        raise Http404("not in this draft")
    level = request.GET.get("level", "2")
    level = int(level) if level.isdigit() else 2
    return HttpResponse(draw.children(draft, space, statuses, decided, code, level))


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _changes(draft, before) -> dict:
    space, after, _ = _state(draft)
    changed = {code: draw.LABEL[s] for code, s in after.items() if before.get(code) is not s}
    return {"changed": changed, "counts": _counts(after),
            "rules": {r["code"]: r["include"] for r in draft.rules},
            "can_undo": bool(draft.history)}


@login_required
@require_POST
def decide(request, pk: int):
    draft = _draft(request, pk)
    code = request.POST.get("code", "").strip()
    choice = request.POST.get("decision", "")
    include = {"include": True, "exclude": False, "clear": None}.get(choice, "bad")
    _, before, _ = _state(draft)
    if include == "bad" or code not in before:
        return _answer(request, draft, error="choose include, exclude or clear on a concept "
                                             "of this draft")
    try:
        actions.decide(request.user, draft, code, include)
    except CodelistsError as exc:
        return _answer(request, draft, error=str(exc))
    return _answer(request, draft, before=before)


@login_required
@require_POST
def undo(request, pk: int):
    draft = _draft(request, pk)
    _, before, _ = _state(draft)
    try:
        actions.undo(request.user, draft)
    except CodelistsError as exc:
        return _answer(request, draft, error=str(exc))
    return _answer(request, draft, before=before)


def _answer(request, draft, *, before=None, error: str = ""):
    if _wants_json(request):
        if error:
            return JsonResponse({"error": error}, status=400)
        return JsonResponse(_changes(draft, before))
    if error:
        messages.error(request, error)
    return redirect("builder:draft", pk=draft.pk)


@login_required
@require_POST
def search(request, pk: int):
    draft = _draft(request, pk)
    try:
        actions.add_search(request.user, draft, request.POST.get("kind", "term"),
                           request.POST.get("query", ""))
    except CodelistsError as exc:
        messages.error(request, str(exc))
    return redirect("builder:draft", pk=draft.pk)


@login_required
@require_POST
def remove_search(request, pk: int, index: int):
    draft = _draft(request, pk)
    try:
        actions.remove_search(request.user, draft, index)
    except CodelistsError as exc:
        messages.error(request, str(exc))
    return redirect("builder:draft", pk=draft.pk)


@login_required
@require_POST
def transition(request, pk: int, to: str):
    draft = _draft(request, pk)
    try:
        if to == "review":
            actions.submit_for_review(request.user, draft)
            messages.success(request, "Sent for review. Publish it when the review is done.")
        elif to == "draft":
            actions.return_to_draft(request.user, draft)
        elif to == "delphi":
            version = actions.publish_for_delphi(request.user, draft)
            messages.success(request, f"Version {version.number} holds the codes as pending: "
                                      "choose the panel for its Delphi review.")
            return redirect("review:start", version.pk)
        elif to == "published":
            version = actions.publish(request.user, draft)
            messages.success(request, f"Published as version {version.number}.")
            return redirect("repository:codelist", pk=version.codelist_id)
        else:
            raise Http404("no such state")
    except CodelistsError as exc:
        messages.error(request, str(exc))
    return redirect("builder:draft", pk=draft.pk)


@login_required
def download(request, pk: int, fmt: str):
    """The draft as it stands: the included codes as CSV (code, term), or the whole
    ``.codelist`` (codes, definition and searches)."""
    draft = _draft(request, pk)
    text = actions.codelist_text(draft)
    from codelists.codelist.template import slug

    name = slug(draft.title)
    if fmt == "codelist":
        response = HttpResponse(text, content_type="text/plain; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}.codelist"'
        return response
    if fmt != "csv":
        raise Http404("unknown format")
    import csv
    import io

    parsed = library.parse_text(text)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["code", "term"])
    for line in parsed.code_lines("active"):
        writer.writerow([library.safe_cell(line.code), library.safe_cell(line.term or "")])
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response


def terminologies(request):
    """The terminology releases installed on the site (the same stores as the command
    line's `codelist terminology list`); staff also see where each store lives."""
    from codelists.terminology.installed import installed

    rows = [{"system": system, "name": library.system_name(system),
             "edition": meta.edition, "release": meta.release_date,
             "built": meta.build_time, "tool": meta.tool_version, "path": str(path)}
            for system, (path, meta) in sorted(installed().items())]
    return render(request, "builder/terminologies.html", {
        "rows": rows, "staff": request.user.is_staff})
