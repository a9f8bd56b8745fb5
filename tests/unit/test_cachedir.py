"""The cache folder: the environment decides, else the platform's user cache folder."""

from pathlib import Path

import platformdirs

from codelists.cachedir import cache_folder, cache_root


def test_without_settings_it_is_the_platform_user_cache(monkeypatch, tmp_path):
    monkeypatch.delenv("CODELISTS_CACHE_DIR", raising=False)
    monkeypatch.delenv("CODELISTS_DATA_DIR", raising=False)
    for xdg in (None, str(tmp_path / "xdg")):
        if xdg is None:
            monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
        else:
            monkeypatch.setenv("XDG_CACHE_HOME", xdg)
        assert cache_root() == Path(platformdirs.user_cache_dir("codelists"))


def test_settings_win(monkeypatch, tmp_path):
    monkeypatch.setenv("CODELISTS_DATA_DIR", str(tmp_path / "data" / "terminologies"))
    monkeypatch.delenv("CODELISTS_CACHE_DIR", raising=False)
    assert cache_folder("ecl") == tmp_path / "data" / "cache" / "ecl"
    monkeypatch.setenv("CODELISTS_CACHE_DIR", str(tmp_path / "c"))
    assert cache_folder("ecl") == tmp_path / "c" / "ecl"
