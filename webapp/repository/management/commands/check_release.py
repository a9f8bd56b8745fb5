"""``check_release STORE``: which published codelists a terminology release changes.

For the latest version of every codelist of the store's coding system, the library's
``plan_update`` (the same call as ``codelist update --dry-run``) says whether the
version is compatible with the release (nothing changes) or affected (what would).
Exit status 1 when any is affected, so an operator's install script can flag them.
Read-only: it stores nothing, and opening an update stays the owner's decision.
"""

from __future__ import annotations

import json
import sys

from django.core.management.base import BaseCommand, CommandError

from webapp.repository.models import Codelist


class Command(BaseCommand):
    help = "Report which published codelists a terminology release changes"

    def add_arguments(self, parser):
        parser.add_argument("store", help="the terminology store of the release")
        parser.add_argument("--json", action="store_true", help="write JSON")

    def handle(self, *args, store: str, **options):
        from codelists.codelist.fileformat import parse
        from codelists.codelist.upgrade import plan_update, release_of
        from codelists.errors import CodelistsError
        from codelists.terminology.registry import open_terminology

        try:
            terminology = open_terminology(store)
        except CodelistsError as exc:
            raise CommandError(str(exc)) from exc
        rows = []
        try:
            for codelist in (Codelist.objects.filter(coding_system=terminology.system)
                             .select_related("latest_version", "article").order_by("pk")):
                version = codelist.latest_version
                plan = plan_update(parse(version.text, path=f"{codelist.slug}.codelist"),
                                   terminology)
                counts = {k: v for k, v in plan.counts().items() if v}
                rows.append({"codelist": codelist.slug, "article": codelist.article_id,
                             "version": version.number, "compatible": plan.unchanged,
                             "needs_decision": plan.needs_decision, "changes": counts})
            release = release_of(terminology)
        finally:
            terminology.close()
        self._write(rows, release, options["json"])
        if any(not r["compatible"] for r in rows):
            sys.exit(1)

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
