"""A job's page: its progress while it runs (the page refreshes itself), then its
result or error.  Only its owner (and staff) see it."""

from __future__ import annotations

from urllib.parse import urlparse

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
    if not request.headers.get("HX-Request"):
        return render(request, "jobs/job.html", {"job": record, "running": running})
    response = render(request, "jobs/_progress.html", {"job": record, "running": running})
    shown_on = urlparse(request.headers.get("HX-Current-URL", "")).path
    if not running and shown_on and shown_on != record.get_absolute_url():
        response["HX-Refresh"] = "true"  # the page that shows the job's result reloads
    return response
