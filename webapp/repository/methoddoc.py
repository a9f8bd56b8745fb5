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

#: the report's own title (the page has its own); its closing table stays: the Delphi
#: result per code with its uncertainty
_SKIP_HEADINGS = ("Methods report:",)


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
    rules with terms -- or, for a list that records none, the minimal rules that give
    the same codes on the installed release (the library's ``infer``), marked inferred.
    None when there is neither."""
    from codelists.codelist.definition import Definition

    data = (version.metadata or {}).get("definition")
    terminology = library.terminology_for(system_id)
    if data:
        try:
            definition = Definition.from_mapping(data)
        except CodelistsError:
            return None
        inferred = False
    else:
        definition = _inferred(version, system_id, terminology)
        if definition is None:
            return None
        inferred = True
    terms = dict(version.codes.values_list("code", "term"))
    missing = [r.code for r in definition.rules if not terms.get(r.code)]
    if terminology is not None and missing:
        terms.update({c: concept.term for c, concept in
                      terminology.lookup_many(missing).items()})
    return {"ecl": definition.ecl, "inferred": inferred,
            "release": _release(terminology) if inferred else "",
            "rules": [{"code": r.code, "term": terms.get(r.code, ""), "include": r.include}
                      for r in definition.rules]}


#: lists longer than this are not given an inferred definition on the page
MAX_INFERRED = 20_000


def _release(terminology) -> str:
    meta = getattr(terminology, "metadata", None)
    return " ".join(p for p in (getattr(meta, "edition", ""),
                                str(getattr(meta, "release_date", "") or "")) if p)


def _inferred(version, system_id: str, terminology):
    """The minimal definition of a version's included codes over the installed release
    (cached per version and release); None without a release or for a huge list."""
    if terminology is None:
        return None
    from webapp.repository.hierarchy import cache_key

    key = cache_key("version-inferred", version.sha256, system_id, _release(terminology))
    cached = cache.get(key)
    if cached is None:
        codes = list(version.codes.filter(status="active").values_list("code", flat=True))
        rules = ()
        if 0 < len(codes) <= MAX_INFERRED:
            from codelists.codelist.definition import infer
            from codelists.codelist.workspace import Search, Workspace

            space = Workspace(terminology, [Search("codes", " ".join(codes))])
            rules = infer([c for c in codes if c in space.codes], space.codes, space)
        cached = [(r.code, r.include) for r in rules]
        cache.set(key, cached, 24 * 3600)
    if not cached:
        return None
    from codelists.codelist.definition import Definition, Rule

    return Definition(rules=tuple(Rule(code, include) for code, include in cached))
