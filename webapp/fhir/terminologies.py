"""Code systems by FHIR URI: every installed terminology, read through the library's
store location (codelists.terminology.installed) -- never a copy of the site's own."""

from __future__ import annotations

from dataclasses import dataclass

from webapp.fhir.outcome import invalid, not_found


@dataclass(frozen=True)
class Installed:
    system: str  # our id: snomedct, icd10, ...
    uri: str  # the FHIR system URI
    version: str  # the version the store answers for
    name: str
    metadata: object


def _version(system: str, metadata) -> str:
    if system == "snomedct":
        from codelists.terminology.snomedct.uri import version_uri

        return version_uri(metadata.edition, metadata.release_date)
    return metadata.release_date or metadata.edition or "unknown"


def every() -> list[Installed]:
    """Every installed terminology that has a FHIR URI."""
    from codelists.codelist.systems import SYSTEMS
    from codelists.terminology.installed import installed

    found = []
    for system, (_path, metadata) in sorted(installed().items()):
        spec = SYSTEMS.get(system)
        if spec is None or not spec.fhir_url:
            continue
        found.append(Installed(system, spec.fhir_url, _version(system, metadata), spec.name,
                               metadata))
    return found


def resolve(uri: str | None, version: str | None = None):
    """(Installed, open Terminology) for a system URI (and optional version)."""
    from codelists.codelist.systems import system_for_fhir_uri
    from codelists.terminology.installed import open_installed

    if not uri:
        raise invalid("say which code system: the system (or url) parameter")
    spec = system_for_fhir_uri(uri)
    if spec is None:
        raise not_found(f"unknown code system {uri}")
    match = next((i for i in every() if i.system == spec.id), None)
    if match is None:
        raise not_found(f"no {spec.name} terminology is installed on this server")
    if spec.id == "snomedct":
        _check_snomed(uri, version, match)
    elif version and version != match.version:
        raise not_found(f"{spec.name} version {version} is not installed "
                        f"(this server has {match.version})")
    return match, open_installed(spec.id)


def _check_snomed(uri: str, version: str | None, match: Installed) -> None:
    from codelists.terminology.snomedct import uri as sct

    meta = match.metadata
    try:
        for wanted in (uri, version):
            if wanted and wanted.startswith(sct.BASE) and \
                    not sct.answers(wanted.split("?")[0], meta.edition, meta.release_date):
                raise not_found(f"SNOMED CT {wanted} is not installed (this server has "
                                f"{match.version})")
    except ValueError as exc:
        raise invalid(str(exc)) from None
    if version and not version.startswith(sct.BASE) and version != meta.release_date:
        raise not_found(f"SNOMED CT version {version} is not installed "
                        f"(this server has {match.version})")
