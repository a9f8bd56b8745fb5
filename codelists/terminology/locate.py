"""Finding terminology stores.

Order of precedence: an explicit path (``--db PATH``), the ``CODELISTS_DB`` environment
variable, the project config file (``codelists.toml`` in the working directory or a
parent), then the data directory (``CODELISTS_DATA_DIR`` or the XDG data directory,
``~/.local/share/codelists/terminologies``).

The project config names stores per terminology::

    [stores]
    snomedct = "stores/uk_sct2cl_39.0.0.db"
    icd10cm = "stores/icd10cm-2026.db"
    default = "snomedct"
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from codelists.errors import InputFileError, StoreNotFoundError
from codelists.terminology.store import StoreMetadata, read_metadata

CONFIG_NAME = "codelists.toml"


def data_dir() -> Path:
    """Where imported stores live by default."""
    env = os.environ.get("CODELISTS_DATA_DIR")
    if env:
        return Path(env)
    return Path(platformdirs.user_data_dir("codelists")) / "terminologies"


def find_config(start: Path | None = None) -> Path | None:
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / CONFIG_NAME
        if candidate.is_file():
            return candidate
    return None


def read_config(start: Path | None = None) -> tuple[Path | None, dict]:
    path = find_config(start)
    if path is None:
        return None, {}
    try:
        return path, tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise InputFileError(
            f"cannot read project config: {exc}", path=path,
            hint="fix the TOML syntax (see docs/reference/configuration.md)",
        ) from exc


@dataclass(frozen=True)
class StoreInfo:
    path: Path
    metadata: StoreMetadata


def list_stores(folder: Path | None = None) -> list[StoreInfo]:
    """Every store in the data directory, newest release first within a terminology."""
    folder = folder or data_dir()
    found = []
    if folder.is_dir():
        for path in sorted(folder.glob("*.db")):
            try:
                found.append(StoreInfo(path, read_metadata(path)))
            except Exception:  # a stray file that is not a store: not ours to list
                continue
    found.sort(key=lambda s: (s.metadata.terminology, s.metadata.release_date), reverse=True)
    found.sort(key=lambda s: s.metadata.terminology)
    return found


def locate_store(
    explicit: str | Path | None = None,
    *,
    terminology: str | None = None,
    start: Path | None = None,
) -> Path:
    """The path of the store to use, by the documented order of precedence."""
    if explicit:
        return Path(explicit)
    env = os.environ.get("CODELISTS_DB")
    if env:
        return Path(env)
    config_path, config = read_config(start)
    stores = config.get("stores", {}) if config else {}
    if stores:
        key = terminology or stores.get("default")
        if key and key in stores:
            return (config_path.parent / stores[key]).resolve()
    candidates = list_stores()
    if terminology:
        candidates = [s for s in candidates if s.metadata.terminology == terminology]
    if candidates:
        if terminology or len({s.metadata.terminology for s in candidates}) == 1:
            return candidates[0].path
        names = ", ".join(sorted({s.metadata.terminology for s in candidates}))
        raise StoreNotFoundError(
            f"several terminologies are installed ({names}); which one?",
            hint="pass --db PATH or --terminology NAME, or set a default in codelists.toml",
        )
    what = f"{terminology} " if terminology else ""
    raise StoreNotFoundError(
        f"no {what}terminology store found (looked at --db, CODELISTS_DB, "
        f"{CONFIG_NAME}, and {data_dir()})",
        hint="import a release with `codelist terminology import PATH`",
    )
