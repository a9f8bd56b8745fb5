"""``diff`` of two codelists: added, removed, moved to excluded, term changed."""

from __future__ import annotations

from dataclasses import dataclass, field

from codelists.codelist.model import Codelist


@dataclass
class CodelistDiff:
    added: list[tuple[str, str]] = field(default_factory=list)
    removed: list[tuple[str, str]] = field(default_factory=list)
    excluded: list[tuple[str, str]] = field(default_factory=list)  # moved to excluded
    term_changed: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.excluded or self.term_changed)

    def as_dict(self) -> dict:
        pair = [{"code": c, "term": t} for c, t in self.added]
        return {
            "added": pair,
            "removed": [{"code": c, "term": t} for c, t in self.removed],
            "moved_to_excluded": [{"code": c, "term": t} for c, t in self.excluded],
            "term_changed": [{"code": c, "old": a, "new": b} for c, a, b in self.term_changed],
        }

    def render(self, name_a: str, name_b: str) -> str:
        """The text sct prints."""
        out = [f"--- {name_a}", f"+++ {name_b}", ""]
        if self.empty:
            return "\n".join([*out, "No differences found."]) + "\n"
        for title, rows, mark in (("Added", self.added, "+"), ("Removed", self.removed, "-"),
                                  ("Moved to excluded", self.excluded, "~")):
            if rows:
                out.append(f"{title} ({len(rows)}):")
                out += [f"  {mark} {code:<14} {term}" for code, term in rows]
                out.append("")
        if self.term_changed:
            out.append(f"Preferred term changed ({len(self.term_changed)}):")
            for code, old, new in self.term_changed:
                out += [f"  {code}:", f"    - {old}", f"    + {new}"]
            out.append("")
        return "\n".join(out) + "\n"


def diff(a: Codelist, b: Codelist, *, a_codes: dict[str, str] | None = None,
         b_codes: dict[str, str] | None = None) -> CodelistDiff:
    """Compare active sets (or given effective sets: code -> term)."""
    a_active = a_codes if a_codes is not None else _active(a)
    b_active = b_codes if b_codes is not None else _active(b)
    b_excluded = set(b.excluded_codes())
    result = CodelistDiff()
    for code in sorted(b_active):
        if code not in a_active:
            result.added.append((code, b_active[code]))
    for code in sorted(a_active):
        if code not in b_active:
            target = result.excluded if code in b_excluded else result.removed
            target.append((code, a_active[code]))
        elif a_active[code] != b_active[code]:
            result.term_changed.append((code, a_active[code], b_active[code]))
    return result


def _active(cl: Codelist) -> dict[str, str]:
    terms = cl.terms()
    return {code: terms.get(code, "") for code in cl.active_codes()}
