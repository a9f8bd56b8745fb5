"""``ConceptMap/$translate`` over the maps installed with the terminologies
(codelists.terminology.crossmap: the NHS Data Migration tables of Read v2 and CTV3, the
SNOMED CT store's map refsets to ICD-10, OPCS-4 and CTV3 and back, BNF <-> dm+d)."""

from __future__ import annotations

import re

from webapp.fhir import terminologies
from webapp.fhir.codesystem import parameters
from webapp.fhir.outcome import invalid, not_found, not_supported

#: how our map rows read as FHIR R4 ConceptMap equivalences
EQUIVALENCE = {"assured": "equivalent", "reversed": "inexact"}


def translate(params) -> dict:
    from codelists.codelist.systems import system_for_fhir_uri
    from codelists.errors import NotSupportedError, UnknownCodeError, UsageError
    from codelists.terminology.crossmap import map_code
    from codelists.terminology.installed import open_installed

    source_installed, source = terminologies.resolve(params.get("system"),
                                                     params.get("version"))
    target_uri = params.get("targetsystem") or params.get("target")
    if not target_uri:
        raise invalid("say which code system to translate to: targetsystem")
    target = system_for_fhir_uri(target_uri)
    if target is None:
        raise not_found(f"unknown code system {target_uri}")
    code = params.get("code")
    if not code:
        raise invalid("the code parameter is required")
    snomed = open_installed("snomedct") if source_installed.system != "snomedct" else None
    try:
        entries = map_code(source, code, target.id, snomed=snomed)
    except UnknownCodeError as exc:
        raise not_found(exc.message) from None
    except NotSupportedError as exc:
        raise not_supported(str(exc)) from None
    except UsageError as exc:
        raise invalid(exc.message) from None
    if not entries:
        return parameters({"name": "result", "valueBoolean": False},
                          {"name": "message", "valueString":
                           f"{code} has no map to {target.name} here"})
    return parameters({"name": "result", "valueBoolean": True},
                      *(_match(entry, target) for entry in entries))


def _match(entry, target) -> dict:
    from codelists.terminology.installed import open_installed

    concept = {"system": target.fhir_url, "code": entry.target_code}
    store = open_installed(target.id)
    found = store.lookup(entry.target_code) if store is not None else None
    if found is not None:
        concept["display"] = found.term
    parts = [{"name": "equivalence",
              "valueCode": EQUIVALENCE.get(entry.relation or "", "relatedto")},
             {"name": "concept", "valueCoding": concept},
             {"name": "source", "valueUri": "urn:codelists:map:" + re.sub(
                 r"[^A-Za-z0-9.-]+", "-", entry.origin or "installed").strip("-")}]
    return {"name": "match", "part": parts}
