"""SNOMED CT implicit value sets (FHIR): the URL ``http://snomed.info/sct[/EDITION
[/version/DATE]]?fhir_vs[=...]`` as an ECL expression.

=====================  ===========================================
``?fhir_vs``           every concept: ``<< 138875005``
``?fhir_vs=isa/X``     X and its descendants: ``<< X``
``?fhir_vs=refset``    every reference set: ``< 900000000000455006``
``?fhir_vs=refset/X``  the members of refset X: ``^ X``
``?fhir_vs=ecl/EXPR``  the (URL-encoded) ECL expression
=====================  ===========================================
"""

from __future__ import annotations

import re
from urllib.parse import unquote

from codelists.errors import UsageError

SNOMED_URI = "http://snomed.info/sct"
ROOT = "138875005"
REFSET_ROOT = "900000000000455006"
_ID = re.compile(r"[1-9][0-9]{5,17}")


def is_implicit(url: str) -> bool:
    return url.startswith(SNOMED_URI) and "?fhir_vs" in url


def edition_of(url: str) -> str:
    """The edition/version URI part of an implicit value set URL (may be just the base)."""
    return url.split("?", 1)[0]


def to_ecl(url: str) -> str:
    """The ECL of an implicit value set URL (UsageError for anything else)."""
    if not is_implicit(url):
        raise UsageError(f"{url!r} is not a SNOMED CT implicit value set",
                         hint="use http://snomed.info/sct?fhir_vs=isa/CONCEPT, refset/ID or "
                              "ecl/EXPRESSION")
    query = url.split("?", 1)[1]
    if query == "fhir_vs":
        return f"<< {ROOT}"
    if not query.startswith("fhir_vs="):
        raise UsageError(f"cannot read {query!r}", hint="write ?fhir_vs=isa/CONCEPT")
    value = query[len("fhir_vs="):]
    kind, _, rest = value.partition("/")
    if kind == "refset" and not rest:
        return f"< {REFSET_ROOT}"
    if kind in ("isa", "refset"):
        if not _ID.fullmatch(rest):
            raise UsageError(f"{rest!r} is not a SNOMED CT concept id",
                             hint=f"write ?fhir_vs={kind}/CONCEPT_ID")
        return f"<< {rest}" if kind == "isa" else f"^ {rest}"
    if kind == "ecl" and rest:
        return unquote(rest)
    raise UsageError(f"unknown implicit value set {value!r}",
                     hint="use isa/CONCEPT, refset, refset/ID or ecl/EXPRESSION")
