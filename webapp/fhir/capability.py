"""``metadata``: the CapabilityStatement, and with ``?mode=terminology`` the
TerminologyCapabilities naming every installed code system and its version."""

from __future__ import annotations

import datetime

from webapp.fhir import terminologies

OPERATIONS = {
    "CodeSystem": ["lookup", "validate-code", "subsumes"],
    "ValueSet": ["expand", "validate-code"],
    "ConceptMap": ["translate"],
}


def _today() -> str:
    return datetime.date.today().isoformat()


def _software() -> dict:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return {"name": "codelists", "version": version("codelists")}
    except PackageNotFoundError:
        return {"name": "codelists"}


def capability_statement(base: str) -> dict:
    resources = []
    for kind, operations in OPERATIONS.items():
        entry = {"type": kind, "interaction": [{"code": "read"}, {"code": "search-type"}],
                 "operation": [{"name": op, "definition":
                                f"http://hl7.org/fhir/OperationDefinition/{kind}-{op}"}
                               for op in operations]}
        if kind == "ConceptMap":
            entry["interaction"] = []
        resources.append(entry)
    return {"resourceType": "CapabilityStatement", "status": "active", "date": _today(),
            "kind": "instance", "software": _software(),
            "implementation": {"description": "codelists terminology service", "url": base},
            "fhirVersion": "4.0.1", "format": ["json"],
            "instantiates": ["http://hl7.org/fhir/CapabilityStatement/terminology-server"],
            "rest": [{"mode": "server", "resource": resources,
                      "security": {"description": "Read-only; anonymous reads allowed; "
                                   "rate-limited like the repository API."}}]}


def terminology_capabilities(base: str) -> dict:
    code_systems = [{"uri": item.uri, "version": [{"code": item.version, "isDefault": True}]}
                    for item in terminologies.every()]
    return {"resourceType": "TerminologyCapabilities", "status": "active", "date": _today(),
            "kind": "instance", "software": _software(),
            "implementation": {"description": "codelists terminology service", "url": base},
            "codeSystem": code_systems,
            "expansion": {"hierarchical": False, "paging": True, "incomplete": False,
                          "textFilter": "Every word of the filter starts a word of the "
                                        "display or another description."},
            "validateCode": {"translations": False},
            "translation": {"needsMap": False}}
