"""The user's cache folder for codelists: one place decides where caches live.

``CODELISTS_CACHE_DIR`` when set; else, when ``CODELISTS_DATA_DIR`` is set (tests, a
self-contained installation), a ``cache`` folder beside it; else the platform's user cache
folder (``~/.cache/codelists`` on Linux).  Everything under it can be deleted at any time.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path


def cache_root() -> Path:
    env = os.environ.get("CODELISTS_CACHE_DIR")
    if env:
        return Path(env)
    data = os.environ.get("CODELISTS_DATA_DIR")
    if data:
        return Path(data).parent / "cache"
    if sys.platform.startswith("linux"):  # what platformdirs answers, without importing it
        xdg = os.environ.get("XDG_CACHE_HOME", "").strip()
        return (Path(xdg) if xdg else Path.home() / ".cache") / "codelists"
    import platformdirs

    return Path(platformdirs.user_cache_dir("codelists"))


def cache_folder(kind: str) -> Path:
    """The folder for one kind of cached file (``codelists``, ``ecl``, ...)."""
    return cache_root() / kind
