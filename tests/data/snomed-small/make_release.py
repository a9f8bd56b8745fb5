"""Write the snomed-small RF2 Snapshot release (run once; the output is committed).

    .venv/bin/python tests/data/snomed-small/make_release.py

Everything is spelled out below; the README draws the tree.  Concept ids are real SNOMED
CT ids where the concept exists, otherwise valid ids (partition 00, Verhoeff check digit).
"""

from __future__ import annotations

import uuid
from pathlib import Path

from codelists.terminology.normalise import verhoeff_digit

HERE = Path(__file__).resolve().parent / "Snapshot"
DATE = "20250101"
MODULE = 900000000000207008
UK_MODULE = 999000011000000103
PRIMITIVE, DEFINED = 900000000000074008, 900000000000073002
FSN, SYN = 900000000000003001, 900000000000013009
PREF, ACC = 900000000000548007, 900000000000549004
GB, US, UK = 900000000000508004, 900000000000509007, 999001261000000100
IS_A = 116680003
INFERRED = 900000000000011006
EXISTENTIAL = 900000000000451002

def check_digit(digits: str) -> int:
    """The Verhoeff check digit for a string of digits (the library's)."""
    return int(verhoeff_digit(digits))


def valid(sctid: int) -> bool:
    s = str(sctid)
    return check_digit(s[:-1]) == int(s[-1])


def make_id(item: int, partition: str) -> int:
    body = f"{item}{partition}"
    return int(body + str(check_digit(body)))


