"""Finding terminology stores.

Order of precedence: an explicit path (``--db PATH``), the ``CODELISTS_DB`` environment
variable, the project config file (``codelists.toml`` in the working directory or a
parent), then the data directory (``CODELISTS_DATA_DIR`` or the XDG data directory,
``~/.local/share/codelists/terminologies``).

Every command finds its store through :func:`locate_store`, and names the coding system
any way a codelist file or a person does (``cprd_medcode``, ``CPRD medcode``,
``medcode``): :func:`system_id` turns each into the one id stores record.  When a coding
system is asked for, ``CODELISTS_DB`` and a project default that hold another system are
passed over rather than opened.

The project config names stores per terminology::

    [stores]
    snomedct = "stores/uk_sct2cl_39.0.0.db"
    icd10cm = "stores/icd10cm-2026.db"
    default = "snomedct"
"""

from __future__ import annotations

import os

from codelists.errors import InputFileError, StoreNotFoundError
from codelists.records import Record
from codelists.terminology.store import StoreMetadata, read_metadata

#: ``typing.TYPE_CHECKING`` without importing typing.  pathlib is imported where a Path is
#: made: :func:`locate_store_text` (the command line) finds a store given by ``--db`` or
#: ``CODELISTS_DB`` without it (~5 ms of a fresh process).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path

CONFIG_NAME = "codelists.toml"


def data_dir() -> Path:
    """Where imported stores live by default."""
    from pathlib import Path

    env = os.environ.get("CODELISTS_DATA_DIR")
    if env:
        return Path(env)
    import platformdirs  # only here: --db PATH never needs it, and it is slow to import

    return Path(platformdirs.user_data_dir("codelists")) / "terminologies"


def find_config(start: Path | None = None) -> Path | None:
    from pathlib import Path

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
    import tomllib

    try:
        return path, tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise InputFileError(
            f"cannot read project config: {exc}", path=path,
            hint="fix the TOML syntax (see docs/reference/configuration.md)",
        ) from exc


class StoreInfo(Record):
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


def system_id(name: str | None) -> str | None:
    """The id of the coding system ``name`` names (``CPRD medcode`` -> ``cprd_medcode``);
    a name no coding system answers to comes back as given."""
    from codelists.codelist.systems import resolve_system
    from codelists.errors import CodelistFormatError

    if name is None or not str(name).strip():
        return None
    try:
        return resolve_system(name).id
    except CodelistFormatError:
        return str(name)


def _holds(path: str, terminology: str | None) -> bool:
    """Whether the store at ``path`` holds ``terminology`` (or no system was asked for, or
    the file cannot tell: then the caller opens it and reports what is wrong)."""
    if terminology is None or not os.path.isfile(path):
        return True
    try:
        return read_metadata(path).terminology == terminology
    except Exception:  # not a store: let the caller's open report it
        return True


def locate_store(
    explicit: str | Path | None = None,
    *,
    terminology: str | None = None,
    start: Path | None = None,
) -> Path:
    """The path of the store to use, by the documented order of precedence.

    ``terminology`` may be any name of a coding system (see :func:`system_id`).
    """
    from pathlib import Path

    return Path(locate_store_text(explicit, terminology=terminology, start=start))


def locate_store_text(
    explicit: str | os.PathLike | None = None,
    *,
    terminology: str | None = None,
    start: Path | None = None,
) -> str:
    """:func:`locate_store`, the path as text: a store given explicitly or by
    ``CODELISTS_DB`` is found without importing pathlib (the command line's start-up)."""
    if explicit:
        return os.fspath(explicit)
    terminology = system_id(terminology)
    env = os.environ.get("CODELISTS_DB")
    if env and _holds(env, terminology):
        return env
    config_path, config = read_config(start)
    stores = {system_id(k) if k != "default" else k: v
              for k, v in (config.get("stores", {}) if config else {}).items()}
    if stores:
        key = terminology or system_id(stores.get("default"))
        if key and key in stores:
            return str((config_path.parent / stores[key]).resolve())
    candidates = list_stores()
    if terminology:
        candidates = [s for s in candidates if s.metadata.terminology == terminology]
    if candidates:
        if terminology or len({s.metadata.terminology for s in candidates}) == 1:
            return str(candidates[0].path)
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
