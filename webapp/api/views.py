"""REST API v1: list and search articles and codelists, versions, codes, downloads;
create and update with a token.  Writes call the repository and accounts actions."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, permissions, status
from rest_framework.response import Response
from rest_framework.views import APIView

from webapp.accounts import actions as account_actions
from webapp.accounts.models import ApiToken, TokenScope
from webapp.api import rows
from webapp.api import serializers as s
from webapp.api.authentication import TokenScopeAllows
from webapp.api.errors import ProblemsFound
from webapp.api.parsers import JSONParser
from webapp.repository import actions, deposit, deposit_jobs, describe, downloads, queries
from webapp.repository.models import Article, Codelist, CodeStatus
from webapp.repository.permissions import can_view

#: the API reads JSON bodies only (as its schema says)
JSON_ONLY = [JSONParser]

TOKEN_PERMISSIONS_READ = [permissions.IsAuthenticated]

ERRORS = {code: OpenApiResponse(s.ErrorSerializer, description=text) for code, text in {
    400: "invalid input", 401: "not authenticated", 403: "not allowed",
    404: "not found", 413: "over a size budget (limit-exceeded)",
    422: "the codelist has errors, or is over a parsing budget (limit-exceeded)"}.items()}
READ_ERRORS = {404: ERRORS[404], 400: ERRORS[400]}


def _str(value, limit: int = 200) -> str:
    return str(value or "")[:limit]


def _visible_article(request, pk) -> Article:
    article = get_object_or_404(Article, pk=pk)
    if not can_view(request.user, article):
        raise Http404
    return article


def _visible_codelist(request, pk) -> Codelist:
    codelist = get_object_or_404(Codelist.objects.select_related("article", "latest_version"),
                                 pk=pk)
    if not can_view(request.user, codelist.article):
        raise Http404
    return codelist


ARTICLE_FILTERS = [
    OpenApiParameter("system", str, description="coding system of a codelist, e.g. snomedct"),
    OpenApiParameter("year", int), OpenApiParameter("article_type", str),
    OpenApiParameter("tag", str),
    OpenApiParameter("sort", str, enum=list(queries.ARTICLE_SORTS)),
]


class ArticleList(generics.ListCreateAPIView):
    parser_classes = JSON_ONLY
    serializer_class = s.ArticleSerializer

    def get_queryset(self):
        p = self.request.query_params
        return queries.browse_articles(
            self.request.user, system=_str(p.get("system")), year=_str(p.get("year")),
            article_type=_str(p.get("article_type")), tag=_str(p.get("tag")),
            sort=_str(p.get("sort")) or "newest").prefetch_related("tags")

    @extend_schema(parameters=ARTICLE_FILTERS, responses={200: s.ArticleSerializer(many=True),
                                                          **READ_ERRORS})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(request=s.ArticleInputSerializer,
                   responses={201: s.ArticleSerializer, **ERRORS})
    def post(self, request, *args, **kwargs):
        data = _valid(s.ArticleInputSerializer, request.data)
        article = actions.create_article(request.user, **data)
        return Response(s.ArticleSerializer(article).data, status=status.HTTP_201_CREATED)


ACCEPTED = OpenApiResponse(s.JobSerializer, description=(
    "a large list (more lines than the site checks in a request): queued as a job; "
    "follow its url (also the Location header) until its state is done or failed"))


def _job_data(record) -> dict:
    return {"id": record.pk, "title": record.title, "state": record.state,
            "done": record.done, "total": record.total, "message": record.message,
            "result": record.result, "error": record.error, "created": record.created,
            "finished": record.finished, "url": reverse("api:job", args=[record.pk])}


def _accepted(record) -> Response:
    data = _job_data(record)
    return Response(s.JobSerializer(data).data, status=status.HTTP_202_ACCEPTED,
                    headers={"Location": data["url"]})


class JobDetail(APIView):
    """A background job you started (a large deposit): its state, progress and result."""

    parser_classes = JSON_ONLY
    permission_classes = TOKEN_PERMISSIONS_READ
    serializer_class = s.JobSerializer

    @extend_schema(responses={200: s.JobSerializer, **READ_ERRORS, 401: ERRORS[401],
                              403: ERRORS[403]})
    def get(self, request, pk):
        from webapp.jobs.models import Job

        record = get_object_or_404(Job, pk=pk, owner=request.user)
        return Response(s.JobSerializer(_job_data(record)).data)


def _valid(serializer_class, data, **kwargs) -> dict:
    serializer = serializer_class(data=data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


class ArticleDetail(APIView):
    parser_classes = JSON_ONLY
    serializer_class = s.ArticleSerializer

    @extend_schema(responses={200: s.ArticleSerializer, **READ_ERRORS})
    def get(self, request, pk: int):
        return Response(s.ArticleSerializer(_visible_article(request, pk)).data)

    @extend_schema(request=s.ArticleUpdateSerializer,
                   responses={200: s.ArticleSerializer, **ERRORS})
    def patch(self, request, pk: int):
        article = _visible_article(request, pk)
        data = _valid(s.ArticleUpdateSerializer, request.data, partial=True)
        article = actions.update_article(request.user, article, **data)
        return Response(s.ArticleSerializer(article).data)


class ArticleCodelists(APIView):
    parser_classes = JSON_ONLY
    serializer_class = s.CodelistSerializer

    @extend_schema(responses={200: s.CodelistSerializer(many=True), **READ_ERRORS})
    def get(self, request, pk: int):
        article = _visible_article(request, pk)
        qs = article.codelists.select_related("latest_version", "article",
                                              "derived_from__article").prefetch_related("tags")
        return Response(s.CodelistSerializer(qs, many=True, context={"request": request}).data)

    @extend_schema(request=s.CodelistInputSerializer,
                   responses={201: s.CodelistSerializer, 202: ACCEPTED, **ERRORS})
    def post(self, request, pk: int):
        """Deposit a ``.codelist`` file: checked like an upload; errors refuse it (422)."""
        article = _visible_article(request, pk)
        data = _valid(s.CodelistInputSerializer, request.data)
        from webapp.repository.permissions import require_change

        require_change(request.user, article)
        source = None
        if data.get("derived_from"):
            source = _visible_codelist(request, data["derived_from"])
        name = data.get("filename") or "upload.codelist"
        if deposit_jobs.is_large(data["text"]):
            return _accepted(deposit_jobs.submit_text(
                request.user, data["text"], name, article_id=article.pk,
                derived_from=source.pk if source else None))
        entry = deposit.check_codelist_text({"name": name, "text": data["text"]})
        if deposit.has_errors(entry):
            raise ProblemsFound(entry["problems"])
        codelist = actions.add_codelist(request.user, article, actions.NewCodelist(
            text=data["text"], filename=entry["name"], derived_from=source))
        return Response(s.CodelistSerializer(codelist, context={"request": request}).data,
                        status=status.HTTP_201_CREATED)


CODELIST_FILTERS = [
    OpenApiParameter("q", str, description="keyword over titles, descriptions and terms"),
    OpenApiParameter("code", str, description="codelists whose latest version includes it"),
    OpenApiParameter("tag", str, description="tag or disease group"),
    OpenApiParameter("system", str, description="coding system, e.g. snomedct"),
]


class CodelistList(generics.ListAPIView):
    parser_classes = JSON_ONLY
    serializer_class = s.CodelistSerializer

    def get_queryset(self):
        p = self.request.query_params
        return queries.search_codelists(
            self.request.user, q=_str(p.get("q")), code=_str(p.get("code"), 64),
            tag=_str(p.get("tag")), system=_str(p.get("system"), 40))

    @extend_schema(parameters=CODELIST_FILTERS,
                   responses={200: s.CodelistSerializer(many=True), **READ_ERRORS})
    def get(self, request, *args, **kwargs):
        """A page of codelists, built from plain rows (webapp/api/rows.py): the same items
        as CodelistSerializer gives, at a fraction of the cost."""
        page = self.paginator.paginate_rows(self.get_queryset(), rows.codelist_values, request)
        return self.get_paginated_response(rows.codelist_items(page, request.user))


class CodelistDetail(APIView):
    parser_classes = JSON_ONLY
    serializer_class = s.CodelistSerializer

    @extend_schema(responses={200: s.CodelistSerializer, **READ_ERRORS})
    def get(self, request, pk: int):
        return Response(s.CodelistSerializer(_visible_codelist(request, pk),
                                             context={"request": request}).data)


class VersionList(APIView):
    parser_classes = JSON_ONLY
    serializer_class = s.VersionSerializer

    @extend_schema(responses={200: s.VersionSerializer(many=True), **READ_ERRORS})
    def get(self, request, pk: int):
        codelist = _visible_codelist(request, pk)
        versions = (codelist.versions.select_related("created_by").order_by("number")
                    .prefetch_related("compatibility__release"))
        return Response(s.VersionSerializer(versions, many=True).data)

    @extend_schema(request=s.VersionInputSerializer,
                   responses={201: s.VersionSerializer, 202: ACCEPTED, **ERRORS})
    def post(self, request, pk: int):
        """Publish a new immutable version (earlier versions never change)."""
        codelist = _visible_codelist(request, pk)
        data = _valid(s.VersionInputSerializer, request.data)
        from webapp.repository.permissions import require_change

        require_change(request.user, codelist.article)
        if deposit_jobs.is_large(data["text"]):
            return _accepted(deposit_jobs.submit_text(
                request.user, data["text"], f"{codelist.slug}.codelist",
                codelist_id=codelist.pk, note=data.get("note", "")))
        entry = deposit.check_codelist_text({"name": f"{codelist.slug}.codelist",
                                             "text": data["text"]})
        if deposit.has_errors(entry):
            raise ProblemsFound(entry["problems"])
        version = actions.add_version(request.user, codelist, data["text"],
                                      note=data.get("note", ""))
        return Response(s.VersionSerializer(version).data, status=status.HTTP_201_CREATED)


def _version(codelist: Codelist, number: int):
    version = codelist.versions.filter(number=number).first()
    if version is None:
        raise Http404
    return version


class VersionDetail(APIView):
    parser_classes = JSON_ONLY
    serializer_class = s.VersionDetailSerializer

    @extend_schema(responses={200: s.VersionDetailSerializer, **READ_ERRORS})
    def get(self, request, pk: int, number: int):
        version = _version(_visible_codelist(request, pk), number)
        return Response(s.VersionDetailSerializer(version).data)


class VersionCodes(generics.ListAPIView):
    parser_classes = JSON_ONLY
    serializer_class = s.CodeSerializer

    def get_queryset(self):
        codelist = _visible_codelist(self.request, self.kwargs["pk"])
        version = _version(codelist, self.kwargs["number"])
        wanted = _str(self.request.query_params.get("status"), 20)
        return queries.codes_of(version, status=wanted if wanted in CodeStatus.values else None,
                                q=_str(self.request.query_params.get("q"), 100))

    @extend_schema(parameters=[OpenApiParameter("status", str, enum=CodeStatus.values),
                               OpenApiParameter("q", str)],
                   responses={200: s.CodeSerializer(many=True), **READ_ERRORS})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


FILE = {(200, "*/*"): OpenApiTypes.BINARY, **{(k, "application/json"): v
                                              for k, v in READ_ERRORS.items()}}


class VersionDownload(APIView):
    parser_classes = JSON_ONLY
    @extend_schema(responses=FILE, parameters=[OpenApiParameter(
        "fmt", str, OpenApiParameter.PATH, enum=["csv", "codelist", "fhir", "opencodelists"])])
    def get(self, request, pk: int, number: int, fmt: str):
        codelist = _visible_codelist(request, pk)
        if fmt not in ("csv", "codelist", "fhir", "opencodelists"):
            raise Http404
        return downloads.codelist_download(codelist, _version(codelist, number), fmt)


class ArticleDownload(APIView):
    parser_classes = JSON_ONLY
    @extend_schema(responses=FILE, parameters=[OpenApiParameter(
        "fmt", str, OpenApiParameter.PATH, enum=["csv", "zip", "json"])])
    def get(self, request, pk: int, fmt: str):
        article = _visible_article(request, pk)
        if fmt not in ("csv", "zip", "json"):
            raise Http404
        base = request.build_absolute_uri("/").rstrip("/")
        return downloads.article_download(article, fmt, describe.research_object(article, base))


def _token_data(token: ApiToken, key: str | None = None) -> dict:
    data = {"id": token.pk, "name": token.name, "prefix": token.prefix, "scope": token.scope,
            "created": token.created, "expires": token.expires,
            "last_used": token.last_used, "revoked": token.revoked}
    if key:
        data["key"] = key
    return data


TOKEN_PERMISSIONS = [permissions.IsAuthenticated, TokenScopeAllows]


class TokenList(APIView):
    """Your API tokens (read scope or better); creating one needs a session or a write
    token, and a token never outlives 365 days."""

    parser_classes = JSON_ONLY
    permission_classes = TOKEN_PERMISSIONS
    serializer_class = s.TokenSerializer

    @extend_schema(responses={200: s.TokenSerializer(many=True), 401: ERRORS[401],
                              403: ERRORS[403]})
    def get(self, request):
        tokens = request.user.api_tokens.all()
        return Response(s.TokenSerializer([_token_data(t) for t in tokens], many=True).data)

    @extend_schema(request=s.TokenInputSerializer, responses={201: s.NewTokenSerializer,
                                                              **ERRORS})
    def post(self, request):
        data = _valid(s.TokenInputSerializer, request.data)
        token, key = account_actions.create_token(
            request.user, data["name"], scope=data.get("scope", TokenScope.READ),
            days=data.get("expires_in_days", account_actions.TOKEN_DEFAULT_DAYS))
        return Response(s.NewTokenSerializer(_token_data(token, key)).data,
                        status=status.HTTP_201_CREATED)


class TokenDetail(APIView):
    parser_classes = JSON_ONLY
    permission_classes = TOKEN_PERMISSIONS
    serializer_class = s.TokenSerializer

    def _token(self, request, pk: int) -> ApiToken:
        return get_object_or_404(ApiToken, pk=pk, user=request.user)

    @extend_schema(responses={200: s.TokenSerializer, **READ_ERRORS, 401: ERRORS[401],
                              403: ERRORS[403]})
    def get(self, request, pk: int):
        return Response(s.TokenSerializer(_token_data(self._token(request, pk))).data)

    @extend_schema(request=s.TokenUpdateSerializer, responses={200: s.TokenSerializer, **ERRORS})
    def patch(self, request, pk: int):
        token = self._token(request, pk)
        data = _valid(s.TokenUpdateSerializer, request.data)
        if data.get("name"):
            account_actions.rename_token(token, data["name"])
        if data.get("revoked"):
            account_actions.revoke_token(token)
        return Response(s.TokenSerializer(_token_data(token)).data)

    @extend_schema(responses={204: None, **ERRORS})
    def delete(self, request, pk: int):
        """Revoke the token (it stays listed, marked revoked)."""
        account_actions.revoke_token(self._token(request, pk))
        return Response(status=status.HTTP_204_NO_CONTENT)
