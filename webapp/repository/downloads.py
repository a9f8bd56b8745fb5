"""Downloads: a codelist as CSV, .codelist, FHIR ValueSet, OpenCodelists CSV; an article's
codes as one CSV (with a codelist column) or a zip; metadata as a JSON research object.

Every download states its licence: in the file where the format has room for it (the
``licence`` column of our CSVs, the ``.codelist`` front matter, the ValueSet's
``copyright``, the research object, a LICENCE.txt in zips) and always in the HTTP
``Link: <...>; rel="license"`` header.  CSV cells are neutralised against formulas.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile

from django.core.cache import cache
from django.core.exceptions import ObjectDoesNotExist
from django.http import HttpResponse
from django.utils.http import content_disposition_header

from webapp.repository import library
from webapp.repository.models import Article, Codelist, CodelistVersion

LICENCE_URLS = {
    "CC-BY-4.0": "https://creativecommons.org/licenses/by/4.0/",
    "CC0-1.0": "https://creativecommons.org/publicdomain/zero/1.0/",
    "OGL-UK-3.0": "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
    "MIT": "https://opensource.org/license/mit",
}
CSV_HEADER = ["code", "term", "status", "comment", "licence"]
CACHE_SECONDS = 24 * 3600
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


def licence_url(licence: str) -> str:
    return LICENCE_URLS.get(licence, "")


def version_licence(version: CodelistVersion) -> str:
    """The licence a version was published under (frozen at publication), or its
    article's for a version published before publications were recorded."""
    try:
        return version.publication.licence
    except ObjectDoesNotExist:
        return version.codelist.article.licence


def header_value(text: str) -> str:
    """A value safe in an HTTP header: control characters (CR/LF injection) removed."""
    return _CONTROL.sub(" ", str(text)).strip()


def respond(body: bytes | str, content_type: str, filename: str, licence: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, header_value(filename))
    licence = header_value(licence)
    response["X-Licence"] = licence
    url = licence_url(licence)
    if url:
        response["Link"] = f'<{url}>; rel="license"'
    return response


def _writer(buffer: io.StringIO):
    return csv.writer(buffer, lineterminator="\r\n")


def _row(values) -> list[str]:
    return [library.safe_cell("" if v is None else str(v)) for v in values]


def version_csv(version: CodelistVersion, licence: str) -> str:
    """The CSV of a version (cached by content: a version never changes; the licence is in the key)."""
    key = f"version-csv:{version.sha256}:{licence}"
    body = cache.get(key)
    if body is None:
        buffer = io.StringIO()
        writer = _writer(buffer)
        writer.writerow(CSV_HEADER)
        rows = version.codes.order_by("line", "pk").values_list("code", "term", "status",
                                                                "comment")
        writer.writerows(_row([*row, licence]) for row in rows.iterator(chunk_size=5000))
        body = buffer.getvalue()
        cache.set(key, body, CACHE_SECONDS)
    return body


def stem(codelist: Codelist, version: CodelistVersion) -> str:
    return f"{codelist.slug}-v{version.number}"


def codelist_download(codelist: Codelist, version: CodelistVersion, fmt: str) -> HttpResponse:
    licence = version_licence(version)
    name = stem(codelist, version)
    if fmt == "csv":
        return respond(version_csv(version, licence), "text/csv; charset=utf-8",
                        f"{name}.csv", licence)
    if fmt == "codelist":
        return respond(version.text, "text/plain; charset=utf-8", f"{name}.codelist", licence)
    parsed = library.parse_text(version.text, f"{name}.codelist")
    if fmt == "fhir":
        valueset = library.to_fhir_valueset(parsed)
        valueset.setdefault("copyright", f"Licence: {licence}")
        return respond(json.dumps(valueset, indent=2), "application/fhir+json",
                        f"{name}.valueset.json", licence)
    if fmt == "opencodelists":
        text = library.to_opencodelists_csv(parsed)
        return respond(text, "text/csv; charset=utf-8", f"{name}.opencodelists.csv", licence)
    raise ValueError(f"unknown format {fmt}")


def article_codes_csv(article: Article) -> str:
    """All codes of an article's latest versions in one CSV with a codelist column."""
    buffer = io.StringIO()
    writer = _writer(buffer)
    writer.writerow(["codelist", "coding_system", "version", *CSV_HEADER])
    for codelist in article.codelists.select_related("latest_version").order_by("slug"):
        version = codelist.latest_version
        if version is None:
            continue
        licence = version_licence(version)
        for code in version.codes.order_by("line", "pk").iterator(chunk_size=2000):
            writer.writerow(_row([codelist.slug, codelist.coding_system, version.number,
                                  code.code, code.term, code.status, code.comment,
                                  licence]))
    return buffer.getvalue()


def article_zip(article: Article, research_object: dict) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for codelist in article.codelists.select_related("latest_version").order_by("slug"):
            version = codelist.latest_version
            if version is None:
                continue
            name = stem(codelist, version)
            zf.writestr(f"{name}.codelist", version.text)
            zf.writestr(f"{name}.csv", version_csv(version, version_licence(version)))
        zf.writestr("metadata.json", json.dumps(research_object, indent=2))
        zf.writestr("LICENCE.txt", licence_text(article))
    return buffer.getvalue()


def licence_text(article: Article) -> str:
    url = licence_url(article.licence)
    return (f"The codelists of \"{article.title}\" are published under {article.licence}"
            f"{' (' + url + ')' if url else ''}.\nCite the article when you reuse them.\n")


def article_download(article: Article, fmt: str, research_object: dict) -> HttpResponse:
    name = f"article-{article.pk}"
    if fmt == "csv":
        return respond(article_codes_csv(article), "text/csv; charset=utf-8",
                        f"{name}-codes.csv", article.licence)
    if fmt == "zip":
        return respond(article_zip(article, research_object), "application/zip",
                        f"{name}-codelists.zip", article.licence)
    if fmt == "json":
        return respond(json.dumps(research_object, indent=2), "application/json",
                        f"{name}-metadata.json", article.licence)
    raise ValueError(f"unknown format {fmt}")
