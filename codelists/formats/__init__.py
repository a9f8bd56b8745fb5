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
    "stata": "codelists.formats.delimited:read",
    "cohort": "codelists.formats.omop:read_cohort",
    "zip": "codelists.formats.archive:read",
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
           "definition-csv": "definition", "clinicalcodes-csv": "clinicalcodes",
           "dta": "stata", "circe": "cohort", "txt": "delimited"}


def _load(spec: str):
    module, _, name = spec.partition(":")
    return getattr(importlib.import_module(module), name)


def canonical(name: str, table: dict) -> str:
    name = ALIASES.get(name.lower(), name.lower())
    if name not in table:
        raise UsageError(f"unknown format {name!r}",
                         hint=f"choose one of: {', '.join(sorted(table))}")
    return name


def detect_format(path: str | Path, text: str | None = None) -> str:
    """The import format of a file, judged by its extension and content.

    Refuses (naming what the file is) study manifests (OpenSAFELY ``codelists.json`` /
    ``codelists.txt``), indexes of codelist files and JSON that is no codelist.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return "excel"
    if suffix == ".dta":
        return "stata"
    if suffix == ".zip":
        return "zip"
    from codelists.formats import manifests
    from codelists.formats.table import read_text

    text = read_text(path) if text is None else text
    if suffix == ".json" or text.lstrip().startswith(("{", "[")):
        return _detect_json(path, text)
    manifests.refuse_manifest_text(path, text)
    from codelists.formats.reading import parse_text

    table = parse_text(text[:65536].rsplit("\n", 1)[0] if len(text) > 65536 else text,
                       path=path)
    manifests.refuse_index(path, table)
    return _detect_csv(table.header)


def _detect_json(path: Path, text: str) -> str:
    from codelists.formats import fhir, manifests, omop

    try:
        data = json.loads(text)
    except (json.JSONDecodeError, RecursionError):
        return "fhir"  # let the reader report the JSON error with its line
    manifests.refuse_manifest_json(path, data)
    if fhir.looks_like(data):
        return "fhir"
    if omop.looks_like_cohort(data):
        return "cohort"
    if omop.looks_like(data):
        return "omop"
    from codelists.errors import InputFileError

    what = f"resourceType {data.get('resourceType')!r}" if isinstance(data, dict) and \
        data.get("resourceType") else "keys " + ", ".join(list(data)[:6]) \
        if isinstance(data, dict) else type(data).__name__
    raise InputFileError(
        f"this JSON is neither a FHIR ValueSet, an ATLAS concept set nor an OHDSI cohort "
        f"definition ({what})", path=path,
        hint="export the codelist as a FHIR ValueSet or an ATLAS concept set expression")


def _detect_csv(header: list[str]) -> str:
    from codelists.formats import caliber, clinicalcodes, opencodelists

    lowered = [h.strip().lower() for h in header]
    if clinicalcodes.looks_like(header):
        return "clinicalcodes"
    if caliber.looks_like(header):
        return "caliber"
    if "is_included" in lowered:
        return "definition"
    if opencodelists.looks_like(header):
        return "opencodelists"
    return "delimited"


def import_file(path: str | Path, *, format: str | None = None, system: str | None = None,
                **options):
    """Read a foreign file into an :class:`~codelists.formats.table.Imported`.

    A source holding several codelists (a zip archive, a cohort definition, a ValueSet
    over several code systems) is refused with their names: read it with
    :func:`import_all`.
    """
    found = import_all(path, format=format, system=system, **options)
    if len(found) > 1:
        from codelists.errors import InputFileError

        names = ", ".join(i.meta.get("member") or i.meta.get("title") or "?" for i in found)
        raise InputFileError(f"the file holds {len(found)} codelists: {names}", path=path,
                             hint="import them all (codelist import writes one .codelist "
                                  "each), or pass --system to pick one code system")
    return found[0]


def import_all(path: str | Path, *, format: str | None = None, system: str | None = None,
               **options) -> list:
    """Every codelist in a file, as :class:`~codelists.formats.table.Imported` items."""
    from codelists.codelist.systems import resolve_system

    name = canonical(format, IMPORTERS) if format else detect_format(path)
    if options and name not in TABLE_FORMATS:
        if name in ("opencodelists", "caliber", "clinicalcodes", "definition") and not format:
            name = "delimited"  # a mapping was given: read it as a delimited file
        else:
            raise UsageError(f"column options apply to table imports, not {name}",
                             hint="pass --format delimited")
    if system:
        system = resolve_system(system).id
    try:
        result = _load(IMPORTERS[name])(path, system=system, **options)
    except (KeyError, TypeError, AttributeError, IndexError, ValueError,
            RecursionError) as exc:  # a malformed structure reached a reader: say so
        from codelists.errors import InputFileError

        raise InputFileError(
            f"the file is not shaped as a {name} file should be ({type(exc).__name__}: "
            f"{str(exc)[:120]})", path=path,
            hint=f"check the file is a complete {name} export, or pass --format") from None
    return result if isinstance(result, list) else [result]


TABLE_FORMATS = ("delimited", "excel", "stata", "zip")


def export(codelist, format: str, **options):
    """The exported text (or bytes, for Excel) of a codelist."""
    name = canonical(format, EXPORTERS)
    spec, _binary, _suffix = EXPORTERS[name]
    return _load(spec)(codelist, **options)
