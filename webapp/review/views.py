"""Pages of the Delphi review.  Reads here; every write calls :mod:`webapp.review.actions`."""

from __future__ import annotations

from pathlib import Path

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from codelists.errors import CodelistsError
from codelists.method.delphi import RATING_LABELS
from webapp.accounts import actions as accounts_actions
from webapp.accounts.forms import SignUpForm
from webapp.repository.models import CodelistVersion
from webapp.review import actions, method, sheetfiles
from webapp.review.forms import StartReviewForm, UploadSheetsForm, parse_panel
from webapp.review.models import PanelMember, Rating, Review, Round
from webapp.review.permissions import (
    can_start,
    is_chair,
    member_of,
    require_view,
)

RATINGS = [(value, f"{value}: {label}") for value, label in RATING_LABELS.items()]


def _review(request, pk: int) -> Review:
    review = get_object_or_404(Review.objects.select_related("codelist", "chair"), pk=pk)
    require_view(request.user, review)
    return review


def _round(review: Review, number: int) -> Round:
    return get_object_or_404(Round.objects.select_related("source_version", "review"),
                             review=review, number=number)


@login_required
def mine(request):
    reviews = (Review.objects.filter(Q(chair=request.user) | Q(panel__user=request.user))
               .select_related("codelist").distinct())
    return render(request, "review/mine.html", {"reviews": reviews})


@login_required
def start(request, version_pk: int):
    version = get_object_or_404(CodelistVersion.objects.select_related("codelist__article"),
                                pk=version_pk)
    if not can_start(request.user, version):
        raise PermissionDenied("only the codelist's depositors and co-authors may start a review")
    parsed = method.parse_version(version.text)
    form = StartReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            review = actions.start_review(
                request.user, version, panel=data["panel"], rule=data["rule"],
                instructions=data["instructions"], codes=data["codes"],
                link=lambda token: request.build_absolute_uri(
                    reverse("review:join", args=[token])))
        except CodelistsError as exc:
            form.add_error(None, _message(exc))
        else:
            messages.success(request, "Review started; invitations were sent.")
            return redirect("review:detail", review.pk)
    return render(request, "review/start.html", {
        "form": form, "version": version, "codelist": version.codelist,
        "pending": parsed.pending_codes(), "about": method.definition(version.text)})


def _message(exc: CodelistsError) -> str:
    """One line for the page: file name and row (never a server path), message, hint."""
    text = getattr(exc, "message", None) or str(exc)
    path, line = getattr(exc, "path", None), getattr(exc, "line", None)
    if path:
        where = Path(path).name + (f" row {line}" if line else "")
        text = f"{where}: {text}"
    hint = getattr(exc, "hint", None)
    return text + (f" ({hint})" if hint else "")


def detail(request, pk: int):
    if not request.user.is_authenticated:
        return redirect(f"{reverse('accounts:login')}?next={request.path}")
    review = _review(request, pk)
    rounds = list(review.rounds.select_related("result_version", "source_version"))
    current = rounds[-1] if rounds else None
    chair = is_chair(request.user, review)
    closed = [{"round": r, "results": _results(review, r)} for r in rounds if r.is_closed]
    return render(request, "review/detail.html", {
        "review": review, "rounds": rounds, "current": current, "is_chair": chair,
        "member": member_of(request.user, review), "closed": closed,
        "progress": actions.progress(current) if chair and current else None,
        "about": method.definition(review.base_version.text),
        "invitations": review.panel.filter(user__isnull=True) if chair else (),
        "upload_form": UploadSheetsForm(),
    })


def _results(review: Review, round_: Round) -> list[dict]:
    """Anonymised results of a closed round (counts, sorted comments, the decision)."""
    by_code = method.results(actions.library_round(round_), round_.source_version.text,
                             review.rule)
    return [{"code": code, "term": round_.items.get(code, {}).get("term", ""), **item}
            for code, item in by_code.items()]


@login_required
def sheet(request, pk: int, number: int):
    review = _review(request, pk)
    round_ = _round(review, number)
    member = member_of(request.user, review)
    if member is None or member.label not in round_.reviewers:
        raise PermissionDenied("only the panel rate; this is not your sheet")
    saved = {r.code: r for r in Rating.objects.filter(round=round_, member=member)}
    rows = [_row(round_, index, code, saved.get(code)) for index, code in
            enumerate(round_.codes, start=1)]
    return render(request, "review/sheet.html", {
        "review": review, "round": round_, "member": member, "rows": rows, "ratings": RATINGS,
        "rated": sum(1 for r in rows if r["rating"]),
        "has_feedback": any(r["feedback"] for r in rows),
        "has_usage": any(r["usage"] is not None for r in rows), "upload_form": UploadSheetsForm(),
        "about": method.definition(review.base_version.text)})


def _row(round_: Round, index: int, code: str, saved: Rating | None, error: str = "") -> dict:
    item = round_.items.get(code, {})
    return {"index": index, "code": code, "term": item.get("term", ""),
            "hierarchy": item.get("hierarchy") or [], "usage": item.get("usage"),
            "feedback": item.get("feedback", ""),
            "rating": saved.rating if saved else None,
            "comment": saved.comment if saved else "", "error": error,
            "closed": round_.is_closed}


