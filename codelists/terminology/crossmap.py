"""Cross-maps between coding systems.

Two sources:

* maps a release ships beside its codes: the NHS Data Migration tables
  ``rcsctmap2_uk_<date>.txt`` (Read v2 -> SNOMED CT) and ``ctv3sctmap2_uk_<date>.txt``
  (CTV3 -> SNOMED CT), read at import into the source store's ``maps`` table;
* the SNOMED CT store's map refsets: extended maps (``refset_extended_map``: ICD-10
  447562003 International, 999002271000000101 UK; OPCS-4 999002741000000101 UK) and
  simple maps (``refset_simple_map``: CTV3 900000000000497000), read in either
  direction.

:func:`map_code` answers "what does CODE of SYSTEM map to in TARGET", and
:func:`export_maps` writes every map of a store as rows for a CSV.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from codelists.errors import NotSupportedError, UsageError

#: SNOMED CT map refsets by target system.  Extended maps carry groups, rules and advice.
EXTENDED_MAP_REFSETS: dict[str, tuple[int, ...]] = {
    "icd10": (999002271000000101, 447562003),
    "opcs4": (999002741000000101, 1126441000000105, 1382401000000109),
}
SIMPLE_MAP_REFSETS: dict[str, tuple[int, ...]] = {
    "ctv3": (900000000000497000,),
}

#: NHS Data Migration map tables: file-name pattern, column aliases
_MAP_FILES = {
    "readv2": (r"^rcsctmap2?_uk.*\.txt$",
               {"code": ("readcode",), "term": ("termcode",), "target": ("conceptid",),
                "status": ("mapstatus",), "assured": ("is_assured", "isassured")}),
    "ctv3": (r"^ctv3sctmap2?_uk.*\.txt$",
             {"code": ("ctv3_conceptid",), "term": ("ctv3_termid",),
              "target": ("sct_conceptid",), "status": ("mapstatus",),
              "assured": ("isassured", "is_assured")}),
}


@dataclass(frozen=True)
class MapEntry:
    """One row of a map, in the direction asked for."""

    source_system: str
    source_code: str
    target_system: str
    target_code: str
    group: int | None = None
    priority: int | None = None
    rule: str | None = None
    advice: str | None = None
    relation: str | None = None
    origin: str = ""

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _column(header: list[str], names: tuple[str, ...]) -> int | None:
    lowered = [h.strip().lower() for h in header]
    for name in names:
        if name in lowered:
            return lowered.index(name)
    return None


def read_release_maps(files, writer, system: str) -> int:
    """Add the Data Migration map table found among a release's files; returns rows."""
    pattern, columns = _MAP_FILES[system]
    name = files.find(pattern)
    if name is None:
        return 0
    rows = csv.reader(io.StringIO(files.text(name)), delimiter="\t")
    header = next(rows, [])
    index = {key: _column(header, names) for key, names in columns.items()}
    if index["code"] is None or index["target"] is None:
        from codelists.errors import ImportFailedError

        raise ImportFailedError("map table without its code columns", path=files.label(name),
                                line=1, hint="expected the NHS Data Migration map header")
    count = 0
    for row in rows:
        if not row or len(row) <= max(i for i in index.values() if i is not None):
            continue
        status = row[index["status"]].strip() if index["status"] is not None else "1"
        assured = row[index["assured"]].strip() if index["assured"] is not None else ""
        writer.add_map(row[index["code"]].strip(), "snomedct", row[index["target"]].strip(),
                       relation="assured" if assured == "1" else "unassured",
                       active=status in ("1", ""), origin=name.rsplit("/", 1)[-1],
                       advice=f"term {row[index['term']].strip()}" if index["term"] is not None else None)
        count += 1
    return count


# --------------------------------------------------------------------------- queries
def _snomed_rows(snomed, sql: str, args: list) -> list[tuple]:
    conn = getattr(snomed, "conn", None) or getattr(snomed, "store", None).conn
    return conn.execute(sql, args).fetchall()


