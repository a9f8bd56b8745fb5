"""State changes of the builder: the only code that writes drafts.

Each action checks the caller may change the draft.  The meaning of a decision (a code
and its descendants, nearest decided ancestors win, conflicts) is the library's
(:mod:`codelists.codelist.definition`); publishing goes through the repository's own
actions, so a published draft is an ordinary immutable codelist version.
"""

from __future__ import annotations

from django.db import transaction

from codelists.codelist.definition import Definition, Status, infer
from codelists.codelist.workspace import Search, searches_of, to_codelist
from codelists.errors import UserError
from webapp.builder import session, update
from webapp.builder.models import Draft, DraftStatus
from webapp.builder.permissions import require_authenticated, require_change
from webapp.repository import actions as repository_actions
from webapp.repository import library
from webapp.repository.permissions import can_change as can_change_article

UNDO_DEPTH = 100


def _require_draft(draft: Draft) -> None:
    if draft.status != DraftStatus.DRAFT:
        raise UserError(f"this codelist is {draft.get_status_display().lower()}",
                        hint="return it to draft first")


def start_draft(user, *, title: str, coding_system: str, description: str = "") -> Draft:
    """A new, empty draft on the release of ``coding_system`` installed on the site, or
    on another release of the data directory (``system:file name``, as offered by
    :func:`session.releases`)."""
    require_authenticated(user)
    title = title.strip()
    if not title:
        raise UserError("a codelist needs a title", hint="say what it is a list of")
    system, _, store = coding_system.partition(":")
    draft = Draft(owner=user, title=title[:500], description=description,
                  coding_system=system, store=store)
    draft.release = session.release_label(draft)  # also: a release must be installed
    draft.save()
    return draft


def start_from_text(user, text: str, *, filename: str = "", source_version=None) -> Draft:
    """A draft from a ``.codelist`` (an uploaded file or a published version): its
    searches and definition as recorded, or -- for a list without a definition -- the
    minimal definition that reproduces its codes (the library's ``infer``)."""
    require_authenticated(user)
    parsed = library.parse_text(text, filename)
    draft = Draft(owner=user, coding_system=parsed.system.id, source_version=source_version)
    _fill(draft, parsed, parsed.active_codes())
    draft.save()
    return draft


def _fill(draft: Draft, parsed, codes: list[str], extra: list[str] = ()) -> None:
    """Title, searches and rules of a draft from a parsed ``.codelist``: its definition's
    rules, or the minimal rules that include ``codes`` on the draft's release; ``extra``
    codes are searched for too (an update's replacements, wherever they lie)."""
    draft.title = parsed.title[:500]
    draft.description = str(parsed.meta.get("description") or "")
    draft.release = session.release_label(draft)
    searches = searches_of(parsed) or ([Search("codes", " ".join(codes))] if codes else [])
    if extra:
        searches.append(Search("codes", " ".join(extra)))
    draft.searches = [s.to_mapping() for s in searches]
    if parsed.definition.rules:
        rules = parsed.definition.rules
    else:
        space = session.workspace(draft)
        rules = infer([c for c in codes if c in space.codes], space.codes, space)
    draft.rules = [{"code": r.code, "include": r.include} for r in rules]
    source_version = draft.source_version
    if source_version is not None:
        draft.codelist = source_version.codelist
        draft.article = source_version.codelist.article


def _require_owner(user, codelist) -> None:
    if not can_change_article(user, codelist.article):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied("only depositors and co-authors may make a new version")


def new_version(user, codelist) -> Draft:
    """"New version" of a published codelist: a draft starting from its latest version."""
    _require_owner(user, codelist)
    version = codelist.latest_version
    return start_from_text(user, version.text, source_version=version)


