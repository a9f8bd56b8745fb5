"""Composition (includes by id, path and URL; cycles; exclusions win) and lock/check."""

from __future__ import annotations

import http.server
import json
import shutil
import threading
from pathlib import Path

import pytest

from codelists.codelist.compose import effective_codes, effective_members, resolve
from codelists.codelist.fileformat import dumps, load, parse
from codelists.codelist.lock import check, content_hash, file_hash, lock
from codelists.errors import CodelistFormatError, InputFileError

HEAD = "---\nid: {id}\ntitle: {id}\nterminology: SNOMED CT\n{extra}---\n"


def write(folder: Path, name: str, body: str, extra: str = "") -> Path:
    path = folder / f"{name}.codelist"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(HEAD.format(id=name, extra=extra) + body, encoding="utf-8")
    return path


@pytest.fixture
def registry(tmp_path):
    folder = tmp_path / "codelists"
    write(folder, "type-1-diabetes", "46635009       Type 1 diabetes mellitus\n")
    write(folder, "type-2-diabetes", "44054006       Type 2 diabetes mellitus\n"
                                     "313436004      Type 2 diabetes in nonobese\n")
    return folder


def test_includes_by_id_and_path_and_exclusions_win(registry, tmp_path):
    other = write(tmp_path / "elsewhere", "gestational", "11687002       Gestational\n")
    parent = write(tmp_path / "study", "diabetes",
                   "73211009       Diabetes mellitus\n# 313436004      nonobese  # reason=scope\n",
                   "includes:\n- type-1-diabetes\n- type-2-diabetes\n- ../elsewhere/gestational"
                   ".codelist\n")
    cl = load(parent)
    members = effective_members(cl, registry=registry)
    assert [m.code for m in members] == ["73211009", "46635009", "44054006", "11687002"]
    assert members[1].source == "type-1-diabetes"
    flat = resolve(cl, registry=registry)
    assert "includes" not in flat.meta
    assert set(flat.active_codes()) == {m.code for m in members}
    assert flat.line_for("46635009").tags == {"included": "type-1-diabetes"}
    assert parse(dumps(flat)).active_codes() == flat.active_codes()
    assert other.exists()


def test_registry_from_environment_and_config(registry, tmp_path, monkeypatch):
    parent = write(tmp_path / "study", "d", "", "includes:\n- type-1-diabetes\n")
    monkeypatch.setenv("CODELISTS_REGISTRY", str(registry))
    assert effective_codes(load(parent)) == ["46635009"]
    monkeypatch.delenv("CODELISTS_REGISTRY")
    (tmp_path / "study" / "codelists.toml").write_text(f'[codelists]\ndir = "{registry}"\n')
    monkeypatch.chdir(tmp_path / "study")
    assert effective_codes(load(parent)) == ["46635009"]


def test_cycles_and_missing_includes_are_errors(tmp_path):
    write(tmp_path, "a", "46635009 x\n", "includes:\n- ./b.codelist\n")
    write(tmp_path, "b", "44054006 y\n", "includes:\n- ./a.codelist\n")
    with pytest.raises(CodelistFormatError) as info:
        effective_codes(load(tmp_path / "a.codelist"))
    assert "cycle" in info.value.message and info.value.line == 5
    write(tmp_path, "c", "", "includes:\n- nowhere\n")
    with pytest.raises(InputFileError) as info:
        effective_codes(load(tmp_path / "c.codelist"), registry=tmp_path)
    assert "not found" in info.value.message and info.value.hint


def test_includes_must_share_the_coding_system(tmp_path):
    (tmp_path / "icd.codelist").write_text("---\nid: icd\nterminology: ICD-10\n---\nE11  T2DM\n")
    write(tmp_path, "p", "", "includes:\n- ./icd.codelist\n")
    with pytest.raises(CodelistFormatError):
        effective_codes(load(tmp_path / "p.codelist"))


class _Handler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep test output quiet
        pass


def test_url_includes_are_fetched_once_and_refreshed(registry, tmp_path, monkeypatch):
    served = tmp_path / "served"
    shutil.copytree(registry, served)
    monkeypatch.setenv("CODELISTS_CACHE_DIR", str(tmp_path / "cache"))
    handler = lambda *a, **k: _Handler(*a, directory=str(served), **k)  # noqa: E731
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/type-2-diabetes.codelist"
        parent = write(tmp_path, "p", "", f"includes:\n- {url}\n")
        assert effective_codes(load(parent)) == ["44054006", "313436004"]
        (served / "type-2-diabetes.codelist").write_text(
            HEAD.format(id="t2", extra="") + "44054006 T2DM\n")
        assert effective_codes(load(parent)) == ["44054006", "313436004"]  # cached
        assert effective_codes(load(parent), refresh=True) == ["44054006"]
    finally:
        server.shutdown()
        server.server_close()


def test_all_161_opensafely_hashes_verify(shared):
    folder = shared / "data/codelists/opensafely-post-covid-vaccinated/codelists"
    manifest = json.loads((folder / "codelists.json").read_text())
    assert len(manifest["files"]) == 161
    for name, entry in manifest["files"].items():
        assert file_hash(folder / name) == entry["sha"], name
    assert check(folder / "codelists.json") == []


def test_hash_ignores_line_endings():
    assert content_hash(b"a,b\r\n1,2\r\n") == content_hash(b"a,b\n1,2") == \
        content_hash(b"a,b\n1,2\n")
    assert content_hash(b"a,b\n1,2\n") != content_hash(b"a,b\n1,3\n")


def test_lock_then_check_finds_drift(registry, tmp_path):
    manifest = registry / "codelists.json"
    data = lock([registry], manifest, now="2026-01-01 00:00:00.000000Z")
    assert sorted(data["files"]) == ["type-1-diabetes.codelist", "type-2-diabetes.codelist"]
    assert data["files"]["type-1-diabetes.codelist"]["id"] == "type-1-diabetes"
    assert check(manifest, paths=[registry]) == []
    path = registry / "type-1-diabetes.codelist"
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))  # line ends only: no drift
    assert check(manifest) == []
    path.write_text(path.read_text() + "421893009 T1DM with ...\n")
    write(registry, "new-one", "")
    problems = check(manifest, paths=[registry])
    assert sorted(p.rule for p in problems) == ["drift", "unlocked"]
    again = lock([registry], manifest, now="2026-02-02 00:00:00.000000Z")
    assert again["files"]["type-2-diabetes.codelist"]["downloaded_at"].startswith("2026-01-01")
    assert again["files"]["type-1-diabetes.codelist"]["downloaded_at"].startswith("2026-02-02")
    assert check(manifest, paths=[registry]) == []


def test_lock_includes_included_files(registry, tmp_path):
    study = tmp_path / "study"
    write(study, "diabetes", "", f"includes:\n- {registry}/type-1-diabetes.codelist\n")
    data = lock([study / "diabetes.codelist"], study / "codelists.json")
    assert len(data["files"]) == 2


def test_check_compares_codelists_txt(shared, tmp_path):
    source = shared / "data/codelists/opensafely-post-covid-vaccinated/codelists"
    folder = tmp_path / "codelists"
    shutil.copytree(source, folder)
    assert check(folder / "codelists.json") == []
    txt = folder / "codelists.txt"
    lines = txt.read_text().splitlines()
    txt.write_text("\n".join(lines[1:] + ["opensafely/new-list/v1"]) + "\n")
    problems = check(folder / "codelists.json")
    assert sorted(p.rule for p in problems) == ["not-locked", "not-requested"]
