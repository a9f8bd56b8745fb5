"""What a terminology release says about codes that changed: inactivations, the
replacements its history gives, and ids that moved.

``inactivations(terminology, codes) -> {code: Inactivation}`` for the codes the release
holds as inactive: the reason (SNOMED CT's concept inactivation indicator, or the
release's own word) and each replacement with its association named (``SAME AS``,
``REPLACED BY``, ``POSSIBLY EQUIVALENT TO``, ``MOVED TO``, ...).  ``current_ids
(terminology, codes) -> {old: new}`` for codes the release knows under another id (dm+d
VMP/VTM/ingredient previous ids, and every system's recorded aliases).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

#: SNOMED CT historical association refsets (900000000000522004 Historical association)
ASSOCIATIONS = {
    "900000000000527005": "SAME AS",
    "900000000000526001": "REPLACED BY",
    "900000000000523009": "POSSIBLY EQUIVALENT TO",
    "1186921001": "POSSIBLY REPLACED BY",
    "1186924009": "PARTIALLY EQUIVALENT TO",
    "900000000000524003": "MOVED TO",
    "900000000000525002": "MOVED FROM",
    "900000000000530003": "ALTERNATIVE",
    "900000000000531004": "REFERS TO",
    "900000000000528000": "WAS A",
    "900000000000529008": "SIMILAR TO",
    "900000000000532006": "ANATOMY STRUCTURE AND PART",
    "734138000": "ANATOMY STRUCTURE AND ENTIRE",
    "734139008": "ANATOMY STRUCTURE AND PART",
}
#: SNOMED CT concept inactivation reasons (values of 900000000000489007)
REASONS = {
    "900000000000482003": "DUPLICATE",
    "900000000000483008": "OUTDATED",
    "900000000000484002": "AMBIGUOUS",
    "900000000000485001": "ERRONEOUS",
    "900000000000486000": "LIMITED",
    "900000000000487009": "MOVED ELSEWHERE",
    "900000000000492006": "PENDING MOVE",
    "1186917008": "CLASSIFICATION DERIVED COMPONENT",
    "1186919006": "MEANING OF COMPONENT UNKNOWN",
    "723277005": "NONCONFORMANCE TO EDITORIAL POLICY",
}
CONCEPT_INACTIVATION = 900000000000489007
#: the associations that say where a concept's meaning went (offered as replacements)
REPLACING = ("SAME AS", "REPLACED BY", "POSSIBLY EQUIVALENT TO", "POSSIBLY REPLACED BY",
             "PARTIALLY EQUIVALENT TO", "MOVED TO", "ALTERNATIVE")


@dataclass(frozen=True)
class Replacement:
    association: str  # "REPLACED BY", ...
    code: str
    term: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"association": self.association, "code": self.code, "term": self.term}


@dataclass(frozen=True)
class Inactivation:
    code: str
    reason: str | None = None  # "OUTDATED", ... (None when the release gives none)
    replacements: tuple[Replacement, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "reason": self.reason,
                "replacements": [r.as_dict() for r in self.replacements]}


def _chunks(items: list, size: int = 500):
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _snomed(terminology, codes: list[str]) -> dict[str, Inactivation]:
    conn = terminology.conn
    ids = [int(c) for c in codes if c.isdigit()]
    reasons: dict[int, str] = {}
    targets: dict[int, list[tuple[str, str]]] = {}
    for chunk in _chunks(ids):
        marks = ",".join("?" * len(chunk))
        for sctid, value in conn.execute(
            "SELECT referenced_component_id, value_id FROM refset_attribute_value WHERE "
            f"refset_id = ? AND active = 1 AND referenced_component_id IN ({marks})",
            (CONCEPT_INACTIVATION, *chunk),
        ):
            reasons[sctid] = REASONS.get(str(value), str(value))
        for sctid, refset, target in conn.execute(
            "SELECT referenced_component_id, refset_id, target_component_id FROM "
            f"refset_association WHERE active = 1 AND referenced_component_id IN ({marks}) "
            "ORDER BY referenced_component_id, refset_id, target_component_id", chunk,
        ):
            name = ASSOCIATIONS.get(str(refset)) or terminology.preferred_term(str(refset))
            targets.setdefault(sctid, []).append((name or str(refset), str(target)))
    wanted = sorted({t for pairs in targets.values() for _, t in pairs})
    terms = {c: concept.term for c, concept in terminology.lookup_many(wanted).items()}
    return {str(i): Inactivation(str(i), reasons.get(i), tuple(
        Replacement(name, target, terms.get(target, "")) for name, target in targets.get(i, [])
    )) for i in ids}


def _codesystem(terminology, codes: list[str]) -> dict[str, Inactivation]:
    out = {}
    for code in codes:
        detail = terminology.show(code)
        info = detail.inactivation or {}
        replaced = [str(c) for c in info.get("replacements") or []]
        terms = terminology.lookup_many(replaced)
        out[code] = Inactivation(code, info.get("reason") or None, tuple(
            Replacement("REPLACED BY", c, terms[c].term if c in terms else "")
            for c in replaced))
    return out


def concepts_of(terminology, codes: Iterable[str]) -> dict:
    """``lookup_many`` for many codes at once: one query on SNOMED CT stores."""
    codes = list(dict.fromkeys(codes))
    if terminology.system != "snomedct" or not hasattr(terminology, "conn"):
        return terminology.lookup_many(codes)
    import json

    from codelists.terminology.base import Concept

    ids = {int(c): c for c in codes if c.isdigit() and len(c) <= 18 and c[0] != "0"}
    rows = terminology.conn.execute(
        "SELECT c.id, c.active, p.term FROM json_each(?) j JOIN concepts c ON c.id = j.value "
        "LEFT JOIN preferred_terms p ON p.concept_id = c.id AND p.dialect = ?",
        (json.dumps(list(ids)), terminology.dialect))
    return {ids[i]: Concept(str(i), term if term is not None else str(i), bool(active),
                            "snomedct") for i, active, term in rows}


def differences(terminology, terms: dict[str, str]) -> tuple[dict, set[str]]:
    """What a release says differently about codes written with ``terms`` (code -> term).

    Returns the concepts of the codes the release holds as inactive, under another id, or
    with another preferred term (an empty term matches any), and the codes it lacks.
    Codes it holds unchanged cost no Python work on SNOMED CT stores (one query).
    """
    if terminology.system == "snomedct" and hasattr(terminology, "conn"):
        return _snomed_differences(terminology, terms)
    found = terminology.lookup_many(list(terms))
    changed = {code: c for code, c in found.items()
               if not c.active or c.code != terminology.normalise(code)
               or (terms[code] and c.term != terms[code])}
    return changed, set(terms) - set(found)


def _snomed_differences(terminology, terms: dict[str, str]) -> tuple[dict, set[str]]:
    import json

    from codelists.terminology.base import Concept

    changed, missing = {}, set()
    for code, sctid, active, term in terminology.conn.execute(
        "SELECT j.key, c.id, c.active, coalesce(p.term, CAST(c.id AS TEXT)) "
        "FROM json_each(?) j LEFT JOIN concepts c ON c.id = CAST(j.key AS INTEGER) "
        "AND CAST(c.id AS TEXT) = j.key "
        "LEFT JOIN preferred_terms p ON p.concept_id = c.id AND p.dialect = ? "
        "WHERE c.id IS NULL OR c.active = 0 "
        "OR (j.value <> '' AND coalesce(p.term, CAST(c.id AS TEXT)) <> j.value)",
        (json.dumps(terms, ensure_ascii=False), terminology.dialect),
    ):
        if sctid is None:
            missing.add(code)
        else:
            changed[code] = Concept(str(sctid), term, bool(active), "snomedct")
    return changed, missing


def inactivations(terminology, codes: Iterable[str]) -> dict[str, Inactivation]:
    """The reason and replacements for each of ``codes`` the release holds as inactive."""
    concepts = concepts_of(terminology, codes)
    inactive = [c.code for c in concepts.values() if not c.active]
    if not inactive:
        return {}
    if terminology.system == "snomedct" and hasattr(terminology, "conn"):
        return _snomed(terminology, inactive)
    return _codesystem(terminology, inactive)


#: the association named when a release knows a code under another id (dm+d VPIDPREV ...)
CURRENT_ID = "CURRENT ID"


def alias_reasons(terminology, codes: Iterable[str]) -> dict[str, str]:
    """Why the release names each of ``codes`` under another id (``previous id
    (VPIDPREV)`` ...); empty for systems whose stores keep no aliases (SNOMED CT)."""
    reasons = getattr(terminology, "alias_reasons", None)
    return reasons(list(codes)) if reasons is not None else {}


def current_ids(terminology, codes: Iterable[str]) -> dict[str, str]:
    """Codes the release knows under another id (dm+d previous ids, aliases): old -> new."""
    found = concepts_of(terminology, codes)
    return {code: concept.code for code, concept in found.items()
            if concept.code != terminology.normalise(code)}
