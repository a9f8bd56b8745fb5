"""A whole codelist converted to another coding system through the installed maps.

``convert(codelist, target_system, source=STORE, target=STORE) -> Conversion`` maps every
active code with :mod:`codelists.terminology.crossmap`:

- SNOMED CT -> ICD-10 / OPCS-4 (extended map refsets: group, priority, rule and advice
  kept) and -> CTV3 (simple map) from the SNOMED CT store;
- Read v2 / CTV3 -> SNOMED CT from the NHS Data Migration tables in their stores (or the
  SNOMED CT store's maps read backwards); SNOMED CT -> Read v2 / CTV3 by reading those
  tables backwards in the target store;
- BNF <-> dm+d from whichever store holds the map (read backwards from the other side).

Two outputs, as OpenCodelists' conversions: :func:`mapping_table` (every source code
with every target, its provenance and cardinality; unmapped codes with an empty target)
and :func:`converted_codelist` (the target codes only, as a new draft ``.codelist`` whose
lines name their source codes and map, and whose ``method.conversion`` lists the
unmapped codes).
"""

from __future__ import annotations

import csv
import datetime as _dt
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from codelists.codelist.model import Codelist
from codelists.errors import NotSupportedError, UnknownCodeError
from codelists.terminology import crossmap

COPIED_KEYS = ("description", "licence", "copyright", "appropriate_use", "misuse",
               "authors", "organisation")
TABLE_COLUMNS = ("source_code", "source_term", "target_code", "target_term", "cardinality",
                 "map_group", "map_priority", "map_rule", "map_advice", "relation", "map")


@dataclass(frozen=True)
class Row:
    source_code: str
    source_term: str
    target_code: str
    target_term: str
    entry: crossmap.MapEntry


@dataclass
class Conversion:
    source_system: str
    target_system: str
    rows: list[Row] = field(default_factory=list)
    unmapped: list[tuple[str, str, str]] = field(default_factory=list)  # code, term, why

    def targets(self) -> dict[str, list[Row]]:
        """Target code -> the rows that give it, in order of first appearance."""
        out: dict[str, list[Row]] = {}
        for row in self.rows:
            out.setdefault(row.target_code, []).append(row)
        return out

    def cardinality(self, row: Row) -> str:
        many_targets = len({r.target_code for r in self.rows
                            if r.source_code == row.source_code}) > 1
        many_sources = len({r.source_code for r in self.targets()[row.target_code]}) > 1
        return (("many" if many_sources else "one") + "-to-"
                + ("many" if many_targets else "one"))

    def as_dict(self) -> dict[str, Any]:
        return {"from": self.source_system, "to": self.target_system,
                "rows": [_row_dict(self, r) for r in self.rows],
                "unmapped": [{"code": c, "term": t, "why": w} for c, t, w in self.unmapped],
                "targets": len(self.targets())}


def _row_dict(conversion: Conversion, row: Row) -> dict[str, Any]:
    e = row.entry
    return {"source_code": row.source_code, "source_term": row.source_term,
            "target_code": row.target_code, "target_term": row.target_term,
            "cardinality": conversion.cardinality(row), "map_group": e.group,
            "map_priority": e.priority, "map_rule": e.rule, "map_advice": e.advice,
            "relation": e.relation, "map": e.origin}


class _Mapper:
    """How one code of the source system reaches the target, decided once."""

    def __init__(self, source, target_system: str, target) -> None:
        self.source, self.target_system, self.target = source, target_system, target
        self.forward = crossmap.has_maps(source, target_system)
        self.backward = (target is not None and target.system != "snomedct"
                         and crossmap.has_maps(target, source.system))
        self.refsets_back = (target is not None and target.system == "snomedct"
                             and target_system == "snomedct")
        if not (self.forward or self.backward or self.refsets_back):
            hint = (f"install a {target_system} store whose release maps back to "
                    f"{source.system} (--target-db)" if target is None else
                    "neither store holds a map between these systems")
            raise NotSupportedError(
                f"no installed map from {source.system} to {target_system}: {hint}")

    def __call__(self, code: str) -> list[crossmap.MapEntry]:
        if self.forward:
            snomed = self.target if self.target_system == "snomedct" else None
            try:
                return crossmap.map_code(self.source, code, self.target_system, snomed=snomed)
            except UnknownCodeError:
                if self.source.system == "snomedct":
                    raise
                # a map table may know codes the code table lacks (BNF's mapping workbook)
                return [crossmap.MapEntry(self.source.system, code, m["target_system"],
                                          m["target_code"], m["map_group"], m["map_priority"],
                                          m["map_rule"], m["map_advice"], m["relation"],
                                          m["origin"])
                        for m in self.source.maps_from(code, self.target_system)
                        if m["active"]]
        if self.backward:
            return crossmap.reverse_store_maps(self.target, self.source.system, code)
        return crossmap.to_snomed_from_refsets(self.target, self.source.system, code)


