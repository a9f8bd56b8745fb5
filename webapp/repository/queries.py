"""Read-side queries shared by pages and the API: browse, search, codes of a version."""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from webapp.repository.models import Article, Code, Codelist, CodeStatus

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
    if user is not None and user.is_authenticated:
        if user.is_staff:
            return qs
        articles = Article.objects.visible_to(user).values("pk")
        return qs.filter(article__in=articles)
    today = timezone.localdate()
    return qs.filter(Q(article__embargo_until__isnull=True)
                     | Q(article__embargo_until__lte=today))


def codelists_with_code(user, code: str) -> QuerySet[Codelist]:
    """Codelists whose latest version includes the code (as an active line)."""
    return visible_codelists(user).filter(
        latest_version__codes__code__in=code_spellings(code),
        latest_version__codes__status=CodeStatus.ACTIVE).distinct().order_by("title", "pk")


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
