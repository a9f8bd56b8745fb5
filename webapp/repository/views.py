"""Server-rendered pages of the repository.  Reads here; every write calls actions."""

from __future__ import annotations

from functools import cached_property

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from codelists.errors import CodelistsError
from webapp.repository import (
    actions,
    describe,
    downloads,
    hierarchy,
    library,
    methoddoc,
    queries,
    releases,
)
from webapp.repository.forms import ArticleForm, CoauthorForm
from webapp.repository.models import Article, ArticleType, Codelist, CodeStatus
from webapp.repository.permissions import can_change, can_manage_members, can_view

PAGE_SIZE = 20


def home(request):
    recent = queries.browse_articles(request.user)[:10]
    return render(request, "repository/home.html", {"recent": recent})


def browse(request):
    params = {k: request.GET.get(k, "") for k in ("system", "year", "article_type", "tag")}
    sort = request.GET.get("sort", "newest")
    qs = queries.browse_articles(request.user, sort=sort, **params)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    systems = (Codelist.objects.order_by().values_list("coding_system", flat=True).distinct())
    context = {"page": page, "params": params, "sort": sort, "sorts": queries.ARTICLE_SORTS,
               "types": ArticleType.choices, "systems": sorted(set(systems))}
    template = "repository/_article_list.html" if request.headers.get("HX-Request") else "repository/browse.html"
    return render(request, template, context)


def search(request):
    """Keyword, code (with its ancestors or descendants on request), tag and system; one
    result list whose count is its length, each row saying why it matched."""
    q = request.GET.get("q", "").strip()
    code = request.GET.get("code", "").strip()
    tag = request.GET.get("tag", "").strip()
    system = request.GET.get("system", "").strip()
    related = request.GET.getlist("related")
    code_query = None
    results = None
    if code or (q and queries.looks_like_code(q)):
        code_query = queries.code_query(code or q, ancestors="ancestors" in related,
                                        descendants="descendants" in related)
    if q or code or tag or system:
        results = queries.search_codelists(request.user, q=q if not code else "", tag=tag,
                                           system=system)
        if code_query is not None:
            by_code = queries.codelists_matching_codes(request.user, code_query)
            if system:
                by_code = by_code.filter(coding_system=system)
            if code:  # the code is a filter; a keyword that looks like a code also finds it
                results = results.filter(pk__in=by_code.values("pk"))
            else:
                results = (queries.visible_codelists(request.user)
                           .filter(Q(pk__in=results.values("pk")) | Q(pk__in=by_code.values("pk")))
                           .order_by("title", "pk"))
    page = Paginator(results, PAGE_SIZE).get_page(request.GET.get("page")) if results is not None else None
    if page is not None:
        rows = list(page.object_list)
        why = queries.explain(rows, q=q if not code else "", query=code_query)
        for row in rows:
            row.why = why[row.pk]
    systems = sorted(set(Codelist.objects.order_by().values_list("coding_system", flat=True)
                         .distinct()))
    # the tag cloud is a way in: shown before a search, not above its results (it counts
    # every tag link, a cost each results page would pay for a list nobody reads there)
    tags = queries.popular_tags(request.user) if page is None else []
    return render(request, "repository/search.html",
                  {"q": q, "code": code, "tag": tag, "system": system, "page": page,
                   "related": related, "code_query": code_query,
                   "systems": systems, "tags": tags, "explain": True,
                   "query_string": request.GET.urlencode(), "base_query": _without_page(request)})


def _without_page(request) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    encoded = params.urlencode()
    return f"{encoded}&" if encoded else ""


def _article_or_404(request, pk: int) -> Article:
    article = get_object_or_404(Article, pk=pk)
    if not can_view(request.user, article):
        raise Http404("no such article")
    return article


def article_detail(request, pk: int):
    article = _article_or_404(request, pk)
    codelists = list(article.codelists.select_related("latest_version", "derived_from",
                                                      "derived_from__article").order_by("slug"))
    for codelist in codelists:
        codelist.source = _source(request, codelist)
    return render(request, "repository/article.html", {
        "article": article, "codelists": codelists,
        "can_change": can_change(request.user, article),
        "can_manage": can_manage_members(request.user, article),
        "members": article.members.select_related("user", "user__profile").order_by("added"),
        "coauthor_form": CoauthorForm(),
    })


