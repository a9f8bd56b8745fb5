"""Which package implements which coding system, and opening a store as a Terminology."""

from __future__ import annotations

import importlib
from pathlib import Path

from codelists.errors import StoreSchemaError, UsageError
from codelists.terminology.base import Terminology
from codelists.terminology.store import read_metadata

#: system name -> "module:Class" implementing Terminology over its store.
SYSTEMS: dict[str, str] = {
    "snomedct": "codelists.terminology.snomedct.terminology:SnomedTerminology",
}

#: importers: system name -> "module:function(path, destination, **options) -> Path"
IMPORTERS: dict[str, str] = {
    "snomedct": "codelists.terminology.snomedct.importer:import_release",
}


def _load(spec: str):
    module, _, name = spec.partition(":")
    return getattr(importlib.import_module(module), name)


def open_terminology(path: str | Path) -> Terminology:
    """Open any store as the Terminology of the system it holds."""
    meta = read_metadata(path)
    spec = SYSTEMS.get(meta.terminology)
    if spec is None:
        raise StoreSchemaError(
            f"no reader for terminology {meta.terminology!r}", path=path,
            hint="upgrade codelists, or re-import the release",
        )
    return _load(spec).open(path)


def importer_for(system: str):
    spec = IMPORTERS.get(system)
    if spec is None:
        known = ", ".join(sorted(IMPORTERS))
        raise UsageError(f"unknown coding system {system!r}", hint=f"choose one of: {known}")
    return _load(spec)
