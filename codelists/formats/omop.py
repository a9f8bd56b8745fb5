"""OHDSI ATLAS concept set JSON (``{"items": [{"concept": {...}, "isExcluded": ...}]}``,
bare or wrapped as ``{"name": ..., "expression": {"items": [...]}}``).

Import keeps ``CONCEPT_ID`` as an ``omop_concept_id=`` tag; excluded items become
excluded lines.  ``includeDescendants`` items become the codelist's definition rules
(``definition: rules:``, include or exclude the code and its descendants, as
``isExcluded`` says) and stay tagged ``rule=descendants`` on their lines;
``includeMapped`` is kept as an ``include_mapped=1`` tag (the definition has no mapped
semantics).  A concept set over one vocabulary we know is read as that coding system
(``CONCEPT_CODE``); one over several vocabularies, or one we do not know (Visit, OMOP
Extension, RxNorm Extension), as OMOP concept ids (``CONCEPT_ID``, system ``omop``) with
each line's ``vocabulary=`` and ``source_code=``.  A cohort definition
(``ConceptSets``) gives one codelist per concept set.  Export writes the same
shape; OMOP concept ids come from the ``omop_concept_id`` tags (0 when unknown: map the
codes to OMOP with your vocabulary tables before loading the set into ATLAS).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from codelists.codelist.definition import Definition, Rule
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


def looks_like_cohort(data: Any) -> bool:
    """An OHDSI Circe cohort definition (``ConceptSets`` with expressions)."""
    return isinstance(data, dict) and isinstance(data.get("ConceptSets"), list) and all(
        isinstance(c, dict) and isinstance(c.get("expression"), dict)
        for c in data["ConceptSets"])


def read(path: str | Path, *, system: str | None = None, text: str | None = None) -> Imported:
    """An ATLAS concept set expression (see the module docstring)."""
    data = load_json(path, text)
    items = items_of(data)
    if items is None:
        raise InputFileError("not an ATLAS concept set (no items)", path=path,
                             hint="export the concept set expression as JSON from ATLAS")
    name = data.get("name") if isinstance(data, dict) else None
    return concept_set(items, path, system=system, name=name)


def read_cohort(path: str | Path, *, system: str | None = None,
                text: str | None = None) -> list[Imported]:
    """Every concept set of an OHDSI cohort definition, each as its own codelist."""
    data = load_json(path, text)
    if not looks_like_cohort(data) or not data["ConceptSets"]:
        raise InputFileError("the cohort definition has no concept sets", path=path,
                             hint="export the cohort definition JSON from ATLAS")
    found = []
    for entry in data["ConceptSets"]:
        imported = concept_set(entry["expression"].get("items") or [], path, system=system,
                               name=entry.get("name"))
        imported.meta["member"] = f"{entry.get('id', len(found))}-" + re.sub(
            r"[^a-z0-9]+", "-", str(entry.get("name", "")).lower()).strip("-")[:60]
        imported.format = "OHDSI cohort definition (concept set)"
        found.append(imported)
    return found


def _vocabulary_system(vocabulary: str) -> str | None:
    return _BY_VOCABULARY.get(vocabulary.lower())


def concept_set(items: list[dict], path, *, system: str | None = None,
                name: str | None = None) -> Imported:
    """One concept set's items: codes of its one vocabulary when we know it, else OMOP
    concept ids (``--system omop``), the source code and vocabulary kept as tags."""
    concepts = [(i, item, item.get("concept") or {}) for i, item in enumerate(items, 1)]
    vocabularies = {str(c.get("VOCABULARY_ID", "")) for _, _, c in concepts}
    systems = {_vocabulary_system(v) for v in vocabularies}
    by_id = system == "omop" or (system is None and (None in systems or len(systems) != 1))
    chosen = "omop" if by_id else system or systems.pop()
    rows, notes, other = [], [], []
    for i, item, concept in concepts:
        if not by_id and _vocabulary_system(str(concept.get("VOCABULARY_ID", ""))) != chosen:
            other.append(f"{concept.get('VOCABULARY_ID')} {concept.get('CONCEPT_CODE')}")
            continue
        rows.append(_row(i, item, concept, by_id, path))
    if other:
        notes.append(f"{len(other)} item(s) of other vocabularies not imported (--system "
                     f"{chosen}): {', '.join(other[:10])}")
    if by_id and system is None:
        notes.append(f"vocabularies {', '.join(sorted(vocabularies))}: imported as OMOP "
                     "concept ids (each line keeps its vocabulary and source code)")
    notes += normalise_rows(chosen, rows, path=path)
    meta: dict[str, Any] = {"title": name} if name else {}
    rules = tuple(Rule(r.code, r.included) for r in rows
                  if r.extra.get("rule") == "descendants" and r.invalid is None)
    if rules:  # includeDescendants / isExcluded as the codelist's definition
        meta["definition"] = Definition(rules=rules)
    return Imported(chosen, rows, meta=meta, source=str(path), format="ATLAS concept set",
                    notes=notes)


def _row(i: int, item: dict, concept: dict, by_id: bool, path) -> ImportedCode:
    code = concept.get("CONCEPT_ID") if by_id else concept.get("CONCEPT_CODE")
    if code in (None, ""):
        field = "CONCEPT_ID" if by_id else "CONCEPT_CODE"
        raise InputFileError(f"item {i} has no {field}", path=path,
                             hint="export the concept set with concept details")
    extra = {}
    if by_id:
        extra["vocabulary"] = str(concept.get("VOCABULARY_ID", ""))
        extra["source_code"] = str(concept.get("CONCEPT_CODE", ""))
    elif concept.get("CONCEPT_ID") not in (None, "", 0):
        extra["omop_concept_id"] = str(concept["CONCEPT_ID"])
    if item.get("includeDescendants"):
        extra["rule"] = "descendants"
    if item.get("includeMapped"):
        extra["include_mapped"] = "1"
    return ImportedCode(str(code), concept.get("CONCEPT_NAME", ""),
                        included=not item.get("isExcluded", False), extra=extra, line=i)


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
