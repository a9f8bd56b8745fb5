"""Drafts of the hierarchy builder.  Only :mod:`webapp.builder.actions` writes them.

A draft is a codelist being built on one terminology release: its searches, its
include/exclude decisions (the library's definition rules) and an undo history.  It moves
draft -> under review -> published; publishing makes an immutable repository version.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class DraftStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    REVIEW = "review", "Under review"
    PUBLISHED = "published", "Published"


class Draft(models.Model):
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                              related_name="builder_drafts")
    title = models.CharField(max_length=500)
    description = models.TextField(blank=True)
    coding_system = models.CharField(max_length=40)
    release = models.CharField(max_length=200, blank=True,
                               help_text="the terminology release it was built on")
    store = models.CharField(max_length=300, blank=True,
                             help_text="a store of the data directory chosen for this draft "
                                       "(its file name); blank: the site's release")
    status = models.CharField(max_length=20, choices=DraftStatus.choices,
                              default=DraftStatus.DRAFT)
    searches = models.JSONField(default=list, help_text="[{kind, query}], in order")
    rules = models.JSONField(default=list, help_text="[{code, include}], the definition")
    history = models.JSONField(default=list, help_text="earlier rule lists, for undo")
    source_version = models.ForeignKey(
        "repository.CodelistVersion", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", help_text="the published version this draft starts from")
    article = models.ForeignKey("repository.Article", on_delete=models.SET_NULL, null=True,
                                blank=True, related_name="+")
    codelist = models.ForeignKey("repository.Codelist", on_delete=models.SET_NULL,
                                 null=True, blank=True, related_name="builder_drafts")
    published_version = models.ForeignKey(
        "repository.CodelistVersion", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+")
    update = models.JSONField(default=dict, blank=True, help_text=(
        "a draft that moves a codelist to another release: codelist update's result and "
        "the owner's review of its pending lines (webapp.builder.update)"))
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated"]

    def __str__(self) -> str:
        return self.title
