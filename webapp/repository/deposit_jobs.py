"""Deposits too big for a request (more than ``settings.CODELISTS_SYNC_LINES`` lines):
the check of an upload and the saving of a draft run as background jobs
(:mod:`webapp.jobs`), with their progress on the job's page and in the draft."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from webapp import jobs
from webapp.repository import deposit

PENDING = "pending"


def is_large(text: str) -> bool:
    return deposit.code_lines(text) > settings.CODELISTS_SYNC_LINES


@jobs.job
def check_upload(job, *, name: str, text: str, licence: str | None) -> dict:
    jobs.progress(job, done=0, total=2, message=f"reading and checking {name}")
    entry = deposit.add_file({"files": [], "licence": licence}, name, text)
    jobs.progress(job, done=2, total=2, message="checked")
    errors = sum(p.get("severity") == "error" for p in entry.get("problems", []))
    return {"entry": entry, "url": reverse("repository:deposit-files"),
            "link_text": "Back to the deposit",
            "summary": f"{name}: {errors} error(s)" if errors else f"{name}: ready"}


def submit_check(user, draft: dict, name: str, text: str) -> dict:
    """Queue the check of a large upload; its place in the draft waits for the job."""
    record = jobs.submit(check_upload, owner=user, title=f"Checking {name}", name=name,
                         text=text, licence=draft.get("licence"))
    entry = {"name": name, "kind": PENDING, "job": str(record.pk), "problems": [],
             "codelist_text": None}
    draft["files"].append(entry)
    return entry


def resolve(user, draft: dict) -> bool:
    """Put finished checks into the draft; True when the draft changed."""
    from webapp.jobs.models import Job, JobState

    changed = False
    for index, entry in enumerate(draft["files"]):
        if entry.get("kind") != PENDING:
            continue
        record = Job.objects.filter(pk=entry["job"], owner=user).first()
        if record is None or record.state == JobState.FAILED:
            message = record.error if record else "the check was lost; upload the file again"
            draft["files"][index] = dict(entry, kind="failed", problems=[{
                "rule": "job", "severity": "error", "message": message, "line": None,
                "hint": None, "path": entry["name"]}])
            changed = True
        elif record.state == JobState.DONE:
            draft["files"][index] = record.result["entry"]
            changed = True
    return changed


def job_of(entry: dict):
    from webapp.jobs.models import Job

    return Job.objects.filter(pk=entry["job"]).first() if entry.get("kind") == PENDING else None


@jobs.job
def save(job, *, user_id: int, draft: dict) -> dict:
    from django.contrib.auth.models import User

    lines = deposit.draft_lines(draft)
    jobs.progress(job, done=0, total=lines, message=f"saving {lines:,} lines")
    article = deposit.save_draft(User.objects.get(pk=user_id), draft)
    jobs.progress(job, done=lines, total=lines, message="saved")
    return {"url": reverse("repository:article", args=[article.pk]),
            "link_text": f"Open “{article.title}”",
            "summary": f"Deposited {len(draft['files'])} codelist(s)."}


def submit_save(user, draft: dict):
    return jobs.submit(save, owner=user, title="Saving the deposit", user_id=user.pk,
                       draft=draft)


@jobs.job
def deposit_text(job, *, user_id: int, text: str, filename: str, article_id: int | None = None,
                 codelist_id: int | None = None, note: str = "",
                 derived_from: int | None = None) -> dict:
    """An API deposit of a large ``.codelist``: a new codelist in an article, or a new
    version of a codelist (checked first, like any deposit; errors fail the job with
    the problems as its result)."""
    from django.contrib.auth.models import User

    from webapp.repository import actions
    from webapp.repository.models import Article, Codelist

    user = User.objects.get(pk=user_id)
    jobs.progress(job, done=0, total=2, message=f"checking {deposit.code_lines(text):,} lines")
    entry = deposit.check_codelist_text({"name": filename, "text": text})
    if deposit.has_errors(entry):
        raise jobs.JobFailed("the codelist has errors", {"problems": entry["problems"]})
    jobs.progress(job, done=1, total=2, message="saving")
    if codelist_id is not None:
        codelist = Codelist.objects.get(pk=codelist_id)
        version = actions.add_version(user, codelist, text, note=note, filename=filename)
        number = version.number
    else:
        source = Codelist.objects.filter(pk=derived_from).first() if derived_from else None
        codelist = actions.add_codelist(user, Article.objects.get(pk=article_id),
                                        actions.NewCodelist(text=text, filename=filename,
                                                            derived_from=source))
        number = codelist.latest_version.number
    jobs.progress(job, done=2, total=2, message="saved")
    return {"codelist": codelist.pk, "version": number,
            "url": reverse("repository:codelist", args=[codelist.pk]),
            "api_url": reverse("api:codelist", args=[codelist.pk]),
            "summary": f"{codelist.title}: version {number} published."}


def submit_text(user, text: str, filename: str, **target):
    """Queue an API deposit (after the cheap parsing budgets passed in the request)."""
    from codelists.formats import limits

    limits.check_text(text, filename, deposit.upload_limits())
    return jobs.submit(deposit_text, owner=user, title=f"Depositing {filename}",
                       user_id=user.pk, text=text, filename=filename, **target)
