"""The one django-tasks task: run a recorded Job by its id (webapp.jobs.api.run)."""

from __future__ import annotations

from django_tasks import task


@task(queue_name="default")
def execute(job_id: str) -> None:
    from webapp.jobs.api import run

    run(job_id)
