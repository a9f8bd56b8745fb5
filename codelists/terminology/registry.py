"""Which package implements which coding system, and opening a store as a Terminology."""

from __future__ import annotations

import importlib
from pathlib import Path

from codelists.errors import InputFileError, StoreSchemaError, UsageError
from codelists.terminology.base import Terminology
from codelists.terminology.store import read_metadata

#: system name -> "module:Class" implementing Terminology over its store.
SYSTEMS: dict[str, str] = {
    "snomedct": "codelists.terminology.snomedct.terminology:SnomedTerminology",
    "icd10": "codelists.terminology.codesystem:CodeSystemTerminology",
    "icd10cm": "codelists.terminology.codesystem:CodeSystemTerminology",
    "opcs4": "codelists.terminology.codesystem:CodeSystemTerminology",
    "readv2": "codelists.terminology.codesystem:CodeSystemTerminology",
    "ctv3": "codelists.terminology.codesystem:CodeSystemTerminology",
    "dmd": "codelists.terminology.codesystem:CodeSystemTerminology",
    "bnf": "codelists.terminology.codesystem:CodeSystemTerminology",
    "cprd_medcode": "codelists.terminology.codesystem:CodeSystemTerminology",
    "cprd_aurum_medcodeid": "codelists.terminology.codesystem:CodeSystemTerminology",
    "cprd_prodcode": "codelists.terminology.codesystem:CodeSystemTerminology",
    "dictionary": "codelists.terminology.codesystem:CodeSystemTerminology",
}

#: importers: system name -> "module:function(path, destination, **options) -> Path"
IMPORTERS: dict[str, str] = {
    "snomedct": "codelists.terminology.snomedct.importer:import_release",
    "icd10cm": "codelists.terminology.icd10cm.importer:import_release",
    "icd10": "codelists.terminology.icd10.importer:import_release",
    "ctv3": "codelists.terminology.ctv3.importer:import_release",
    "readv2": "codelists.terminology.readv2.importer:import_release",
    "dmd": "codelists.terminology.dmd.importer:import_release",
    "bnf": "codelists.terminology.bnf.importer:import_release",
    "opcs4": "codelists.terminology.opcs4.importer:import_release",
    "cprd_medcode": "codelists.terminology.dictionary.importer:import_cprd_medcode",
    "cprd_aurum_medcodeid":
        "codelists.terminology.dictionary.importer:import_cprd_aurum_medcodeid",
    "cprd_prodcode": "codelists.terminology.dictionary.importer:import_cprd_prodcode",
    "dictionary": "codelists.terminology.dictionary.importer:import_release",
}


#: detectors: system name -> "module:function(path) -> bool", asked in this order by
#: :func:`detect_system` (other coding systems add theirs here).
DETECTORS: dict[str, str] = {
    "snomedct": "codelists.terminology.snomedct.importer:looks_like_release",
    "icd10cm": "codelists.terminology.icd10cm.importer:looks_like_release",
    "icd10": "codelists.terminology.icd10.importer:looks_like_release",
    "ctv3": "codelists.terminology.ctv3.importer:looks_like_release",
    "readv2": "codelists.terminology.readv2.importer:looks_like_release",
    "dmd": "codelists.terminology.dmd.importer:looks_like_release",
    "bnf": "codelists.terminology.bnf.importer:looks_like_release",
    "opcs4": "codelists.terminology.opcs4.importer:looks_like_release",
    "cprd_medcode": "codelists.terminology.dictionary.importer:looks_like_cprd_medcode",
    "cprd_aurum_medcodeid":
        "codelists.terminology.dictionary.importer:looks_like_cprd_aurum_medcodeid",
    "cprd_prodcode": "codelists.terminology.dictionary.importer:looks_like_cprd_prodcode",
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


def detect_system(path: str | Path) -> str:
    """The coding system whose importer recognises the release at ``path``."""
    path = Path(path)
    if not path.exists():
        raise InputFileError("no such file or folder", path=path,
                             hint="pass a terminology release zip, file or folder")
    for system, spec in DETECTORS.items():
        if _load(spec)(path):
            return system
    known = ", ".join(sorted(IMPORTERS))
    raise InputFileError(
        "not a terminology release this tool recognises", path=path,
        hint=f"pass a release as published, or name its system with --system ({known})",
    )