def _codelist_or_404(request, pk: int) -> Codelist:
    codelist = get_object_or_404(
        Codelist.objects.select_related("article", "latest_version", "derived_from")
        .defer("latest_version__text"), pk=pk)
    if not can_view(request.user, codelist.article):
        raise Http404("no such codelist")
    return codelist


def _version(codelist: Codelist, number) :
    if number in (None, ""):
        if codelist.latest_version is None:
            raise Http404("no versions")
        return codelist.latest_version
    try:
        return codelist.versions.get(number=int(number))
    except (ValueError, codelist.versions.model.DoesNotExist):
        raise Http404("no such version") from None


def codelist_detail(request, pk: int):
    codelist = _codelist_or_404(request, pk)
    version = _version(codelist, request.GET.get("version"))
    if not request.user.is_authenticated:
        return _anonymous_page(request, codelist, version)
    return _render_codelist(request, codelist, version)


def _anonymous_page(request, codelist: Codelist, version):
    """The page as anyone sees it, cached: a version's content never changes, and the key
    holds everything else the page shows (the codelist's and article's last change, the
    latest version, derivatives, the host), so a stale page is never served."""
    from django.core.cache import cache
    from django.http import HttpResponse

    key = ":".join(str(part) for part in (
        "codelist-page", codelist.pk, version.sha256, codelist.latest_version_id,
        codelist.updated.timestamp(), codelist.article.updated.timestamp(),
        _derivatives(request, codelist).count(), _source(request, codelist) is not None,
        request.get_host(), request.GET.get("order", ""),
        # the tree, the order and an inferred definition depend on the installed release
        hierarchy.release_of(codelist.coding_system).replace(" ", "_"),
        releases.stamp_of(version)))
    cached = cache.get(key)
    if cached is not None:
        return HttpResponse(cached)
    response = _render_codelist(request, codelist, version)
    if response.status_code == 200:
        cache.set(key, response.content, 3600)
    return response


def _derivatives(request, codelist: Codelist):
    """Codelists derived from this one that the user may see (embargoed ones stay hidden)."""
    return queries.visible_codelists(request.user).filter(derived_from=codelist)


def _source(request, codelist: Codelist) -> Codelist | None:
    """The codelist this one derives from, when the user may see it."""
    source = codelist.derived_from
    return source if source is not None and can_view(request.user, source.article) else None


def _render_codelist(request, codelist: Codelist, version):
    url = request.build_absolute_uri(codelist_url(codelist))
    metadata = version.metadata or {}
    system = codelist.coding_system
    order = request.GET.get("order", "")
    checked = releases.of_version(version)
    if order not in hierarchy.ORDERS:
        order = hierarchy.default_order(system)
    return render(request, "repository/codelist.html", {
        "codelist": codelist, "article": codelist.article, "version": version,
        "versions": codelist.versions.select_related("created_by").order_by("-number"),
        "active": CodePage(version, CodeStatus.ACTIVE, order=order, system=system),
        "excluded": CodePage(version, CodeStatus.EXCLUDED, order=order, system=system),
        "pending": CodePage(version, CodeStatus.PENDING, order=order, system=system),
        "order": order, "orders": hierarchy.ORDERS,
        "tree": hierarchy.tree_html(version, system, f"Hierarchy of {codelist.title}"),
        "tree_release": hierarchy.release_of(system),
        "system_name": library.system_name(system),
        "counts": _counts(version), "method": metadata.get("method"),
        "method_html": methoddoc.method_html(version),
        "about": library.public_metadata(metadata),
        "definition": methoddoc.definition_of(version, system),
        "badge": _badge(version), "derivatives": _derivatives(request, codelist),
        "source": _source(request, codelist), "licence": downloads.version_licence(version),
        "cite_text": describe.cite_text(codelist, version, url),
        "cite_bibtex": describe.cite_bibtex(codelist, version, url),
        "can_change": can_change(request.user, codelist.article),
        "metadata": metadata, "releases": checked,
        "update_notice": releases.notice_of(codelist, version, checked),
    })


