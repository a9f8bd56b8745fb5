"""The codelist page as a reader wants it: the hierarchy tree drawn from the terminology
installed on the site, the full list in hierarchy or natural code order, the method as a
document, and nothing a reader should not see (placeholders, local paths, raw tags)."""

from __future__ import annotations

import csv
import re

import pytest
from django.urls import reverse

from tests.plugins.web import make_codelist_text
from webapp.repository import actions

pytestmark = pytest.mark.django_db

ELBOW = ("data/terminologies/opencodelists-fixtures/coding_systems/snomedct/fixtures/"
         "disorder-of-elbow.csv")


@pytest.fixture
def elbow_codelist(web_users, shared):
    rows = list(csv.DictReader(open(shared / ELBOW, encoding="utf-8")))
    article = actions.create_article(web_users["depositor"], title="Elbow", authors="A",
                                     year=2024)
    active = [(r["code"], r["name"]) for r in rows if r["code"] != "239964003"]
    return actions.add_codelist(web_users["depositor"], article, actions.NewCodelist(
        make_codelist_text(id="elbow", title="Disorder of elbow", system="snomedct",
                           active=active,
                           excluded=[("239964003", "Soft tissue lesion of elbow region")])))


def _page(client, codelist, query="") -> str:
    return client.get(reverse("repository:codelist", args=[codelist.pk]) + query
                      ).content.decode()


def _tree(page: str) -> str:
    return page[page.index('role="tree"'):page.index("</section>", page.index('role="tree"'))]


def test_the_tree_puts_each_code_under_its_nearest_ancestor(client, site_snomed,
                                                          elbow_codelist):
    tree = _tree(_page(client, elbow_codelist))
    # the ARIA tree: the top concept at level 1, arthritis of elbow below arthropathy
    top = re.search(r'<li role="treeitem" aria-level="1" data-code="128133004"', tree)
    assert top is not None
    arthropathy = tree.index('data-code="429554009"')
    arthritis = tree.index('data-code="439656005"')
    assert top.start() < arthropathy < arthritis
    assert 'aria-level="3" data-code="439656005"' in tree
    # the excluded code is drawn in the tree as excluded, not dropped
    assert re.search(r'data-code="239964003" class="node excluded"', tree)
    # 202855006 Lateral epicondylitis has two parents in the list: shown under both
    assert tree.count('data-code="202855006"') == 2
    # the inactive 156659008 has no parents in the release: at the top, not hidden
    assert 'aria-level="1" data-code="156659008"' in tree


def test_without_a_release_the_page_says_so(client, elbow_codelist):
    page = _page(client, elbow_codelist)
    assert 'role="tree"' not in page
    assert "No SNOMED CT release is installed on this site" in page


def test_codes_the_release_does_not_know_are_counted(client, site_snomed, web_users):
    article = actions.create_article(web_users["depositor"], title="Mixed", authors="A")
    codelist = actions.add_codelist(web_users["depositor"], article, actions.NewCodelist(
        make_codelist_text(id="mixed", title="Mixed", system="snomedct",
                           active=[("128133004", "Disorder of elbow"),
                                   ("195967001", "Asthma")])))
    page = _page(client, codelist)
    assert "knows 1 of the 2 codes of this list" in page


def _codes_in_table(page: str) -> list[str]:
    table = page[page.index('id="codes-active"'):]
    table = table[:table.index("</table>")]
    return re.findall(r"<code>([^<]+)</code>", table)


def test_the_full_list_in_natural_code_order(client, web_users):
    article = actions.create_article(web_users["depositor"], title="Order", authors="A")
    codes = ["100801000119107", "10217006", "10058006", "9999001"]
    codelist = actions.add_codelist(web_users["depositor"], article, actions.NewCodelist(
        make_codelist_text(id="order", title="Order", system="snomedct",
                           active=[(c, f"term {c}") for c in codes])))
    page = _page(client, codelist)  # no release installed: by code, numbers numerically
    assert _codes_in_table(page) == ["9999001", "10058006", "10217006", "100801000119107"]
    assert _codes_in_table(_page(client, codelist, "?order=file")) == codes


def test_the_full_list_in_hierarchy_order(client, site_snomed, elbow_codelist):
    page = _page(client, elbow_codelist)
    codes = _codes_in_table(page)
    assert codes.index("128133004") < codes.index("429554009")
    assert codes.index("429554009") < codes.index("439656005") < codes.index("202855006")
    # filtered rows keep the order (the htmx partial)
    partial = client.get(reverse("repository:codelist-codes", args=[elbow_codelist.pk])
                         + "?status=active&order=hierarchy&q=elbow").content.decode()
    found = re.findall(r"<code>([^<]+)</code>", partial)
    assert found.index("128133004") < found.index("429554009") and "73583000" not in found


def test_no_placeholders_local_paths_or_raw_tags_are_shown(client, web_users):
    from codelists.codelist.fileformat import dumps, parse

    text = make_codelist_text(id="tags", title="Tags", system="snomedct",
                              active=[("195967001", "Asthma")])
    codelist = parse(text)
    codelist.meta["methodology"] = "Imported from OpenCodelists CSV /tmp/tmpab12cd/asthma.csv"
    codelist.set_tags("195967001", uncertainty="1", reason="partial-agreement")
    article = actions.create_article(web_users["depositor"], title="Tags", authors="A")
    saved = actions.add_codelist(web_users["depositor"], article,
                                 actions.NewCodelist(dumps(codelist)))
    page = _page(client, saved)
    assert "Describe appropriate use here." not in page
    assert "/tmp/" not in page and "Imported from OpenCodelists CSV asthma.csv" in page
    assert "uncertainty=1" not in page
    assert "uncertainty: 1 · reason: partial agreement" in page


def test_the_method_is_a_document_not_data(client, web_users, test_data):
    text = (test_data / "method-sob" / "sob.codelist").read_text(encoding="utf-8")
    article = actions.create_article(web_users["depositor"], title="SOB", authors="A")
    codelist = actions.add_codelist(web_users["depositor"], article,
                                    actions.NewCodelist(text, filename="sob.codelist"))
    page = _page(client, codelist)
    method = page[page.index('id="panel-method"'):]
    method = method[:method.index("</section>")]
    assert "Definition of the clinical feature" in method
    assert "<table>" in method and "Terms (match mode)" in method  # the rules as a table
    assert "[{" not in method and "{&#x27;" not in method  # no Python reprs
    assert "Methods report:" not in method  # the page has its own title


def _definition(page: str) -> str:
    panel = page[page.index('id="panel-definition"'):]
    return panel[:panel.index("</section>")]


def test_a_list_without_a_definition_shows_the_inferred_one(client, site_snomed, web_users,
                                                            shared):
    rows = csv.DictReader(open(shared / ELBOW.replace("disorder-of-elbow",
                                                      "disorder-of-elbow-excl-arthritis"),
                               encoding="utf-8"))
    article = actions.create_article(web_users["depositor"], title="Elbow", authors="A")
    codelist = actions.add_codelist(web_users["depositor"], article, actions.NewCodelist(
        make_codelist_text(id="e", title="Elbow without arthritis", system="snomedct",
                           active=[(r["code"], r["name"]) for r in rows])))
    panel = _definition(_page(client, codelist))
    assert "records no definition" in panel
    decisions = re.findall(r"<td>(include|exclude), with descendants</td><td><code>(\d+)",
                           panel)
    assert decisions == [("include", "128133004"), ("exclude", "439656005")]


def test_without_a_release_no_definition_is_invented(client, elbow_codelist):
    panel = _definition(_page(client, elbow_codelist))
    assert "records no definition (no ECL" in panel
