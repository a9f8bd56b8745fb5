"""A study's view of a terminology release: what it does to every codelist in a folder.

``upgrade_report(folder, terminology) -> StudyReport`` plans the update of each
``.codelist`` file under ``folder`` (and of each one its lock file, ``codelists.json``,
names) whose coding system is the release's; nothing is written.  ``needs_decision`` is
true when any list has something a person must decide (for CI: exit 1).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from codelists.codelist.fileformat import load, paused_collection
from codelists.codelist.release_facts import ReleaseFacts
from codelists.codelist.upgrade import KINDS, UpdatePlan, plan_update, release_of
from codelists.errors import CodelistsError, InputFileError

MANIFEST = "codelists.json"


@dataclass
class StudyReport:
    folder: str
    release: str
    system: str
    plans: list[UpdatePlan] = field(default_factory=list)
    skipped: list[dict[str, str]] = field(default_factory=list)  # other systems, bad files
    locked: list[str] = field(default_factory=list)  # files the lock file names

    @property
    def needs_decision(self) -> bool:
        return any(p.needs_decision for p in self.plans) or any(
            s["why"] == "error" for s in self.skipped)

    def totals(self) -> dict[str, int]:
        out = {kind: 0 for kind in KINDS}
        for plan in self.plans:
            for kind, n in plan.counts().items():
                out[kind] += n
        return out

    def as_dict(self) -> dict[str, Any]:
        return {"folder": self.folder, "release": self.release, "system": self.system,
                "needs_decision": self.needs_decision, "totals": self.totals(),
                "codelists": [p.as_dict() for p in self.plans], "skipped": self.skipped,
                "locked": self.locked}


def _manifest_files(folder: Path) -> list[Path]:
    path = folder / MANIFEST
    if not path.exists():
        return []
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputFileError(f"cannot read the lock file: {exc}", path=path,
                             hint="re-create it with `codelist lock`") from exc
    files = data.get("files") if isinstance(data, dict) else None
    return [folder / name for name in (files or {}) if str(name).endswith(".codelist")]


def study_files(folder: str | Path) -> tuple[list[Path], list[Path]]:
    """The ``.codelist`` files of a study (sorted) and those its lock file names."""
    folder = Path(folder)
    if not folder.is_dir():
        raise InputFileError("not a folder", path=folder,
                             hint="give the folder that holds the study's codelists")
    locked = _manifest_files(folder)
    found = {p.resolve(): p for p in folder.rglob("*.codelist")}
    for path in locked:
        found.setdefault(path.resolve(), path)
    return sorted(found.values()), locked


def upgrade_report(folder: str | Path, terminology) -> StudyReport:
    """Plan the update of every codelist of a study; the store's answers about a code
    or a definition are shared between the lists that hold it (:class:`ReleaseFacts`),
    and each plan equals the one ``plan_update`` gives for the file alone."""
    files, locked = study_files(folder)
    report = StudyReport(str(folder), release_of(terminology), terminology.system,
                         locked=[str(p) for p in locked])
    facts = ReleaseFacts(terminology)
    with paused_collection():  # lists and plans hold no reference cycles
        for path in files:
            _plan_one(report, path, terminology, facts)
    return report


def _plan_one(report: StudyReport, path: Path, terminology, facts: ReleaseFacts) -> None:
    if not path.exists():
        report.skipped.append({"path": str(path), "why": "error",
                               "detail": "named in the lock file but missing"})
        return
    try:
        cl = load(path)
        if cl.system.id != terminology.system:
            report.skipped.append({"path": str(path), "why": "other system",
                                   "detail": cl.system.id})
            return
        report.plans.append(plan_update(cl, terminology, facts=facts))
    except CodelistsError as exc:
        report.skipped.append({"path": str(path), "why": "error", "detail": str(exc)})