def _counts(version) -> dict:
    from django.core.cache import cache
    from django.db.models import Count

    def count() -> dict:
        rows = version.codes.values("status").annotate(n=Count("id"))
        return {row["status"]: row["n"] for row in rows}

    return cache.get_or_set(f"version-counts:{version.sha256}", count, 24 * 3600)


def _badge(version):
    if not (version.metadata or {}).get("method"):
        return None
    try:
        return library.badge(library.parse_text(version.text))
    except CodelistsError:
        return None


def codelist_url(codelist: Codelist) -> str:
    from django.urls import reverse

    return reverse("repository:codelist", args=[codelist.pk])


class CodePage:
    """Up to ``PER_PAGE`` codes of one status of a version from ``offset`` (filtered by
    ``q``) in an order (:data:`hierarchy.ORDERS`), and where the next page starts; read
    only when a template asks, so a cached code table costs no query."""

    PER_PAGE = 500

    def __init__(self, version, status: str, q: str = "", offset: int = 0, *,
                 order: str = "file", system: str = ""):
        self.version, self.status, self.q, self.offset = version, status, q, offset
        self.order, self.system = order, system

    @cached_property
    def _rows(self) -> list:
        end = self.offset + self.PER_PAGE + 1
        if self.order == "file":
            return list(queries.codes_of(self.version, status=self.status, q=self.q)[
                self.offset:end])
        return hierarchy.ordered_rows(self.version, self.system, self.status, self.order,
                                      self.q)[self.offset:end]

    @property
    def codes(self) -> list:
        return self._rows[:self.PER_PAGE]

    @property
    def next_offset(self) -> int | None:
        return self.offset + self.PER_PAGE if len(self._rows) > self.PER_PAGE else None


def codelist_codes(request, pk: int):
    """The code table, filtered (htmx partial); with ``offset``, only the rows from there
    (the "show more" link of a long table)."""
    codelist = _codelist_or_404(request, pk)
    version = _version(codelist, request.GET.get("version"))
    status = request.GET.get("status", CodeStatus.ACTIVE)
    if status not in CodeStatus.values:
        status = CodeStatus.ACTIVE
    offset = request.GET.get("offset", "0")
    offset = int(offset) if offset.isdigit() else 0
    order = request.GET.get("order", "")
    if order not in hierarchy.ORDERS:
        order = hierarchy.default_order(codelist.coding_system)
    page = CodePage(version, status, request.GET.get("q", "").strip(), offset, order=order,
                    system=codelist.coding_system)
    template = "repository/_code_rows.html" if offset else "repository/_codes.html"
    return render(request, template, {"page": page, "codelist": codelist, "version": version})


def codelist_diff(request, pk: int):
    codelist = _codelist_or_404(request, pk)
    old = _version(codelist, request.GET.get("from") or 1)
    new = _version(codelist, request.GET.get("to"))
    changes = library.diff(library.parse_text(old.text), library.parse_text(new.text))
    return render(request, "repository/diff.html", {
        "codelist": codelist, "old": old, "new": new, "changes": changes,
        "versions": codelist.versions.order_by("number")})


def codelist_cite(request, pk: int, fmt: str):
    codelist = _codelist_or_404(request, pk)
    version = _version(codelist, request.GET.get("version"))
    url = request.build_absolute_uri(codelist_url(codelist))
    if fmt == "bibtex":
        return HttpResponse(describe.cite_bibtex(codelist, version, url),
                            content_type="application/x-bibtex; charset=utf-8")
    if fmt == "ris":
        response = HttpResponse(describe.cite_ris(codelist, version, url),
                                content_type="application/x-research-info-systems")
        response["Content-Disposition"] = f'attachment; filename="{codelist.slug}.ris"'
        return response
    return HttpResponse(describe.cite_text(codelist, version, url),
                        content_type="text/plain; charset=utf-8")


def codelist_download(request, pk: int, fmt: str):
    codelist = _codelist_or_404(request, pk)
    version = _version(codelist, request.GET.get("version"))
    if fmt == "json":
        data = describe.codelist_data(codelist, _base(request))
        data["version"] = describe.version_data(version)
        data["article"] = describe.article_data(codelist.article, _base(request))
        return downloads.respond(_json(data), "application/json",
                                  f"{downloads.stem(codelist, version)}.json",
                                  downloads.version_licence(version))
    if fmt not in ("csv", "codelist", "fhir", "opencodelists"):
        raise Http404("unknown format")
    return downloads.codelist_download(codelist, version, fmt)


