"""Import code dictionaries without hierarchy: CPRD GOLD and Aurum lookups, any code table.

A dictionary is a delimited text file with a header row.  The CPRD files are recognised
by their headers (see :data:`PRESETS`); any other table is read through a column mapping
(``code_column``, ``term_column``, optional ``synonym_columns``, ``attribute_columns``
and ``map_columns`` {column: coding system}), guessed from the header when not given.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from codelists.errors import ImportFailedError, UsageError
from codelists.terminology.codesystem import (
    CodeSystemWriter,
    ReleaseFiles,
    build_codesystem_store,
)
from codelists.terminology.normalise import SYSTEMS, normalise_code


@dataclass
class ColumnMapping:
    """Which columns of a table hold what."""

    system: str
    code: str
    term: str
    synonyms: tuple[str, ...] = ()
    attributes: tuple[str, ...] = ()
    maps: dict[str, str] = field(default_factory=dict)  # column -> target system
    edition: str = ""


#: CPRD dictionaries, recognised by their header (lower-cased column names)
PRESETS: list[tuple[set[str], ColumnMapping]] = [
    ({"medcode", "readcode", "readterm"}, ColumnMapping(
        "cprd_medcode", "medcode", "readterm", attributes=("clinicalevents", "databasebuild"),
        maps={"readcode": "readv2"}, edition="CPRD GOLD medical dictionary")),
    ({"prodcode", "productname"}, ColumnMapping(
        "cprd_prodcode", "prodcode", "productname", synonyms=("drugsubstance",),
        attributes=("strength", "formulation", "route", "bnfchapter", "gemscriptcode",
                    "therapyevents", "databasebuild"),
        maps={"dmdcode": "dmd", "bnfcode": "bnf"}, edition="CPRD GOLD product dictionary")),
    ({"medcodeid", "term"}, ColumnMapping(
        "cprd_aurum_medcodeid", "medcodeid", "term", attributes=(
            "observations", "originalreadcode", "emiscodecategoryid", "release"),
        maps={"snomedctconceptid": "snomedct", "cleansedreadcode": "readv2"},
        edition="CPRD Aurum medical dictionary")),
    ({"prodcodeid", "productname"}, ColumnMapping(
        "cprd_prodcode", "prodcodeid", "productname", synonyms=("termfromemis",),
        attributes=("formulation", "routeofadministration", "drugsubstancename",
                    "substancestrength", "bnfchapter", "drugissues", "release"),
        maps={"dmdid": "dmd"}, edition="CPRD Aurum product dictionary")),
]
_CODE_NAMES = ("code", "id", "concept_id", "conceptid")
_TERM_NAMES = ("term", "description", "name", "label", "title")


def _sniff(text: str) -> str:
    first = text.splitlines()[0] if text else ""
    return max(("\t", ",", "|", ";"), key=first.count)


def guess_mapping(header: list[str], system: str | None = None) -> ColumnMapping:
    """The preset whose columns the header has, else a code/term guess."""
    lowered = {h.strip().lower(): h for h in header}
    for needed, preset in PRESETS:
        if needed <= set(lowered) and (system is None or system == preset.system):
            return preset
    code = next((lowered[n] for n in _CODE_NAMES if n in lowered), None)
    code = code or next((h for k, h in lowered.items() if k.endswith("code")), None)
    term = next((lowered[n] for n in _TERM_NAMES if n in lowered), None)
    term = term or next((h for k, h in lowered.items()
                         if k.endswith(("term", "description", "name"))), None)
    if not code or not term:
        raise ImportFailedError(
            f"cannot tell the code and term columns from the header {header}",
            hint="pass code_column= and term_column= (a column mapping)")
    return ColumnMapping(system or "dictionary", code, term)


def _resolve(header: list[str], name: str, path: str) -> int:
    lowered = [h.strip().lower() for h in header]
    if name.strip().lower() not in lowered:
        raise ImportFailedError(f"no column {name!r} in the header", path=path, line=1,
                                hint=f"columns are: {', '.join(header)}")
    return lowered.index(name.strip().lower())


def write_table(text: str, label: str, mapping: ColumnMapping, writer: CodeSystemWriter,
                delimiter: str | None = None, skip_invalid: bool = False) -> int:
    """Write the table's rows; returns how many rows with a bad code were skipped."""
    rows = csv.reader(io.StringIO(text), delimiter=delimiter or _sniff(text))
    header = next(rows, [])
    code_i = _resolve(header, mapping.code, label)
    term_i = _resolve(header, mapping.term, label)
    lowered = [h.strip().lower() for h in header]
    def found(names):
        return [lowered.index(c.strip().lower()) for c in names
                if c.strip().lower() in lowered]

    synonyms = found(mapping.synonyms)
    attributes = found(mapping.attributes)
    maps = [(lowered.index(c.strip().lower()), s) for c, s in mapping.maps.items()
            if c.strip().lower() in lowered]
    skipped = 0
    for line, row in enumerate(rows, start=2):
        if not row or not any(cell.strip() for cell in row):
            continue
        if len(row) <= max(code_i, term_i):
            raise ImportFailedError(f"row has {len(row)} fields, the header {len(header)}",
                                    path=label, line=line)
        result = normalise_code(mapping.system, row[code_i])
        if result.code is None:
            if skip_invalid:
                skipped += 1
                continue
            raise ImportFailedError(f"bad code {row[code_i]!r}: {result.problem}",
                                    path=label, line=line,
                                    hint="fix the row, or import with skip_invalid=True")
        code = result.code
        writer.add_code(code, row[term_i].strip())
        for i in synonyms:
            if i < len(row) and row[i].strip() and row[i].strip() != row[term_i].strip():
                writer.add_description(code, row[i].strip(), header[i].strip().lower())
        for i in attributes:
            if i < len(row) and row[i].strip():
                writer.add_attribute(code, header[i].strip().lower(), row[i].strip())
        for i, target in maps:
            value = row[i].strip() if i < len(row) else ""
            if value and value not in ("0", "."):
                mapped = normalise_code(target, value)
                writer.add_map(code, target, mapped.code or value, origin=header[i].strip())
    return skipped


