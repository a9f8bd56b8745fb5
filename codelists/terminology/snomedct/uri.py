"""SNOMED CT edition and version URIs (``http://snomed.info/sct/MODULE/version/DATE``) for
the editions the importer names (:func:`codelists.terminology.snomedct.rf2.edition_name`)."""

from __future__ import annotations

import re

BASE = "http://snomed.info/sct"

#: edition label -> the module that identifies it in a URI
EDITION_MODULES = {
    "international": "900000000000207008",
    "uk-edition": "83821000000107",
    "uk-clinical-drug": "83821000000107",
    "uk-monolith": "83821000000107",
    "uk-clinical": "999000041000000102",
    "uk-drug": "999000011000001104",
}
_URI = re.compile(r"http://snomed\.info/sct(?:/(\d+)(?:/version/(\d{8}))?)?/?")


def edition_uri(edition: str) -> str:
    module = EDITION_MODULES.get(edition)
    return f"{BASE}/{module}" if module else BASE


def version_uri(edition: str, release_date: str) -> str:
    """The version URI of a store's release (the bare edition URI without a date)."""
    module = EDITION_MODULES.get(edition)
    if module and re.fullmatch(r"\d{8}", release_date or ""):
        return f"{BASE}/{module}/version/{release_date}"
    return edition_uri(edition)


def parse(uri: str) -> tuple[str | None, str | None]:
    """(module, release date) of a version or edition URI; (None, None) for the base;
    ValueError for something that is not a SNOMED CT URI."""
    match = _URI.fullmatch((uri or "").strip())
    if not match:
        raise ValueError(f"{uri!r} is not a SNOMED CT edition or version URI")
    return match.group(1), match.group(2)


def answers(uri: str, edition: str, release_date: str) -> bool:
    """Whether a store of ``edition`` released on ``release_date`` answers for ``uri``."""
    module, date = parse(uri)
    if module is not None and EDITION_MODULES.get(edition) != module:
        return False
    return date is None or date == release_date
