"""Repository models: articles (or collections), their codelists and immutable versions.

Only :mod:`webapp.repository.actions` writes these models.  A :class:`CodelistVersion`
and its :class:`Code` rows are immutable once saved: the models refuse updates and
deletes, and database triggers (migration 0002) refuse them too.  Publishing a version
writes its :class:`Publication` (the licence as it was then); from that moment the
database also refuses new codes for the version (migration 0003).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone


class ImmutableError(Exception):
    """A published version (or one of its codes) would have been changed or deleted."""


class ArticleType(models.TextChoices):
    JOURNAL_ARTICLE = "journal-article", "Journal article"
    GOVERNMENT_REPORT = "government-report", "Government report"
    QOF_RELEASE = "qof-release", "QOF business rules release"
    OTHER = "other", "Other"


class Tag(models.Model):
    name = models.CharField(max_length=100, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ArticleQuerySet(models.QuerySet):
    def visible_to(self, user) -> ArticleQuerySet:
        """Articles out of embargo, plus embargoed ones the user deposited or co-authors."""
        return self.filter(visible_q(user))


def visible_q(user, prefix: str = "") -> models.Q:
    """The condition "this article (``prefix`` leads from the queried model to it, e.g.
    ``"article__"``) is visible to the user": out of embargo, or the user is one of its
    members, or staff.  Membership is a semi-join on the user's memberships, never a
    join that would repeat rows and need DISTINCT."""
    today = timezone.localdate()
    public = (models.Q(**{f"{prefix}embargo_until__isnull": True})
              | models.Q(**{f"{prefix}embargo_until__lte": today}))
    if user is None or not user.is_authenticated:
        return public
    if user.is_staff:
        return models.Q()
    mine = ArticleMember.objects.filter(user=user).values("article_id")
    return public | models.Q(**{f"{prefix}pk__in" if prefix else "pk__in": mine})


class Article(models.Model):
    """An article (or a standalone collection, e.g. a QOF release) and its codelists."""

    is_collection = models.BooleanField(default=False)
    title = models.CharField(max_length=500)
    authors = models.TextField(blank=True, help_text="One author per line, as published.")
    journal = models.CharField(max_length=300, blank=True)
    year = models.PositiveIntegerField(null=True, blank=True, db_index=True)
    doi = models.CharField("DOI", max_length=200, blank=True)
    pmid = models.CharField("PMID", max_length=20, blank=True)
    abstract = models.TextField(blank=True)
    article_type = models.CharField(
        max_length=30, choices=ArticleType.choices, default=ArticleType.JOURNAL_ARTICLE,
        db_index=True,
    )
    link = models.URLField(max_length=500, blank=True)
    licence = models.CharField(max_length=100, default="CC-BY-4.0")
    embargo_until = models.DateField(null=True, blank=True)
    tags = models.ManyToManyField(Tag, blank=True, related_name="articles")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="deposited_articles"
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-created"]
        indexes = [models.Index(fields=["title"])]

    def __str__(self) -> str:
        return self.title

    def author_list(self) -> list[str]:
        return [a.strip() for a in self.authors.splitlines() if a.strip()]

    def is_embargoed(self) -> bool:
        return self.embargo_until is not None and self.embargo_until > timezone.localdate()


class MemberRole(models.TextChoices):
    DEPOSITOR = "depositor", "Depositor"
    COAUTHOR = "coauthor", "Co-author"


class ArticleMember(models.Model):
    """Who may change an article: its depositors and the co-authors they add."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="article_memberships"
    )
    role = models.CharField(max_length=20, choices=MemberRole.choices)
    added = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["article", "user"], name="one_membership_per_user")
        ]


