"""``manage.py check_release``: published codelists checked against a new release (the
tennis-elbow slice and its merged successor, tests/plugins/snomed.py)."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command

from codelists.codelist.definition import Definition, Rule
from tests.plugins.web import defined_text, make_codelist_text
from webapp.repository import actions

pytestmark = pytest.mark.django_db


def test_release_check_flags_affected_versions(web_users, snomed_elbow_store,
                                               snomed_tennis_merged_store):
    user = web_users["depositor"]
    article = actions.create_article(user, title="Soft tissue")
    actions.deposit(user, article, [
        actions.NewCodelist(defined_text(snomed_elbow_store, "soft-tissue",
                                         Definition(ecl="<< 19660004"))),
        actions.NewCodelist(defined_text(snomed_elbow_store, "elbow",
                                         Definition(rules=(Rule("128133004", True),)))),
        actions.NewCodelist(make_codelist_text(id="icd", system="icd10",
                                               active=[("J45.0", "Asthma")])),
    ])
    out = io.StringIO()
    with pytest.raises(SystemExit) as exited:
        call_command("check_release", str(snomed_tennis_merged_store), "--json", stdout=out)
    assert exited.value.code == 1
    data = json.loads(out.getvalue())
    assert data["release"] == "20201015"
    rows = {r["codelist"]: r for r in data["codelists"]}
    assert set(rows) == {"soft-tissue", "elbow"}  # the ICD-10 list is another system's
    assert rows["elbow"]["compatible"] is True
    assert rows["soft-tissue"]["compatible"] is False
    assert rows["soft-tissue"]["changes"] == {"new": 14}
    out = io.StringIO()
    call_command("check_release", str(snomed_elbow_store), stdout=out)  # its own release
    assert "2 codelist(s) checked against 20200415; 0 affected" in out.getvalue()
