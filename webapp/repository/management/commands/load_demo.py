"""``load_demo``: fill the repository with real published codelists (see
webapp/repository/demo.py).  Safe to run twice: sources already loaded are skipped."""

from django.core.management.base import BaseCommand

from webapp.repository import demo


class Command(BaseCommand):
    help = "Load demo content: real codelists from $CODELISTS_SHARED imported with the library."

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=None,
                            help="at most this many codelists per source")

    def handle(self, *args, limit=None, **options):
        report = demo.load(limit=limit, progress=lambda m: self.stdout.write(m))
        for line in report.skipped:
            self.stderr.write(f"skipped {line}")
        self.stdout.write(self.style.SUCCESS(
            f"loaded {report.articles} article(s), {report.codelists} codelist(s)"))
