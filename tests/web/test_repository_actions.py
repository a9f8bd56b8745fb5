"""Repository actions: deposit, versions, derived-from, and the permission matrix."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from codelists.errors import CodelistFormatError, UserError
from tests.plugins.web import ASTHMA, CHANGERS, MANAGERS, ROLES, make_codelist_text
from webapp.repository import actions
from webapp.repository.models import Article, Code, Codelist, CodelistVersion

pytestmark = pytest.mark.django_db


def test_deposit_stores_versions_and_codes(web_article):
    codelist = web_article.codelists.get()
    assert codelist.slug == "asthma"
    assert codelist.coding_system == "snomedct"
    assert [v.number for v in codelist.versions.order_by("number")] == [1, 2]
    assert codelist.latest_version.number == 2
    assert codelist.code_count == 3
    statuses = dict(codelist.latest_version.codes.values_list("code", "status"))
    assert statuses == {"195967001": "active", "233678006": "active", "266361008": "active",
                        "41553006": "excluded", "57607007": "pending"}
    first = codelist.versions.get(number=1)
    assert "266361008" not in first.text
    assert first.codes.filter(code="195967001").get().line > 1


def test_article_licence_defaults_to_cc_by(web_article):
    assert web_article.licence == "CC-BY-4.0"


def test_deposit_is_all_or_nothing(web_users):
    depositor = web_users["depositor"]
    article = actions.create_article(depositor, title="Two lists")
    good = actions.NewCodelist(make_codelist_text(**ASTHMA))
    bad = actions.NewCodelist("---\nid: x\n: not yaml [\n---\n")
    with pytest.raises(CodelistFormatError):
        actions.deposit(depositor, article, [good, bad])
    assert Codelist.objects.filter(article=article).count() == 0
    assert CodelistVersion.objects.count() == 0


def test_same_text_makes_no_new_version(web_article, web_users):
    codelist = web_article.codelists.get()
    again = actions.add_version(web_users["depositor"], codelist, codelist.latest_version.text)
    assert again.number == 2 and codelist.versions.count() == 2


def test_new_version_must_keep_the_coding_system(web_article, web_users):
    codelist = web_article.codelists.get()
    icd = make_codelist_text(id="asthma", system="icd10", active=[("J45.0", "Asthma")])
    with pytest.raises(UserError, match="coding system"):
        actions.add_version(web_users["depositor"], codelist, icd)


def test_derived_from_links_both_ways(web_article, web_users):
    depositor = web_users["depositor"]
    source = web_article.codelists.get()
    other = actions.create_article(depositor, title="Another study")
    derived = actions.add_codelist(depositor, other, actions.NewCodelist(
        make_codelist_text(id="asthma-narrow", title="Asthma (narrow)",
                           active=[("195967001", "Asthma")]), derived_from=source))
    assert derived.derived_from == source
    assert list(source.derivatives.all()) == [derived]
    with pytest.raises(UserError):
        actions.set_derived_from(depositor, derived, derived)


def test_embargoed_article_is_visible_only_to_its_members(web_users):
    import datetime as dt

    article = actions.create_article(web_users["depositor"], title="Secret",
                                     embargo_until=dt.date.today() + dt.timedelta(days=30))
    visible = {role: Article.objects.visible_to(u).filter(pk=article.pk).exists()
               for role, u in web_users.items()}
    assert visible == {"anonymous": False, "other": False, "depositor": True,
                       "coauthor": False, "admin": True}


# -- the permission matrix: every write, every role -------------------------------------
def _writes(article, users):
    codelist = article.codelists.get()
    new_text = make_codelist_text(**dict(ASTHMA, active=[("195967001", "Asthma")]))
    return {
        "update_article": (CHANGERS, lambda u: actions.update_article(u, article, title="New")),
        "add_codelist": (CHANGERS, lambda u: actions.add_codelist(u, article, actions.NewCodelist(
            make_codelist_text(id="copd", title="COPD", active=[("13645005", "COPD")])))),
        "deposit": (CHANGERS, lambda u: actions.deposit(u, article, [actions.NewCodelist(
            make_codelist_text(id="flu", title="Flu", active=[("6142004", "Influenza")]))])),
        "add_version": (CHANGERS, lambda u: actions.add_version(u, codelist, new_text)),
        "set_derived_from": (CHANGERS, lambda u: actions.set_derived_from(u, codelist, None)),
        "add_coauthor": (MANAGERS, lambda u: actions.add_coauthor(u, article, users["other"])),
        "remove_coauthor": (MANAGERS,
                            lambda u: actions.remove_coauthor(u, article, users["coauthor"])),
    }


WRITES = ["update_article", "add_codelist", "deposit", "add_version", "set_derived_from",
          "add_coauthor", "remove_coauthor"]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("write", WRITES)
def test_permission_matrix_for_actions(web_article, web_users, write, role):
    allowed, call = _writes(web_article, web_users)[write]
    before = (CodelistVersion.objects.count(), Code.objects.count(),
              web_article.members.count(), Article.objects.get(pk=web_article.pk).title)
    if role in allowed:
        call(web_users[role])
    else:
        with pytest.raises(PermissionDenied):
            call(web_users[role])
        after = (CodelistVersion.objects.count(), Code.objects.count(),
                 web_article.members.count(), Article.objects.get(pk=web_article.pk).title)
        assert after == before


def test_create_article_needs_an_account(web_users):
    with pytest.raises(PermissionDenied):
        actions.create_article(None, title="x")
    article = actions.create_article(web_users["other"], title="Mine")
    assert article.members.get().role == "depositor"


def test_lifting_an_embargo(web_users):
    import datetime as dt

    depositor = web_users["depositor"]
    article = actions.create_article(depositor, title="Soon", year=2026,
                                     embargo_until=dt.date.today() + dt.timedelta(days=9))
    actions.update_article(depositor, article, embargo_until=None, title="Out now")
    article.refresh_from_db()
    assert article.embargo_until is None and article.year == 2026
    assert Article.objects.visible_to(None).filter(pk=article.pk).exists()
