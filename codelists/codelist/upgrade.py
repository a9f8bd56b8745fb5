"""Moving a codelist to another terminology release, with every change explained.

``plan_update(codelist, terminology) -> UpdatePlan`` works out what the release does to
the list; ``apply_update(codelist, plan)`` writes it into the codelist (the caller saves):

- codes the release made inactive move to excluded (``reason=inactive``), their comment
  naming the release's reason and history; the replacements the history gives (SAME AS,
  REPLACED BY, POSSIBLY EQUIVALENT TO, MOVED TO, ...) arrive as pending lines naming the
  association;
- codes the release knows under a new id (dm+d VMP previous ids) stay, and the current id
  arrives as a pending line;
- codes the definition now includes that the file does not have arrive as pending lines
  (``# ? CODE term  # new in 20250401``); codes written as excluded stay excluded;
- changed preferred terms are updated, the old term kept in the line's comment;
- ``snomed_release`` (SNOMED CT) and ``method.updates`` record the move.

Nothing is decided silently: codes the release does not hold, and active codes the
definition no longer reaches, are reported and left as they are.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from itertools import filterfalse
from typing import Any

from codelists.codelist.model import ACTIVE, CODE_KINDS, HEADING, PENDING, Codelist, Line
from codelists.codelist.release_facts import ReleaseFacts
from codelists.terminology.history import CURRENT_ID, REPLACING, alias_reasons

#: change kinds, and whether each asks the user for a decision
KINDS = {
    "inactive": False,       # moved to excluded (its replacements ask instead)
    "replacement": True,     # pending: a replacement of an inactive code
    "new-id": True,          # pending: the id the release now uses for a code
    "new": True,             # pending: newly matched by the definition
    "term": False,           # preferred term updated
    "unknown": True,         # not in the release at all
    "outside-definition": True,  # active, but the definition no longer reaches it
    "rule-inactive": True,   # a definition rule names a code the release retired or lacks
}


@dataclass(frozen=True)
class Change:
    kind: str
    code: str
    term: str = ""
    note: str = ""           # one line a reader understands
    source: str | None = None  # the code this change stems from (inactive / old id)
    association: str | None = None
    reason: str | None = None
    old_term: str | None = None

    @property
    def needs_decision(self) -> bool:
        return KINDS[self.kind]

    def as_dict(self) -> dict[str, Any]:
        data = {"kind": self.kind, "code": self.code, "term": self.term, "note": self.note,
                "needs_decision": self.needs_decision}
        for key in ("source", "association", "reason", "old_term"):
            if getattr(self, key) is not None:
                data[key] = getattr(self, key)
        return data


@dataclass
class UpdatePlan:
    codelist_id: str
    path: str | None
    system: str
    from_release: str | None
    to_release: str
    changes: list[Change] = field(default_factory=list)

    @property
    def needs_decision(self) -> bool:
        return any(c.needs_decision for c in self.changes)

    def counts(self) -> dict[str, int]:
        out = {kind: 0 for kind in KINDS}
        for change in self.changes:
            out[change.kind] += 1
        return out

    @property
    def unchanged(self) -> bool:
        return not self.changes

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.codelist_id, "path": self.path, "system": self.system,
                "from_release": self.from_release, "to_release": self.to_release,
                "needs_decision": self.needs_decision, "counts": self.counts(),
                "changes": [c.as_dict() for c in self.changes]}


def release_of(terminology) -> str:
    """A store's release as ``YYYYMMDD`` (its edition when it carries no date)."""
    meta = getattr(terminology, "metadata", None)
    date = (getattr(meta, "release_date", "") or "").replace("-", "")
    return date or (getattr(meta, "edition", "") or "unknown release")


def previous_release(cl: Codelist) -> str | None:
    updates = (cl.method or {}).get("updates") or []
    if updates and isinstance(updates[-1], dict) and updates[-1].get("to"):
        return str(updates[-1]["to"])
    value = cl.meta.get("snomed_release")
    return str(value) if value else None


