"""CALIBER phenotype CSVs (Kuan et al. 2019, the chronological map).

Two shapes, both read with their real defects (CRLF line ends, quoted headers, float
medcodes such as ``719.0``, Read codes a spreadsheet turned into numbers such as
``2126200.0``):

- ``Disease,Readcode,Medcode,ReadcodeDescr,Category`` (Read v2 with CPRD medcodes),
  ``Disease,ICD10code,ICD10codeDescr,Category`` and ``Disease,OPCS4code,...``;
- the older ``"metadata","category","readcode","readterm","medcode"`` (or ``icd_code``,
  ``icd_term``) whose first column carries ``Name: ...``, ``Author: ...`` lines and
  the category legend (``3. Type 1 diabetes``).

``Category`` becomes a heading above its codes; ``Medcode`` a ``medcode=`` tag.
"""

from __future__ import annotations

import re
from pathlib import Path

from codelists.errors import InputFileError
from codelists.formats.table import (
    Imported,
    ImportedCode,
    find_column,
    normalise_rows,
    read_csv,
)

CODE_COLUMNS = {"readcode": "readv2", "icd10code": "icd10", "opcs4code": "opcs4",
                "icd_code": "icd10"}
TERM_COLUMNS = ("ReadcodeDescr", "ICD10codeDescr", "OPCS4codeDescr", "readterm", "icd_term")
_LEGEND = re.compile(r"^\s*(\d+)\.\s*(.*?)\s*$")
_META = re.compile(r"^\s*([A-Za-z ]+):\s*(.*?)\s*$")


def looks_like(header: list[str]) -> bool:
    lowered = {h.lower() for h in header}
    return bool(lowered & set(CODE_COLUMNS)) and bool(lowered & {"disease", "metadata"})


def _code_column(header: list[str]) -> tuple[str, str]:
    for name, system in CODE_COLUMNS.items():
        column = find_column(header, name)
        if column:
            return column, system
    raise InputFileError("no Readcode, ICD10code or OPCS4code column", line=1,
                         hint="import with --format delimited --code-column NAME")


def _metadata(rows: list[dict[str, str]], column: str | None) -> tuple[dict, dict[str, str]]:
    meta: dict[str, str] = {}
    legend: dict[str, str] = {}
    if column is None:
        return meta, legend
    for row in rows:
        text = row.get(column, "").strip()
        if not text:
            continue
        if m := _LEGEND.match(text):
            legend[m.group(1)] = f"{m.group(1)}. {m.group(2)}"
        elif m := _META.match(text):
            meta[m.group(1).strip().lower()] = m.group(2)
    return meta, legend


def read(path: str | Path, *, system: str | None = None, text: str | None = None) -> Imported:
    header, rows = read_csv(path, text=text)
    try:
        code_col, detected = _code_column(header)
    except InputFileError as exc:
        exc.path = str(path)
        raise
    system = system or detected
    term_col = find_column(header, *TERM_COLUMNS)
    category_col = find_column(header, "Category")
    disease_col = find_column(header, "Disease")
    meta_col = find_column(header, "metadata")
    medcode_col = find_column(header, "Medcode")
    meta, legend = _metadata(rows, meta_col)
    items = []
    for r in rows:
        code = r[code_col].strip()
        if not code:
            continue
        category = r.get(category_col, "").strip() if category_col else ""
        extra = {}
        if medcode_col and r.get(medcode_col, "").strip():
            extra["medcode"] = _integer(r[medcode_col])
        items.append(ImportedCode(code, r.get(term_col, "") if term_col else "",
                                  group=legend.get(category, category) or None,
                                  extra=extra, line=int(r["__line__"])))
    notes = normalise_rows(system, items, path=path)
    title = (rows[0].get(disease_col, "").strip() if disease_col and rows else "") \
        or meta.get("name") or Path(path).stem
    info = {"title": title}
    if meta.get("author"):
        info["authors"] = [{"name": meta["author"], "role": "author"}]
    return Imported(system, items, meta=info, source=str(path), format="CALIBER CSV",
                    notes=notes)


def _integer(value: str) -> str:
    """``719.0`` (a medcode a spreadsheet made a float) -> ``719``."""
    value = value.strip()
    return value[:-2] if re.fullmatch(r"\d+\.0", value) else value
