"""State changes of the OpenCodelists-compatible layer: owner names, and codelists and
versions created over OpenCodelists' API (their request shapes).  Codelists and versions
themselves are written by :mod:`webapp.repository.actions`; this module adds only the
tag and uploaded CSV OpenCodelists keeps beside a version."""

from __future__ import annotations

import re

from django.db import transaction

from webapp.compat.models import Owner, VersionTag
from webapp.repository import actions as repository_actions
from webapp.repository.models import Article, Codelist, CodelistVersion
from webapp.repository.permissions import require_change


class RequestError(ValueError):
    """A request OpenCodelists would answer with 400 ``{"error": message}``."""


@transaction.atomic
def set_owner(user, article: Article, slug: str) -> Owner:
    """Give an article an OpenCodelists owner name (``opensafely``)."""
    from django.utils.text import slugify

    require_change(user, article)
    clean = slugify(slug)
    if not clean or clean != slug or slug.startswith("article-") or slug == "user":
        raise RequestError(f"{slug!r} cannot be an owner name: use lower-case letters, "
                           "digits and hyphens, not article-N or user")
    if Owner.objects.filter(slug=slug).exclude(article=article).exists():
        raise RequestError(f"the owner name {slug} is taken")
    owner, _ = Owner.objects.update_or_create(article=article, defaults={"slug": slug})
    return owner


def _codelist_text(article: Article, *, slug: str, name: str, system: str,
                   description: str = "", methodology: str = "", codes=None,
                   csv_data: str | None = None, ecl: str | None = None) -> str:
    """A ``.codelist`` file for codes, an uploaded CSV or an ECL expression (library)."""
    from codelists.codelist.fileformat import dumps
    from codelists.errors import CodelistsError
    from codelists.formats import opencodelists
    from codelists.formats.table import Imported, ImportedCode, to_codelist
    from codelists.terminology.installed import open_installed

    store = open_installed(system)
    try:
        if csv_data is not None:
            imported = opencodelists.read("csv_data", system=system, text=csv_data)
        else:
            if ecl is not None:
                codes = _ecl_codes(ecl, store)
            concepts = store.lookup_many(sorted(set(codes))) if store is not None else {}
            imported = Imported(system, [
                ImportedCode(c, concepts[c].term if c in concepts else "")
                for c in sorted(set(codes))], format="OpenCodelists API", source="request")
    except CodelistsError as exc:
        raise RequestError(str(exc)) from exc
    imported.format = "OpenCodelists API"
    imported.source = "request"
    codelist = to_codelist(imported, id=slug, title=name)
    codelist.meta["licence"] = article.licence
    if description:
        codelist.meta["description"] = description
    if methodology:
        codelist.meta["methodology"] = methodology
    return dumps(codelist)


def _ecl_codes(expression: str, store) -> list[str]:
    from codelists.ecl import evaluate

    if store is None or store.system != "snomedct":
        raise RequestError("ECL needs a SNOMED CT store on this server")
    return [str(i) for i in evaluate(expression, store).ids]


def _tag(codelist: Codelist, version: CodelistVersion, tag: str | None,
         csv_data: str | None) -> None:
    if not tag and csv_data is None:
        return
    tag = tag or f"v{version.number}"
    if VersionTag.objects.filter(codelist=codelist, tag=tag).exists():
        raise RequestError(f"{codelist.slug} already has a version tagged {tag}")
    VersionTag.objects.create(version=version, codelist=codelist, tag=tag,
                              csv_data=csv_data or "")


@transaction.atomic
def tag_version(user, version: CodelistVersion, tag: str) -> VersionTag:
    """Give a published version the tag OpenCodelists knows it by (``2020-06-03``)."""
    require_change(user, version.codelist.article)
    if not tag or "/" in tag or len(tag) > 100:
        raise RequestError(f"{tag!r} cannot be a version tag: no slashes, at most 100 "
                           "characters")
    if VersionTag.objects.filter(version=version).exists():
        raise RequestError(f"version {version.number} already has a tag")
    _tag(version.codelist, version, tag, None)
    return VersionTag.objects.get(version=version)


@transaction.atomic
def create_codelist(user, article: Article, data: dict) -> Codelist:
    """POST /api/v1/codelist/<owner>/: ``name``, ``coding_system_id``, ``codes`` or
    ``csv_data``, optional ``slug``, ``tag``, ``description``, ``methodology``."""
    from django.utils.text import slugify

    require_change(user, article)
    slug = data.get("slug") or slugify(data["name"])
    if not re.fullmatch(r"[-a-zA-Z0-9_]{1,180}", slug):
        raise RequestError(f"{slug!r} cannot be a slug: use letters, digits, - and _")
    if Codelist.objects.filter(article=article, slug=slug).exists():
        raise RequestError(f"there is already a codelist {slug}: post new versions to "
                           "its versions/ URL")
    text = _codelist_text(article, slug=slug, name=data["name"],
                          system=data["coding_system_id"],
                          description=data.get("description") or "",
                          methodology=data.get("methodology") or "",
                          codes=data.get("codes"), csv_data=data.get("csv_data"))
    codelist = repository_actions.add_codelist(
        user, article, repository_actions.NewCodelist(text, f"{slug}.codelist"))
    if codelist.slug != slug:
        raise RequestError(f"the slug {slug} is not available")
    _tag(codelist, codelist.latest_version, data.get("tag"), data.get("csv_data"))
    return codelist


@transaction.atomic
def create_version(user, codelist: Codelist, data: dict) -> CodelistVersion:
    """POST .../versions/: one of ``codes``, ``csv_data`` or ``ecl``; optional ``tag``."""
    require_change(user, codelist.article)
    latest = codelist.latest_version
    text = _codelist_text(codelist.article, slug=codelist.slug,
                          name=data.get("name") or codelist.title,
                          system=codelist.coding_system,
                          description=data.get("description", codelist.description),
                          codes=data.get("codes"), csv_data=data.get("csv_data"),
                          ecl=data.get("ecl"))
    if latest is not None and _same_codes(latest, text) and \
            not data.get("always_create_new_version"):
        raise RequestError("No difference to previous version")
    version = repository_actions.add_version(user, codelist, text, note="over the API",
                                             filename=f"{codelist.slug}.codelist")
    if version == latest:
        raise RequestError("No difference to previous version")
    _tag(codelist, version, data.get("tag"), data.get("csv_data"))
    return version


def _same_codes(version: CodelistVersion, text: str) -> bool:
    from codelists.codelist.fileformat import parse

    return set(parse(version.text).active_codes()) == set(parse(text).active_codes())
