"""Read-side queries shared by pages and the API: browse, search, codes of a version."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from webapp.repository.models import Article, Code, Codelist, CodeStatus, Tag, visible_q

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


def popular_tags(user, limit: int = 30) -> list[Tag]:
    """The tags on most codelists and articles the user may see (each with ``n``), most
    used first: two grouped counts over the tag tables (no join of one with the other,
    which multiplied rows), and an embargoed list's tags are not shown to those who
    cannot see it."""
    counts: dict[int, int] = {}
    on_codelists = (Codelist.tags.through.objects
                    .filter(visible_q(user, "codelist__article__"))
                    .order_by().values("tag_id").annotate(n=Count("codelist_id")))
    on_articles = (Article.tags.through.objects.filter(visible_q(user, "article__"))
                   .order_by().values("tag_id").annotate(n=Count("article_id")))
    for rows in (on_codelists, on_articles):
        for row in rows:
            counts[row["tag_id"]] = counts.get(row["tag_id"], 0) + row["n"]
    tags = {t.pk: t for t in Tag.objects.filter(pk__in=list(counts))}
    for pk, tag in tags.items():
        tag.n = counts[pk]
    return sorted(tags.values(), key=lambda t: (-t.n, t.name))[:limit]


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
                   .order_by().values_list("version_id", flat=True).distinct())
    return visible_codelists(user).filter(latest_version_id__in=ids)


def explain(codelists: list[Codelist], *, q: str = "", query: CodeQuery | None = None
            ) -> dict[int, list[str]]:
    """Why each codelist of a results page is there, in words: which field the keyword
    matched (or which code's term), and which code it contains and how that code relates.
    A few queries for the whole page, not a few per row."""
    why: dict[int, list[str]] = {c.pk: [] for c in codelists}
    if q:
        low = q.casefold()
        by_terms = []
        for codelist in codelists:
            for label, text in (("title", codelist.title), ("description", codelist.description),
                                ("article title", codelist.article.title)):
                if low in (text or "").casefold():
                    why[codelist.pk].append(f"{label} contains “{q}”")
            if not why[codelist.pk] and codelist.latest_version_id:
                by_terms.append(codelist)
        first_hit: dict[int, tuple[str, str]] = {}
        if by_terms:
            rows = (Code.objects.filter(version_id__in=[c.latest_version_id for c in by_terms],
                                        term__icontains=q)
                    .values_list("version_id", "code", "term").order_by("version_id", "line"))
            for version_id, code, term in rows:
                first_hit.setdefault(version_id, (code, term))
        for codelist in by_terms:
            hit = first_hit.get(codelist.latest_version_id)
            if hit:
                why[codelist.pk].append(f"a code's term: {hit[0]} “{hit[1]}”")
    versions = {c.latest_version_id: c.pk for c in codelists if c.latest_version_id}
    if query is not None and versions:
        codes = list(query.relations)
        hits: dict[int, list[str]] = {}
        for start in range(0, len(codes), _CHUNK):
            rows = Code.objects.filter(
                version_id__in=list(versions), status=CodeStatus.ACTIVE,
                code__in=codes[start:start + _CHUNK]).values_list("version_id", "code")
            for version_id, code in rows:
                hits.setdefault(versions[version_id], []).append(code)
        for pk, found in hits.items():
            why[pk] += _code_reasons(found, query)
    return why


def _code_reasons(found: list[str], query: CodeQuery) -> list[str]:
    reasons = []
    direct = [c for c in found if query.relations.get(c) == "the code"]
    if direct:
        reasons.append(f"contains {direct[0]}")
    for relation in ("an ancestor", "a descendant"):
        related = sorted({c for c in found if query.relations.get(c) == relation})
        if related:
            shown = ", ".join(related[:3]) + (f" and {len(related) - 3} more"
                                              if len(related) > 3 else "")
            noun = relation.split()[-1] + ("s" if len(related) > 1 else "")
            reasons.append(f"contains {noun} of {query.code}: {shown}")
    return reasons


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