def _json(data) -> str:
    import json

    return json.dumps(data, indent=2)


def _base(request) -> str:
    return request.build_absolute_uri("/").rstrip("/")


def article_download(request, pk: int, fmt: str):
    article = _article_or_404(request, pk)
    if fmt not in ("csv", "zip", "json"):
        raise Http404("unknown format")
    return downloads.article_download(article, fmt,
                                      describe.research_object(article, _base(request)))


@login_required
def article_edit(request, pk: int):
    article = _article_or_404(request, pk)
    if not can_change(request.user, article):
        raise PermissionDenied("only depositors and co-authors may change this article")
    if request.method == "POST":
        form = ArticleForm(request.POST)
        if form.is_valid():
            data = dict(form.cleaned_data)
            data.pop("tags")
            actions.update_article(request.user, article, tags=form.tag_list(), **data)
            messages.success(request, "Article saved.")
            return redirect("repository:article", pk=article.pk)
    else:
        initial = {f: getattr(article, f) for f in actions.ARTICLE_FIELDS}
        initial["tags"] = ", ".join(t.name for t in article.tags.all())
        form = ArticleForm(initial=initial)
    return render(request, "repository/article_form.html", {"form": form, "article": article})


@login_required
@require_POST
def coauthor_add(request, pk: int):
    article = _article_or_404(request, pk)
    form = CoauthorForm(request.POST)
    if form.is_valid():
        user = User.objects.filter(username=form.cleaned_data["username"]).first()
        if user is None:
            messages.error(request, "No user with that name.")
        else:
            actions.add_coauthor(request.user, article, user)
            messages.success(request, f"{user.get_username()} can now change this article.")
    return redirect("repository:article", pk=article.pk)


@login_required
@require_POST
def coauthor_remove(request, pk: int, user_pk: int):
    article = _article_or_404(request, pk)
    actions.remove_coauthor(request.user, article, get_object_or_404(User, pk=user_pk))
    return redirect("repository:article", pk=article.pk)


@login_required
@require_POST
def codelist_new_version(request, pk: int):
    codelist = _codelist_or_404(request, pk)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, "Choose a .codelist file.")
        return redirect("repository:codelist", pk=pk)
    from django import forms as dj_forms

    from webapp.repository import deposit
    from webapp.repository.deposit import decode
    from webapp.repository.forms import check_upload

    if not can_change(request.user, codelist.article):
        raise PermissionDenied("only depositors and co-authors may publish versions")
    try:
        check_upload(upload)
        text = decode(upload.read(), upload.name)
        entry = deposit.check_codelist_text({"name": upload.name, "text": text})
        if deposit.has_errors(entry):
            for problem in entry["problems"]:
                if problem.get("severity") == "error":
                    where = f"line {problem['line']}: " if problem.get("line") else ""
                    messages.error(request, f"{upload.name}: {where}{problem['message']}")
            return redirect("repository:codelist", pk=pk)
        version = actions.add_version(request.user, codelist, text,
                                      note=request.POST.get("note", ""), filename=upload.name)
    except (dj_forms.ValidationError, CodelistsError) as exc:
        messages.error(request, "; ".join(getattr(exc, "messages", [str(exc)])))
        return redirect("repository:codelist", pk=pk)
    messages.success(request, f"Version {version.number} published.")
    return redirect("repository:codelist", pk=pk)


@login_required
@require_POST
def codelist_derived_from(request, pk: int):
    codelist = _codelist_or_404(request, pk)
    source_pk = request.POST.get("source", "").strip()
    source = None
    if source_pk:
        source = Codelist.objects.filter(pk=source_pk if source_pk.isdigit() else 0).first()
        if source is None or not can_view(request.user, source.article):
            messages.error(request, "No such codelist.")
            return redirect("repository:codelist", pk=pk)
    try:
        actions.set_derived_from(request.user, codelist, source)
    except CodelistsError as exc:
        messages.error(request, str(exc))
    return redirect("repository:codelist", pk=pk)