def start_update(user, codelist, release) -> Draft:
    """The update of a codelist's latest version to a checked release, as a new draft on
    that release: ``codelist update``'s result, its pending lines for the owner to
    review (:mod:`webapp.builder.update`)."""
    _require_owner(user, codelist)
    version = codelist.latest_version
    begun = (Draft.objects.filter(owner=user, source_version=version,
                                  status__in=(DraftStatus.DRAFT, DraftStatus.REVIEW),
                                  update__release_id=release.pk).first())
    if begun is not None:  # the same update opened again: the draft already begun
        return begun
    draft = Draft(owner=user, coding_system=codelist.coding_system,
                  store=update.store_of(release), source_version=version)
    text, found = update.plan(version, session.terminology(draft))
    parsed = library.parse_text(text)
    new = [c.code for c in found.changes if c.kind == "new"]
    others = [c.code for c in found.changes if c.kind in ("replacement", "new-id")]
    _fill(draft, parsed, parsed.active_codes() + new, others)
    draft.update = update.record(release, text, found, rules=draft.rules,
                                 searches=draft.searches)
    draft.save()
    return draft


def review_pending(user, draft: Draft, code: str | None, accept: bool) -> Draft:
    """Accept or reject a pending line of the draft's update (``code`` None: every line
    not reviewed yet).  Accepting includes the code (with its descendants) unless the
    definition already does; rejecting excludes it (ditto)."""
    require_change(user, draft)
    _require_draft(draft)
    codes = update.unreviewed(draft.update) if code is None else [code]
    if not codes or any(c not in (draft.update.get("pending") or []) for c in codes):
        raise UserError("nothing of the update is pending there",
                        hint="choose a pending line of this draft")
    for one in codes:
        statuses = session.workspace(draft).statuses(session.rules_of(draft))
        if one in statuses and (statuses[one] is Status.INCLUDED) != accept:
            decide(user, draft, one, accept)
    reviewed = dict(draft.update.get("reviewed") or {})
    reviewed.update(dict.fromkeys(codes, update.ACCEPTED if accept else update.REJECTED))
    draft.update = dict(draft.update, reviewed=reviewed)
    draft.save(update_fields=["update", "updated"])
    return draft


def add_search(user, draft: Draft, kind: str, query: str) -> Draft:
    require_change(user, draft)
    _require_draft(draft)
    search = Search.from_mapping({"kind": kind, "query": query})
    if search.to_mapping() in draft.searches:
        return draft
    trial = list(draft.searches) + [search.to_mapping()]
    from codelists.codelist.workspace import run_search

    run_search(search, session.terminology(draft))  # a bad ECL or regex fails here
    draft.searches = trial
    draft.save(update_fields=["searches", "updated"])
    return draft


def remove_search(user, draft: Draft, index: int) -> Draft:
    """Drop a search; decisions already taken are kept."""
    require_change(user, draft)
    _require_draft(draft)
    if 0 <= index < len(draft.searches):
        draft.searches = [s for i, s in enumerate(draft.searches) if i != index]
        draft.save(update_fields=["searches", "updated"])
    return draft


def decide(user, draft: Draft, code: str, include: bool | None) -> Draft:
    """Include or exclude a code with its descendants (None: take the decision back)."""
    require_change(user, draft)
    _require_draft(draft)
    definition = Definition(rules=session.rules_of(draft))
    changed = (definition.without_rule(code) if include is None
               else definition.with_rule(code, include))
    if changed.rules == definition.rules:
        return draft
    draft.history = (list(draft.history) + [draft.rules])[-UNDO_DEPTH:]
    draft.rules = [{"code": r.code, "include": r.include} for r in changed.rules]
    draft.save(update_fields=["rules", "history", "updated"])
    return draft


def undo(user, draft: Draft) -> Draft:
    require_change(user, draft)
    _require_draft(draft)
    if draft.history:
        draft.rules = draft.history[-1]
        draft.history = draft.history[:-1]
        draft.save(update_fields=["rules", "history", "updated"])
    return draft


def problems(draft: Draft) -> dict[str, int]:
    """How many codes are still unresolved or conflicted (both block review)."""
    statuses = session.workspace(draft).statuses(session.rules_of(draft))
    counts = {"unresolved": 0, "conflicted": 0}
    for status in statuses.values():
        if status is Status.UNRESOLVED:
            counts["unresolved"] += 1
        elif status is Status.CONFLICTED:
            counts["conflicted"] += 1
    return counts


