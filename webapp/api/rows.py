"""List pages of the API built from plain rows: the same JSON as the serializers
(tests compare them), without a model instance and a serializer walk per item.

A page of 50 codelists through ``CodelistSerializer`` spent most of its time building
model instances and walking DRF fields; here it is one ``values()`` query for the page,
one for the tags of the page and, only for signed-in users whose page derives from an
embargoed codelist, one for their memberships.
"""

from __future__ import annotations

from collections import defaultdict

from django.db.models import QuerySet
from django.utils import timezone
from rest_framework import serializers

from webapp.repository.models import ArticleMember, Codelist

#: the columns a codelist item is built from (a ``values()`` query of a codelist queryset)
CODELIST_COLUMNS = ("id", "slug", "article_id", "title", "description", "coding_system",
                    "code_count", "latest_version__number", "derived_from_id",
                    "derived_from__article_id", "derived_from__article__embargo_until",
                    "article__licence", "created", "updated")

_datetime = serializers.DateTimeField()


def _iso(value):
    """DRF's ISO 8601 (UTC as ``Z``), without its per-call settings lookups: the
    database gives aware datetimes in UTC, the site's time zone."""
    if value is None or value.utcoffset() is None or value.utcoffset().total_seconds():
        return _datetime.to_representation(value)  # anything unusual: DRF's own way
    text = value.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def codelist_values(queryset: QuerySet[Codelist]) -> QuerySet:
    """The queryset's rows as the dicts :func:`codelist_items` reads."""
    return queryset.values(*CODELIST_COLUMNS)


def codelist_items(rows: list[dict], user) -> list[dict]:
    """API items (as ``CodelistSerializer`` gives them) of a page of rows."""
    ids = [row["id"] for row in rows]
    tags: dict[int, list[str]] = defaultdict(list)
    for codelist_id, name in (Codelist.tags.through.objects.filter(codelist_id__in=ids)
                              .order_by("tag__name").values_list("codelist_id", "tag__name")):
        tags[codelist_id].append(name)
    visible = _visible_sources(rows, user)
    return [{
        "id": row["id"], "slug": row["slug"], "article": row["article_id"],
        "title": row["title"], "description": row["description"],
        "coding_system": row["coding_system"], "code_count": row["code_count"],
        "latest_version": row["latest_version__number"],
        "derived_from": row["derived_from_id"] if row["derived_from_id"] in visible else None,
        "tags": tags.get(row["id"], []), "licence": row["article__licence"],
        "created": _iso(row["created"]), "updated": _iso(row["updated"]),
    } for row in rows]


def _visible_sources(rows: list[dict], user) -> set[int]:
    """The codelists these rows derive from that the user may see (an embargoed source
    is not named, as in ``CodelistSerializer.get_derived_from``)."""
    today = timezone.localdate()
    visible, embargoed = set(), {}
    for row in rows:
        source = row["derived_from_id"]
        if source is None:
            continue
        until = row["derived_from__article__embargo_until"]
        if until is None or until <= today:
            visible.add(source)
        else:
            embargoed[source] = row["derived_from__article_id"]
    if embargoed and user is not None and user.is_authenticated and user.is_active:
        if user.is_staff:
            return visible | set(embargoed)
        mine = set(ArticleMember.objects.filter(user=user, article_id__in=embargoed.values())
                   .values_list("article_id", flat=True))
        visible |= {source for source, article in embargoed.items() if article in mine}
    return visible
