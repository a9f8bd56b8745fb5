"""The FHIR R4 terminology service, called by a real FHIR client (fhirpy) over HTTP
against the live test server; every response validates with fhir.resources (R4B
models), and expansions agree with `codelist ecl expand` on the same store."""

from __future__ import annotations

import json

import pytest

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]
SCT = "http://snomed.info/sct"
SCT_VERSION = "http://snomed.info/sct/900000000000207008/version/20250101"


def valid(resource: dict) -> dict:
    """The resource, after checking it against its FHIR model."""
    from fhir.resources.R4B import get_fhir_model_class

    get_fhir_model_class(resource["resourceType"]).model_validate(resource)
    return resource


def part(parameters: dict, name: str):
    values = [p for p in parameters["parameter"] if p["name"] == name]
    return values[0] if values else None


def value(parameters: dict, name: str):
    found = part(parameters, name)
    if found is None:
        return None
    return next(v for k, v in found.items() if k.startswith("value"))


@pytest.fixture
def installed(tmp_path, monkeypatch, snomed_small_store, readv2_store, icd10_store,
              opcs4_store):
    """A data directory holding SNOMED CT, Read v2, ICD-10 and OPCS-4 stores."""
    folder = tmp_path / "terminologies"
    folder.mkdir()
    for path in (snomed_small_store, readv2_store, icd10_store, opcs4_store):
        (folder / path.name).symlink_to(path)
    monkeypatch.setenv("CODELISTS_DATA_DIR", str(folder))
    return folder


@pytest.fixture
def fhir(live_server, installed):
    from fhirpy import SyncFHIRClient

    return SyncFHIRClient(f"{live_server.url}/fhir")


def get(client, path, **params):
    return valid(client.execute(path, method="get", params=params))


def outcome_of(client, path, status, **params):
    from fhirpy.base.exceptions import OperationOutcome, ResourceNotFound

    with pytest.raises((OperationOutcome, ResourceNotFound)) as raised:
        client.execute(path, method="get", params=params)
    body = raised.value.args[0]
    resource = body if isinstance(body, dict) else json.loads(body)
    valid(resource)
    assert resource["resourceType"] == "OperationOutcome"
    return resource["issue"][0]


def test_metadata_names_every_installed_code_system(fhir):
    statement = get(fhir, "metadata")
    assert statement["fhirVersion"] == "4.0.1"
    operations = {(r["type"], o["name"]) for r in statement["rest"][0]["resource"]
                  for o in r.get("operation", [])}
    assert ("ValueSet", "expand") in operations and ("ConceptMap", "translate") in operations
    capabilities = get(fhir, "metadata", mode="terminology")
    systems = {s["uri"]: s["version"][0]["code"] for s in capabilities["codeSystem"]}
    assert systems[SCT] == SCT_VERSION
    assert {"http://read.info/readv2", "http://hl7.org/fhir/sid/icd-10",
            "https://fhir.nhs.uk/Id/opcs-4"} <= set(systems)


def test_lookup_snomed_and_other_systems(fhir):
    found = get(fhir, "CodeSystem/$lookup", system=SCT, code="195967001")
    assert value(found, "display") == "Asthma (UK clinical)"
    assert value(found, "version") == SCT_VERSION
    american = get(fhir, "CodeSystem/$lookup", system=SCT, code="195967001",
                   displayLanguage="en-US")
    assert value(american, "display") == "Asthma"
    parents = [p["part"][1]["valueCode"] for p in found["parameter"]
               if p["name"] == "property" and p["part"][0]["valueCode"] == "parent"]
    assert parents == ["64572001"]
    full = get(fhir, "CodeSystem/$lookup", system=f"{SCT}/900000000000207008",
               code="3723001", property="designation")
    assert any(p["name"] == "designation" for p in full["parameter"])
    read = get(fhir, "CodeSystem/$lookup", system="http://read.info/readv2", code="H33..")
    assert value(read, "display").lower().startswith("asthma")
    opcs = get(fhir, "CodeSystem/$lookup", system="https://fhir.nhs.uk/Id/opcs-4",
               code="W37.1")
    assert value(opcs, "display").startswith("Primary total prosthetic replacement of hip")
    parents = [p["part"][1]["valueCode"] for p in opcs["parameter"]
               if p["name"] == "property" and p["part"][0]["valueCode"] == "parent"]
    assert parents == ["W37"]
    old_uri = get(fhir, "CodeSystem/$lookup", system="http://fhir.nhs.uk/CodeSystem/OPCS-4",
                  code="W371")
    assert value(old_uri, "display") == value(opcs, "display")
    icd = get(fhir, "CodeSystem/$subsumes", system="http://hl7.org/fhir/sid/icd-10",
              codeA="C40", codeB="C40.3")
    assert value(icd, "outcome") == "subsumes"
    issue = outcome_of(fhir, "CodeSystem/$lookup", 404, system=SCT, code="999999999")
    assert issue["code"] == "not-found"
    issue = outcome_of(fhir, "CodeSystem/$lookup", 404, system="http://example.org/x", code="1")
    assert "unknown code system" in issue["diagnostics"]
    issue = outcome_of(fhir, "CodeSystem/$lookup", 404,
                       system=f"{SCT}/900000000000207008/version/20990101", code="3723001")
    assert "not installed" in issue["diagnostics"]


