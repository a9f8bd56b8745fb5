"""The deposit flow: metadata, upload, check and map, confirm.  Nothing is written to the
repository until the depositor confirms; meanwhile the draft is a DepositDraft row of
the depositor's, and the session holds only its id."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from codelists.errors import CodelistsError, LimitExceeded
from webapp.repository import actions, deposit, deposit_jobs, library
from webapp.repository.forms import ArticleForm, DescribeForm, MappingForm, UploadForm
from webapp.repository.models import Article
from webapp.repository.permissions import can_change

KEY = deposit.SESSION_KEY


def _draft(request) -> dict | None:
    """The session's draft, if it is the signed-in user's and still live."""
    record = actions.find_draft(request.user, request.session.get(KEY))
    request.deposit_draft = record
    return record.data if record else None


def _save(request, draft: dict) -> None:
    record = getattr(request, "deposit_draft", None)
    if record is None:
        _draft(request)
        record = request.deposit_draft
    if record is None:
        return
    actions.update_draft(record, draft)


def _open(request, draft: dict) -> None:
    """A new draft (abandoning the one this session had)."""
    record = actions.open_draft(request.user, draft, replacing=request.session.get(KEY))
    request.session[KEY] = str(record.pk)
    request.deposit_draft = record


def _close(request) -> None:
    """The draft is deposited (or handed to a job): remove it."""
    actions.discard_draft(request.user, request.session.pop(KEY, None))


@login_required
def start(request):
    """Step 1: the article's metadata (kept in the draft, not saved yet)."""
    if request.method == "POST":
        form = ArticleForm(request.POST)
        if form.is_valid():
            data = dict(form.cleaned_data)
            data["tags"] = form.tag_list()
            if data["embargo_until"]:
                data["embargo_until"] = data["embargo_until"].isoformat()
            _open(request, deposit.new_draft(article=data, licence=data["licence"]))
            return redirect("repository:deposit-files")
    else:
        form = ArticleForm(initial={"licence": "CC-BY-4.0"})
    return render(request, "repository/deposit_start.html", {"form": form})


@login_required
def start_for_article(request, pk: int):
    """Add codelists to an existing article."""
    article = get_object_or_404(Article, pk=pk)
    if not can_change(request.user, article):
        raise PermissionDenied("only depositors and co-authors may add codelists")
    _open(request, deposit.new_draft(article_id=article.pk, licence=article.licence))
    return redirect("repository:deposit-files")


def _target(draft: dict) -> tuple[str, Article | None]:
    if draft.get("article_id"):
        article = Article.objects.filter(pk=draft["article_id"]).first()
        return (article.title if article else "?"), article
    return draft["article"]["title"], None


@login_required
def files(request):
    """Step 2: upload files (several at once); each is checked and shown with problems."""
    draft = _draft(request)
    if draft is None:
        return redirect("repository:deposit")
    form, status = UploadForm(), 200
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            refused = None
            for upload in form.cleaned_data["files"]:
                try:
                    name, text = deposit.read_upload(upload.read(), upload.name)
                except LimitExceeded as exc:  # said on this page, with a 4xx status
                    refused = 413 if exc.limit in ("bytes", "decompressed") else 422
                    form.add_error("files", f"{upload.name}: {exc.message} ({exc.hint})")
                    continue
                except CodelistsError as exc:
                    messages.error(request, f"{upload.name}: {exc}")
                    continue
                if deposit_jobs.is_large(text):  # checked in the background
                    deposit_jobs.submit_check(request.user, draft, name, text)
                    continue
                entry = deposit.add_file(draft, name, text)
                hit = deposit.limit_problem(entry)
                if hit:  # over a budget while parsing (YAML aliases): not kept
                    draft["files"].remove(entry)
                    refused = 422
                    form.add_error("files", f"{upload.name}: {hit['message']} ({hit['hint']})")
            _save(request, draft)
            if refused is None:
                return redirect("repository:deposit-files")
            status = refused
    if deposit_jobs.resolve(request.user, draft):
        _save(request, draft)
    title, _ = _target(draft)
    entries = [_entry_context(i, entry) for i, entry in enumerate(draft["files"])]
    return render(request, "repository/deposit_files.html", {
        "form": form, "title": title, "entries": entries, "ready": deposit.ready(draft)},
        status=status)


def _entry_context(index: int, entry: dict) -> dict:
    context = {"index": index, "entry": entry, "has_errors": deposit.has_errors(entry),
               "job": deposit_jobs.job_of(entry)}
    asked = deposit.undescribed(entry)
    if asked:
        context["describe_form"] = DescribeForm(asked=asked, prefix=f"d{index}")
    if entry["kind"] == "table":
        mapping = {k: v or "" for k, v in entry["mapping"].items()}
        context["mapping_form"] = MappingForm(initial=mapping, columns=entry["columns"],
                                              systems=library.system_choices(),
                                              prefix=f"f{index}")
    return context


@login_required
@require_POST
def mapping(request, index: int):
    """Apply a column mapping to an uploaded table (htmx replaces the file's card)."""
    draft = _draft(request)
    if draft is None or not 0 <= index < len(draft["files"]):
        return redirect("repository:deposit")
    entry = draft["files"][index]
    form = MappingForm(request.POST, columns=entry.get("columns", []),
                       systems=library.system_choices(), prefix=f"f{index}")
    if form.is_valid():
        deposit.apply_mapping(entry, form.cleaned_data, draft.get("licence"))
        _save(request, draft)
    if request.headers.get("HX-Request"):
        return render(request, "repository/_deposit_entry.html",
                      {"item": _entry_context(index, entry), "ready": deposit.ready(draft),
                       "oob": True})
    return redirect("repository:deposit-files")


@login_required
@require_POST
def describe(request, index: int):
    """Fill in what the file left as placeholders (htmx replaces the file's card)."""
    draft = _draft(request)
    if draft is None or not 0 <= index < len(draft["files"]):
        return redirect("repository:deposit")
    entry = draft["files"][index]
    asked = deposit.undescribed(entry)
    form = DescribeForm(request.POST, asked=asked, prefix=f"d{index}")
    if asked and form.is_valid():
        deposit.describe(entry, form.cleaned_data)
        _save(request, draft)
    if request.headers.get("HX-Request"):
        return render(request, "repository/_deposit_entry.html",
                      {"item": _entry_context(index, entry), "ready": deposit.ready(draft),
                       "oob": True})
    return redirect("repository:deposit-files")


@login_required
@require_POST
def remove(request, index: int):
    draft = _draft(request)
    if draft is not None and 0 <= index < len(draft["files"]):
        draft["files"].pop(index)
        _save(request, draft)
    return redirect("repository:deposit-files")


@login_required
@require_POST
def confirm(request):
    """Step 3: the depositor confirms; the article and its codelists are saved at once."""
    draft = _draft(request)
    if draft is None:
        return redirect("repository:deposit")
    if not deposit.ready(draft):
        messages.error(request, "Fix the problems marked as errors first.")
        return redirect("repository:deposit-files")
    if deposit.draft_lines(draft) > settings.CODELISTS_SYNC_LINES:
        record = deposit_jobs.submit_save(request.user, draft)
        _close(request)
        return redirect(record.get_absolute_url())
    items = [actions.NewCodelist(text=f["codelist_text"], filename=f["name"])
             for f in draft["files"]]
    try:
        article = deposit.save_draft(request.user, draft, items)
    except CodelistsError as exc:
        messages.error(request, str(exc))
        return redirect("repository:deposit-files")
    _close(request)
    messages.success(request, f"Deposited {len(items)} codelist(s).")
    return redirect("repository:article", pk=article.pk)