def convert(cl: Codelist, target_system: str, *, source, target=None) -> Conversion:
    """Map every active code of ``cl`` (``source``: the store of its system)."""
    if cl.system.id == target_system:
        raise NotSupportedError(f"the codelist is already {cl.system.name}")
    mapper = _Mapper(source, target_system, target)
    conversion = Conversion(cl.system.id, target_system)
    codes = cl.active_codes()
    terms = cl.terms()
    found = source.lookup_many(codes)
    wanted: list[tuple[str, str, crossmap.MapEntry]] = []
    for code in codes:
        concept = found.get(code)
        try:
            entries = mapper(concept.code if concept else source.normalise(code))
        except UnknownCodeError:
            entries = []
        term = terms.get(code) or (concept.term if concept else "")
        if not entries:
            why = "no map" if concept else "not in the source store"
            conversion.unmapped.append((code, term, why))
        wanted += [(code, term, e) for e in dict.fromkeys(entries)]  # one row per map row
    target_terms = {}
    if target is not None:
        target_terms = {c: k.term for c, k in
                        target.lookup_many(sorted({e.target_code for *_, e in wanted})).items()}
    conversion.rows = [Row(code, term, e.target_code, target_terms.get(e.target_code, ""), e)
                       for code, term, e in wanted]
    return conversion


def mapping_table(conversion: Conversion) -> str:
    """The full mapping table as CSV (unmapped source codes with an empty target)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(TABLE_COLUMNS)
    for row in conversion.rows:
        data = _row_dict(conversion, row)
        writer.writerow([_safe(data[c]) for c in TABLE_COLUMNS])
    for code, term, why in conversion.unmapped:
        writer.writerow([_safe(code), _safe(term), "", "", "unmapped", "", "", "", why, "", ""])
    return out.getvalue()


def _safe(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def _provenance(conversion: Conversion, rows: list[Row]) -> tuple[dict[str, str], str]:
    sources = list(dict.fromkeys(r.source_code for r in rows))
    tags = {"from": ",".join(sources), "map": conversion.cardinality(rows[0])}
    notes = []
    for row in rows:
        e = row.entry
        bits = [e.origin] if e.origin else []
        if e.group is not None:
            bits.append(f"group {e.group} priority {e.priority}")
        if e.rule and e.rule.upper() != "TRUE":
            bits.append(f"rule {e.rule}")
        if e.advice:
            bits.append(f"advice {e.advice}")
        notes.append(f"{row.source_code}: " + ", ".join(bits))
    return tags, "; ".join(dict.fromkeys(notes))


def converted_codelist(conversion: Conversion, cl: Codelist, path: str | Path, *,
                       today: str | None = None) -> Codelist:
    """The target codes as a new draft codelist, each line naming its sources and map."""
    from codelists.codelist.systems import resolve_system
    from codelists.codelist.template import new_codelist

    system = resolve_system(conversion.target_system)
    today = today or _dt.date.today().isoformat()
    out = new_codelist(path, title=f"{cl.title} ({system.name})",
                       terminology=conversion.target_system, today=today)
    for key in COPIED_KEYS:
        if key in cl.meta:
            out.meta[key] = cl.meta[key]
    out.method = {"conversion": {
        "date": today, "from": conversion.source_system, "source": str(cl.path or cl.id),
        "source_version": cl.meta.get("version"),
        "maps": sorted({r.entry.origin for r in conversion.rows if r.entry.origin}),
        "unmapped": [code for code, _t, _w in conversion.unmapped]}}
    for code, rows in conversion.targets().items():
        tags, note = _provenance(conversion, rows)
        out.add_active(code, rows[0].target_term, comment=note.replace("\n", " "), tags=tags)
    if conversion.unmapped:
        from codelists.codelist.model import COMMENT, HEADING, Line

        out.lines += [Line("blank"), Line(HEADING, text="# ── Unmapped source codes ──")]
        out.lines += [Line(COMMENT, text=f"# unmapped: {c}  {t}  ({w})")
                      for c, t, w in conversion.unmapped]
    return out