# id -> (active, defined, FSN, GB preferred, US preferred or None, synonyms, UK clinical PT)
CONCEPTS: dict[int, tuple] = {
    138875005: (1, 0, "SNOMED CT Concept (SNOMED RT+CTV3)", "SNOMED CT Concept", None, [], None),
    404684003: (1, 0, "Clinical finding (finding)", "Clinical finding", None, [], None),
    64572001: (1, 0, "Disease (disorder)", "Disease", None, ["Disorder"], None),
    128139000: (1, 0, "Inflammatory disorder (disorder)", "Inflammatory disorder", None, [], None),
    928000: (1, 0, "Disorder of musculoskeletal system (disorder)",
             "Disorder of musculoskeletal system", None, [], None),
    3723001: (1, 0, "Arthritis (disorder)", "Arthritis", None,
              ["Joint inflammation", "Inflammatory arthritis"], None),
    429554009: (1, 1, "Arthropathy of elbow (disorder)", "Arthropathy of elbow", None, [], None),
    439656005: (1, 1, "Arthritis of elbow (disorder)", "Arthritis of elbow", None, [], None),
    69896004: (1, 1, "Rheumatoid arthritis (disorder)", "Rheumatoid arthritis", None,
               ["RA - Rheumatoid arthritis"], None),
    195967001: (1, 0, "Asthma (disorder)", "Asthma", None, ["Bronchial asthma"],
                "Asthma (UK clinical)"),
    # inactive concepts with history
    156659008: (0, 0, "(Epicondylitis &/or tennis elbow) or (golfers' elbow) (disorder)",
                "(Epicondylitis &/or tennis elbow) or (golfers' elbow)", None,
                ["Tennis elbow"], None),
    make_id(1000, "00"): (0, 0, "Arthritis NOS (disorder)", "Arthritis NOS", None, [], None),
    123037004: (1, 0, "Body structure (body structure)", "Body structure", None, [], None),
    39352004: (1, 0, "Joint structure (body structure)", "Joint structure", None, [], None),
    16953009: (1, 0, "Elbow joint structure (body structure)", "Elbow joint structure", None,
               [], None),
    409774005: (1, 0, "Inflammatory morphology (morphologic abnormality)",
                "Inflammatory morphology", None, [], None),
    373873005: (1, 0, "Pharmaceutical / biologic product (product)",
                "Pharmaceutical / biologic product", None, [], None),
    322236009: (1, 1, "Product containing precisely paracetamol 500 milligram/1 each "
                "conventional release oral tablet (clinical drug)",
                "Paracetamol 500 mg oral tablet", "Acetaminophen 500 mg oral tablet",
                [], None),
    900000000000441003: (1, 0, "SNOMED CT Model Component (metadata)",
                         "SNOMED CT Model Component", None, [], None),
    410662002: (1, 0, "Concept model attribute (attribute)", "Concept model attribute", None,
                [], None),
    IS_A: (1, 0, "Is a (attribute)", "Is a", None, [], None),
    363698007: (1, 0, "Finding site (attribute)", "Finding site", None, [], None),
    116676008: (1, 0, "Associated morphology (attribute)", "Associated morphology", None,
                [], None),
    1142135004: (1, 0, "Has presentation strength numerator value (attribute)",
                 "Has presentation strength numerator value", None, [], None),
    1142139005: (1, 0, "Count of base of active ingredient (attribute)",
                 "Count of base of active ingredient", None, [], None),
    make_id(1001, "00"): (1, 0, "Has product name (attribute)", "Has product name", None,
                          [], None),
    900000000000455006: (1, 0, "Reference set (foundation metadata concept)",
                         "Reference set", None, [], None),
    446609009: (1, 0, "Simple type reference set (foundation metadata concept)",
                "Simple type reference set", None, [], None),
    make_id(1002, "00"): (1, 0, "Arthritis codes simple reference set (foundation metadata "
                          "concept)", "Arthritis codes simple reference set", None, [], None),
    GB: (1, 0, "Great Britain English language reference set (foundation metadata concept)",
         "GB English", None, [], None),
    US: (1, 0, "United States of America English language reference set (foundation "
         "metadata concept)", "US English", None, [], None),
    UK: (1, 0, "National Health Service realm language reference set (clinical part) "
         "(foundation metadata concept)", "NHS realm language (clinical part)", None, [],
         None),
    900000000000489007: (1, 0, "Concept inactivation indicator attribute value reference "
                         "set (foundation metadata concept)",
                         "Concept inactivation indicator reference set", None, [], None),
    900000000000527005: (1, 0, "SAME AS association reference set (foundation metadata "
                         "concept)", "SAME AS association reference set", None, [], None),
    900000000000523009: (1, 0, "POSSIBLY EQUIVALENT TO association reference set "
                         "(foundation metadata concept)",
                         "POSSIBLY EQUIVALENT TO association reference set", None, [], None),
    900000000000482003: (1, 0, "Duplicate component (foundation metadata concept)",
                         "Duplicate component", None, [], None),
    900000000000484002: (1, 0, "Ambiguous component (foundation metadata concept)",
                         "Ambiguous component", None, [], None),
    900000000000497000: (1, 0, "CTV3 simple map reference set (foundation metadata concept)",
                         "CTV3 simple map", None, [], None),
    447562003: (1, 0, "ICD-10 complex map reference set (foundation metadata concept)",
                "ICD-10 complex map reference set", None, [], None),
    999002271000000101: (1, 0, "ICD-10 UK complex map reference set (foundation metadata "
                         "concept)", "ICD-10 UK complex map", None, [], None),
}
ARTHRITIS_NOS = make_id(1000, "00")
PRODUCT_NAME = make_id(1001, "00")
ARTHRITIS_REFSET = make_id(1002, "00")

# (child, parent)
IS_A_EDGES = [
    (404684003, 138875005), (64572001, 404684003), (128139000, 64572001),
    (928000, 64572001), (3723001, 128139000), (3723001, 928000), (429554009, 928000),
    (439656005, 3723001), (439656005, 429554009), (69896004, 3723001),
    (195967001, 64572001),
    (123037004, 138875005), (39352004, 123037004), (16953009, 39352004),
    (409774005, 123037004), (373873005, 138875005), (322236009, 373873005),
    (900000000000441003, 138875005), (410662002, 900000000000441003),
    (IS_A, 410662002), (363698007, 410662002), (116676008, 410662002),
    (1142135004, 410662002), (1142139005, 410662002), (PRODUCT_NAME, 410662002),
    (900000000000455006, 900000000000441003), (446609009, 900000000000455006),
    (ARTHRITIS_REFSET, 446609009),
] + [(r, 900000000000455006) for r in (
    GB, US, UK, 900000000000489007, 900000000000527005, 900000000000523009,
    900000000000482003, 900000000000484002, 900000000000497000, 447562003,
    999002271000000101)]

