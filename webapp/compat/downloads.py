"""The files OpenCodelists serves for a version, built by the library's OpenCodelists
format (codelists.formats.opencodelists) from the version's ``.codelist`` text."""

from __future__ import annotations

from django.core.cache import cache

from webapp.compat.models import VersionTag
from webapp.repository.models import CodelistVersion

CACHE_SECONDS = 24 * 3600


def parsed(version: CodelistVersion):
    from codelists.codelist.fileformat import parse

    return parse(version.text, path=f"v{version.number}.codelist")


def uploaded_csv(version: CodelistVersion) -> str:
    tag = VersionTag.objects.filter(version=version).only("csv_data").first()
    return tag.csv_data if tag is not None else ""


def download_csv(version: CodelistVersion, *, fixed_headers: bool = False) -> str:
    """``download.csv``: a list uploaded as CSV is served as uploaded (``code,term`` of
    it with ``fixed_headers``); any other version as ``code,term`` sorted by code."""
    key = f"compat-download:{version.pk}:{version.sha256}:{int(fixed_headers)}"
    body = cache.get(key)
    if body is None:
        from codelists.formats import opencodelists

        csv_data = uploaded_csv(version)
        if csv_data:
            body = opencodelists.fixed_headers(csv_data) if fixed_headers else csv_data
        else:
            body = opencodelists.download(parsed(version))
        cache.set(key, body, CACHE_SECONDS)
    return body


def definition_csv(version: CodelistVersion) -> str:
    """``definition.csv``: the version's include/exclude decisions, depth first -- the
    rules of its ``definition:`` when it has some; else, with a store for its system, the
    minimal rules that give exactly its codes (OpenCodelists' construction,
    ``codelists.codelist.definition.infer_on``); else its included and excluded codes."""
    from codelists.codelist.definition import infer_on
    from codelists.formats import opencodelists
    from codelists.terminology.installed import open_installed

    codelist = parsed(version)
    store = open_installed(codelist.system.id)
    rules = [(r.code, r.include) for r in codelist.definition.rules]
    if not rules and store is not None:
        rules = [(r.code, r.include) for r in infer_on(codelist.active_codes(), store)]
    if not rules:
        rules = [(ln.code, ln.kind == "active") for ln in codelist.code_lines()
                 if ln.kind in ("active", "excluded")]
    return opencodelists.definition_rows(codelist, rules, store)


def dmd_csv(version: CodelistVersion) -> str | None:
    """``dmd-download.csv`` of a BNF list: the dm+d products its codes map to
    (``dmd_type,dmd_id,dmd_name,bnf_code``); None when no BNF store with maps is here."""
    from codelists.formats.opencodelists import dmd_download
    from codelists.terminology.installed import open_installed

    codelist = parsed(version)
    bnf = open_installed("bnf")
    if bnf is None:
        return None
    return dmd_download(codelist.active_codes(), bnf, open_installed("dmd"))