def submit_for_review(user, draft: Draft) -> Draft:
    require_change(user, draft)
    _require_draft(draft)
    waiting = update.unreviewed(draft.update) if draft.update else []
    if waiting:
        raise UserError(f"{len(waiting)} line{'s' if len(waiting) != 1 else ''} of the update "
                        f"to {draft.update.get('label')} still pending",
                        hint="accept or reject each pending line first")
    left = problems(draft)
    if left["unresolved"] or left["conflicted"]:
        raise UserError(f"{left['unresolved']} unresolved and {left['conflicted']} conflicted "
                        "codes remain", hint="include or exclude them first (use the filters)")
    if not session.workspace(draft).included(session.rules_of(draft)):
        raise UserError("the codelist includes no codes", hint="include a concept first")
    draft.status = DraftStatus.REVIEW
    draft.save(update_fields=["status", "updated"])
    return draft


def return_to_draft(user, draft: Draft) -> Draft:
    require_change(user, draft)
    if draft.status != DraftStatus.REVIEW:
        raise UserError("only a codelist under review can return to draft")
    draft.status = DraftStatus.DRAFT
    draft.save(update_fields=["status", "updated"])
    return draft


def codelist_text(draft: Draft, *, pending: bool = False) -> str:
    """The draft as a ``.codelist``: included codes (pending, for a Delphi review),
    definition, searches; an update draft keeps its update's file, with the owner's
    decisions taken."""
    space = session.workspace(draft)
    rules = session.rules_of(draft)
    included = [(code, space.terms.get(code, "")) for code in space.included(rules)]
    if draft.update and not pending:
        return update.reconciled(draft, dict(included), space.codes, rules,
                                 session.searches_of(draft))
    codelist = to_codelist(title=draft.title, system=draft.coding_system, rules=rules,
                           included=included, searches=session.searches_of(draft),
                           description=draft.description or None,
                           release=session.release_label(draft) or None, pending=pending)
    return library.dumps(codelist)


def _save_version(user, draft: Draft, text: str, note: str):
    """The text as a new version of the draft's codelist, or as a new codelist in a new
    article of its own."""
    if draft.codelist is not None:
        version = repository_actions.add_version(user, draft.codelist, text, note=note)
    else:
        article = repository_actions.create_article(
            user, title=draft.title, is_collection=True,
            abstract=draft.description or f"Built in the codelist builder on "
                                          f"{library.system_name(draft.coding_system)}.")
        codelist = repository_actions.add_codelist(
            user, article, repository_actions.NewCodelist(text, filename="builder.codelist"))
        version = codelist.latest_version
        draft.article, draft.codelist = article, codelist
    return version


@transaction.atomic
def publish_for_delphi(user, draft: Draft):
    """A draft under review goes to a Delphi panel: its included codes are published as
    pending lines of a new version, which the review app's rounds and consensus then
    decide (the draft stays under review)."""
    require_change(user, draft)
    if draft.status != DraftStatus.REVIEW:
        raise UserError("send the codelist for review first")
    if draft.update:
        raise UserError("an update to a new release is reviewed line by line here, not by "
                        "a Delphi panel", hint="publish it; start a Delphi review of a "
                                               "later version if a panel should rate it")
    version = _save_version(user, draft, codelist_text(draft, pending=True),
                            "built in the builder; codes pending a Delphi review")
    draft.save()
    return version


def _record_on_release(draft: Draft, version) -> None:
    """The published update checked on its release at once (its page then says so)."""
    from webapp.repository import releases
    from webapp.repository.models import Release

    release = Release.objects.filter(pk=draft.update.get("release_id")).first()
    result = releases.check_version(version, session.terminology(draft))
    if release is not None and result is not None:
        repository_actions.record_compatibility(release, version, result)


@transaction.atomic
def publish(user, draft: Draft):
    """Publish a reviewed draft as an immutable version: a new version of the codelist it
    came from, or a new codelist in a new article of its own."""
    require_change(user, draft)
    if draft.status != DraftStatus.REVIEW:
        raise UserError("send the codelist for review before publishing it")
    note = (f"update to {draft.update.get('label')}, reviewed in the builder"
            if draft.update else "built in the builder")
    version = _save_version(user, draft, codelist_text(draft), note[:500])
    if draft.update:
        _record_on_release(draft, version)
    draft.status = DraftStatus.PUBLISHED
    draft.published_version = version
    draft.save()
    return version
