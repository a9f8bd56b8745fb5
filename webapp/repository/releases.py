"""Published versions checked against a terminology release: compatible or affected.

The answer for a version is the library's ``plan_update`` (the computation behind
``codelist update --dry-run`` and ``upgrade-report``): a version is compatible with a
release when moving it there changes nothing -- no retired codes, no new concepts its
definition now includes, no changed terms.  This module reads and computes; the rows
are written by :func:`webapp.repository.actions.record_compatibility`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: how many of a version's changes are kept with its result (the counts are complete)
KEEP_CHANGES = 200

#: what each kind of change says, as "<release> retires 2 codes"
PHRASES = {
    "inactive": ("retires {n} code", "retires {n} codes"),
    "rule-inactive": ("retires {n} code the definition names",
                      "retires {n} codes the definition names"),
    "replacement": ("offers {n} replacement", "offers {n} replacements"),
    "new-id": ("gives {n} code a new id", "gives {n} codes a new id"),
    "new": ("adds {n} concept this definition includes",
            "adds {n} concepts this definition includes"),
    "term": ("changes {n} term", "changes {n} terms"),
    "unknown": ("does not hold {n} code", "does not hold {n} codes"),
    "outside-definition": ("leaves {n} code outside the definition",
                           "leaves {n} codes outside the definition"),
}


@dataclass(frozen=True)
class ReleaseInfo:
    """A store's release as the site names it."""

    coding_system: str
    edition: str
    release: str  # YYYYMMDD (library.upgrade.release_of)
    label: str
    store: str

    def as_fields(self) -> dict[str, str]:
        return {"label": self.label, "store": self.store}


def summary(counts: dict[str, int]) -> str:
    """``retires 2 codes and adds 3 concepts this definition includes`` (empty: none)."""
    parts = [PHRASES[kind][n != 1].format(n=n) for kind, n in
             ((k, counts.get(k, 0)) for k in PHRASES) if n]
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def release_info(terminology, store: str | Path) -> ReleaseInfo:
    from codelists.codelist.upgrade import release_of
    from webapp.repository.library import system_name

    meta = terminology.metadata
    system = meta.terminology
    name = system_name(system)
    edition = meta.edition or ""
    words = edition if edition.lower().startswith(name.lower()) else f"{name} {edition}"
    date = str(meta.release_date or "")
    if len(date) == 8 and date.isdigit():
        date = f"{date[:4]}-{date[4:6]}-{date[6:]}"
    label = " ".join(p for p in (words.strip(), date) if p)
    return ReleaseInfo(system, edition, release_of(terminology), label, str(store))


@dataclass(frozen=True)
class Result:
    """One version's answer on a release (what a Compatibility row holds)."""

    compatible: bool
    needs_decision: bool
    counts: dict[str, int]
    summary: str
    changes: list[dict[str, Any]]


def check_version(version, terminology, facts=None) -> Result | None:
    """The version on the release; None when it is another system's (or unreadable).
    ``facts`` (the library's ``ReleaseFacts`` of the release) shares the store's answers
    between versions: a code many versions hold is looked up once."""
    from codelists.codelist.fileformat import parse
    from codelists.codelist.upgrade import plan_update
    from codelists.errors import CodelistsError

    try:
        parsed = parse(version.text, path=f"{version.codelist.slug}.codelist")
    except CodelistsError:
        return None
    if parsed.system.id != terminology.system:
        return None
    plan = plan_update(parsed, terminology, facts=facts)
    counts = {k: v for k, v in plan.counts().items() if v}
    return Result(plan.unchanged, plan.needs_decision, counts, summary(counts),
                  [c.as_dict() for c in plan.changes[:KEEP_CHANGES]])


def published_versions(system: str):
    """Every published version of the codelists of a coding system, oldest first."""
    from webapp.repository.models import CodelistVersion

    return (CodelistVersion.objects
            .filter(codelist__coding_system=system, publication__isnull=False)
            .select_related("codelist").order_by("codelist_id", "number"))


def check_all(terminology, on_progress: Callable[[int, int], None] | None = None,
              ) -> Iterator[tuple[Any, Result]]:
    """(version, result) for every published version of the release's system."""
    from codelists.codelist.release_facts import ReleaseFacts

    facts = ReleaseFacts(terminology)
    versions = published_versions(terminology.system)
    total = versions.count()
    for done, version in enumerate(versions.iterator(chunk_size=200), start=1):
        result = check_version(version, terminology, facts)
        if result is not None:
            yield version, result
        if on_progress is not None:
            on_progress(done, total)


def open_release(store: str | Path):
    """The store as a Terminology (a UserError naming it when it is not one)."""
    from codelists.terminology.registry import open_terminology

    return open_terminology(Path(store))


def of_version(version) -> list:
    """The version's results, newest release first (within each coding system)."""
    return list(version.compatibility.select_related("release")
                .order_by("release__coding_system", "-release__release", "-release__edition"))


def notice_of(codelist, version, rows: list):
    """What the page flags: the newest release's result for the latest version, when
    that release affects it (an older release's changes are the newest's business)."""
    if version.pk != codelist.latest_version_id or not rows or rows[0].compatible:
        return None
    return rows[0]


def stamp_of(version) -> str:
    """Changes whenever a check stores a result for the version (the page cache key)."""
    from django.db.models import Count, Max

    seen = version.compatibility.aggregate(n=Count("id"), last=Max("checked"))
    return f"{seen['n']}-{seen['last'].timestamp() if seen['last'] else 0}"
