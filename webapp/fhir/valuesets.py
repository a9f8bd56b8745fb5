"""ValueSets: every published codelist version (canonical URL
``<site>/fhir/ValueSet/codelist-<id>``, version ``<number>``, resource id
``codelist-<id>-v<number>``) and SNOMED CT implicit value sets (``?fhir_vs``); their
``$expand`` (filter, count/offset, displayLanguage) and ``$validate-code``."""

from __future__ import annotations

import datetime
import re
import uuid

from webapp.fhir import terminologies
from webapp.fhir.codesystem import parameters
from webapp.fhir.outcome import FhirError, invalid, not_found
from webapp.repository.models import Codelist, CodelistVersion
from webapp.repository.permissions import can_view

ID = re.compile(r"codelist-(\d+)(?:-v(\d+))?")
#: largest page an expansion returns at once
MAX_COUNT = 10_000


def canonical(base: str, codelist: Codelist) -> str:
    return f"{base}ValueSet/codelist-{codelist.pk}"


def version_for_id(user, resource_id: str) -> CodelistVersion:
    match = ID.fullmatch(resource_id or "")
    if not match:
        raise not_found(f"no ValueSet {resource_id}")
    codelist = Codelist.objects.select_related("article", "latest_version").filter(
        pk=int(match.group(1))).first()
    if codelist is None or not can_view(user, codelist.article):
        raise not_found(f"no ValueSet {resource_id}")
    if match.group(2) is None:
        if codelist.latest_version is None:
            raise not_found(f"ValueSet {resource_id} has no versions")
        return codelist.latest_version
    version = codelist.versions.filter(number=int(match.group(2))).first()
    if version is None:
        raise not_found(f"no ValueSet {resource_id}")
    return version


def version_for_url(user, base: str, url: str, version: str | None) -> CodelistVersion:
    prefix = f"{base}ValueSet/"
    if not url.startswith(prefix):
        raise not_found(f"no ValueSet {url} on this server (its value sets are {prefix}...)")
    resource_id = url[len(prefix):]
    if version:
        if not version.isdigit():
            raise not_found(f"no version {version} of {url}")
        resource_id = f"{resource_id.split('-v')[0]}-v{version}"
    return version_for_id(user, resource_id)


def _parsed(version: CodelistVersion):
    from codelists.codelist.fileformat import parse

    return parse(version.text, path=f"v{version.number}.codelist")


def resource(version: CodelistVersion, base: str) -> dict:
    """The version as a ValueSet (compose of its explicit codes; the library's exporter)."""
    from codelists.formats.fhir import to_resource

    codelist = version.codelist
    data = to_resource(_parsed(version), base_url=None)
    data.update(id=f"codelist-{codelist.pk}-v{version.number}",
                url=canonical(base, codelist), version=str(version.number),
                status="active", date=version.created.date().isoformat())
    data.setdefault("copyright", f"Licence: {codelist.article.licence}")
    return data


def _paging(params) -> tuple[int, int | None]:
    offset = params.integer("offset", 0)
    count = params.integer("count", None)
    if count is not None and count > MAX_COUNT:
        raise FhirError(400, "too-costly", f"count may be at most {MAX_COUNT}")
    return offset, count


def _expansion(total: int, offset: int, contains: list[dict], params: list[dict]) -> dict:
    expansion = {"identifier": f"urn:uuid:{uuid.uuid4()}",
                 "timestamp": datetime.datetime.now(datetime.UTC).isoformat(
                     timespec="seconds"),
                 "total": total, "offset": offset}
    if params:
        expansion["parameter"] = params
    if contains:
        expansion["contains"] = contains
    return expansion


def expand_codelist(version: CodelistVersion, base: str, params) -> dict:
    offset, count = _paging(params)
    parsed = _parsed(version)
    system = parsed.system
    terms = parsed.terms()
    codes = list(parsed.active_codes())
    text = (params.get("filter") or "").strip().lower()
    if text:
        words = text.split()
        codes = [c for c in codes if all(
            any(w.startswith(word) for w in re.findall(r"\w+", (terms.get(c) or "").lower()))
            for word in words)]
    page = codes[offset:None if count is None else offset + count]
    displays = _displays(system.id, page, terms, params.get("displayLanguage"))
    uri = system.fhir_url or f"urn:codelists:system:{system.id}"
    contains = [{"system": uri, "code": c, **({"display": displays[c]} if displays.get(c)
                                              else {})} for c in page]
    valueset = resource(version, base)
    valueset.pop("compose", None)
    valueset["expansion"] = _expansion(len(codes), offset, contains,
                                       _echo(params, "filter", "displayLanguage"))
    return valueset


