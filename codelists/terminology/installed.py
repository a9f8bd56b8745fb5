"""Every installed terminology, one store per coding system, for long-running readers
(the web site's terminology service and downloads).

Which store answers for a system follows :mod:`codelists.terminology.locate`'s order:
``CODELISTS_DB`` (for the system it holds), the project config's ``[stores]``, then the
newest release of that system in the data directory.  Opened stores are kept per
thread (a SQLite connection is not shared between threads) and reopened when the file
changes, e.g. after a new release is imported over it.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

from codelists.terminology.base import Terminology
from codelists.terminology.locate import list_stores, read_config
from codelists.terminology.store import StoreMetadata, read_metadata

_local = threading.local()


def _metadata(path: Path) -> StoreMetadata | None:
    try:
        return read_metadata(path) if path.is_file() else None
    except Exception:  # not a store: not installed
        return None


#: how long a look at what is installed is reused (seconds)
RESCAN_SECONDS = 5.0
_scan: dict = {}


def installed() -> dict[str, tuple[Path, StoreMetadata]]:
    """system -> (store path, its metadata), for every system with a store (looked up
    again after :data:`RESCAN_SECONDS`, so an import shows without a restart)."""
    import time

    key = (os.environ.get("CODELISTS_DB"), os.environ.get("CODELISTS_DATA_DIR"), os.getcwd())
    now = time.monotonic()
    held = _scan.get(key)
    if held is not None and now - held[0] < RESCAN_SECONDS:
        return held[1]
    found = _scan_stores()
    _scan.clear()
    _scan[key] = (now, found)
    return found


def _scan_stores() -> dict[str, tuple[Path, StoreMetadata]]:
    found: dict[str, tuple[Path, StoreMetadata]] = {}
    for info in list_stores():
        found.setdefault(info.metadata.terminology, (info.path, info.metadata))
    config_path, config = read_config()
    for key, relative in (config.get("stores", {}) if config else {}).items():
        if key == "default" or not isinstance(relative, str):
            continue
        path = (config_path.parent / relative).resolve()
        meta = _metadata(path)
        if meta is not None:
            found[meta.terminology] = (path, meta)
    env = os.environ.get("CODELISTS_DB")
    if env:
        meta = _metadata(Path(env))
        if meta is not None:
            found[meta.terminology] = (Path(env), meta)
    return found


def open_installed(system: str) -> Terminology | None:
    """The open Terminology for ``system`` in this thread, or None when none is installed."""
    from codelists.terminology.registry import open_terminology

    entry = installed().get(system)
    if entry is None:
        return None
    path = entry[0]
    stamp = (str(path), path.stat().st_mtime_ns)
    cache = getattr(_local, "stores", None)
    if cache is None:
        cache = _local.stores = {}
    held = cache.get(system)
    if held is not None and held[0] == stamp:
        return held[1]
    if held is not None:
        held[1].close()
    terminology = open_terminology(path)
    cache[system] = (stamp, terminology)
    return terminology