def test_validate_code_and_subsumes(fhir):
    ok = get(fhir, "CodeSystem/$validate-code", url=SCT, code="3723001", display="Arthritis")
    assert value(ok, "result") is True
    wrong = get(fhir, "CodeSystem/$validate-code", url=SCT, code="3723001", display="Gout")
    assert value(wrong, "result") is False and "Gout" in value(wrong, "message")
    unknown = get(fhir, "CodeSystem/$validate-code", url=SCT, code="123456789")
    assert value(unknown, "result") is False
    for a, b, expected in [("3723001", "439656005", "subsumes"),
                           ("439656005", "3723001", "subsumed-by"),
                           ("3723001", "3723001", "equivalent"),
                           ("195967001", "3723001", "not-subsumed")]:
        answer = get(fhir, "CodeSystem/$subsumes", system=SCT, codeA=a, codeB=b)
        assert value(answer, "outcome") == expected, (a, b)
    issue = outcome_of(fhir, "CodeSystem/$subsumes", 400, system=SCT, codeA="3723001")
    assert issue["code"] == "invalid"


def _ecl_cli(store, expression):
    import contextlib
    import io

    from codelists.cli.main import main

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["ecl", "expand", expression, "--db", str(store), "--json"]) == 0
    return [c["id"] for c in json.loads(out.getvalue())["concepts"]]


@pytest.mark.parametrize("fhir_vs, ecl", [
    ("isa/64572001", "<< 64572001"),
    ("refset/1002007", "^ 1002007"),
    ("ecl/%3C%3C%20404684003%20MINUS%20%3C%3C%20928000", "<< 404684003 MINUS << 928000"),
    ("ecl/< 404684003 : 363698007 = << 39352004", "< 404684003 : 363698007 = << 39352004"),
])
def test_implicit_expansions_agree_with_the_cli(fhir, snomed_small_store, fhir_vs, ecl):
    expected = _ecl_cli(snomed_small_store, ecl)
    expansion = get(fhir, "ValueSet/$expand", url=f"{SCT}?fhir_vs={fhir_vs}")["expansion"]
    assert [c["code"] for c in expansion.get("contains", [])] == expected
    assert expansion["total"] == len(expected)


def test_expand_pages_filters_and_languages(fhir, snomed_small_store):
    everything = _ecl_cli(snomed_small_store, "<< 138875005")
    url = f"{SCT}?fhir_vs"
    first = get(fhir, "ValueSet/$expand", url=url, count=5, offset=0)["expansion"]
    second = get(fhir, "ValueSet/$expand", url=url, count=5, offset=5)["expansion"]
    assert first["total"] == len(everything)
    assert [c["code"] for c in first["contains"] + second["contains"]] == everything[:10]
    arthritis = get(fhir, "ValueSet/$expand", url=f"{SCT}?fhir_vs=isa/64572001",
                    filter="arthr")["expansion"]
    assert {c["code"] for c in arthritis["contains"]} == {"3723001", "69896004",
                                                          "439656005", "429554009"}
    us = get(fhir, "ValueSet/$expand", url=f"{SCT}?fhir_vs=isa/373873005",
             displayLanguage="en-US")["expansion"]
    assert {c["display"] for c in us["contains"]} >= {"Acetaminophen 500 mg oral tablet"}
    issue = outcome_of(fhir, "ValueSet/$expand", 400, url=f"{SCT}?fhir_vs=ecl/<<")
    assert issue["code"] == "invalid"
    issue = outcome_of(fhir, "ValueSet/$expand", 400, url=f"{SCT}?fhir_vs", count="lots")
    assert "count" in issue["diagnostics"]


