"""ClinicalCodes.org CSV: ``code,coding_system,description,entity,list_name,upload_date``."""

from __future__ import annotations

import re
from pathlib import Path

from codelists.codelist.model import Codelist
from codelists.codelist.systems import resolve_system
from codelists.errors import CodelistFormatError, InputFileError
from codelists.formats.table import (
    Imported,
    ImportedCode,
    detect,
    find_column,
    normalise_rows,
    read_csv,
    write_csv,
)

HEADER = ["code", "coding_system", "description", "entity", "list_name", "upload_date"]
#: ClinicalCodes.org coding-system names -> ours
SYSTEM_NAMES = {"read": "readv2", "readv2": "readv2", "read v2": "readv2", "icd10": "icd10",
                "icd-10": "icd10", "opcs4": "opcs4", "opcs": "opcs4", "snomed": "snomedct",
                "snomed ct": "snomedct", "snomedct": "snomedct", "med": "cprd_medcode",
                "medcode": "cprd_medcode", "ctv3": "ctv3", "bnf": "bnf", "icd10cm": "icd10cm"}
OUR_NAMES = {"readv2": "Read", "icd10": "ICD10", "opcs4": "OPCS4", "snomedct": "SNOMED CT",
             "cprd_medcode": "Med", "ctv3": "CTV3", "bnf": "BNF", "icd10cm": "ICD10CM",
             "dmd": "dm+d"}


def looks_like(header: list[str]) -> bool:
    lowered = [h.lower() for h in header]
    return "coding_system" in lowered and "code" in lowered


def _system(names: set[str], codes: list[str], path) -> str:
    mapped = set()
    for name in names:
        key = name.strip().lower()
        if key in SYSTEM_NAMES:
            mapped.add(SYSTEM_NAMES[key])
        else:
            try:
                mapped.add(resolve_system(key).id)
            except CodelistFormatError:
                mapped.add(key)
    if len(mapped) > 1:
        raise InputFileError(
            f"the file mixes coding systems ({', '.join(sorted(names))})", path=path,
            hint="split it into one file per coding system (a codelist has one)")
    if mapped:
        return mapped.pop()
    return detect(codes, None, path=path)


def read(path: str | Path, *, system: str | None = None, text: str | None = None) -> Imported:
    header, rows = read_csv(path, text=text)
    code_col = find_column(header, "code")
    if code_col is None:
        raise InputFileError("no code column", path=path, line=1,
                             hint="a ClinicalCodes file starts code,coding_system,...")
    cs_col, term_col = find_column(header, "coding_system"), find_column(header, "description")
    names = {r[cs_col] for r in rows if cs_col and r[cs_col].strip()}
    system = system or _system(names, [r[code_col] for r in rows], path)
    keep = [h for h in header if h.lower() in ("entity",)]
    items = [ImportedCode(r[code_col].strip(), r.get(term_col, "") if term_col else "",
                          extra={h: r[h] for h in keep if r[h].strip()},
                          line=int(r["__line__"]))
             for r in rows if r[code_col].strip()]
    notes = normalise_rows(system, items, path=path)
    meta = {}
    list_col, date_col = find_column(header, "list_name"), find_column(header, "upload_date")
    if rows and list_col and rows[0][list_col].strip():
        meta["title"] = rows[0][list_col].strip()
    if rows and date_col and rows[0][date_col].strip():
        meta["upload_date"] = rows[0][date_col].strip()
    return Imported(system, items, meta=meta, source=str(path), format="ClinicalCodes CSV",
                    notes=notes)


def write(codelist: Codelist) -> str:
    system = OUR_NAMES.get(codelist.system.id, codelist.system.name)
    date = str(codelist.meta.get("updated") or "")
    terms = codelist.terms()
    rows = []
    for code in codelist.active_codes():
        entity = codelist.line_for(code, "active").tags.get("entity", "")
        rows.append([code, system, terms.get(code, ""), re.sub(r"%20", " ", entity),
                     codelist.title, date])
    return write_csv(HEADER, rows)
