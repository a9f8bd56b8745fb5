"""A codelist written as one ECL expression (SNOMED CT).

With a ``definition:`` the expression is the definition's (``to_ecl``), adjusted to the
list as written on the store's release: codes the definition reaches but the list does
not have are taken out (``MINUS``), codes the list has beyond it are added (``OR``).
Without one it is the list's codes, one by one.  Either way, evaluated on the same
release it gives exactly the list's active codes.
"""

from __future__ import annotations

from codelists.codelist.definition import expand, to_ecl
from codelists.errors import NotSupportedError, UsageError


def _members(codes: list[str], terms: dict[str, str]) -> str:
    parts = [f"{c} |{terms[c]}|" if terms.get(c) and "|" not in terms[c] else c
             for c in codes]
    return parts[0] if len(parts) == 1 else "(" + " OR ".join(parts) + ")"


def write(codelist, *, terminology=None) -> str:
    if codelist.system.id != "snomedct":
        raise NotSupportedError(f"ECL describes SNOMED CT concepts, and this is a "
                                f"{codelist.system.name} codelist")
    active = codelist.active_codes()
    terms = {c: t for c, t in codelist.terms().items() if "|" not in t}
    definition = codelist.definition
    if definition.is_empty():
        if not active:
            raise NotSupportedError("the codelist has no active codes to write as ECL")
        return _members(active, terms) + "\n"
    if terminology is None:
        raise UsageError("writing a definition as ECL needs a SNOMED CT store",
                         hint="pass --db STORE")
    text = to_ecl(definition, terminology, terms)
    expanded = expand(definition, terminology)
    listed = set(active)
    missing = [c for c in sorted(expanded - listed)]
    extra = [c for c in active if c not in expanded]
    if missing:
        text = f"({text}) MINUS {_members(missing, terms)}"
    if extra:
        text = f"({text}) OR {_members(extra, terms)}"
    return text + "\n"
