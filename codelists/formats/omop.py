"""OHDSI ATLAS concept set JSON (``{"items": [{"concept": {...}, "isExcluded": ...}]}``,
bare or wrapped as ``{"name": ..., "expression": {"items": [...]}}``).

Import keeps ``CONCEPT_ID`` as an ``omop_concept_id=`` tag and ``includeDescendants`` as
``rule=descendants``; excluded items become excluded lines.  Export writes the same
shape; OMOP concept ids come from the ``omop_concept_id`` tags (0 when unknown: map the
codes to OMOP with your vocabulary tables before loading the set into ATLAS).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from codelists.codelist.model import Codelist
from codelists.codelist.systems import SYSTEMS
from codelists.errors import InputFileError
from codelists.formats.fhir import load_json
from codelists.formats.table import Imported, ImportedCode, normalise_rows

_BY_VOCABULARY = {s.omop_vocabulary.lower(): s.id for s in SYSTEMS.values()
                  if s.omop_vocabulary}
_BY_VOCABULARY.update({"snomed": "snomedct", "icd10": "icd10", "icd10cm": "icd10cm",
                       "read": "readv2", "opcs4": "opcs4", "dm+d": "dmd", "dmd": "dmd"})


def items_of(data: Any) -> list[dict] | None:
    if isinstance(data, dict) and isinstance(data.get("expression"), dict):
        data = data["expression"]
    if isinstance(data, dict) and isinstance(data.get("items"), list):
        return data["items"]
    return None


def looks_like(data: Any) -> bool:
    items = items_of(data)
    return items is not None and all(isinstance(i, dict) and "concept" in i for i in items)


def read(path: str | Path, *, system: str | None = None, text: str | None = None) -> Imported:
    data = load_json(path, text)
    items = items_of(data)
    if items is None:
        raise InputFileError("not an ATLAS concept set (no items)", path=path,
                             hint="export the concept set expression as JSON from ATLAS")
    rows, vocabularies = [], set()
    for i, item in enumerate(items, 1):
        concept = item.get("concept") or {}
        code = concept.get("CONCEPT_CODE")
        if code in (None, ""):
            raise InputFileError(f"item {i} has no CONCEPT_CODE", path=path,
                                 hint="export the concept set with concept details")
        vocabularies.add(str(concept.get("VOCABULARY_ID", "")).lower())
        extra = {}
        if concept.get("CONCEPT_ID") not in (None, "", 0):
            extra["omop_concept_id"] = str(concept["CONCEPT_ID"])
        if item.get("includeDescendants"):
            extra["rule"] = "descendants"
        if item.get("includeMapped"):
            extra["include_mapped"] = "1"
        rows.append(ImportedCode(str(code), concept.get("CONCEPT_NAME", ""),
                                 included=not item.get("isExcluded", False), extra=extra,
                                 line=i))
    if system is None:
        known = {_BY_VOCABULARY.get(v) for v in vocabularies}
        if None in known or len(known) != 1:
            raise InputFileError(
                f"vocabularies {', '.join(sorted(vocabularies))} are not one coding system "
                "we know", path=path, hint="pass --system, or split the concept set")
        system = known.pop()
    notes = normalise_rows(system, rows, path=path)
    meta = {"title": data.get("name")} if isinstance(data, dict) and data.get("name") else {}
    return Imported(system, rows, meta=meta, source=str(path), format="ATLAS concept set",
                    notes=notes)


def _item(line, vocabulary: str, excluded: bool) -> dict[str, Any]:
    concept_id = line.tags.get("omop_concept_id")
    return {
        "concept": {
            "CONCEPT_ID": int(concept_id) if concept_id and concept_id.isdigit() else 0,
            "CONCEPT_NAME": line.term, "CONCEPT_CODE": line.code,
            "VOCABULARY_ID": vocabulary, "INVALID_REASON": "V",
            "INVALID_REASON_CAPTION": "Valid",
        },
        "isExcluded": excluded,
        "includeDescendants": line.tags.get("rule") == "descendants",
        "includeMapped": line.tags.get("include_mapped") == "1",
    }


def write(codelist: Codelist) -> str:
    vocabulary = codelist.system.omop_vocabulary or codelist.system.name
    active = set(codelist.active_codes())
    items = [_item(codelist.line_for(c, "active"), vocabulary, False)
             for c in codelist.active_codes()]
    items += [_item(codelist.line_for(c, "excluded"), vocabulary, True)
              for c in codelist.excluded_codes() if c not in active]
    data = {"name": codelist.title, "expression": {"items": items}}
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