# (source, group, type, destination): role groups
ATTRIBUTES = [
    (69896004, 1, 363698007, 39352004), (69896004, 1, 116676008, 409774005),
    (69896004, 2, 363698007, 16953009),
    (439656005, 1, 363698007, 16953009), (439656005, 1, 116676008, 409774005),
    (3723001, 1, 363698007, 39352004), (3723001, 1, 116676008, 409774005),
]
# (source, group, type, value)
CONCRETE = [
    (322236009, 1, 1142135004, "#500"),
    (322236009, 0, 1142139005, "#1"),
    (322236009, 0, PRODUCT_NAME, '"Paracetamol 500 mg tablets"'),
]


def tsv(path: Path, header: list[str], rows) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write("\t".join(header) + "\r\n")
        for row in rows:
            fh.write("\t".join(str(v) for v in row) + "\r\n")


def member_id(*parts) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_OID, "/".join(map(str, parts))))


def main() -> None:
    for sctid in CONCEPTS:
        assert valid(sctid), sctid
    term_dir = HERE / "Terminology"
    refset_dir = HERE / "Refset"
    tsv(term_dir / f"sct2_Concept_Snapshot_INT_{DATE}.txt",
        ["id", "effectiveTime", "active", "moduleId", "definitionStatusId"],
        [(cid, DATE, c[0], MODULE, DEFINED if c[1] else PRIMITIVE)
         for cid, c in CONCEPTS.items()])
    descriptions, language = [], []
    item = 5000
    for cid, (_active, _d, fsn, gb, us, synonyms, uk) in CONCEPTS.items():
        terms = [(FSN, fsn, {GB: PREF, US: PREF})]
        if us is None:
            terms.append((SYN, gb, {GB: PREF, US: PREF}))
        else:
            terms.append((SYN, gb, {GB: PREF, US: ACC}))
            terms.append((SYN, us, {GB: ACC, US: PREF}))
        if uk:
            terms.append((SYN, uk, {UK: PREF}))
        terms += [(SYN, s, {GB: ACC, US: ACC}) for s in synonyms]
        for type_id, term, accept in terms:
            item += 1
            did = make_id(item, "01")
            descriptions.append((did, DATE, 1, MODULE, cid, "en", type_id, term,
                                 900000000000448009))
            for refset, value in accept.items():
                language.append((member_id("lang", refset, did), DATE, 1,
                                 UK_MODULE if refset == UK else MODULE, refset, did, value))
    # one inactive description: search --include-inactive finds it
    item += 1
    descriptions.append((make_id(item, "01"), DATE, 0, MODULE, 3723001, "en", SYN,
                         "Arthritis, NOS", 900000000000448009))
    tsv(term_dir / f"sct2_Description_Snapshot-en_INT_{DATE}.txt",
        ["id", "effectiveTime", "active", "moduleId", "conceptId", "languageCode", "typeId",
         "term", "caseSignificanceId"], descriptions)
    rels = []
    item = 7000
    for child, parent in IS_A_EDGES:
        item += 1
        rels.append((make_id(item, "02"), DATE, 1, MODULE, child, parent, 0, IS_A, INFERRED,
                     EXISTENTIAL))
    for source, group, type_id, dest in ATTRIBUTES:
        item += 1
        rels.append((make_id(item, "02"), DATE, 1, MODULE, source, dest, group, type_id,
                     INFERRED, EXISTENTIAL))
    # an inactive relationship: the old IS-A of the inactive concept (not in the store)
    item += 1
    rels.append((make_id(item, "02"), DATE, 0, MODULE, ARTHRITIS_NOS, 3723001, 0, IS_A,
                 INFERRED, EXISTENTIAL))
    tsv(term_dir / f"sct2_Relationship_Snapshot_INT_{DATE}.txt",
        ["id", "effectiveTime", "active", "moduleId", "sourceId", "destinationId",
         "relationshipGroup", "typeId", "characteristicTypeId", "modifierId"], rels)
    tsv(term_dir / f"sct2_RelationshipConcreteValues_Snapshot_INT_{DATE}.txt",
        ["id", "effectiveTime", "active", "moduleId", "sourceId", "value",
         "relationshipGroup", "typeId", "characteristicTypeId", "modifierId"],
        [(make_id(8000 + i, "02"), DATE, 1, MODULE, s, v, g, t, INFERRED, EXISTENTIAL)
         for i, (s, g, t, v) in enumerate(CONCRETE)])
    common = ["id", "effectiveTime", "active", "moduleId", "refsetId", "referencedComponentId"]
    tsv(refset_dir / "Language" / f"der2_cRefset_LanguageSnapshot-en_INT_{DATE}.txt",
        common + ["acceptabilityId"], language)
    tsv(refset_dir / "Content" / f"der2_Refset_SimpleSnapshot_INT_{DATE}.txt", common,
        [(member_id("simple", c), DATE, 1, MODULE, ARTHRITIS_REFSET, c)
         for c in (3723001, 69896004, 439656005)]
        + [(member_id("simple", "old"), DATE, 0, MODULE, ARTHRITIS_REFSET, 195967001)])
    tsv(refset_dir / "Content" / f"der2_cRefset_AttributeValueSnapshot_INT_{DATE}.txt",
        common + ["valueId"],
        [(member_id("inact", 156659008), DATE, 1, MODULE, 900000000000489007, 156659008,
          900000000000484002),
         (member_id("inact", ARTHRITIS_NOS), DATE, 1, MODULE, 900000000000489007,
          ARTHRITIS_NOS, 900000000000482003)])
    tsv(refset_dir / "Content" / f"der2_cRefset_AssociationSnapshot_INT_{DATE}.txt",
        common + ["targetComponentId"],
        [(member_id("assoc", 156659008, 202), DATE, 1, MODULE, 900000000000523009, 156659008,
          439656005),
         (member_id("assoc", 156659008, 3723), DATE, 1, MODULE, 900000000000523009,
          156659008, 3723001),
         (member_id("assoc", ARTHRITIS_NOS), DATE, 1, MODULE, 900000000000527005,
          ARTHRITIS_NOS, 3723001)])
    tsv(refset_dir / "Map" / f"der2_sRefset_SimpleMapSnapshot_INT_{DATE}.txt",
        common + ["mapTarget"],
        [(member_id("ctv3", 195967001), DATE, 1, MODULE, 900000000000497000, 195967001,
          "H33.."),
         (member_id("ctv3", 3723001), DATE, 1, MODULE, 900000000000497000, 3723001, "X701i")])
    map_fields = ["mapGroup", "mapPriority", "mapRule", "mapAdvice", "mapTarget",
                  "correlationId"]
    tsv(refset_dir / "Map" / f"der2_iisssccRefset_ExtendedMapSnapshot_INT_{DATE}.txt",
        common + map_fields + ["mapCategoryId"],
        [(member_id("icd", 195967001), DATE, 1, MODULE, 447562003, 195967001, 1, 1,
          "TRUE", "ALWAYS J45.9", "J45.9", 447561005, 447637006),
         (member_id("icd", 69896004), DATE, 1, MODULE, 447562003, 69896004, 1, 1, "TRUE",
          "ALWAYS M06.9", "M06.9", 447561005, 447637006)])
    tsv(refset_dir / "Map" / f"der2_iisssciRefset_ExtendedMapUKCLSnapshot_GB1000000_{DATE}"
        ".txt", common + map_fields + ["mapBlock"],
        [(member_id("icduk", 195967001), DATE, 1, UK_MODULE, 999002271000000101, 195967001,
          1, 1, "", "", "J459", 1, 1),
         (member_id("icduk", 69896004, 1), DATE, 1, UK_MODULE, 999002271000000101, 69896004,
          1, 1, "", "", "M069", 1, 2),
         (member_id("icduk", 69896004, 2), DATE, 1, UK_MODULE, 999002271000000101, 69896004,
          2, 1, "", "", "M0699", 1, 2)])


if __name__ == "__main__":
    main()
