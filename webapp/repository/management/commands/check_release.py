"""``check_release STORE``: which published codelists a terminology release changes.

For the latest version of every codelist of the store's coding system, the library's
``plan_update`` (the same call as ``codelist update --dry-run``) says whether the
version is compatible with the release (nothing changes) or affected (what would).
Exit status 1 when any is affected, so an operator's install script can flag them.

Without ``--save`` it stores nothing.  With ``--save`` -- what installing a release
does -- every published version is checked and the results are stored: version pages
list the releases they are compatible with, and affected codelists are flagged (the
same work as the curators' "Check codelists" button, which runs it as a background
job).
"""

from __future__ import annotations

import json
import sys

from django.core.management.base import BaseCommand, CommandError
from django.db.models import F

from codelists.errors import CodelistsError
from webapp.repository import releases
from webapp.repository.models import Codelist


class Command(BaseCommand):
    help = "Report which published codelists a terminology release changes"

    def add_arguments(self, parser):
        parser.add_argument("store", help="the terminology store of the release")
        parser.add_argument("--json", action="store_true", help="write JSON")
        parser.add_argument("--save", action="store_true",
                            help="check every published version and store the results "
                                 "(flags the affected codelists on the site)")

    def handle(self, *args, store: str, **options):
        try:
            if options["save"]:
                rows, release = self._save(store)
            else:
                rows, release = self._check(store)
        except CodelistsError as exc:
            raise CommandError(str(exc)) from exc
        self._write(rows, release, options["json"])
        if any(not r["compatible"] for r in rows):
            sys.exit(1)

    def _check(self, store: str):
        from codelists.codelist.release_facts import ReleaseFacts

        terminology = releases.open_release(store)
        facts = ReleaseFacts(terminology)  # answers shared between the lists
        rows = []
        try:
            for codelist in (Codelist.objects.filter(coding_system=terminology.system)
                             .select_related("latest_version", "article").order_by("pk")):
                result = releases.check_version(codelist.latest_version, terminology, facts)
                if result is not None:
                    rows.append(_row(codelist, result))
            release = releases.release_info(terminology, store).release
        finally:
            terminology.close()
        return rows, release

    def _save(self, store: str):
        from webapp.repository.release_jobs import run_check

        def on_progress(done: int, total: int) -> None:
            if done == total or done % 100 == 0:
                self.stderr.write(f"checked {done:,} of {total:,} published versions")

        outcome = run_check(store, on_progress)
        results = (outcome.release.results
                   .filter(version__codelist__latest_version=F("version"))
                   .select_related("version__codelist").order_by("version__codelist_id"))
        return [_row(r.version.codelist, r) for r in results], outcome.release.release

    def _write(self, rows, release, as_json: bool) -> None:
        if as_json:
            self.stdout.write(json.dumps({"release": release, "codelists": rows}, indent=2))
            return
        for row in rows:
            what = "compatible" if row["compatible"] else "affected: " + ", ".join(
                f"{k} {v}" for k, v in row["changes"].items())
            self.stdout.write(f"{row['codelist']} v{row['version']}: {what}")
        affected = sum(not r["compatible"] for r in rows)
        self.stdout.write(f"{len(rows)} codelist(s) checked against {release}; "
                          f"{affected} affected")


def _row(codelist, result) -> dict:
    return {"codelist": codelist.slug, "article": codelist.article_id,
            "version": codelist.latest_version.number, "compatible": result.compatible,
            "needs_decision": result.needs_decision, "changes": result.counts}
