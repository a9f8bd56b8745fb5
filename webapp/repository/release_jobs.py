"""Installing a terminology release: every published version checked against it, as a
background job (:mod:`webapp.jobs`) with its progress, or at once from
``manage.py check_release STORE --save``.  The results are stored
(:class:`~webapp.repository.models.Compatibility`) and flag the affected codelists."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse

from webapp import jobs
from webapp.repository import actions, releases


@dataclass(frozen=True)
class CheckOutcome:
    release: object  # models.Release
    versions: int
    affected_versions: int
    affected_codelists: int

    def summary(self) -> str:
        return (f"{self.versions} published version(s) checked against "
                f"{self.release.label}; {self.affected_codelists} codelist(s) affected")


def run_check(store: str, on_progress: Callable[[int, int], None] | None = None,
              ) -> CheckOutcome:
    """Check and store every published version of the store's system on its release."""
    terminology = releases.open_release(store)
    try:
        release = actions.record_release(releases.release_info(terminology, store))
        checked = affected = 0
        latest_affected = set()
        for version, result in releases.check_all(terminology, on_progress):
            actions.record_compatibility(release, version, result)
            checked += 1
            if not result.compatible:
                affected += 1
                if version.codelist.latest_version_id == version.pk:
                    latest_affected.add(version.codelist_id)
    finally:
        terminology.close()
    actions.finish_release_check(release, checked)
    return CheckOutcome(release, checked, affected, len(latest_affected))


@jobs.job
def check_release(job, *, store: str) -> dict:
    jobs.progress(job, done=0, message="opening the release")

    def on_progress(done: int, total: int) -> None:
        if done == total or done % 20 == 0:
            jobs.progress(job, done=done, total=total,
                          message=f"checked {done:,} of {total:,} published versions")

    outcome = run_check(store, on_progress)
    return {"url": reverse("repository:releases") + f"#release-{outcome.release.pk}",
            "link_text": "See the affected codelists", "summary": outcome.summary()}


def submit_check(user, store: str):
    """Queue the check of an installed release (staff only: it reads every version)."""
    from django.core.exceptions import PermissionDenied

    if not (user.is_authenticated and user.is_staff):
        raise PermissionDenied("only curators check a release against the repository")
    releases.open_release(store).close()  # not a store: said now, not in the job
    return jobs.submit(check_release, owner=user, title=f"Checking codelists against "
                                                        f"{store.rsplit('/', 1)[-1]}",
                       store=store)