def _displays(system: str, codes: list[str], terms: dict, language: str | None) -> dict:
    if language and system == "snomedct" and codes:
        from codelists.ecl.evaluate import preferred_terms
        from codelists.terminology.installed import open_installed
        from webapp.fhir.codesystem import dialect_for

        store = open_installed("snomedct")
        if store is not None:
            found = preferred_terms([int(c) for c in codes], store, dialect=dialect_for(language))
            return {c: found.get(int(c)) or terms.get(c, "") for c in codes}
    return {c: terms.get(c, "") for c in codes}


def _echo(params, *names) -> list[dict]:
    return [{"name": n, "valueString": params.get(n)} for n in names if params.get(n)]


def expand_implicit(url: str, params) -> dict:
    from codelists.ecl.expansion import expand
    from codelists.ecl.implicit import edition_of, to_ecl
    from codelists.errors import ECLError, UsageError
    from webapp.fhir.codesystem import dialect_for

    installed, terminology = terminologies.resolve(edition_of(url))
    offset, count = _paging(params)
    try:
        page = expand(to_ecl(url), terminology, text_filter=params.get("filter"),
                      offset=offset, count=count,
                      dialect=dialect_for(params.get("displayLanguage") or "en-GB"))
    except (UsageError, ECLError) as exc:
        raise invalid(exc.message) from None
    contains = [{"system": installed.uri, "code": code, "display": display}
                for code, display in page.items]
    echoed = _echo(params, "filter", "displayLanguage")
    echoed.append({"name": "version", "valueUri": installed.version})
    return {"resourceType": "ValueSet", "url": url, "status": "active",
            "expansion": _expansion(page.total, offset, contains, echoed)}


def validate_implicit(url: str, params) -> dict:
    from bisect import bisect_left

    from codelists.ecl.expansion import members
    from codelists.ecl.implicit import edition_of, to_ecl
    from codelists.errors import ECLError, UsageError

    installed, terminology = terminologies.resolve(edition_of(url))
    code = params.get("code") or ""
    try:
        ids, _ = members(to_ecl(url), terminology)
    except (UsageError, ECLError) as exc:
        raise invalid(exc.message) from None
    wanted = int(code) if code.isdigit() else -1
    at = bisect_left(ids, wanted)
    inside = at < len(ids) and ids[at] == wanted
    concept = terminology.lookup(code) if inside else None
    return _membership(inside, code, url, concept.term if concept else None,
                       params.get("display"))


def validate_codelist(version: CodelistVersion, base: str, params) -> dict:
    parsed = _parsed(version)
    system = params.get("system")
    code = params.get("code") or ""
    if system:
        from codelists.codelist.systems import system_for_fhir_uri

        if system_for_fhir_uri(system) != parsed.system:
            return _membership(False, code, canonical(base, version.codelist), None, None)
    code = _normalised(parsed.system.id, code)
    inside = code in set(parsed.active_codes())
    return _membership(inside, code, canonical(base, version.codelist),
                       parsed.terms().get(code) if inside else None, params.get("display"))


def _normalised(system: str, code: str) -> str:
    from codelists.errors import CodelistsError
    from codelists.terminology.normalise import normalise_code

    try:
        return normalise_code(system, code).code or code
    except CodelistsError:  # a system without a normaliser: codes as written
        return code


def _membership(inside: bool, code: str, url: str, display: str | None,
                given: str | None) -> dict:
    if not inside:
        return parameters({"name": "result", "valueBoolean": False},
                          {"name": "message", "valueString": f"{code} is not in {url}"})
    out = [{"name": "result", "valueBoolean": True}]
    if display:
        out.append({"name": "display", "valueString": display})
    if given and display and given.strip().lower() != display.strip().lower():
        out[0] = {"name": "result", "valueBoolean": False}
        out.append({"name": "message", "valueString":
                    f"{given!r} is not the display of {code} ({display!r})"})
    return parameters(*out)
