"""The search page's tag cloud: what the visitor may see, most used first, shown before a
search and not above its results."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from webapp.repository.models import Article, Codelist, Tag

pytestmark = pytest.mark.django_db


def _tag(obj, *names: str) -> None:
    for name in names:
        obj.tags.add(Tag.objects.get_or_create(name=name)[0])


def test_tag_cloud_counts_what_the_visitor_may_see(client, django_user_model):
    owner = django_user_model.objects.create_user("owner", "owner@example.org", "pw-12345678")
    public = Article.objects.create(title="Public study", year=2020, created_by=owner)
    hidden = Article.objects.create(title="Embargoed study", year=2021, created_by=owner,
                                    embargo_until=timezone.localdate() + dt.timedelta(days=30))
    lists = [Codelist.objects.create(article=public, slug=f"l{i}", title=f"List {i}",
                                     coding_system="snomedct") for i in range(3)]
    secret = Codelist.objects.create(article=hidden, slug="s", title="Secret",
                                     coding_system="snomedct")
    for codelist in lists:
        _tag(codelist, "asthma")
    _tag(lists[0], "copd")
    _tag(public, "copd", "respiratory")
    _tag(secret, "secret-trial")
    _tag(hidden, "secret-trial")

    page = client.get("/search/").content.decode()
    cloud = page.split('class="tags"', 1)[1].split("</p>", 1)[0]
    names = [part.split("</a>")[0].split(">")[-1] for part in cloud.split('class="badge"')[1:]]
    assert names == ["asthma", "copd", "respiratory"]  # 3, 2 (a list and an article), 1
    assert "secret-trial" not in page


def test_results_page_has_no_tag_cloud(client, django_user_model):
    owner = django_user_model.objects.create_user("owner", "owner@example.org", "pw-12345678")
    article = Article.objects.create(title="Study", year=2020, created_by=owner)
    _tag(article, "asthma")
    assert 'class="tags"' in client.get("/search/").content.decode()
    assert 'class="tags"' not in client.get("/search/?q=study").content.decode()
