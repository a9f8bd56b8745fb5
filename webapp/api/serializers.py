"""API representations (read) and inputs (write)."""

from __future__ import annotations

from django.core.validators import RegexValidator
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from webapp.accounts.models import TokenScope
from webapp.repository.models import (
    Article,
    ArticleType,
    Code,
    Codelist,
    CodelistVersion,
    Compatibility,
)
from webapp.repository.validation import (
    LICENCE_PATTERN,
    SINGLE_LINE_PATTERN,
    single_line_problem,
)


class ArticleSerializer(serializers.ModelSerializer):
    tags = serializers.SlugRelatedField(many=True, read_only=True, slug_field="name")
    codelist_count = serializers.SerializerMethodField()
    depositor = serializers.CharField(source="created_by.username", read_only=True)
    link = serializers.CharField(read_only=True, help_text="a web address, or empty")

    class Meta:
        model = Article
        fields = ["id", "is_collection", "title", "authors", "journal", "year", "doi", "pmid",
                  "abstract", "article_type", "link", "licence", "embargo_until", "tags",
                  "codelist_count", "depositor", "created", "updated"]

    def get_codelist_count(self, obj) -> int:
        annotated = getattr(obj, "n_codelists", None)
        return annotated if annotated is not None else obj.codelists.count()


ONE_LINE = [RegexValidator(SINGLE_LINE_PATTERN, "must be one line without control characters")]
#: text of several lines: no NUL characters (DRF refuses them; the schema says so)
NO_NUL = [RegexValidator(r"^[^\x00]*$", "must not contain NUL characters")]


class ArticleInputSerializer(serializers.Serializer):
    is_collection = serializers.BooleanField(required=False)
    title = serializers.CharField(max_length=500, validators=ONE_LINE)
    authors = serializers.CharField(required=False, allow_blank=True, validators=NO_NUL)
    journal = serializers.CharField(max_length=300, required=False, allow_blank=True,
                                    validators=ONE_LINE)
    year = serializers.IntegerField(min_value=1900, max_value=2100, required=False,
                                    allow_null=True)
    doi = serializers.CharField(max_length=200, required=False, allow_blank=True,
                                validators=ONE_LINE)
    pmid = serializers.RegexField(r"^\d{1,12}$", required=False, allow_blank=True)
    abstract = serializers.CharField(required=False, allow_blank=True, validators=NO_NUL)
    article_type = serializers.ChoiceField(choices=ArticleType.choices, required=False)
    link = serializers.RegexField(r"^https?://[^\s\x00-\x1f\x7f]+$", max_length=500,
                                  required=False, allow_blank=True,
                                  help_text="a web address (http or https)")
    licence = serializers.RegexField(LICENCE_PATTERN, max_length=100, required=False,
                                     help_text="an SPDX-like name, e.g. CC-BY-4.0")
    embargo_until = serializers.DateField(required=False, allow_null=True)
    tags = serializers.ListField(child=serializers.CharField(max_length=100, validators=ONE_LINE),
                                 required=False,
                                 max_length=50)


    def validate(self, attrs):
        errors = {f: [p] for f, v in attrs.items() if (p := single_line_problem(f, v))}
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class ArticleUpdateSerializer(ArticleInputSerializer):
    title = serializers.CharField(max_length=500, required=False)


class CodelistSerializer(serializers.ModelSerializer):
    tags = serializers.SlugRelatedField(many=True, read_only=True, slug_field="name")
    latest_version = serializers.IntegerField(source="latest_version.number", read_only=True,
                                              allow_null=True)
    licence = serializers.CharField(source="article.licence", read_only=True)
    derived_from = serializers.SerializerMethodField(
        help_text="the codelist this one derives from, when you may see it")

    class Meta:
        model = Codelist
        fields = ["id", "slug", "article", "title", "description", "coding_system",
                  "code_count", "latest_version", "derived_from", "tags", "licence",
                  "created", "updated"]


    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_derived_from(self, obj) -> int | None:
        """An embargoed source is not named (not even by its number)."""
        if obj.derived_from_id is None:
            return None
        from webapp.repository.permissions import can_view

        request = self.context.get("request")
        user = getattr(request, "user", None)
        return obj.derived_from_id if can_view(user, obj.derived_from.article) else None


