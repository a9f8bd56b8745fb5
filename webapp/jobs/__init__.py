"""Background jobs: heavy but legitimate work off the request thread, with progress.

Public entry points (the only ones other apps use)::

    from webapp import jobs

    @jobs.job                       # a function the worker may run
    def rebuild_index(job, *, release: str) -> dict:
        for i, part in enumerate(parts):
            ...
            jobs.progress(job, done=i + 1, total=len(parts), message="indexing")
        return {"url": "/somewhere/", "summary": "done"}   # JSON: shown when finished

    record = jobs.submit(rebuild_index, owner=request.user, title="Rebuild", release="x")
    return redirect(record.get_absolute_url())   # the progress page

A :class:`~webapp.jobs.models.Job` row records who asked, the state, progress and the
result (or the error a user can act on).  The queue is django-tasks (the backport of
Django 6's ``django.tasks``) with its database backend: it works on SQLite out of the
box and on PostgreSQL in production, needs no broker, and ``codelist serve`` starts
its worker (``python -m webapp.manage run_jobs``).
"""

from __future__ import annotations

__all__ = ["JobFailed", "job", "progress", "submit"]


def __getattr__(name: str):
    """The entry points, imported when first used (the app registry must be ready)."""
    if name in __all__:
        from webapp.jobs import api

        return getattr(api, name)
    raise AttributeError(name)