def import_release(path: str | Path, destination: str | Path | None = None, *,
                   system: str | None = None, code_column: str | None = None,
                   term_column: str | None = None, synonym_columns: tuple[str, ...] = (),
                   attribute_columns: tuple[str, ...] = (),
                   map_columns: dict[str, str] | None = None, delimiter: str | None = None,
                   skip_invalid: bool = False, progress=None, **options) -> Path:
    """Import a dictionary file (or the one text file in a folder/zip)."""
    if system is not None and system not in SYSTEMS:
        raise UsageError(f"unknown coding system {system!r}",
                         hint=f"choose one of: {', '.join(SYSTEMS)}")
    path = Path(path)
    files = ReleaseFiles(path)
    try:
        tables = files.find_all(r"\.(txt|csv|tsv)(\.gz)?$")
        if len(tables) != 1:
            raise ImportFailedError(f"expected one table, found {len(tables)}", path=path,
                                    hint="pass the dictionary file itself")
        name = tables[0]
        text = files.text(name)
        header = next(csv.reader(io.StringIO(text), delimiter=delimiter or _sniff(text)), [])
        sidecar = _sidecar(path) if not (code_column and term_column) else None
        if sidecar:
            code_column, term_column = sidecar.get("code"), sidecar.get("term")
            system = system or sidecar.get("system")
            synonym_columns = tuple(sidecar.get("synonyms", ()))
            attribute_columns = tuple(sidecar.get("attributes", ()))
            map_columns = dict(sidecar.get("maps", {}))
            delimiter = delimiter or sidecar.get("delimiter")
            if system is not None and system not in SYSTEMS:
                raise UsageError(f"unknown coding system {system!r} in the column mapping",
                                 hint=f"choose one of: {', '.join(SYSTEMS)}")
        if code_column and term_column:
            mapping = ColumnMapping(system or "dictionary", code_column, term_column,
                                    tuple(synonym_columns), tuple(attribute_columns),
                                    dict(map_columns or {}))
        else:
            mapping = guess_mapping(header, system)

        def populate(writer):
            skipped = write_table(text, files.label(name), mapping, writer, delimiter,
                                  skip_invalid)
            return {"edition": mapping.edition or f"{files.basename(name)}",
                    "release_date": _date(files.basename(name)), "skipped_rows": skipped}

        if destination is None:
            from codelists.terminology.locate import data_dir

            destination = data_dir() / f"{mapping.system}-{path.stem}.db"
        return build_codesystem_store(mapping.system, destination, sources=[path],
                                      populate=populate,
                                      extra={"code_column": mapping.code,
                                             "term_column": mapping.term}, progress=progress)
    finally:
        files.close()


def _sidecar(path: Path) -> dict | None:
    """A column mapping beside a table: ``<table>.columns.toml``, e.g.::

        system = "dictionary"
        code = "LocalCode"
        term = "Label"
        synonyms = ["Alt label"]
        attributes = ["Category"]
        [maps]
        SNOMED = "snomedct"
    """
    import tomllib

    if not path.is_file():
        return None
    candidate = path.with_name(path.name + ".columns.toml")
    if not candidate.is_file():
        candidate = path.with_name(path.stem + ".columns.toml")
    if not candidate.is_file():
        return None
    try:
        data = tomllib.loads(candidate.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ImportFailedError(f"bad column mapping: {exc}", path=candidate) from exc
    if not data.get("code") or not data.get("term"):
        raise ImportFailedError("a column mapping needs `code` and `term`", path=candidate)
    return data


def _date(name: str) -> str:
    m = re.search(r"(20\d{2})[-_]?(\d{2})[-_]?(\d{2})", name)
    return f"{m.group(1)}-{m.group(2)}-{m.group(3)}" if m else ""


def cprd_system(path: Path) -> str | None:
    """The CPRD dictionary a file is (by its header): cprd_medcode, ... or None."""
    try:
        files = ReleaseFiles(Path(path))
    except Exception:
        return None
    try:
        tables = files.find_all(r"\.(txt|csv)$")
        if len(tables) != 1:
            return None
        head = files.read(tables[0])[:4000].decode("latin-1")
        header = next(csv.reader(io.StringIO(head), delimiter=_sniff(head)), [])
        lowered = {h.strip().lower() for h in header}
        return next((p.system for needed, p in PRESETS if needed <= lowered), None)
    except (OSError, EOFError, zipfile.BadZipFile):
        return None
    finally:
        files.close()


def looks_like_cprd_medcode(path: Path) -> bool:
    return cprd_system(path) == "cprd_medcode"


def looks_like_cprd_aurum_medcodeid(path: Path) -> bool:
    return cprd_system(path) == "cprd_aurum_medcodeid"


def looks_like_cprd_prodcode(path: Path) -> bool:
    return cprd_system(path) == "cprd_prodcode"


def import_cprd_medcode(path, destination=None, progress=None, **options) -> Path:
    return import_release(path, destination, system="cprd_medcode", progress=progress,
                          **options)


def import_cprd_aurum_medcodeid(path, destination=None, progress=None, **options) -> Path:
    return import_release(path, destination, system="cprd_aurum_medcodeid", progress=progress,
                          **options)


def import_cprd_prodcode(path, destination=None, progress=None, **options) -> Path:
    return import_release(path, destination, system="cprd_prodcode", progress=progress,
                          **options)
