"""FHIR R4 ValueSet JSON: ``compose.include`` / ``compose.exclude`` with explicit concepts.

Import reads explicit concepts (``include[].concept[]`` -> active lines,
``exclude[].concept[]`` -> excluded lines); a ValueSet with only an ``expansion`` is read
from ``expansion.contains``.  Filters and imported value sets select codes by rule and
are refused (expand them first) rather than silently flattened.  Export writes an
extensional ValueSet that validates against FHIR R4.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from codelists.codelist.model import Codelist
from codelists.codelist.systems import SYSTEMS, system_for_fhir_uri
from codelists.errors import InputFileError, NotSupportedError
from codelists.formats.table import Imported, ImportedCode, normalise_rows, read_text

STATUS = {"draft": "draft", "published": "active", "active": "active", "retired": "retired",
          "deprecated": "retired", "withdrawn": "retired"}


def load_json(path: str | Path, text: str | None = None) -> Any:
    text = read_text(path) if text is None else text
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputFileError(f"not valid JSON: {exc.msg}", path=path, line=exc.lineno,
                             column=exc.colno, hint="check the file is JSON") from exc
    except RecursionError as exc:
        raise InputFileError("JSON nested too deeply to read", path=path,
                             hint="a ValueSet or concept set is only a few levels deep") from exc


def looks_like(data: Any) -> bool:
    return isinstance(data, dict) and data.get("resourceType") == "ValueSet"


def _system_of(url: str, path) -> str:
    system = system_for_fhir_uri(url)
    if system is None:
        raise InputFileError(f"unknown code system {url!r}", path=path,
                             hint="pass --system to say which coding system it is")
    return system.id


def _concepts(groups: list[dict], included: bool, path) -> list[tuple[str, ImportedCode]]:
    out = []
    for group in groups or []:
        if group.get("filter") or group.get("valueSet"):
            raise NotSupportedError(
                f"{path}: the ValueSet selects codes by filter or by other value sets; "
                "expand it (e.g. $expand on a terminology server) and import the expansion")
        if not group.get("concept"):
            raise NotSupportedError(
                f"{path}: a compose group without concepts selects a whole code system")
        for concept in group["concept"]:
            out.append((group.get("system", ""),
                        ImportedCode(str(concept["code"]), concept.get("display", ""),
                                     included=included)))
    return out


def _empty_set(compose: dict) -> bool:
    def bare(groups):
        return bool(groups) and all(set(g) == {"system"} for g in groups)

    include, exclude = compose.get("include"), compose.get("exclude")
    return bare(include) and bare(exclude) and \
        {g["system"] for g in include} == {g["system"] for g in exclude}


def _explicit(compose: dict) -> bool:
    groups = (compose.get("include") or []) + (compose.get("exclude") or [])
    return bool(groups) and all(g.get("concept") and not g.get("filter")
                                and not g.get("valueSet") for g in groups)


def _pairs(data: dict, path) -> list[tuple[str, ImportedCode]]:
    """(system URI, code) of the ValueSet's explicit compose, else of its expansion."""
    compose = data.get("compose") or {}
    expansion = data.get("expansion") or {}
    if _empty_set(compose):
        return []  # sct's empty list: include a whole system, then exclude all of it
    if compose and (_explicit(compose) or not expansion.get("contains")):
        pairs = _concepts(compose.get("include"), True, path)
        return pairs + _concepts(compose.get("exclude"), False, path)
    return [(c.get("system", ""), ImportedCode(str(c["code"]), c.get("display", ""),
                                               line=i))
            for i, c in enumerate(_contains(expansion.get("contains") or []), 1)]


def _contains(entries: list[dict]) -> list[dict]:
    """An expansion's codes, nested ``contains`` flattened; abstract entries skipped."""
    out = []
    for entry in entries:
        if entry.get("code") and not entry.get("abstract"):
            out.append(entry)
        out += _contains(entry.get("contains") or [])
    return out


