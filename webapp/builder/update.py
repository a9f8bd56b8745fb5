"""A draft that moves a published codelist to another terminology release.

It starts from ``codelist update``'s result (the library's ``plan_update`` and
``apply_update``): codes the release retired are excluded with their reason, the
replacements its history gives, the new concepts the definition now includes and new
ids arrive as *pending* lines, changed terms are updated, and the release is recorded.
The owner reviews each pending line in the builder (accept or reject) before the draft
can go for review; publishing writes the update's file with those decisions taken
(:func:`reconciled`), so every change stays explained in the new version.

This module computes; :mod:`webapp.builder.actions` writes the draft.
"""

from __future__ import annotations

from pathlib import Path

from codelists.codelist.definition import Definition
from codelists.codelist.model import ACTIVE, EXCLUDED, HEADING, PENDING
from codelists.errors import UserError

#: the changes that arrive as pending lines (the owner accepts or rejects each)
PENDING_KINDS = ("new", "replacement", "new-id")
ACCEPTED, REJECTED = "accepted", "rejected"


def store_of(release) -> str:
    """The draft's ``store`` for a checked release: blank for the release the site uses
    for its system, else the file name of the data directory's store."""
    from codelists.terminology.installed import installed
    from codelists.terminology.locate import list_stores

    wanted = Path(release.store).resolve()
    current = installed().get(release.coding_system)
    if current is not None and Path(current[0]).resolve() == wanted:
        return ""
    for info in list_stores():
        if info.path.resolve() == wanted:
            return info.path.name
    raise UserError(f"{release.label} is no longer installed on this site",
                    hint="an administrator imports it again with `codelist terminology "
                         "import`")


def plan(version, terminology):
    """(the updated ``.codelist`` text, the plan): ``codelist update`` on the version."""
    from codelists.codelist.fileformat import dumps, parse
    from codelists.codelist.upgrade import apply_update, plan_update

    codelist = parse(version.text, path=f"{version.codelist.slug}.codelist")
    found = plan_update(codelist, terminology)
    apply_update(codelist, found)
    return dumps(codelist), found


def record(release, text: str, found, *, rules, searches) -> dict:
    """What a draft keeps of its update (JSON, in ``Draft.update``)."""
    return {"release_id": release.pk, "label": release.label,
            "from_release": found.from_release, "to_release": found.to_release,
            "text": text, "changes": [c.as_dict() for c in found.changes],
            "pending": [c.code for c in found.changes if c.kind in PENDING_KINDS],
            "reviewed": {}, "rules": rules, "searches": searches}


def unreviewed(update: dict) -> list[str]:
    reviewed = update.get("reviewed") or {}
    return [code for code in update.get("pending") or [] if code not in reviewed]


def panel(update: dict, statuses: dict, terms: dict) -> dict:
    """The draft page's view of its update: pending lines (with their status in the
    builder and the owner's review) and the changes already made (notes)."""
    from webapp.builder.render import LABEL

    reviewed = update.get("reviewed") or {}
    pending, notes = [], []
    for change in update.get("changes") or []:
        status = statuses.get(change["code"])
        row = dict(change, status=LABEL[status] if status is not None else "not found",
                   review=reviewed.get(change["code"], ""),
                   term=change.get("term") or terms.get(change["code"], ""))
        (pending if change["kind"] in PENDING_KINDS else notes).append(row)
    return {"label": update.get("label", ""), "pending": pending, "notes": notes,
            "left": len(unreviewed(update)), "from_release": update.get("from_release"),
            "to_release": update.get("to_release")}


def reconciled(draft, included: dict[str, str], space_codes, rules, searches) -> str:
    """The update's ``.codelist`` with the builder's decisions taken: pending lines the
    draft includes become active, the others excluded (``reason=rejected``); active
    lines the owner excluded in the builder are excluded, excluded ones included again
    are reinstated; codes the draft includes that the file lacks are added.  Codes the
    release does not hold (outside the builder) stay as the update left them."""
    from codelists.codelist.fileformat import dumps, parse
    from codelists.codelist.workspace import strategy_of

    update = draft.update
    codelist = parse(update["text"])
    for line in list(codelist.code_lines()):
        code = line.code
        if line.kind == PENDING:
            if code in included:
                codelist.accept(code)
            else:
                codelist.exclude(code, reason="rejected")
        elif line.kind == ACTIVE and code in space_codes and code not in included:
            codelist.exclude(code, reason="excluded")
        elif line.kind == EXCLUDED and code in included and code not in _inactive(update):
            codelist.reinstate(code)
    present = {line.code for line in codelist.code_lines()}
    for code, term in included.items():
        if code not in present:
            codelist.add_active(code, term)
    for index, line in enumerate(codelist.lines):
        if line.kind == HEADING and line.text and line.text.endswith("pending review ──"):
            codelist.lines[index] = line.with_(
                text=line.text.replace("pending review", "reviewed in the builder"))
    if [dict(r) for r in draft.rules] != update.get("rules"):  # the owner decided more
        codelist.definition = Definition(ecl=codelist.definition.ecl, rules=tuple(rules))
    if list(draft.searches) != update.get("searches"):
        method = dict(codelist.method or {})
        method["search"] = strategy_of(searches, draft.coding_system)
        codelist.method = method
    return dumps(codelist)


def _inactive(update: dict) -> set[str]:
    return {c["code"] for c in update.get("changes") or [] if c["kind"] == "inactive"}
