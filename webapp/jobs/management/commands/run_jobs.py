"""``run_jobs``: the background job worker (django-tasks' database worker, all queues).

``codelist serve`` starts it beside the web server; run more for more parallel jobs."""

from __future__ import annotations

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run background jobs (webapp.jobs) until stopped; --batch: run what is queued, then stop."

    def add_arguments(self, parser):
        parser.add_argument("--batch", action="store_true",
                            help="run every queued job, then exit")

    def handle(self, *args, batch: bool = False, **options):
        call_command("db_worker", queue_name="*", reload=False, interval=0.5,
                     batch=batch, startup_delay=False, verbosity=options.get("verbosity", 1))