def test_codelist_versions_are_value_sets(fhir, web_article, live_server):
    codelist = web_article.codelists.get()
    canonical = f"{live_server.url}/fhir/ValueSet/codelist-{codelist.pk}"
    v1 = get(fhir, "ValueSet/$expand", url=canonical, valueSetVersion="1")
    assert v1["version"] == "1" and v1["url"] == canonical
    assert [c["code"] for c in v1["expansion"]["contains"]] == ["195967001", "233678006"]
    latest = get(fhir, f"ValueSet/codelist-{codelist.pk}/$expand", count=1, offset=2)
    assert latest["version"] == "2" and latest["expansion"]["total"] == 3
    assert [c["code"] for c in latest["expansion"]["contains"]] == ["266361008"]
    filtered = get(fhir, "ValueSet/$expand", url=canonical, filter="child")
    assert [c["code"] for c in filtered["expansion"]["contains"]] == ["233678006"]
    member = get(fhir, "ValueSet/$validate-code", url=canonical, system=SCT, code="195967001")
    assert value(member, "result") is True
    excluded = get(fhir, "ValueSet/$validate-code", url=canonical, code="41553006")
    assert value(excluded, "result") is False
    read = fhir.reference("ValueSet", f"codelist-{codelist.pk}-v1").to_resource()
    valid(read.serialize())
    assert [c["code"] for c in read["compose"]["include"][0]["concept"]] == \
        ["195967001", "233678006"]
    search = get(fhir, "ValueSet", url=canonical)
    assert search["total"] == 1
    issue = outcome_of(fhir, "ValueSet/codelist-999999/$expand", 404)
    assert issue["code"] == "not-found"


def test_implicit_validate_code(fhir):
    inside = get(fhir, "ValueSet/$validate-code", url=f"{SCT}?fhir_vs=isa/3723001",
                 code="439656005")
    assert value(inside, "result") is True and value(inside, "display")
    outside = get(fhir, "ValueSet/$validate-code", url=f"{SCT}?fhir_vs=isa/3723001",
                  code="195967001")
    assert value(outside, "result") is False


def test_translate_over_installed_maps(fhir, snomed_small_store):
    from codelists.terminology import crossmap, registry

    icd = get(fhir, "ConceptMap/$translate", system=SCT, code="69896004",
              targetsystem="http://hl7.org/fhir/sid/icd-10")
    with registry.open_terminology(snomed_small_store) as store:
        expected = [e.target_code for e in crossmap.map_code(store, "69896004", "icd10")]
    assert value(icd, "result") is True
    targets = [m["part"][1]["valueCoding"]["code"] for m in icd["parameter"]
               if m["name"] == "match"]
    assert targets == expected and "M06.9" in targets
    ctv3 = get(fhir, "ConceptMap/$translate", system=SCT, code="3723001",
               targetsystem="http://read.info/ctv3")
    assert [m["part"][1]["valueCoding"]["code"] for m in ctv3["parameter"]
            if m["name"] == "match"] == ["X701i"]
    read = get(fhir, "ConceptMap/$translate", system="http://read.info/readv2", code="H33..",
               targetsystem=SCT)
    assert value(read, "result") is True
    matches = [m for m in read["parameter"] if m["name"] == "match"]
    assert matches[0]["part"][1]["valueCoding"]["system"] == SCT
    none = get(fhir, "ConceptMap/$translate", system=SCT, code="3723001",
               targetsystem="http://hl7.org/fhir/sid/icd-10")
    assert value(none, "result") is False
    issue = outcome_of(fhir, "ConceptMap/$translate", 400, system=SCT, code="3723001")
    assert issue["code"] == "invalid"


def test_post_parameters_and_read_only(fhir):
    body = {"resourceType": "Parameters", "parameter": [
        {"name": "coding", "valueCoding": {"system": SCT, "code": "3723001"}}]}
    found = valid(fhir.execute("CodeSystem/$lookup", method="post", data=body))
    assert value(found, "display") == "Arthritis"
    from fhirpy.base.exceptions import OperationOutcome

    with pytest.raises(OperationOutcome):
        fhir.execute("CodeSystem", method="post", data={"resourceType": "CodeSystem"})
    bundle = get(fhir, "CodeSystem")
    assert {e["resource"]["url"] for e in bundle["entry"]} >= {SCT, "http://read.info/readv2"}