class ReleaseResultSerializer(serializers.ModelSerializer):
    """The version on one terminology release the site checked it against."""

    coding_system = serializers.CharField(source="release.coding_system")
    edition = serializers.CharField(source="release.edition")
    release = serializers.CharField(source="release.release", help_text="YYYYMMDD")
    label = serializers.CharField(source="release.label")

    class Meta:
        model = Compatibility
        fields = ["coding_system", "edition", "release", "label", "compatible",
                  "needs_decision", "counts", "summary", "checked"]


class VersionSerializer(serializers.ModelSerializer):
    created_by = serializers.CharField(source="created_by.username", read_only=True)
    releases = ReleaseResultSerializer(source="compatibility", many=True, read_only=True,
                                       help_text="the releases this version was checked "
                                                 "against: compatible (its codes are "
                                                 "unchanged there) or affected")

    class Meta:
        model = CodelistVersion
        fields = ["number", "created", "created_by", "note", "sha256", "metadata", "releases"]


class VersionDetailSerializer(VersionSerializer):
    class Meta(VersionSerializer.Meta):
        fields = [*VersionSerializer.Meta.fields, "text"]


class CodeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Code
        fields = ["code", "term", "status", "line", "comment"]


class CodelistInputSerializer(serializers.Serializer):
    text = serializers.CharField(help_text="The .codelist file, as text.", max_length=5_000_000,
                                 validators=NO_NUL)
    filename = serializers.CharField(required=False, allow_blank=True, max_length=200,
                                     validators=ONE_LINE)
    derived_from = serializers.IntegerField(required=False, allow_null=True)


class VersionInputSerializer(serializers.Serializer):
    text = serializers.CharField(help_text="The .codelist file, as text.", max_length=5_000_000,
                                 validators=NO_NUL)
    note = serializers.CharField(required=False, allow_blank=True, max_length=500,
                                 validators=ONE_LINE)


class TokenSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(max_length=100)
    prefix = serializers.CharField(read_only=True)
    scope = serializers.ChoiceField(choices=TokenScope.choices, read_only=True)
    created = serializers.DateTimeField(read_only=True)
    expires = serializers.DateTimeField(read_only=True, allow_null=True,
                                        help_text="After this the token is refused.")
    last_used = serializers.DateTimeField(read_only=True, allow_null=True)
    revoked = serializers.BooleanField(read_only=True)


class TokenInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100, validators=ONE_LINE)
    scope = serializers.ChoiceField(choices=TokenScope.choices, default=TokenScope.READ,
                                    help_text="read: GET only; write: may also deposit")
    expires_in_days = serializers.IntegerField(
        min_value=1, max_value=365, default=90,
        help_text="lifetime in days (1-365, default 90)")


class NewTokenSerializer(TokenSerializer):
    key = serializers.CharField(read_only=True, help_text="Shown once; store it safely.")


class TokenUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100, required=False, validators=ONE_LINE)
    revoked = serializers.BooleanField(required=False)


class ErrorDetailSerializer(serializers.Serializer):
    status = serializers.IntegerField()
    code = serializers.CharField()
    message = serializers.CharField()
    details = serializers.JSONField(required=False)


class ErrorSerializer(serializers.Serializer):
    error = ErrorDetailSerializer()


class JobSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    title = serializers.CharField()
    state = serializers.ChoiceField(choices=["queued", "running", "done", "failed"])
    done = serializers.IntegerField()
    total = serializers.IntegerField(allow_null=True)
    message = serializers.CharField(allow_blank=True)
    result = serializers.JSONField(help_text="when done: codelist, version, url, api_url; "
                                             "when failed: problems (if any)")
    error = serializers.CharField(allow_blank=True)
    created = serializers.DateTimeField()
    finished = serializers.DateTimeField(allow_null=True)
    url = serializers.CharField()