def snomed_to(snomed, code: str, target: str) -> list[MapEntry]:
    """Maps from a SNOMED CT concept to ``target`` from the SNOMED store's refsets."""
    out: list[MapEntry] = []
    refsets = EXTENDED_MAP_REFSETS.get(target, ())
    if refsets:
        marks = ",".join("?" * len(refsets))
        for row in _snomed_rows(snomed, (
                "SELECT map_target, map_group, map_priority, map_rule, map_advice, "
                "correlation_id, refset_id FROM refset_extended_map WHERE active = 1 AND "
                f"referenced_component_id = ? AND refset_id IN ({marks}) "
                "ORDER BY map_group, map_priority"), [int(code), *refsets]):
            if row[0]:
                out.append(MapEntry("snomedct", code, target, _tidy(target, row[0]), row[1],
                                    row[2], row[3], row[4], str(row[5] or ""),
                                    f"refset {row[6]}"))
    for refset in SIMPLE_MAP_REFSETS.get(target, ()):
        for (value,) in _snomed_rows(snomed, (
                "SELECT map_target FROM refset_simple_map WHERE active = 1 AND "
                "referenced_component_id = ? AND refset_id = ?"), [int(code), refset]):
            out.append(MapEntry("snomedct", code, target, _tidy(target, value),
                                origin=f"refset {refset}"))
    return out


def to_snomed_from_refsets(snomed, system: str, code: str) -> list[MapEntry]:
    """CTV3, ICD-10, OPCS-4 -> SNOMED CT by reading the SNOMED store's maps backwards.

    A reversed map says which concepts map *to* the code: a guide for building a SNOMED
    CT list from an ICD-10 one, not an equivalence.  Extended-map targets are matched
    dotted (International) and undotted (UK).
    """
    out = []
    refsets = EXTENDED_MAP_REFSETS.get(system, ())
    if refsets:
        forms = sorted({code, code.replace(".", "")})
        marks, forms_marks = ",".join("?" * len(refsets)), ",".join("?" * len(forms))
        for concept, group, priority, refset in _snomed_rows(snomed, (
                "SELECT DISTINCT referenced_component_id, map_group, map_priority, refset_id "
                f"FROM refset_extended_map WHERE active = 1 AND refset_id IN ({marks}) "
                f"AND map_target IN ({forms_marks}) ORDER BY referenced_component_id"),
                [*refsets, *forms]):
            out.append(MapEntry(system, code, "snomedct", str(concept), group, priority,
                                relation="reversed", origin=f"refset {refset} (reversed)"))
    for refset in SIMPLE_MAP_REFSETS.get(system, ()):
        for (concept,) in _snomed_rows(snomed, (
                "SELECT referenced_component_id FROM refset_simple_map WHERE active = 1 "
                "AND refset_id = ? AND map_target = ?"), [refset, code]):
            out.append(MapEntry(system, code, "snomedct", str(concept),
                                origin=f"refset {refset} (reversed)"))
    return out


def _tidy(target: str, value: str) -> str:
    from codelists.terminology.normalise import normalise_code

    value = re.sub(r"\s+", "", value)
    result = normalise_code(target, value)
    return result.code or value


def map_code(source, code: str, target: str, *, snomed=None) -> list[MapEntry]:
    """Where ``code`` of ``source`` (an open Terminology) maps to in ``target``.

    Uses the maps the source store holds, then the SNOMED CT store's refsets (``snomed``
    is that store's Terminology when the source is not SNOMED CT itself).
    """
    system = source.system
    if system == target:
        raise UsageError("the code is already in that coding system")
    if system == "snomedct":
        return snomed_to(source, code, target)
    stored = source.resolve(code) if hasattr(source, "resolve") else code
    if stored is None:
        from codelists.errors import UnknownCodeError

        raise UnknownCodeError(f"{code!r} is not in this {system} store")
    found = [MapEntry(system, stored, m["target_system"], m["target_code"], m["map_group"],
                      m["map_priority"], m["map_rule"], m["map_advice"], m["relation"],
                      m["origin"])
             for m in source.maps_from(stored, target) if m["active"]]
    if found or _store_has_maps(source, target):
        return found
    if target == "snomedct" and snomed is not None:
        return to_snomed_from_refsets(snomed, system, stored)
    hint = ("pass a SNOMED CT store (--snomed-db) to read its maps backwards"
            if target == "snomedct" else "import a release that ships this map")
    raise NotSupportedError(f"this {system} store holds no map to {target}: {hint}")
    return found


