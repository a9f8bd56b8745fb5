"""How two codes of one coding system relate in its hierarchy (FHIR's ``$subsumes``)."""

from __future__ import annotations

from codelists.errors import UnknownCodeError
from codelists.terminology.base import Terminology

EQUIVALENT = "equivalent"
SUBSUMES = "subsumes"
SUBSUMED_BY = "subsumed-by"
NOT_SUBSUMED = "not-subsumed"


def relation(terminology: Terminology, code_a: str, code_b: str) -> str:
    """``equivalent``, ``subsumes`` (A is an ancestor of B), ``subsumed-by`` or
    ``not-subsumed``; an unknown code raises UnknownCodeError naming it."""
    a, b = terminology.normalise(code_a), terminology.normalise(code_b)
    for given, code in ((code_a, a), (code_b, b)):
        if terminology.lookup(code) is None:
            raise UnknownCodeError(f"{given!r} is not in this {terminology.system} store")
    if a == b:
        return EQUIVALENT
    if a in set(terminology.ancestors(b)):
        return SUBSUMES
    if b in set(terminology.ancestors(a)):
        return SUBSUMED_BY
    return NOT_SUBSUMED
