"""``stats``: counts, tags, and (with a store) hierarchy breakdown and release age."""

from __future__ import annotations

import datetime as _dt
from collections import Counter
from typing import Any

from codelists.codelist.model import Codelist


def _release_date(text: str) -> _dt.date | None:
    text = str(text or "").strip()
    for fmt in ("%Y%m%d", "%Y-%m-%d"):
        try:
            return _dt.datetime.strptime(text[:10] if "-" in text else text[:8], fmt).date()
        except ValueError:
            continue
    return None


def stats(cl: Codelist, terminology=None, *, effective: list[str] | None = None,
          today: _dt.date | None = None) -> dict[str, Any]:
    meta = cl.meta
    active = cl.active_codes()
    data: dict[str, Any] = {
        "id": cl.id, "title": cl.title, "terminology": cl.system.name,
        "version": meta.get("version"), "status": meta.get("status"),
        "updated": meta.get("updated"),
        "counts": {"active": len(active), "excluded": len(cl.excluded_codes()),
                   "pending": len(cl.pending_codes()),
                   "headings": sum(1 for ln in cl.lines if ln.kind == "heading")},
        "includes": cl.includes,
    }
    if effective is not None:
        data["counts"]["effective"] = len(effective)
    tags: dict[str, Counter] = {}
    for line in cl.code_lines("active"):
        for key, value in line.tags.items():
            tags.setdefault(key, Counter())[value] += 1
    data["tags"] = {k: dict(v.most_common(10)) for k, v in tags.items()
                    if k in ("uncertainty", "source", "reason", "rule") or len(v) <= 10}
    if terminology is not None:
        data.update(_hierarchy(active, terminology))
    release = meta.get("snomed_release")
    if release and (date := _release_date(release)):
        age = ((today or _dt.date.today()) - date).days
        data["release"] = {"date": date.isoformat(), "age_days": age, "stale": age > 365}
    return data


def _hierarchy(codes: list[str], terminology) -> dict[str, Any]:
    concepts = terminology.lookup_many(codes)
    kinds = Counter(c.kind or "(none)" for c in concepts.values())
    leaves = sum(1 for code in concepts if not terminology.children(code))
    return {"by_kind": dict(kinds.most_common()), "leaves": leaves,
            "intermediate": len(concepts) - leaves, "missing": len(codes) - len(concepts)}


def render(data: dict[str, Any]) -> str:
    counts = data["counts"]
    out = [f"Title:       {data['title']}", f"Terminology: {data['terminology']}",
           f"Version:     {data['version']}", f"Status:      {data['status']}",
           f"Updated:     {data['updated']}", "", "Concept counts:",
           f"  Active:         {counts['active']}", f"  Excluded:       {counts['excluded']}",
           f"  Pending review: {counts['pending']}"]
    if "effective" in counts:
        out.append(f"  Effective:      {counts['effective']} (with includes)")
    if data.get("by_kind"):
        out += ["", "By hierarchy:"]
        out += [f"  {kind:<40} {n}" for kind, n in data["by_kind"].items()]
        total = max(1, data["leaves"] + data["intermediate"])
        out += ["", f"Leaf nodes:         {data['leaves']} ({100 * data['leaves'] / total:.0f}%)",
                f"Intermediate nodes: {data['intermediate']} "
                f"({100 * data['intermediate'] / total:.0f}%)"]
    for key, values in data.get("tags", {}).items():
        out.append(f"Tag {key}: " + ", ".join(f"{v}={n}" for v, n in values.items()))
    if data.get("release"):
        rel = data["release"]
        out += ["", f"Release: {rel['date']} ({rel['age_days']} days ago)"]
        if rel["stale"]:
            out.append("  Release is more than 12 months old: consider revalidating")
    return "\n".join(out) + "\n"
