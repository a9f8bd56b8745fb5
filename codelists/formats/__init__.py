"""Foreign formats in and out of ``.codelist``: one module per format.

``import_file(path, format=None, system=None, **mapping) -> Imported`` detects the format
from the file (extension, JSON shape, CSV header) unless told; ``export(codelist, format,
**options) -> str | bytes`` writes one.  Modules are imported lazily so the CLI starts
fast.
"""

from __future__ import annotations

import importlib
import json
from pathlib import Path

from codelists.errors import UsageError

#: import format -> "module:function"
IMPORTERS: dict[str, str] = {
    "opencodelists": "codelists.formats.opencodelists:read",
    "definition": "codelists.formats.opencodelists:read_definition",
    "caliber": "codelists.formats.caliber:read",
    "clinicalcodes": "codelists.formats.clinicalcodes:read",
    "fhir": "codelists.formats.fhir:read",
    "omop": "codelists.formats.omop:read",
    "delimited": "codelists.formats.delimited:read",
    "excel": "codelists.formats.excel:read",
}

#: export format -> ("module:function", binary?, file suffix)
EXPORTERS: dict[str, tuple[str, bool, str]] = {
    "csv": ("codelists.formats.delimited:write", False, ".csv"),
    "opencodelists": ("codelists.formats.opencodelists:write", False, ".csv"),
    "definition": ("codelists.formats.opencodelists:write_definition", False, ".csv"),
    "markdown": ("codelists.formats.markdown:write", False, ".md"),
    "fhir": ("codelists.formats.fhir:write", False, ".json"),
    "omop": ("codelists.formats.omop:write", False, ".json"),
    "clinicalcodes": ("codelists.formats.clinicalcodes:write", False, ".csv"),
    "excel": ("codelists.formats.excel:write", True, ".xlsx"),
    "stata": ("codelists.formats.syntax:stata", False, ".do"),
    "r": ("codelists.formats.syntax:r", False, ".R"),
    "sql": ("codelists.formats.syntax:sql", False, ".sql"),
    "ecl": ("codelists.formats.ecl:write", False, ".ecl"),
}

ALIASES = {"opencodelists-csv": "opencodelists", "fhir-json": "fhir", "atlas": "omop",
           "ohdsi": "omop", "md": "markdown", "xlsx": "excel", "tsv": "delimited",
           "definition-csv": "definition", "clinicalcodes-csv": "clinicalcodes"}


def _load(spec: str):
    module, _, name = spec.partition(":")
    return getattr(importlib.import_module(module), name)


def canonical(name: str, table: dict) -> str:
    name = ALIASES.get(name.lower(), name.lower())
    if name not in table:
        raise UsageError(f"unknown format {name!r}",
                         hint=f"choose one of: {', '.join(sorted(table))}")
    return name


def detect_format(path: str | Path) -> str:
    """The import format of a file, judged by its extension and content."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return "excel"
    from codelists.formats.table import read_text

    text = read_text(path)
    if suffix == ".json" or text.lstrip().startswith("{"):
        from codelists.formats import fhir, omop

        try:
            data = json.loads(text)
        except json.JSONDecodeError:
            return "fhir"  # let the reader report the JSON error with its line
        return "fhir" if fhir.looks_like(data) else "omop" if omop.looks_like(data) else "fhir"
    return _detect_csv(text.split("\n", 1)[0])


def _detect_csv(first_line: str) -> str:
    import csv

    from codelists.formats import caliber, clinicalcodes

    header = [h.strip() for h in next(csv.reader([first_line.strip("\r")]), [])]
    lowered = [h.lower() for h in header]
    if clinicalcodes.looks_like(header):
        return "clinicalcodes"
    if caliber.looks_like(header):
        return "caliber"
    if "is_included" in lowered:
        return "definition"
    return "opencodelists"


def import_file(path: str | Path, *, format: str | None = None, system: str | None = None,
                **options):
    """Read a foreign file into an :class:`~codelists.formats.table.Imported`."""
    from codelists.codelist.systems import resolve_system

    name = canonical(format, IMPORTERS) if format else detect_format(path)
    if options and name not in ("delimited", "excel"):
        if name == "opencodelists" and not format:
            name = "delimited"  # a mapping was given: read it as a delimited file
        else:
            raise UsageError(f"column options apply to delimited and excel imports, not {name}",
                             hint="pass --format delimited")
    if system:
        system = resolve_system(system).id
    imported = _load(IMPORTERS[name])(path, system=system, **options)
    return imported


def export(codelist, format: str, **options):
    """The exported text (or bytes, for Excel) of a codelist."""
    name = canonical(format, EXPORTERS)
    spec, _binary, _suffix = EXPORTERS[name]
    return _load(spec)(codelist, **options)
