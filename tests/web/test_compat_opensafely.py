"""The real OpenSAFELY client (the `opensafely` package's own `codelists update` and
`codelists check` code) against our site, compared with what it wrote for the same 161
lists from OpenCodelists (the real study folder in ../shared, with its codelists.json).

Lists OpenCodelists served as uploaded CSV (old-style: CTV3, dm+d, ICD-10 headers) are
created over the OpenCodelists API with ``csv_data``; ``code,term`` lists (made with its
builder) are deposited as ``.codelist`` files through our own repository and their
download is generated from the file.
"""

from __future__ import annotations

import json
import shutil

import pytest

from codelists.formats.study import content_sha

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]
STUDY = "data/codelists/opensafely-post-covid-vaccinated/codelists"


@pytest.fixture
def study(shared):
    folder = shared / STUDY
    manifest = json.loads((folder / "codelists.json").read_text())
    return folder, manifest["files"]


def _user(username):
    from django.contrib.auth.models import User

    from webapp.accounts import actions

    return User.objects.filter(username=username).first() or actions.sign_up(
        username=username, email=f"{username}@example.org", password="correct-horse-battery-9")


def _article_for(owner_path: str, depositor, articles: dict):
    from webapp.compat import actions as compat_actions
    from webapp.repository import actions

    if owner_path not in articles:
        parts = owner_path.split("/")
        user = _user(parts[1]) if parts[0] == "user" else depositor
        article = actions.create_article(user, title=f"Lists of {owner_path}",
                                         is_collection=True)
        if parts[0] != "user":
            compat_actions.set_owner(user, article, parts[0])
        articles[owner_path] = (article, user)
    return articles[owner_path]


def _publish(folder, files, api_client, settings):
    """Every list of the study on our site under the same owner/slug/tag."""
    from codelists.codelist.fileformat import dumps
    from codelists.formats import opencodelists
    from codelists.formats.table import to_codelist
    from webapp.accounts import actions as account_actions
    from webapp.compat import actions as compat_actions
    from webapp.repository import actions

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    depositor = _user("depositor")
    articles: dict = {}
    for name, entry in files.items():
        *owner, slug, tag = entry["id"].split("/")
        article, user = _article_for("/".join(owner), depositor, articles)
        text = (folder / name).read_text(encoding="utf-8")
        imported = opencodelists.read(folder / name)
        if text.startswith("code,term\n") or text.startswith("code,term\r\n"):
            codelist = actions.add_codelist(user, article, actions.NewCodelist(
                dumps(to_codelist(imported, id=slug, title=slug))))
            assert codelist.slug == slug
            compat_actions.tag_version(user, codelist.latest_version, tag)
            continue
        _, key = account_actions.create_token(user, "upload")
        api_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        answer = api_client.post(f"/api/v1/codelist/{'/'.join(owner[-1:])}/", {
            "name": slug, "slug": slug, "tag": tag, "coding_system_id": imported.system,
            "coding_system_database_alias": "any", "csv_data": text}, format="json") \
            if owner[0] != "user" else None
        if answer is None:  # a user's list: our own deposit path, keeping the CSV
            codelist = compat_actions.create_codelist(user, article, {
                "name": slug, "slug": slug, "tag": tag, "coding_system_id": imported.system,
                "csv_data": text})
        else:
            assert answer.status_code == 200, answer.content
            assert answer.json() == {"codelist": f"/codelist/{owner[0]}/{slug}/"}


@pytest.fixture
def opensafely_client(live_server, monkeypatch):
    from opensafely import codelists

    monkeypatch.setattr(codelists, "OPENCODELISTS_BASE_URL", live_server.url)
    return codelists


def test_update_and_check_match_opencodelists(study, tmp_path, api_client, settings,
                                              opensafely_client, monkeypatch, capsys):
    folder, files = study
    _publish(folder, files, api_client, settings)
    ours = tmp_path / "codelists"
    ours.mkdir()
    shutil.copy(folder / "codelists.txt", ours / "codelists.txt")

    assert opensafely_client.update(codelists_dir=ours)

    written = json.loads((ours / "codelists.json").read_text())["files"]
    assert set(written) == set(files)
    trailing = []
    for name, entry in files.items():
        assert written[name]["id"] == entry["id"]
        assert written[name]["sha"] == content_sha((ours / name).read_bytes())
        if written[name]["sha"] != entry["sha"]:
            trailing.append(name)
            # the only difference .codelist files cannot keep: terms' trailing spaces
            theirs = [line.rstrip() for line in (folder / name).read_text().splitlines()]
            assert (ours / name).read_text().splitlines() == \
                [",".join(c.rstrip() for c in line.split(",")) for line in theirs]
    assert len(trailing) <= 3, trailing

    monkeypatch.chdir(tmp_path)
    assert opensafely_client.check()
    assert "Codelists OK" in capsys.readouterr().out


def test_check_reports_an_upstream_change(tmp_path, opensafely_client, monkeypatch,
                                          capsys, web_article):
    from tests.plugins.web import ASTHMA, make_codelist_text
    from webapp.repository import actions

    codelist = web_article.codelists.get()
    ours = tmp_path / "codelists"
    ours.mkdir()
    (ours / "codelists.txt").write_text(f"article-{web_article.pk}/asthma/latest\n")
    assert opensafely_client.update(codelists_dir=ours)
    monkeypatch.chdir(tmp_path)
    assert opensafely_client.check()
    assert "Codelists OK" in capsys.readouterr().out

    newer = dict(ASTHMA, active=[*ASTHMA["active"], ("59786004", "Weed pollen asthma")])
    actions.add_version(web_article.created_by, codelist, make_codelist_text(**newer))
    with pytest.raises(SystemExit) as exited:
        opensafely_client.check()
    assert exited.value.code == 1
    out = capsys.readouterr().out
    assert "Some codelists are out of date" in out
    assert f"article-{web_article.pk}/asthma/latest" in out

    assert opensafely_client.update(codelists_dir=ours)
    assert "59786004" in (ours / f"article-{web_article.pk}-asthma.csv").read_text()
    assert opensafely_client.check()
