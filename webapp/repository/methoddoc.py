"""The Method and Definition tabs of a codelist page, from the library.

The method is rendered as the library's methods report renders it
(:func:`codelists.method.report.document`): the a priori definition as prose, the
search rules, screening reasons and counts, the Delphi agreement and uncertainty as
tables, the flow diagram and badge as figures -- never the raw data.  The definition
(include/exclude decisions, ECL) is the library's too
(:mod:`codelists.codelist.definition`).
"""

from __future__ import annotations

from django.core.cache import cache
from django.utils.safestring import SafeString, mark_safe

from codelists.errors import CodelistsError
from webapp.repository import library

#: the report's own title and its closing copy of the list (the page has both already)
_SKIP_HEADINGS = ("Methods report:", "6. The codelist")


def method_html(version) -> SafeString | None:
    """The method block of a version as an HTML document fragment (cached per version);
    None when the version records no method."""
    if not (version.metadata or {}).get("method"):
        return None
    key = f"version-method:{version.sha256}"
    cached = cache.get(key)
    if cached is None:
        cached = _render(version)
        cache.set(key, cached, 24 * 3600)
    return mark_safe(cached)  # noqa: S308 -- the library escapes every value


def _render(version) -> str:
    from codelists.method import report

    try:
        blocks = report.document(library.parse_text(version.text),
                                 version=str(version.number))
    except (CodelistsError, KeyError, TypeError, ValueError) as exc:
        from django.utils.html import escape

        return (f"<p>The method recorded in this version cannot be shown as a report "
                f"({escape(str(exc))}); download the .codelist file to read it.</p>")
    kept, skipping = [], False
    for item in blocks:
        if item[0] == "h":
            skipping = item[2].startswith(_SKIP_HEADINGS)
        if not skipping:
            kept.append(item)
    return report.html_fragment(kept, shift=1)


def definition_of(version, system_id: str) -> dict | None:
    """The version's definition as the page shows it: its ECL and its include/exclude
    rules with terms; None when the version records none."""
    try:
        from codelists.codelist.definition import Definition
    except ImportError:  # the definition module lands with issue 15
        return None
    data = (version.metadata or {}).get("definition")
    if not data:
        return None
    try:
        definition = Definition.from_mapping(data)
    except CodelistsError:
        return None
    terms = dict(version.codes.values_list("code", "term"))
    terminology = library.terminology_for(system_id)
    missing = [r.code for r in definition.rules if not terms.get(r.code)]
    if terminology is not None and missing:
        terms.update({c: concept.term for c, concept in
                      terminology.lookup_many(missing).items()})
    return {"ecl": definition.ecl,
            "rules": [{"code": r.code, "term": terms.get(r.code, ""), "include": r.include}
                      for r in definition.rules]}