def plan_update(cl: Codelist, terminology, *, facts: ReleaseFacts | None = None
                ) -> UpdatePlan:
    """What moving ``cl`` to ``terminology``'s release changes (nothing is written).

    ``facts`` (a :class:`ReleaseFacts` of the same release) shares the store's answers
    between the lists of a study; without it the list is planned on its own.
    """
    facts = facts if facts is not None else ReleaseFacts(terminology)
    release = release_of(terminology)
    plan = UpdatePlan(cl.id, str(cl.path) if cl.path else None, cl.system.id,
                      previous_release(cl), release)
    written = _Written(cl)
    lines = written.lines
    # only the codes the release says something new about come back
    changed, missing = facts.differences(written.terms)
    _moved_ids(plan, terminology, written.live, changed, missing, lines)
    _retired(plan, facts, written.live, changed, lines)
    _terms(plan, changed, lines)
    definition = cl.definition
    if not definition.is_empty():
        _rules(plan, definition, facts)
        _definition(plan, facts.expand(definition), facts, written, changed, missing)
    return plan


class _Written:
    """A codelist's code lines read in one pass: each code's first line (which speaks
    for it), the term it writes, and its live (active or pending) and active codes."""

    def __init__(self, cl: Codelist) -> None:
        self.lines: dict[str, Line] = {}
        self.terms: dict[str, str] = {}
        self.live: list[str] = []
        self.active: list[str] = []
        lines, terms, live, active = self.lines, self.terms, self.live, self.active
        for line in cl.lines:
            kind = line.kind
            if kind not in CODE_KINDS:
                continue
            code = line.code
            if code in lines:
                continue
            lines[code] = line
            terms[code] = line.term
            if kind == ACTIVE:
                live.append(code)
                active.append(code)
            elif kind == PENDING:
                live.append(code)


def _rules(plan, definition, facts) -> None:
    """Rules whose code the release retired (with its history) or does not hold."""
    codes = definition.codes()
    if not codes:
        return
    found = facts.concepts_of(codes)
    history = facts.inactivations([c for c in codes if c in found])
    for rule in definition.rules:
        what = "include" if rule.include else "exclude"
        if rule.code not in found:
            plan.changes.append(Change("rule-inactive", rule.code, note=(
                f"the definition's {what} rule names a code not in {plan.to_release}")))
        elif rule.code in history:
            info = history[rule.code]
            names = ", ".join(f"{r.association} {r.code}" for r in info.replacements)
            plan.changes.append(Change("rule-inactive", rule.code, found[rule.code].term,
                                       reason=info.reason, note=(
                f"the definition's {what} rule names a code inactive in {plan.to_release}"
                + (f": {info.reason}" if info.reason else "")
                + (f"; {names}" if names else ""))))


def _moved_ids(plan, terminology, live, changed, missing, lines) -> None:
    moved = {c: changed[c].code for c in live
             if c in changed and changed[c].code != terminology.normalise(c)}
    why = alias_reasons(terminology, [o for o, n in moved.items() if n not in lines])
    for old, new in moved.items():
        if new in lines:
            continue
        term = changed[old].term
        note = f"{CURRENT_ID} of {old} in {plan.to_release}"
        plan.changes.append(Change("new-id", new, term, source=old, association=CURRENT_ID,
                                   reason=why.get(old), note=note + (
                                       f": {why[old]}" if old in why else "")))
    if missing:
        for code in live:
            if code in missing:
                plan.changes.append(Change("unknown", code, lines[code].term,
                                           note=f"not in the {plan.to_release} release"))


