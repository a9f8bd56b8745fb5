"""`codelist pull` and `codelist check --upstream` against the live site, and the folder
they write checked by the real `opensafely codelists check` too."""

from __future__ import annotations

import contextlib
import io
import json

import pytest

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def cli(*argv) -> tuple[int, str, str]:
    from codelists.cli.main import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def study(tmp_path, web_article):
    folder = tmp_path / "codelists"
    folder.mkdir()
    (folder / "codelists.txt").write_text(
        f"# our asthma list, always the newest version\narticle-{web_article.pk}/asthma/latest\n")
    (folder / "stale.csv").write_text("code,term\n1,old\n")
    return folder


def test_pull_then_check_upstream(study, live_server, web_article, monkeypatch, capsys):
    from opensafely import codelists as opensafely

    from tests.plugins.web import ASTHMA, make_codelist_text
    from webapp.repository import actions

    code, out, _ = cli("pull", str(study), "--from", live_server.url)
    assert code == 0, out
    name = f"article-{web_article.pk}-asthma"
    assert (study / f"{name}.csv").read_text().startswith("code,term")
    assert "id: asthma" in (study / f"{name}.codelist").read_text()
    assert not (study / "stale.csv").exists() and "deleted stale.csv" in out
    manifest = json.loads((study / "codelists.json").read_text())["files"]
    assert list(manifest) == [f"{name}.csv"]
    assert manifest[f"{name}.csv"]["url"] == \
        f"{live_server.url}/codelist/article-{web_article.pk}/asthma/latest/"

    assert cli("check", str(study))[0] == 0
    assert cli("check", str(study), "--upstream", "--from", live_server.url)[0] == 0
    monkeypatch.setattr(opensafely, "OPENCODELISTS_BASE_URL", live_server.url)
    monkeypatch.chdir(study.parent)
    assert opensafely.check()  # the OpenSAFELY client accepts what we wrote

    newer = dict(ASTHMA, active=[*ASTHMA["active"], ("59786004", "Weed pollen asthma")])
    actions.add_version(web_article.created_by, web_article.codelists.get(),
                        make_codelist_text(**newer))
    code, out, _ = cli("check", str(study), "--upstream", "--from", live_server.url, "--json")
    assert code == 1
    problems = json.loads(out)["problems"]
    assert [p["rule"] for p in problems] == ["upstream-changed"]
    assert f"article-{web_article.pk}/asthma/latest" in problems[0]["message"]

    assert cli("pull", str(study), "--from", live_server.url)[0] == 0
    assert "59786004" in (study / f"{name}.csv").read_text()
    assert cli("check", str(study), "--upstream", "--from", live_server.url)[0] == 0


def test_pull_reports_bad_lines_and_unreachable_servers(tmp_path, live_server, web_article):
    folder = tmp_path / "codelists"
    folder.mkdir()
    (folder / "codelists.txt").write_text("\nnot-a-codelist-line\n")
    code, _, err = cli("pull", str(folder), "--from", live_server.url)
    assert code == 4 and "codelists.txt:2" in err and "owner/codelist/version" in err
    (folder / "codelists.txt").write_text(f"article-{web_article.pk}/asthma/v9\n")
    code, _, err = cli("pull", str(folder), "--from", live_server.url)
    assert code == 10 and "404" in err
    assert not (folder / "codelists.json").exists()
    (folder / "codelists.txt").write_text(f"article-{web_article.pk}/asthma/v1\n")
    code, _, err = cli("pull", str(folder), "--from", "http://127.0.0.1:9")
    assert code == 10 and "cannot reach" in err
    code, out, _ = cli("pull", str(folder), "--from", live_server.url, "--no-codelist",
                       "--json")
    assert code == 0 and json.loads(out)["codelist_files"] == []
