"""OpenCodelists names (``owner/slug/tag``) to our articles, codelists and versions, and
back (see :mod:`webapp.compat.models` for the mapping)."""

from __future__ import annotations

import re

from django.http import Http404

from webapp.compat.models import Owner, VersionTag
from webapp.repository.models import Article, Codelist, CodelistVersion, MemberRole
from webapp.repository.permissions import can_view

ARTICLE_OWNER = re.compile(r"article-(\d+)")
NUMBERED = re.compile(r"v(\d+)")
LATEST = "latest"


def owner_slug(article: Article) -> str:
    owner = getattr(article, "compat_owner", None)
    return owner.slug if owner is not None else f"article-{article.pk}"


def owner_name(article: Article) -> str:
    """What OpenCodelists shows as the ``organisation``: the article's title."""
    return article.title


def version_tag(version: CodelistVersion) -> str:
    tag = getattr(version, "compat_tag", None)
    return tag.tag if tag is not None else f"v{version.number}"


def full_slug(codelist: Codelist) -> str:
    return f"{owner_slug(codelist.article)}/{codelist.slug}"


def article_for_owner(owner: str) -> Article:
    match = ARTICLE_OWNER.fullmatch(owner)
    if match:
        article = Article.objects.filter(pk=int(match.group(1))).first()
    else:
        found = Owner.objects.select_related("article").filter(slug=owner).first()
        article = found.article if found else None
    if article is None:
        raise Http404(f"no owner {owner}")
    return article


def visible(user, article: Article) -> Article:
    if not can_view(user, article):
        raise Http404("no such owner")
    return article


def codelist_for(user, owner: str, slug: str, *, username: str | None = None) -> Codelist:
    """The codelist an OpenCodelists path names, if the user may see it."""
    queryset = Codelist.objects.select_related("article", "latest_version")
    if username is not None:
        found = list(queryset.filter(
            slug=slug, article__members__user__username=username,
            article__members__role=MemberRole.DEPOSITOR)[:2])
        if len(found) != 1:
            raise Http404(f"{username} has {'no' if not found else 'several'} codelists {slug}")
        codelist = found[0]
    else:
        codelist = queryset.filter(article=article_for_owner(owner), slug=slug).first()
        if codelist is None:
            raise Http404(f"no codelist {owner}/{slug}")
    visible(user, codelist.article)
    return codelist


def version_for(codelist: Codelist, tag: str) -> CodelistVersion:
    if tag == LATEST:
        if codelist.latest_version is None:
            raise Http404("no versions")
        return codelist.latest_version
    tagged = VersionTag.objects.select_related("version").filter(codelist=codelist,
                                                                  tag=tag).first()
    if tagged is not None:
        return tagged.version
    match = NUMBERED.fullmatch(tag)
    version = codelist.versions.filter(number=int(match.group(1))).first() if match else None
    if version is None:
        raise Http404(f"no version {tag}")
    return version


LINE = re.compile(r"(?:(?P<user>user)/)?(?P<owner>[\w-]+)/(?P<slug>[\w-]+)/(?P<tag>[^/]+)/?")


def version_for_line(user, line: str) -> CodelistVersion:
    """A ``codelists.txt`` line's version (Http404 with a message when it is not here)."""
    match = LINE.fullmatch(line)
    if not match:
        raise ValueError(f"{line} does not match expected codelist pattern")
    parts = match.groupdict()
    if parts["user"]:
        codelist = codelist_for(user, "", parts["slug"], username=parts["owner"])
    else:
        codelist = codelist_for(user, parts["owner"], parts["slug"])
    return version_for(codelist, parts["tag"])
