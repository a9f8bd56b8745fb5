"""A job's page: its progress while it runs (the page refreshes itself), then its
result or error.  Only its owner (and staff) see it."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from webapp.jobs.models import Job, JobState


@login_required
def job_detail(request, pk):
    record = Job.objects.filter(pk=pk).first()
    if record is None or (record.owner_id != request.user.pk and not request.user.is_staff):
        raise Http404("no such job")
    running = record.state in (JobState.QUEUED, JobState.RUNNING)
    template = "jobs/_progress.html" if request.headers.get("HX-Request") else "jobs/job.html"
    return render(request, template, {"job": record, "running": running})