@require_POST
def rate(request, pk: int, number: int):
    if not request.user.is_authenticated:
        raise PermissionDenied("log in first")
    review = _review(request, pk)
    round_ = _round(review, number)
    code = request.POST.get("code", "")
    if code not in round_.codes:
        raise Http404("no such code in this round")
    changes = {}
    if "rating" in request.POST:
        raw = request.POST["rating"].strip()
        changes["rating"] = int(raw) if raw in ("1", "2", "3") else (None if raw == "" else raw)
    if "comment" in request.POST:
        changes["comment"] = request.POST["comment"]
    status, error = 200, ""
    try:
        saved = actions.rate(request.user, round_, code, **changes)
    except actions.RoundClosed as exc:
        status, error, saved = 409, exc.message, None
    except CodelistsError as exc:
        status, error, saved = 400, _message(exc), None
    if saved is None:
        member = member_of(request.user, review)
        saved = Rating.objects.filter(round=round_, member=member, code=code).first()
    index = round_.codes.index(code) + 1
    if not request.headers.get("HX-Request"):  # a plain form post (no JavaScript)
        if error:
            messages.error(request, error)
        return redirect(reverse("review:sheet", args=[review.pk, number]) + f"#row-{index}")
    response = render(request, "review/_row.html", {
        "review": review, "round": round_, "row": _row(round_, index, code, saved, error),
        "ratings": RATINGS,
        "has_feedback": bool(round_.number > 1),
        "has_usage": any(i.get("usage") is not None for i in round_.items.values())},
        status=status)
    return response


@require_POST
@login_required
def close(request, pk: int, number: int):
    review = _review(request, pk)
    round_ = _round(review, number)
    try:
        version = actions.close_round(request.user, round_)
    except CodelistsError as exc:
        messages.error(request, _message(exc))
    else:
        messages.success(request, f"Round {number} closed: consensus published as version "
                                  f"{version.number}.")
    return redirect("review:detail", review.pk)


@require_POST
@login_required
def withdraw(request, pk: int, number: int, member_pk: int):
    review = _review(request, pk)
    round_ = _round(review, number)
    member = get_object_or_404(PanelMember, pk=member_pk, review=review)
    try:
        actions.withdraw(request.user, round_, member)
    except CodelistsError as exc:
        messages.error(request, _message(exc))
    else:
        messages.success(request, f"{member.label} was withdrawn from round {number}.")
    return redirect("review:detail", review.pk)


@require_POST
@login_required
def add_reviewer(request, pk: int, number: int):
    """The chair puts one more reviewer on the open round (the start form's syntax)."""
    review = _review(request, pk)
    round_ = _round(review, number)
    try:
        invitees = parse_panel(request.POST.get("reviewer", ""))
        if len(invitees) != 1:
            raise ValidationError("add one reviewer at a time")
        member = actions.add_reviewer(
            request.user, round_, invitees[0], link=lambda token: request.build_absolute_uri(
                reverse("review:join", args=[token])))
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
    except CodelistsError as exc:
        messages.error(request, _message(exc))
    else:
        who = member.user.get_username() if member.user else f"{member.email} (invited)"
        messages.success(request, f"{who} joined round {number} as {member.label}.")
    return redirect("review:detail", review.pk)


@require_POST
@login_required
def next_round(request, pk: int):
    review = _review(request, pk)
    try:
        round_ = actions.start_next_round(request.user, review)
    except CodelistsError as exc:
        messages.error(request, _message(exc))
    else:
        messages.success(request, f"Round {round_.number} opened on {len(round_.codes)} "
                                  "disputed codes.")
    return redirect("review:detail", review.pk)


@login_required
def export(request, pk: int, number: int, fmt: str):
    review = _review(request, pk)
    round_ = _round(review, number)
    if fmt not in ("xlsx", "csv"):
        raise Http404("sheets are xlsx or csv")
    if is_chair(request.user, review):
        return sheetfiles.panel_download(review, round_, fmt)
    member = member_of(request.user, review)
    if member is None or member.label not in round_.reviewers:
        raise PermissionDenied("not on this round's panel")
    return sheetfiles.own_download(review, round_, member, fmt)


@require_POST
@login_required
def upload(request, pk: int, number: int):
    review = _review(request, pk)
    round_ = _round(review, number)
    form = UploadSheetsForm(request.POST)
    form.is_valid()
    try:
        files = form.files_from(request)
        imported = actions.import_sheets(request.user, round_, files,
                                         replace=form.cleaned_data.get("replace", False))
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
    except CodelistsError as exc:
        messages.error(request, _message(exc))
    else:
        messages.success(request, f"Imported the sheets of {', '.join(imported)}.")
    if is_chair(request.user, review):
        return redirect("review:detail", review.pk)
    return redirect("review:sheet", review.pk, number)


def join(request, token: str):
    """An invitation link: join as the logged-in user, or sign up and join in one step."""
    member = get_object_or_404(PanelMember.objects.select_related("review__codelist"),
                               token=token)
    signup = None
    if request.method == "POST" and not request.user.is_authenticated:
        signup = SignUpForm(request.POST)
        if signup.is_valid():
            data = signup.cleaned_data
            user = accounts_actions.sign_up(
                username=data["username"], email=data["email"], password=data["password1"],
                display_name=data["display_name"], orcid=data["orcid"],
                affiliation=data["affiliation"])
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    if request.method == "POST" and request.user.is_authenticated:
        try:
            actions.accept_invitation(request.user, token)
        except CodelistsError as exc:
            messages.error(request, _message(exc))
            return redirect("review:join", token)
        messages.success(request, f"You joined the panel as {member.label}.")
        return redirect("review:detail", member.review.pk)
    if request.user.is_authenticated and member.user_id == request.user.pk:
        return redirect("review:detail", member.review.pk)  # already on the panel
    if signup is None and not request.user.is_authenticated and member.user_id is None:
        signup = SignUpForm(initial={"email": member.email})
    return render(request, "review/join.html", {"member": member, "review": member.review,
                                                "signup": signup})