class Codelist(models.Model):
    """A codelist's identity; its content lives in immutable versions.

    ``title``, ``description``, ``coding_system`` and ``latest_version`` mirror the newest
    version for fast listing and search; actions update them when a version is added.
    """

    article = models.ForeignKey(Article, on_delete=models.PROTECT, related_name="codelists")
    slug = models.SlugField(max_length=200)
    title = models.CharField(max_length=500)
    description = models.TextField(blank=True)
    coding_system = models.CharField(max_length=40, db_index=True)
    derived_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="derivatives"
    )
    latest_version = models.ForeignKey(
        "CodelistVersion", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    code_count = models.PositiveIntegerField(default=0)
    tags = models.ManyToManyField(Tag, blank=True, related_name="codelists")
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["article_id", "slug"]
        constraints = [
            models.UniqueConstraint(fields=["article", "slug"], name="codelist_slug_per_article")
        ]
        # lists and searches are ordered by title: a page of 50 walks this index and
        # stops, instead of sorting every codelist
        indexes = [models.Index(fields=["title", "id"], name="codelist_title_order")]

    def __str__(self) -> str:
        return self.title


class ImmutableQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise ImmutableError("published versions are never modified")

    def delete(self):
        raise ImmutableError("published versions are never deleted")


class CodelistVersion(models.Model):
    """One published version: the ``.codelist`` text exactly as stored, never changed."""

    codelist = models.ForeignKey(Codelist, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    text = models.TextField(help_text="The .codelist file of this version.")
    metadata = models.JSONField(default=dict, help_text="The front matter, parsed.")
    sha256 = models.CharField(max_length=64)
    note = models.CharField(max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)

    objects = ImmutableQuerySet.as_manager()

    class Meta:
        ordering = ["codelist_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["codelist", "number"], name="version_number_once")
        ]

    def __str__(self) -> str:
        return f"{self.codelist.slug} v{self.number}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ImmutableError("published versions are never modified")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableError("published versions are never deleted")


class CodeStatus(models.TextChoices):
    ACTIVE = "active", "Included"
    EXCLUDED = "excluded", "Excluded"
    PENDING = "pending", "Pending"


class Code(models.Model):
    """One code line of a version, for search by code and the code table."""

    version = models.ForeignKey(CodelistVersion, on_delete=models.PROTECT, related_name="codes")
    code = models.CharField(max_length=64)
    term = models.CharField(max_length=1000, blank=True)
    status = models.CharField(max_length=10, choices=CodeStatus.choices)
    line = models.PositiveIntegerField(null=True)
    comment = models.CharField(max_length=1000, blank=True)

    objects = ImmutableQuerySet.as_manager()

    class Meta:
        ordering = ["version_id", "line", "id"]
        indexes = [
            models.Index(fields=["code", "status"]),
            models.Index(fields=["version", "status"]),
        ]

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ImmutableError("codes of a published version are never modified")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableError("codes of a published version are never deleted")


class Publication(models.Model):
    """The seal of a published version: what it was published under, frozen.

    Once this row exists the version takes no more codes, and the row itself is never
    changed (database triggers, migration 0003): a download of the version states this
    licence, whatever the article's licence becomes later.
    """

    version = models.OneToOneField(CodelistVersion, on_delete=models.PROTECT,
                                   related_name="publication")
    licence = models.CharField(max_length=100)
    published = models.DateTimeField(default=timezone.now)

    objects = ImmutableQuerySet.as_manager()

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ImmutableError("a publication is never modified")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableError("a publication is never deleted")


class DepositDraft(models.Model):
    """A deposit in progress (webapp.repository.deposit): the article's metadata and the
    uploaded files, checked and mapped, until its owner confirms or abandons it.

    Kept here, server-side, with only its id in the owner's session: uploads can be
    megabytes, and a session is read on every request.  Only its owner can open it;
    drafts untouched for ``settings.CODELISTS_DRAFT_DAYS`` are removed."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                              related_name="deposit_drafts")
    data = models.JSONField()
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True, db_index=True)


class Release(models.Model):
    """A terminology release the site checked its published versions against.

    Installing a release runs the check (:mod:`webapp.repository.release_jobs`); each
    version's answer is a :class:`Compatibility`.  These rows are derived data about
    versions, never part of one: a published version itself never changes.
    """

    coding_system = models.CharField(max_length=40, db_index=True)
    edition = models.CharField(max_length=200, blank=True)
    release = models.CharField(max_length=40, help_text="YYYYMMDD, as the library names it")
    label = models.CharField(max_length=300, help_text="the release as a reader names it")
    store = models.CharField(max_length=1000, help_text="the store checked, as a path")
    checked = models.DateTimeField(null=True, blank=True)
    versions_checked = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["coding_system", "-release", "edition"]
        constraints = [models.UniqueConstraint(fields=["coding_system", "edition", "release"],
                                               name="one_release_per_edition_date")]

    def __str__(self) -> str:
        return self.label


class Compatibility(models.Model):
    """One published version on one release: compatible (its codes are unchanged there)
    or affected, with what the library's ``plan_update`` says would change."""

    version = models.ForeignKey(CodelistVersion, on_delete=models.CASCADE,
                                related_name="compatibility")
    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="results")
    compatible = models.BooleanField()
    needs_decision = models.BooleanField(default=False)
    counts = models.JSONField(default=dict, help_text="change kind -> how many (non-zero)")
    summary = models.CharField(max_length=500, blank=True)
    changes = models.JSONField(default=list, help_text="the first changes, as the library "
                                                         "describes them")
    checked = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-release__release"]
        constraints = [models.UniqueConstraint(fields=["version", "release"],
                                               name="one_result_per_version_release")]
        indexes = [models.Index(fields=["release", "compatible"])]
