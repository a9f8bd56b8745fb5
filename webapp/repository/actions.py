"""State changes of the repository: the only code that writes its models.

Views, the API, management commands and tests call these functions; each checks the
caller's permission first (:mod:`webapp.repository.permissions`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction

from webapp.repository import library
from webapp.repository.models import (
    Article,
    ArticleMember,
    Code,
    Codelist,
    CodelistVersion,
    Compatibility,
    DepositDraft,
    MemberRole,
    Publication,
    Release,
    Tag,
)
from webapp.repository.permissions import (
    require_authenticated,
    require_change,
    require_manage_members,
)
from webapp.repository.validation import check_article_fields

ARTICLE_FIELDS = ("title", "authors", "journal", "year", "doi", "pmid", "abstract",
                  "article_type", "link", "licence", "embargo_until", "is_collection")
#: fields an update may clear (None): lifting an embargo, removing a wrong year
NULLABLE_FIELDS = ("year", "embargo_until")


@dataclass(frozen=True)
class NewCodelist:
    """A codelist ready to deposit: its ``.codelist`` text (already checked)."""

    text: str
    filename: str = ""
    derived_from: Codelist | None = None


def _tags(names: Iterable[str]) -> list[Tag]:
    clean = sorted({n.strip().lower()[:100] for n in names if n and n.strip()})
    return [Tag.objects.get_or_create(name=n)[0] for n in clean]


@transaction.atomic
def create_article(user: User, *, tags: Iterable[str] = (), **fields) -> Article:
    require_authenticated(user)
    data = {k: v for k, v in fields.items() if k in ARTICLE_FIELDS and v is not None}
    check_article_fields(data)
    article = Article.objects.create(created_by=user, **data)
    ArticleMember.objects.create(article=article, user=user, role=MemberRole.DEPOSITOR)
    article.tags.set(_tags(tags))
    return article


@transaction.atomic
def update_article(user: User, article: Article, *, tags: Iterable[str] | None = None,
                   **fields) -> Article:
    require_change(user, article)
    check_article_fields({k: v for k, v in fields.items() if k in ARTICLE_FIELDS})
    for key, value in fields.items():
        if key in ARTICLE_FIELDS and (value is not None or key in NULLABLE_FIELDS):
            setattr(article, key, value)
    article.save()
    if tags is not None:
        article.tags.set(_tags(tags))
    return article


def add_coauthor(user: User, article: Article, coauthor: User) -> ArticleMember:
    require_manage_members(user, article)
    member, _ = ArticleMember.objects.get_or_create(
        article=article, user=coauthor, defaults={"role": MemberRole.COAUTHOR})
    return member


def remove_coauthor(user: User, article: Article, coauthor: User) -> None:
    require_manage_members(user, article)
    ArticleMember.objects.filter(article=article, user=coauthor,
                                 role=MemberRole.COAUTHOR).delete()


def _store_version(codelist: Codelist, user: User, parsed, text: str,
                   note: str = "") -> CodelistVersion:
    number = (codelist.versions.order_by("-number").values_list("number", flat=True)
              .first() or 0) + 1
    version = CodelistVersion.objects.create(
        codelist=codelist, number=number, text=text, note=note[:500], created_by=user,
        metadata=library.metadata_of(parsed),
        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
    )
    Code.objects.bulk_create(
        Code(version=version, **row) for row in library.code_rows(parsed))
    # the seal: from here the database refuses more codes for this version
    Publication.objects.create(version=version, licence=codelist.article.licence)
    codelist.title = parsed.title[:500]
    codelist.description = str(parsed.meta.get("description") or "")
    codelist.coding_system = parsed.system.id
    codelist.latest_version = version
    codelist.code_count = len(parsed.active_codes())
    codelist.save()
    codelist.tags.set(_tags(str(t) for t in parsed.meta.get("tags") or []))
    return version


def _unique_slug(article: Article, wanted: str) -> str:
    from django.utils.text import slugify

    base = slugify(wanted)[:180] or "codelist"
    slug, n = base, 1
    while Codelist.objects.filter(article=article, slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


@transaction.atomic
def add_codelist(user: User, article: Article, new: NewCodelist) -> Codelist:
    """A new codelist (version 1) in an article."""
    require_change(user, article)
    parsed = library.parse_text(new.text, new.filename)
    codelist = Codelist.objects.create(
        article=article, slug=_unique_slug(article, parsed.id or parsed.title),
        title=parsed.title[:500], coding_system=parsed.system.id,
        derived_from=new.derived_from)
    _store_version(codelist, user, parsed, new.text, note="first version")
    return codelist


@transaction.atomic
def deposit(user: User, article: Article, items: Iterable[NewCodelist]) -> list[Codelist]:
    """Add several codelists to an article at once: all are saved, or none."""
    require_change(user, article)
    return [add_codelist(user, article, item) for item in items]


@transaction.atomic
def add_version(user: User, codelist: Codelist, text: str, *, note: str = "",
                filename: str = "") -> CodelistVersion:
    """A new immutable version of a codelist (earlier versions stay as they are)."""
    require_change(user, codelist.article)
    parsed = library.parse_text(text, filename)
    if parsed.system.id != codelist.coding_system:
        from codelists.errors import UserError

        raise UserError(
            f"this codelist uses {codelist.coding_system}, the new version {parsed.system.id}",
            hint="deposit a list in another coding system as a new codelist")
    latest = codelist.latest_version
    if latest is not None and latest.text == text:
        return latest
    return _store_version(codelist, user, parsed, text, note=note)


def set_derived_from(user: User, codelist: Codelist, source: Codelist | None) -> Codelist:
    require_change(user, codelist.article)
    if source is not None and source.pk == codelist.pk:
        from codelists.errors import UserError

        raise UserError("a codelist cannot be derived from itself")
    codelist.derived_from = source
    codelist.save(update_fields=["derived_from", "updated"])
    return codelist


def open_draft(user: User, data: dict, *, replacing=None) -> DepositDraft:
    """A new deposit draft of the user's (the one it replaces, if any, is abandoned);
    drafts left untouched past their lifetime are removed on the way."""
    require_authenticated(user)
    prune_drafts()
    if replacing is not None:
        DepositDraft.objects.filter(pk=replacing, owner=user).delete()
    return DepositDraft.objects.create(owner=user, data=data)


def find_draft(user: User, draft_id) -> DepositDraft | None:
    """The user's live draft of that id (None for another user's, or an expired one)."""
    if not draft_id or user is None or not user.is_authenticated:
        return None
    try:
        return DepositDraft.objects.filter(pk=draft_id, owner=user,
                                           updated__gte=_draft_cutoff()).first()
    except (ValueError, ValidationError):  # not a draft id at all
        return None


def update_draft(draft: DepositDraft, data: dict) -> None:
    draft.data = data
    draft.save(update_fields=["data", "updated"])


def discard_draft(user: User, draft_id) -> None:
    """Remove the user's draft (published or abandoned)."""
    if draft_id:
        DepositDraft.objects.filter(pk=draft_id, owner=user).delete()