def read(path: str | Path, *, system: str | None = None,
         text: str | None = None) -> Imported | list[Imported]:
    """A ValueSet: its explicit ``compose`` (include/exclude concepts), or its
    ``expansion`` when the compose selects by filter; one codelist per code system (or
    the one ``system`` names)."""
    data = load_json(path, text)
    if not looks_like(data):
        raise InputFileError("not a FHIR ValueSet (resourceType is not ValueSet)", path=path,
                             hint="export a ValueSet resource as JSON")
    pairs = _pairs(data, path)
    by_system: dict[str, list[ImportedCode]] = {}
    for url, item in pairs:
        known = system_for_fhir_uri(url) if url else None
        key = known.id if known else url if system is not None or not url else \
            _system_of(url, path)
        by_system.setdefault(key, []).append(item)
    if not pairs:
        first = ((data.get("compose") or {}).get("include") or [{}])[0]
        by_system = {system or _system_of(first.get("system", SYSTEMS["snomedct"].fhir_url),
                                          path): []}
    notes = []
    if system is not None:
        others = {s: len(v) for s, v in by_system.items() if s not in (system, "")}
        if others:
            notes.append("codes of other systems not imported: " + ", ".join(
                f"{n} {s}" for s, n in others.items()))
        by_system = {system: by_system.get(system, []) + by_system.get("", [])}
    found = []
    for code_system, items in by_system.items():
        imported = _imported(data, code_system or system or "snomedct", items, path)
        imported.notes[:0] = notes
        if len(by_system) > 1:
            imported.meta["member"] = code_system
            imported.meta["title"] = f"{imported.meta.get('title', 'ValueSet')} ({code_system})"
        found.append(imported)
    return found[0] if len(found) == 1 else found


def _imported(data: dict, system: str, items: list[ImportedCode], path) -> Imported:
    notes = normalise_rows(system, items, path=path)
    meta = {k: data[k] for k in ("title", "description", "copyright") if data.get(k)}
    meta["id"] = data.get("id") or data.get("name")
    if data.get("url"):
        meta["canonical_url"] = data["url"]
    return Imported(system, items, meta={k: v for k, v in meta.items() if v},
                    source=str(path), format="FHIR ValueSet", notes=notes)


def _name(title: str) -> str:
    words = re.findall(r"[A-Za-z0-9]+", title)
    name = "".join(w[:1].upper() + w[1:] for w in words) or "Codelist"
    return name if name[0].isalpha() else f"C{name}"


def _group(url: str, lines) -> dict:
    concepts = [{"code": ln.code, **({"display": ln.term} if ln.term else {})} for ln in lines]
    return {"system": url, "concept": concepts}


def to_resource(codelist: Codelist, *, base_url: str | None = None) -> dict[str, Any]:
    """The ValueSet resource (a dict) for a codelist's explicit codes."""
    meta = codelist.meta
    system = codelist.system
    url = system.fhir_url or f"urn:codelists:system:{system.id}"
    ident = re.sub(r"[^A-Za-z0-9\-.]", "-", codelist.id)[:64] or "codelist"
    canonical = meta.get("canonical_url") or (
        f"{base_url.rstrip('/')}/ValueSet/{ident}" if base_url else f"urn:codelists:{ident}")
    actives = [codelist.line_for(c, "active") for c in codelist.active_codes()]
    excluded = [codelist.line_for(c, "excluded") for c in codelist.excluded_codes()
                if c not in set(codelist.active_codes())]
    resource: dict[str, Any] = {
        "resourceType": "ValueSet", "id": ident, "url": canonical,
        "version": str(meta.get("version", "1")), "name": _name(codelist.title),
        "title": codelist.title, "status": STATUS.get(str(meta.get("status")), "unknown"),
    }
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(meta.get("updated", ""))):
        resource["date"] = str(meta["updated"])
    for key in ("description", "copyright"):
        if meta.get(key):
            resource[key] = str(meta[key])
    if meta.get("appropriate_use"):
        resource["purpose"] = str(meta["appropriate_use"])
    compose: dict[str, Any] = {"include": [_group(url, actives)]}
    if excluded:
        compose["exclude"] = [_group(url, excluded)]
    if not actives:  # an empty set: include the system, then exclude all of it (as sct)
        compose = {"include": [{"system": url}], "exclude": [{"system": url}]}
    resource["compose"] = compose
    return resource


def write(codelist: Codelist, *, base_url: str | None = None) -> str:
    return json.dumps(to_resource(codelist, base_url=base_url), indent=2,
                      ensure_ascii=False) + "\n"
