"""Read-side queries shared by pages and the API: browse, search, codes of a version."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from webapp.repository.models import Article, Code, Codelist, CodeStatus, visible_q

ARTICLE_SORTS = {
    "newest": "-created", "oldest": "created", "title": "title", "year": "-year",
}


def browse_articles(user, *, system: str = "", year: str = "", article_type: str = "",
                    tag: str = "", sort: str = "newest") -> QuerySet[Article]:
    qs = Article.objects.visible_to(user)
    if system:
        qs = qs.filter(Exists(Codelist.objects.filter(article=OuterRef("pk"),
                                                      coding_system=system)))
    if year.isdigit():
        qs = qs.filter(year=int(year))
    if article_type:
        qs = qs.filter(article_type=article_type)
    if tag:
        qs = qs.filter(Q(tags__name=tag.lower()) | Q(codelists__tags__name=tag.lower()))
        qs = qs.distinct()
    qs = qs.annotate(n_codelists=Count("codelists", distinct=True))
    return qs.order_by(ARTICLE_SORTS.get(sort, "-created"), "-pk")


def visible_codelists(user) -> QuerySet[Codelist]:
    """Codelists of articles the user may see (a plain join for anonymous users)."""
    qs = Codelist.objects.select_related("article").defer("article__abstract")
    return qs.filter(visible_q(user, "article__"))


def codelists_with_code(user, code: str) -> QuerySet[Codelist]:
    """Codelists whose latest version includes the code (as an active line)."""
    versions = Code.objects.filter(code__in=code_spellings(code),
                                   status=CodeStatus.ACTIVE).values("version_id")
    # a semi-join: no DISTINCT over the wide codelist rows (which the paginator's COUNT
    # would repeat), and the (code, status) index finds the versions
    return visible_codelists(user).filter(latest_version__in=versions).order_by("title", "pk")


def code_spellings(code: str) -> list[str]:
    """The code as typed plus its canonical form in each system that can read it
    (``j450`` finds ICD-10 ``J45.0``), by the library's normaliser."""
    from codelists.terminology.normalise import SYSTEMS, normalise_code

    raw = code.strip()[:64]
    found = {raw}
    for system in SYSTEMS:
        result = normalise_code(system, raw)
        if result.ok:
            found.add(result.code)
    return sorted(found)


def search_codelists(user, *, q: str = "", tag: str = "", system: str = "",
                     code: str = "") -> QuerySet[Codelist]:
    """Keyword over titles, descriptions and terms; tag or disease group; code; system."""
    qs = visible_codelists(user)
    if code:
        qs = codelists_with_code(user, code)
    if system:
        qs = qs.filter(coding_system=system)
    if tag:
        tagged = Q(tags__name=tag.lower()) | Q(article__tags__name=tag.lower())
        qs = qs.filter(pk__in=Codelist.objects.filter(tagged).values("pk"))
    if q:
        term_hits = Code.objects.filter(term__icontains=q).values("version_id")
        qs = qs.filter(Q(title__icontains=q) | Q(description__icontains=q)
                       | Q(article__title__icontains=q)
                       | Q(latest_version__in=term_hits))
    return qs.order_by("title", "pk")


#: at most this many related codes (ancestors, descendants) are looked for
MAX_RELATED = 100_000
_CHUNK = 5_000


@dataclass
class CodeQuery:
    """A code searched for, and the codes that count as a match with how they relate
    (``{"J45.0": "the code", "J45": "an ancestor", ...}``)."""

    code: str
    relations: dict[str, str] = field(default_factory=dict)
    truncated: bool = False


def code_query(code: str, *, ancestors: bool = False, descendants: bool = False
               ) -> CodeQuery:
    """The codes that answer a search by ``code``: its spellings and, on request, its
    ancestors and descendants in every installed terminology that knows it."""
    from webapp.repository import library

    found = CodeQuery(code.strip()[:64])
    spellings = code_spellings(code)
    for spelling in spellings:
        found.relations[spelling] = "the code"
    if not (ancestors or descendants):
        return found
    from codelists.errors import CodelistsError

    for system in sorted({s for s in _systems_in_use()}):
        terminology = library.terminology_for(system)
        if terminology is None:
            continue
        for spelling in spellings:
            try:
                if terminology.lookup(spelling) is None:
                    continue
                if ancestors:
                    for other in terminology.ancestors(spelling):
                        found.relations.setdefault(other, "an ancestor")
                if descendants:
                    for other in terminology.descendants(spelling)[:MAX_RELATED]:
                        found.relations.setdefault(other, "a descendant")
            except CodelistsError:
                continue
    if len(found.relations) > MAX_RELATED:
        found.truncated = True
        found.relations = dict(list(found.relations.items())[:MAX_RELATED])
    return found


def _systems_in_use() -> set[str]:
    return set(Codelist.objects.order_by().values_list("coding_system", flat=True).distinct())


def codelists_matching_codes(user, query: CodeQuery) -> QuerySet[Codelist]:
    """Visible codelists whose latest version includes any of the query's codes."""
    codes = list(query.relations)
    ids: set[int] = set()
    for start in range(0, len(codes), _CHUNK):
        ids.update(Code.objects.filter(code__in=codes[start:start + _CHUNK],
                                       status=CodeStatus.ACTIVE)
                   .values_list("version_id", flat=True).distinct())
    return visible_codelists(user).filter(latest_version_id__in=ids)


def explain(codelist: Codelist, *, q: str = "", query: CodeQuery | None = None
            ) -> list[str]:
    """Why a codelist is in the results, in words: which field the keyword matched (or
    which code's term), and which code it contains and how that code relates."""
    why: list[str] = []
    if q:
        low = q.casefold()
        for label, text in (("title", codelist.title), ("description", codelist.description),
                            ("article title", codelist.article.title)):
            if low in (text or "").casefold():
                why.append(f"{label} contains “{q}”")
        if not why and codelist.latest_version_id:
            hit = (Code.objects.filter(version_id=codelist.latest_version_id,
                                       term__icontains=q)
                   .values_list("code", "term").order_by("line").first())
            if hit:
                why.append(f"a code's term: {hit[0]} “{hit[1]}”")
    if query is not None and codelist.latest_version_id:
        codes = list(query.relations)
        hits: list[tuple[str, str]] = []
        for start in range(0, len(codes), _CHUNK):
            hits += Code.objects.filter(
                version_id=codelist.latest_version_id, status=CodeStatus.ACTIVE,
                code__in=codes[start:start + _CHUNK]).values_list("code", "term")
        direct = [c for c, _ in hits if query.relations.get(c) == "the code"]
        if direct:
            why.append(f"contains {direct[0]}")
        for relation in ("an ancestor", "a descendant"):
            related = sorted({c for c, _ in hits if query.relations.get(c) == relation})
            if related:
                shown = ", ".join(related[:3]) + (f" and {len(related) - 3} more"
                                                  if len(related) > 3 else "")
                noun = relation.split()[-1] + ("s" if len(related) > 1 else "")
                why.append(f"contains {noun} of {query.code}: {shown}")
    return why


def looks_like_code(text: str) -> bool:
    """A query that is a single token with a digit is searched as a code too."""
    text = text.strip()
    return bool(text) and " " not in text and any(ch.isdigit() for ch in text)


def codes_of(version, *, status: str | None = None, q: str = "") -> QuerySet[Code]:
    qs = version.codes.all()
    if status:
        qs = qs.filter(status=status)
    if q:
        qs = qs.filter(Q(code__istartswith=q) | Q(term__icontains=q))
    return qs.order_by("line", "pk")
