"""Descriptions of articles and codelists: the JSON research object and citations."""

from __future__ import annotations

from webapp.repository.downloads import licence_url
from webapp.repository.models import Article, Codelist, CodelistVersion

ROCRATE_CONTEXT = "https://w3id.org/ro/crate/1.1/context"


def article_data(article: Article, base_url: str = "") -> dict:
    return {
        "id": article.pk,
        "url": f"{base_url}/articles/{article.pk}/",
        "kind": "collection" if article.is_collection else "article",
        "title": article.title,
        "authors": article.author_list(),
        "journal": article.journal,
        "year": article.year,
        "doi": article.doi,
        "pmid": article.pmid,
        "abstract": article.abstract,
        "type": article.article_type,
        "link": article.link,
        "licence": article.licence,
        "licence_url": licence_url(article.licence),
        "embargo_until": article.embargo_until.isoformat() if article.embargo_until else None,
        "tags": [t.name for t in article.tags.all()],
    }


def codelist_data(codelist: Codelist, base_url: str = "") -> dict:
    latest = codelist.latest_version
    return {
        "id": codelist.pk,
        "slug": codelist.slug,
        "url": f"{base_url}/codelists/{codelist.pk}/",
        "article": codelist.article_id,
        "title": codelist.title,
        "description": codelist.description,
        "coding_system": codelist.coding_system,
        "code_count": codelist.code_count,
        "latest_version": latest.number if latest else None,
        "derived_from": codelist.derived_from_id,
        "tags": [t.name for t in codelist.tags.all()],
        "licence": codelist.article.licence,
    }


def version_data(version: CodelistVersion) -> dict:
    return {"number": version.number, "created": version.created.isoformat(),
            "sha256": version.sha256, "note": version.note,
            "created_by": version.created_by.get_username(),
            "metadata": version.metadata, "releases": releases_data(version)}


def releases_data(version: CodelistVersion) -> list[dict]:
    """The releases the version was checked against (as the API gives them)."""
    from webapp.repository.releases import of_version

    return [{"coding_system": r.release.coding_system, "edition": r.release.edition,
             "release": r.release.release, "label": r.release.label,
             "compatible": r.compatible, "needs_decision": r.needs_decision,
             "counts": r.counts, "summary": r.summary, "checked": r.checked.isoformat()}
            for r in of_version(version)]


def research_object(article: Article, base_url: str = "") -> dict:
    """Article and codelist metadata as one JSON document (RO-Crate flavoured)."""
    codelists = []
    for codelist in article.codelists.select_related("latest_version", "article"):
        data = codelist_data(codelist, base_url)
        if codelist.latest_version:
            data["version"] = version_data(codelist.latest_version)
        codelists.append(data)
    return {"@context": ROCRATE_CONTEXT, "article": article_data(article, base_url),
            "codelists": codelists, "licence": article.licence,
            "licence_url": licence_url(article.licence)}


def _authors(article: Article) -> list[str]:
    return article.author_list() or [article.created_by.get_username()]


def cite_text(codelist: Codelist, version: CodelistVersion, url: str) -> str:
    article = codelist.article
    authors = ", ".join(_authors(article))
    year = article.year or version.created.year
    doi = f" doi:{article.doi}." if article.doi else ""
    return (f"{authors} ({year}). {codelist.title} [codelist, version {version.number}]. "
            f"In: {article.title}.{doi} Available at {url} ({article.licence}).")


def _key(codelist: Codelist, version: CodelistVersion) -> str:
    return f"{codelist.slug.replace('-', '_')}_v{version.number}"


def cite_bibtex(codelist: Codelist, version: CodelistVersion, url: str) -> str:
    article = codelist.article
    year = article.year or version.created.year
    fields = [("title", f"{{{codelist.title}}}"), ("author", " and ".join(_authors(article))),
              ("year", str(year)), ("version", str(version.number)), ("url", url),
              ("note", f"Codelist from: {article.title}. Licence {article.licence}")]
    if article.doi:
        fields.append(("doi", article.doi))
    body = ",\n".join(f"  {k} = {{{_bibtex_escape(v)}}}" for k, v in fields)
    return f"@misc{{{_key(codelist, version)},\n{body}\n}}\n"


def _bibtex_escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("&", "\\&")


def cite_ris(codelist: Codelist, version: CodelistVersion, url: str) -> str:
    article = codelist.article
    lines = ["TY  - DATA", f"TI  - {codelist.title}"]
    lines += [f"AU  - {a}" for a in _authors(article)]
    lines += [f"PY  - {article.year or version.created.year}", f"ET  - {version.number}",
              f"UR  - {url}", f"T2  - {article.title}", f"N1  - Licence {article.licence}"]
    if article.doi:
        lines.append(f"DO  - {article.doi}")
    lines.append("ER  - ")
    return "\r\n".join(lines) + "\r\n"