def _retired(plan, facts, live, concepts, lines) -> None:
    inactive = [c for c in live if c in concepts and not concepts[c].active
                and concepts[c].code == c] if concepts else []
    history = facts.inactivations(inactive) if inactive else {}
    offered: set[str] = set()
    for code in inactive:
        info = history.get(code)
        reason = info.reason if info else None
        names = [f"{r.association} {r.code}" for r in (info.replacements if info else ())]
        note = f"inactive in {plan.to_release}" + (f": {reason}" if reason else "")
        if names:
            note += "; " + ", ".join(names)
        plan.changes.append(Change("inactive", code, lines[code].term, note=note,
                                   reason=reason))
        for r in info.replacements if info else ():
            if r.association not in REPLACING or r.code in lines or r.code in offered:
                continue
            offered.add(r.code)
            plan.changes.append(Change(
                "replacement", r.code, r.term, source=code, association=r.association,
                note=f"{r.association} for {code} (inactive in {plan.to_release})"))


def _terms(plan, changed, lines) -> None:
    for code, concept in changed.items():
        line = lines[code]
        if concept.code != code or not concept.term:
            continue
        if line.term and concept.term != line.term:
            plan.changes.append(Change("term", code, concept.term, old_term=line.term,
                                       note=f"term was: {line.term}"))


def _definition(plan, expanded: set[str], facts, written, changed, missing) -> None:
    planned = {c.code for c in plan.changes}
    new = sorted((expanded - written.lines.keys()) - planned, key=lambda c: (len(c), c))
    found = facts.concepts_of(new)
    for code in new:
        concept = found.get(code)
        plan.changes.append(Change("new", code, concept.term if concept else "",
                                   note=f"new in {plan.to_release}"))
    for code in filterfalse(expanded.__contains__, written.active):
        if code in missing:
            continue
        concept = changed.get(code)  # absent: active, same id, same term
        if concept is None or (concept.active and concept.code == code):
            plan.changes.append(Change("outside-definition", code, written.lines[code].term,
                                       note=f"the definition does not reach it in "
                                            f"{plan.to_release}"))


def apply_update(cl: Codelist, plan: UpdatePlan, *, today: str | None = None) -> None:
    """Write ``plan`` into ``cl`` (lines, ``snomed_release``, ``method.updates``)."""
    pending = []
    retitled = {c.code: c for c in plan.changes if c.kind == "term"}
    if retitled:
        _retitle(cl, retitled)
    for change in plan.changes:
        if change.kind == "inactive":
            line = cl.line_for(change.code, ACTIVE) or cl.line_for(change.code, PENDING)
            if line is not None:
                cl.exclude(change.code, reason="inactive", comment=_joined(line, change.note))
        elif change.kind in ("replacement", "new-id", "new"):
            pending.append(change)
    if pending:
        if cl.lines and cl.lines[-1].kind != "blank":
            cl.lines.append(Line("blank"))
        cl.lines.append(Line(HEADING, text=f"# ── Update to {plan.to_release}: pending review "
                                            "──"))
        for change in pending:
            cl.add_pending(change.code, change.term, comment=change.note)
    if plan.system == "snomedct" and plan.to_release.isdigit():
        cl.meta["snomed_release"] = plan.to_release
    _record(cl, plan, today)
    cl.touch(today)


def _joined(line: Line, note: str) -> str:
    return f"{line.comment}; {note}" if line.comment else note


def _retitle(cl: Codelist, changes: dict[str, Change]) -> None:
    for i, line in enumerate(cl.lines):
        change = changes.get(line.code) if line.is_code else None
        if change is not None and line.term == change.old_term:
            note = f"term was: {change.old_term}"
            cl.lines[i] = line.with_(term=change.term, comment=_joined(line, note))
    cl.reindex()


def _record(cl: Codelist, plan: UpdatePlan, today: str | None) -> None:
    method = cl.method if isinstance(cl.method, dict) else {}
    counts = {k: v for k, v in plan.counts().items() if v}
    entry: dict[str, Any] = {"date": today or _dt.date.today().isoformat(),
                             "from": plan.from_release, "to": plan.to_release}
    entry["changes"] = counts or "none"
    method.setdefault("updates", []).append(entry)
    cl.method = method
