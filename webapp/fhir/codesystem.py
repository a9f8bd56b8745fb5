"""CodeSystem operations: ``$lookup``, ``$validate-code``, ``$subsumes``; and the
CodeSystem resources that describe the installed terminologies."""

from __future__ import annotations

from webapp.fhir import terminologies
from webapp.fhir.outcome import invalid, not_found


def parameters(*parts: dict) -> dict:
    return {"resourceType": "Parameters", "parameter": [p for p in parts if p]}


def _concept(terminology, code: str):
    if not code:
        raise invalid("the code parameter is required")
    concept = terminology.lookup(code)
    return concept


def lookup(params) -> dict:
    installed, terminology = terminologies.resolve(params.get("system"), params.get("version"))
    code = params.get("code")
    concept = _concept(terminology, code)
    if concept is None:
        raise not_found(f"{code} is not a {installed.name} code in {installed.version}")
    display = concept.term
    language = params.get("displayLanguage")
    if language and installed.system == "snomedct":
        display = terminology.preferred_term(concept.code, dialect_for(language)) or display
    out = [{"name": "name", "valueString": installed.name},
           {"name": "version", "valueString": installed.version},
           {"name": "display", "valueString": display},
           _property("inactive", {"valueBoolean": not concept.active})]
    wanted = set(params.all("property"))
    for parent in terminology.parents(concept.code):
        out.append(_property("parent", {"valueCode": parent}))
    if wanted & {"child", "*"}:
        for child in terminology.children(concept.code):
            out.append(_property("child", {"valueCode": child}))
    if wanted & {"designation", "*"}:
        for term in terminology.show(concept.code).terms:
            out.append(_designation(term))
    return parameters(*out)


def dialect_for(language: str) -> str:
    language = language.split(",")[0].split(";")[0].strip()
    return "en-US" if language.lower() == "en-us" else "en-GB"


def _property(code: str, value: dict) -> dict:
    return {"name": "property", "part": [{"name": "code", "valueCode": code},
                                         {"name": "value", **value}]}


#: SNOMED CT description types as designation uses
USES = {"fsn": "900000000000003001", "synonym": "900000000000013009",
        "definition": "900000000000550004"}


def _designation(term: dict) -> dict:
    parts = [{"name": "value", "valueString": term.get("term", "")}]
    language = term.get("language") or term.get("lang")
    if language:
        parts.insert(0, {"name": "language", "valueCode": language})
    kind = str(term.get("type") or "")
    if kind in USES:
        parts.append({"name": "use", "valueCoding": {
            "system": "http://snomed.info/sct", "code": USES[kind], "display": kind}})
    return {"name": "designation", "part": parts}


def validate_code(params) -> dict:
    installed, terminology = terminologies.resolve(params.get("url") or params.get("system"),
                                                   params.get("version"))
    code = params.get("code")
    concept = _concept(terminology, code)
    if concept is None:
        return parameters({"name": "result", "valueBoolean": False},
                          {"name": "message", "valueString":
                           f"{code} is not a {installed.name} code in {installed.version}"})
    return _valid(concept, params.get("display"), installed.name)


def _valid(concept, display: str | None, name: str) -> dict:
    out = [{"name": "result", "valueBoolean": True},
           {"name": "display", "valueString": concept.term}]
    if display and display.strip().lower() != concept.term.strip().lower():
        out[0] = {"name": "result", "valueBoolean": False}
        out.append({"name": "message", "valueString":
                    f"{display!r} is not the display of {name} {concept.code} "
                    f"({concept.term!r})"})
    elif not concept.active:
        out.append({"name": "message", "valueString": f"{concept.code} is inactive"})
    return parameters(*out)


def subsumes(params) -> dict:
    from codelists.errors import UnknownCodeError
    from codelists.terminology.subsumption import relation

    _installed, terminology = terminologies.resolve(params.get("system"),
                                                    params.get("version"))
    code_a, code_b = params.get("codeA"), params.get("codeB")
    if not code_a or not code_b:
        raise invalid("$subsumes needs codeA and codeB")
    try:
        outcome = relation(terminology, code_a, code_b)
    except UnknownCodeError as exc:
        raise not_found(exc.message) from None
    return parameters({"name": "outcome", "valueCode": outcome})


def resource(installed) -> dict:
    """A CodeSystem resource describing an installed terminology (content not present:
    ask the operations)."""
    return {"resourceType": "CodeSystem", "id": installed.system, "url": installed.uri,
            "version": installed.version, "name": installed.name.replace(" ", "").replace(
                "-", "").replace("+", ""),
            "title": installed.name, "status": "active", "content": "not-present",
            "hierarchyMeaning": "is-a"}