def prune_drafts() -> int:
    """Remove drafts untouched for ``settings.CODELISTS_DRAFT_DAYS``; how many went."""
    return DepositDraft.objects.filter(updated__lt=_draft_cutoff()).delete()[0]


def _draft_cutoff():
    from django.conf import settings
    from django.utils import timezone

    return timezone.now() - timedelta(days=settings.CODELISTS_DRAFT_DAYS)


# -- what a terminology release does to published versions (webapp.repository.releases)
# Derived data about versions, written by the release check (an operator's command or
# a staff member's job): no user's permission is asked, and no version changes.
def record_release(info) -> Release:
    """The release a check is about (found again by its system, edition and date)."""
    release, _ = Release.objects.update_or_create(
        coding_system=info.coding_system, edition=info.edition, release=info.release,
        defaults=info.as_fields())
    return release


def record_compatibility(release: Release, version: CodelistVersion, result) -> Compatibility:
    """One version's answer on the release (replacing an earlier check's)."""
    row, _ = Compatibility.objects.update_or_create(
        version=version, release=release, defaults={
            "compatible": result.compatible, "needs_decision": result.needs_decision,
            "counts": result.counts, "summary": result.summary[:500],
            "changes": result.changes})
    return row


def finish_release_check(release: Release, versions_checked: int) -> Release:
    from django.utils import timezone

    release.checked = timezone.now()
    release.versions_checked = versions_checked
    release.save(update_fields=["checked", "versions_checked"])
    return release
