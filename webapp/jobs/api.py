"""Submit a job, report its progress, and the worker's side (see webapp.jobs)."""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from codelists.errors import CodelistsError

log = logging.getLogger(__name__)
_MARK = "_codelists_job"


class JobFailed(Exception):
    """Raised by a job to fail with a message for its owner and data (e.g. problems)."""

    def __init__(self, message: str, result: dict | None = None) -> None:
        super().__init__(message)
        self.result = result or {}


def job(function: Callable) -> Callable:
    """Mark a function as runnable by the job worker (nothing else can be submitted)."""
    setattr(function, _MARK, True)
    return function


def _path(function: Callable) -> str:
    if not getattr(function, _MARK, False):
        raise ValueError(f"{function!r} is not marked with @jobs.job")
    return f"{function.__module__}:{function.__qualname__}"


def submit(function: Callable, *, owner, title: str, **kwargs):
    """Record a job and queue it; ``kwargs`` must be JSON data.  Returns the Job row."""
    from webapp.jobs.models import Job

    record = Job.objects.create(owner=owner, title=title[:200], function=_path(function),
                                kwargs=kwargs)
    from webapp.jobs.tasks import execute

    transaction.on_commit(lambda: execute.enqueue(str(record.pk)))
    return record


def progress(record, *, done: int, total: int | None = None, message: str = "") -> None:
    """Report how far a job is (shown on its page)."""
    from webapp.jobs.models import Job

    fields = {"done": done, "message": message[:300], "updated": timezone.now()}
    if total is not None:
        fields["total"] = total
    Job.objects.filter(pk=record.pk).update(**fields)
    for name, value in fields.items():
        setattr(record, name, value)


def _function(path: str) -> Callable:
    module, _, name = path.partition(":")
    function = importlib.import_module(module)
    for part in name.split("."):
        function = getattr(function, part)
    if not getattr(function, _MARK, False):
        raise ValueError(f"{path} is not a job")
    return function


def run(job_id: str) -> None:
    """Run one job (the worker calls this): its state, result or error are recorded."""
    from webapp.jobs.models import Job, JobState

    record = Job.objects.filter(pk=job_id, state=JobState.QUEUED).first()
    if record is None:
        return
    Job.objects.filter(pk=record.pk).update(state=JobState.RUNNING, started=timezone.now())
    try:
        result = _function(record.function)(record, **record.kwargs)
    except JobFailed as exc:
        _finish(record, JobState.FAILED, error=str(exc), result=exc.result)
    except CodelistsError as exc:  # the user's to fix: said on the job's page
        _finish(record, JobState.FAILED, error=str(exc))
    except Exception as exc:
        log.exception("job %s failed", record.pk)
        _finish(record, JobState.FAILED, error=f"the job failed unexpectedly ({type(exc).__name__})")
    else:
        _finish(record, JobState.DONE, result=result or {})


def _finish(record, state: str, *, result: dict | None = None, error: str = "") -> None:
    from webapp.jobs.models import Job

    Job.objects.filter(pk=record.pk).update(state=state, result=result or {},
                                            error=error[:2000], finished=timezone.now())