def reverse_store_maps(store, system: str, code: str) -> list[MapEntry]:
    """Codes of ``store`` whose release maps them *to* ``code`` of ``system``, read
    backwards (e.g. SNOMED CT -> Read v2 through a Read v2 store's Data Migration map)."""
    out = []
    for row in store.conn.execute(
            "SELECT source_code, map_group, map_priority, map_rule, map_advice, relation, "
            "origin FROM maps WHERE active = 1 AND target_system = ? AND target_code = ? "
            "ORDER BY rowid", (system, code)):
        out.append(MapEntry(system, code, store.system, row[0], row[1], row[2], row[3],
                            row[4], "reversed" + (f" {row[5]}" if row[5] else ""),
                            f"{row[6] or store.system + ' map'} (reversed)"))
    return out


def has_maps(store, target: str) -> bool:
    """Whether a store holds maps to ``target`` (its own table, or SNOMED CT refsets)."""
    if store.system == "snomedct":
        refsets = EXTENDED_MAP_REFSETS.get(target, ()) + SIMPLE_MAP_REFSETS.get(target, ())
        tables = ("refset_extended_map", "refset_simple_map")
        return any(_snomed_rows(store, f"SELECT 1 FROM {table} WHERE refset_id = ? LIMIT 1",
                                [refset]) for refset in refsets for table in tables)
    return _store_has_maps(store, target)


def _store_has_maps(source, target: str) -> bool:
    return source.conn.execute("SELECT 1 FROM maps WHERE target_system = ? LIMIT 1",
                               (target,)).fetchone() is not None


def iter_store_maps(source) -> Iterator[MapEntry]:
    """Every active map a generic store holds."""
    for row in source.conn.execute(
            "SELECT source_code, target_system, target_code, map_group, map_priority, "
            "map_rule, map_advice, relation, origin FROM maps WHERE active = 1 ORDER BY rowid"):
        yield MapEntry(source.system, row[0], *row[1:])


def iter_snomed_maps(snomed, target: str) -> Iterator[MapEntry]:
    """Every active SNOMED CT -> ``target`` map row of the SNOMED store."""
    refsets = EXTENDED_MAP_REFSETS.get(target, ())
    if refsets:
        marks = ",".join("?" * len(refsets))
        for row in _snomed_rows(snomed, (
                "SELECT referenced_component_id, map_target, map_group, map_priority, "
                "map_rule, map_advice, correlation_id, refset_id FROM refset_extended_map "
                f"WHERE active = 1 AND refset_id IN ({marks}) ORDER BY "
                "referenced_component_id, map_group, map_priority"), list(refsets)):
            if row[1]:
                yield MapEntry("snomedct", str(row[0]), target, _tidy(target, row[1]), row[2],
                               row[3], row[4], row[5], str(row[6] or ""), f"refset {row[7]}")
    for refset in SIMPLE_MAP_REFSETS.get(target, ()):
        for concept, value in _snomed_rows(snomed, (
                "SELECT referenced_component_id, map_target FROM refset_simple_map "
                "WHERE active = 1 AND refset_id = ? ORDER BY referenced_component_id"),
                [refset]):
            yield MapEntry("snomedct", str(concept), target, _tidy(target, value),
                           origin=f"refset {refset}")


EXPORT_COLUMNS = ("source_system", "source_code", "target_system", "target_code", "group",
                  "priority", "rule", "advice", "relation", "origin")


def export_maps(entries, path) -> int:
    """Write map entries as CSV atomically; returns the row count."""
    import os
    import tempfile
    from pathlib import Path

    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    count = 0
    try:
        with os.fdopen(fd, "w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(EXPORT_COLUMNS)
            for entry in entries:
                writer.writerow(["" if v is None else _safe(v) for v in
                                 (getattr(entry, c) for c in EXPORT_COLUMNS)])
                count += 1
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return count


def _safe(value) -> str:
    """Neutralise cells a spreadsheet would run as a formula."""
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text
