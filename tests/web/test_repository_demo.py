"""load_demo: real shared codelists imported with the library and deposited by actions."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from webapp.repository.models import Article, Codelist

pytestmark = pytest.mark.django_db


def test_load_demo_deposits_real_codelists_once(shared, monkeypatch, capsys):
    monkeypatch.setenv("CODELISTS_SHARED", str(shared))
    call_command("load_demo", limit=3)
    assert Article.objects.count() == 3
    assert Codelist.objects.count() == 9
    systems = set(Codelist.objects.values_list("coding_system", flat=True))
    assert {"ctv3", "readv2"} <= systems
    caliber = Article.objects.get(doi="10.1016/S2589-7500(19)30012-3")
    assert caliber.licence == "MIT"
    assert all("licence: MIT" in c.latest_version.text for c in caliber.codelists.all())
    call_command("load_demo", limit=3)
    assert Codelist.objects.count() == 9
    assert "already loaded" in capsys.readouterr().out
