"""How our articles, codelists and versions answer to OpenCodelists' names.

OpenCodelists names a version ``owner/slug/tag``.  Our mapping (docs/reference/
opencodelists-compatibility.md):

* **owner** -- an article (or collection).  Every article answers to ``article-<id>``;
  an :class:`Owner` gives it a chosen name too (``opensafely``, ``nhsd``).
  ``user/<username>`` is the articles that user deposited.
* **slug** -- the codelist's slug within its article.
* **tag** -- ``v<number>`` for every version; ``latest`` for the newest; a
  :class:`VersionTag` adds the tag a version was published with (``2020-06-03``) and,
  for a version uploaded over the API as CSV, that CSV exactly as uploaded (its
  ``download.csv``, as OpenCodelists serves an uploaded list).

Both tables are written only by :mod:`webapp.compat.actions`; a version's tag and CSV
never change, like the version itself.
"""

from __future__ import annotations

from django.db import models

from webapp.repository.models import Article, Codelist, CodelistVersion


class Owner(models.Model):
    slug = models.SlugField(max_length=100, unique=True)
    article = models.OneToOneField(Article, on_delete=models.CASCADE,
                                   related_name="compat_owner")

    def __str__(self) -> str:
        return self.slug


class VersionTag(models.Model):
    version = models.OneToOneField(CodelistVersion, on_delete=models.PROTECT,
                                   related_name="compat_tag")
    codelist = models.ForeignKey(Codelist, on_delete=models.PROTECT, related_name="+")
    tag = models.CharField(max_length=100)
    csv_data = models.TextField(blank=True, help_text="the CSV as uploaded, if it was")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["codelist", "tag"],
                                               name="compat_tag_once_per_codelist")]

    def __str__(self) -> str:
        return self.tag
