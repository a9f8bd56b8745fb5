"""Everything ``codelist terminology show`` reports about one SNOMED CT concept."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from codelists.terminology.base import Concept, ConceptDetail
from codelists.terminology.snomedct.derived import ACCEPTABLE, PREFERRED

if TYPE_CHECKING:
    from codelists.terminology.snomedct.terminology import SnomedTerminology

IS_A = 116680003
CONCEPT_INACTIVATION = 900000000000489007
ACCEPTABILITY = {PREFERRED: "preferred", ACCEPTABLE: "acceptable"}


def concept_detail(t: SnomedTerminology, sctid: int) -> ConceptDetail:
    code = str(sctid)
    concept = t.lookup(code)
    assert concept is not None
    detail = ConceptDetail(concept)
    detail.terms = _terms(t, sctid)
    detail.preferred_terms = dict(t.conn.execute(
        "SELECT dialect, term FROM preferred_terms WHERE concept_id = ? ORDER BY dialect",
        (sctid,)))
    detail.parents = _concepts(t, t.parents(code))
    detail.children = _concepts(t, t.children(code))
    detail.ancestor_count = t.count_ancestors(code)
    detail.descendant_count = t.count_descendants(code)
    detail.attributes = _attributes(t, sctid)
    detail.refsets = _refsets(t, sctid)
    detail.maps = _maps(t, sctid)
    if not concept.active:
        detail.inactivation = _inactivation(t, sctid)
    return detail


def _concepts(t: SnomedTerminology, codes: list[str]) -> list[Concept]:
    found = t.lookup_many(codes)
    return sorted((found[c] for c in codes if c in found), key=lambda c: c.term.lower())


def _term(t: SnomedTerminology, sctid: int) -> str:
    concept = t.lookup(str(sctid))
    return concept.term if concept else str(sctid)


def _terms(t: SnomedTerminology, sctid: int) -> list[dict[str, Any]]:
    from codelists.terminology.snomedct.terminology import type_name

    acceptability: dict[int, dict[str, str]] = {}
    for did, refset_id, value in t.conn.execute(
        "SELECT l.referenced_component_id, l.refset_id, l.acceptability_id "
        "FROM refset_language l JOIN descriptions d ON d.id = l.referenced_component_id "
        "WHERE d.concept_id = ? AND l.active = 1", (sctid,)
    ):
        acceptability.setdefault(did, {})[str(refset_id)] = ACCEPTABILITY.get(value, str(value))
    terms = []
    for did, term, type_id, lang, active in t.conn.execute(
        "SELECT id, term, type_id, language_code, active FROM descriptions "
        "WHERE concept_id = ? ORDER BY active DESC, type_id, term", (sctid,)
    ):
        terms.append({"id": str(did), "term": term, "type": type_name(type_id),
                      "language": lang, "active": bool(active),
                      "acceptability": acceptability.get(did, {})})
    return terms


def _attributes(t: SnomedTerminology, sctid: int) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for group, type_id, dest in t.conn.execute(
        "SELECT relationship_group, type_id, destination_id FROM relationships "
        "WHERE source_id = ? AND type_id != ? ORDER BY relationship_group, type_id",
        (sctid, IS_A),
    ):
        rows.append({"group": group, "type": str(type_id), "type_term": _term(t, type_id),
                     "value": str(dest), "value_term": _term(t, dest)})
    for group, type_id, value in t.conn.execute(
        "SELECT relationship_group, type_id, value FROM concrete_values "
        "WHERE source_id = ? ORDER BY relationship_group, type_id", (sctid,)
    ):
        rows.append({"group": group, "type": str(type_id), "type_term": _term(t, type_id),
                     "value": value, "value_term": ""})
    rows.sort(key=lambda r: (r["group"], r["type_term"]))
    return rows


_MEMBERSHIP_TABLES = ("refset_simple", "refset_attribute_value", "refset_association",
                      "refset_other")


def _refsets(t: SnomedTerminology, sctid: int) -> list[dict[str, Any]]:
    found = []
    for table in _MEMBERSHIP_TABLES:
        key = str(sctid) if table == "refset_other" else sctid
        for (refset_id,) in t.conn.execute(
            f"SELECT DISTINCT refset_id FROM {table} WHERE referenced_component_id = ? "
            "AND active = 1", (key,)
        ):
            found.append({"refset": str(refset_id), "term": _term(t, refset_id),
                          "table": table})
    return found


def _maps(t: SnomedTerminology, sctid: int) -> list[dict[str, Any]]:
    maps = []
    for refset_id, target in t.conn.execute(
        "SELECT refset_id, map_target FROM refset_simple_map "
        "WHERE referenced_component_id = ? AND active = 1", (sctid,)
    ):
        maps.append({"refset": str(refset_id), "refset_term": _term(t, refset_id),
                     "target": target})
    for row in t.conn.execute(
        "SELECT refset_id, map_target, map_group, map_priority, map_rule, map_advice, "
        "correlation_id, map_category_id, map_block FROM refset_extended_map "
        "WHERE referenced_component_id = ? AND active = 1 "
        "ORDER BY refset_id, map_group, map_priority", (sctid,)
    ):
        refset_id, target, group, priority, rule, advice, corr, category, block = row
        entry = {"refset": str(refset_id), "refset_term": _term(t, refset_id),
                 "target": target, "group": group, "priority": priority, "rule": rule,
                 "advice": advice,
                 "correlation": str(corr) if corr is not None else None,
                 "category": str(category) if category is not None else None,
                 "block": block}
        maps.append({k: v for k, v in entry.items() if v is not None})
    return maps


def _inactivation(t: SnomedTerminology, sctid: int) -> dict[str, Any]:
    reason = t.conn.execute(
        "SELECT value_id FROM refset_attribute_value WHERE referenced_component_id = ? "
        "AND refset_id = ? AND active = 1", (sctid, CONCEPT_INACTIVATION)
    ).fetchone()
    replacements = []
    for refset_id, target in t.conn.execute(
        "SELECT refset_id, target_component_id FROM refset_association "
        "WHERE referenced_component_id = ? AND active = 1 ORDER BY refset_id", (sctid,)
    ):
        replacements.append({"association": str(refset_id),
                             "association_term": _term(t, refset_id),
                             "code": str(target), "term": _term(t, target)})
    return {
        "reason": str(reason[0]) if reason else None,
        "reason_term": _term(t, reason[0]) if reason else None,
        "replacements": replacements,
    }
