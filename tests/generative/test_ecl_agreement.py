"""The SQL evaluator and the reference evaluator agree on random releases and expressions.

Hypothesis draws a small random SNOMED CT release (a polyhierarchy, grouped attribute
relationships, concrete values, descriptions with a language refset, a simple refset, a
SAME AS association, a CTV3 simple map), writes it as RF2 Snapshot files, imports it with
the real importer, then draws expressions over its ids.  The store's answer (compiled
SQL) must equal the reference evaluator's answer (computed from the RF2 files).
"""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from codelists.ecl import Substrate, evaluate, evaluate_reference, parse, render
from codelists.errors import NotSupportedError
from codelists.terminology.snomedct.idsets import add_id_sets
from codelists.terminology.snomedct.importer import import_release
from codelists.terminology.store import Store

ROOT = 138875005
IS_A = 116680003
TYPES = [1000101, 1000102, 1000103]  # attribute types (concepts under ROOT)
CONCRETE_TYPE = 1000104
SIMPLE_REFSET = 1000201
SAME_AS = 900000000000527005
CTV3_MAP = 900000000000497000
ID_SCHEME = 900000000000453004  # |Identifier scheme|: its children are identifier schemes
SCHEME_A, SCHEME_B = 1000301, 1000302  # "LNC" (under ID_SCHEME), "Alt-codes" (not under it)
GB = 900000000000508004
PREFERRED, ACCEPTABLE = 900000000000548007, 900000000000549004
FSN, SYNONYM = 900000000000003001, 900000000000013009
CORE, OTHER_MODULE = 900000000000207008, 999000011000000103
DATES = [20200131, 20210731, 20250101]
WORDS = ["heart", "attack", "élbow", "arthritis", "of", "Acute", "pain", "card-io", "2"]
HEAD = "id\teffectiveTime\tactive\tmoduleId\t"


def _line(*values) -> str:
    return "\t".join(str(v) for v in values) + "\n"


@st.composite
def releases(draw):
    n = draw(st.integers(4, 14))
    ids = [2000000 + 10 * i for i in range(n)]
    special = [*TYPES, CONCRETE_TYPE, SIMPLE_REFSET, SAME_AS, CTV3_MAP, GB, ID_SCHEME, SCHEME_B]
    concepts = {ROOT: (1, CORE, 900000000000074008, DATES[0])}
    for c in special:
        concepts[c] = (1, CORE, 900000000000074008, DATES[0])
    for c in ids:
        concepts[c] = (draw(st.sampled_from([1, 1, 1, 0])), draw(st.sampled_from([CORE, OTHER_MODULE])),
                       draw(st.sampled_from([900000000000074008, 900000000000073002])),
                       draw(st.sampled_from(DATES)))
    concepts[SCHEME_A] = (1, CORE, 900000000000074008, DATES[0])
    isa = [(c, ROOT) for c in special] + [(SCHEME_A, ID_SCHEME)]
    rels, concrete = [], []
    for i, c in enumerate(ids):
        if not concepts[c][0]:
            continue
        earlier = [ROOT] + [p for p in ids[:i] if concepts[p][0]]
        for p in set(draw(st.lists(st.sampled_from(earlier), min_size=1, max_size=2))):
            isa.append((c, p))
        for _ in range(draw(st.integers(0, 3))):
            rels.append((c, draw(st.sampled_from(TYPES)), draw(st.sampled_from(ids)),
                         draw(st.integers(0, 2))))
        if draw(st.booleans()):
            value = draw(st.sampled_from(["#1", "#2.5", "#500", '"alpha"', '"beta"', "true",
                                          "false"]))
            concrete.append((c, value, draw(st.integers(0, 2))))
    descriptions = []
    for c in list(concepts):
        for k in range(draw(st.integers(1, 3))):
            words = draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=3))
            descriptions.append((c, FSN if k == 0 else SYNONYM, " ".join(words),
                                 draw(st.sampled_from([1, 1, 0])),
                                 draw(st.sampled_from(["en", "en", "sv"])),
                                 draw(st.sampled_from(DATES))))
    descriptions += [(SCHEME_A, SYNONYM, "LNC", 1, "en", DATES[0]),
                     (SCHEME_B, SYNONYM, "Alt-codes", 1, "en", DATES[0])]
    language = [draw(st.sampled_from([None, PREFERRED, ACCEPTABLE])) for _ in descriptions]
    # (concept, active): a concept may have an active and an inactive member row
    members = [(c, draw(st.sampled_from([1, 1, 0]))) for c in
               draw(st.lists(st.sampled_from(ids), max_size=6))]
    inactive = [c for c in ids if not concepts[c][0]]
    active = [c for c in ids if concepts[c][0]]
    same_as = [(c, draw(st.sampled_from(active))) for c in inactive if active]
    maps = [(c, draw(st.sampled_from(["X1", "X2", "Y10"])), draw(st.sampled_from([1, 1, 0])))
            for c in draw(st.lists(st.sampled_from(ids), max_size=4, unique=True))]
    identifiers = [(scheme, code, c, draw(st.sampled_from([1, 1, 0]))) for scheme, code, c in
                   draw(st.lists(st.tuples(st.sampled_from([SCHEME_A, SCHEME_B]),
                                           st.sampled_from(["A1", "B2", "2345-7"]),
                                           st.sampled_from(ids)),
                                 max_size=5, unique_by=lambda t: t[:2]))]
    return dict(ids=ids, concepts=concepts, isa=isa, rels=rels, concrete=concrete,
                descriptions=descriptions, language=language, members=members,
                same_as=same_as, maps=maps, identifiers=identifiers)


def write_release(r: dict, folder: Path) -> None:
    term = folder / "Snapshot" / "Terminology"
    refset = folder / "Snapshot" / "Refset"
    term.mkdir(parents=True)
    refset.mkdir(parents=True)
    date = "20250101"
    with open(term / f"sct2_Concept_Snapshot_INT_{date}.txt", "w", encoding="utf-8") as fh:
        fh.write(HEAD + "definitionStatusId\n")
        for c, (active, module, status, when) in r["concepts"].items():
            fh.write(_line(c, when, active, module, status))
    with open(term / f"sct2_Description_Snapshot-en_INT_{date}.txt", "w", encoding="utf-8") as fh:
        fh.write(HEAD + "conceptId\tlanguageCode\ttypeId\tterm\tcaseSignificanceId\n")
        for i, (c, kind, text, active, lang, when) in enumerate(r["descriptions"]):
            fh.write(_line(3000000 + 10 * i, when, active, CORE, c, lang, kind, text,
                           900000000000448009))
    with open(term / f"sct2_Relationship_Snapshot_INT_{date}.txt", "w", encoding="utf-8") as fh:
        fh.write(HEAD + "sourceId\tdestinationId\trelationshipGroup\ttypeId\t"
                 "characteristicTypeId\tmodifierId\n")
        rows = [(s, d, 0, IS_A) for s, d in r["isa"]] + [(s, d, g, t) for s, t, d, g in r["rels"]]
        for i, (s, d, g, t) in enumerate(rows):
            fh.write(_line(4000000 + 10 * i, DATES[0], 1, CORE, s, d, g, t,
                           900000000000011006, 900000000000451002))
    with open(term / f"sct2_RelationshipConcreteValues_Snapshot_INT_{date}.txt", "w",
              encoding="utf-8") as fh:
        fh.write(HEAD + "sourceId\tvalue\trelationshipGroup\ttypeId\tcharacteristicTypeId\t"
                 "modifierId\n")
        for i, (s, value, g) in enumerate(r["concrete"]):
            fh.write(_line(5000000 + 10 * i, DATES[0], 1, CORE, s, value, g, CONCRETE_TYPE,
                           900000000000011006, 900000000000451002))
    common = HEAD + "refsetId\treferencedComponentId"
    with open(refset / f"der2_cRefset_LanguageSnapshot-en_INT_{date}.txt", "w",
              encoding="utf-8") as fh:
        fh.write(common + "\tacceptabilityId\n")
        for i, acceptability in enumerate(r["language"]):
            if acceptability:
                fh.write(_line(f"l{i}", DATES[0], 1, CORE, GB, 3000000 + 10 * i, acceptability))
    with open(refset / f"der2_Refset_SimpleSnapshot_INT_{date}.txt", "w", encoding="utf-8") as fh:
        fh.write(common + "\n")
        for i, (c, active) in enumerate(r["members"]):
            fh.write(_line(f"s{i}", DATES[i % 3], active, CORE, SIMPLE_REFSET, c))
    with open(refset / f"der2_cRefset_AssociationSnapshot_INT_{date}.txt", "w",
              encoding="utf-8") as fh:
        fh.write(common + "\ttargetComponentId\n")
        for i, (c, target) in enumerate(r["same_as"]):
            fh.write(_line(f"a{i}", DATES[0], 1, CORE, SAME_AS, c, target))
    with open(term / f"sct2_Identifier_Snapshot_INT_{date}.txt", "w", encoding="utf-8") as fh:
        fh.write("identifierSchemeId\talternateIdentifier\teffectiveTime\tactive\tmoduleId\t"
                 "referencedComponentId\n")
        for scheme, code, c, active in r["identifiers"]:
            fh.write(_line(scheme, code, DATES[0], active, CORE, c))
    with open(refset / f"der2_sRefset_SimpleMapSnapshot_INT_{date}.txt", "w",
              encoding="utf-8") as fh:
        fh.write(common + "\tmapTarget\n")
        for i, (c, target, active) in enumerate(r["maps"]):
            fh.write(_line(f"m{i}", DATES[0], active, CORE, CTV3_MAP, c, target))


# ---- expressions ------------------------------------------------------------------------

OPERATORS = ["", "< ", "<< ", "<! ", "<<! ", "> ", ">> ", ">! ", ">>! ", "!!> ", "!!< "]


def expressions(ids: list[int]):
    concept = st.sampled_from([*ids, ROOT, 9999999]).map(str)
    attribute_name = st.one_of(st.sampled_from([str(t) for t in TYPES]),
                               st.just("*"), st.just(f"<< {ROOT}"))
    cardinality = st.sampled_from(["", "[0..0] ", "[0..1] ", "[1..1] ", "[1..*] ", "[2..*] ",
                                   "[0..*] "])
    description_filter = st.sampled_from([
        'term = "heart"', 'term = "att hea"', 'term = wild:"*pain"', 'term = ("of" "elb")',
        "type = syn", "type = fsn", "language = sv", "dialect = en-gb",
        "dialect = en-gb (prefer)", "active = false", "moduleId = 900000000000207008",
        'effectiveTime >= "20210731"', 'term != "heart"', "id = (3000000 3000010 3000020)",
        'term = wild:"*ELB*"', 'term = wild:"*_*"', 'term = wild:"card-io*"',
        "id != 3000030", "typeId = 900000000000003001", "language = (en sv)"])
    concept_filter = st.sampled_from([
        "definitionStatus = primitive", "definitionStatusId = 900000000000073002",
        "moduleId = 999000011000000103", 'effectiveTime = "20200131"', "active = 1",
        "active = 0", 'effectiveTime < "20250101"'])

    def sub(inner):
        focus = st.one_of(concept, concept, st.just("*"), inner.map(lambda e: f"({e})"),
                          st.just(f"^ {SIMPLE_REFSET}"),
                          st.just(f"^ {CTV3_MAP} {{{{ M mapTarget = wild:\"X*\" }}}}"),
                          st.sampled_from([
                              f"^ {SIMPLE_REFSET} {{{{ M active = false }}}}",
                              f"^ {SIMPLE_REFSET} {{{{ M active != true, effectiveTime >= "
                              f"\"20210731\" }}}}",
                              "^ * {{ M active = 0 }}",
                              f"^ {CTV3_MAP} {{{{ M active = false }}}} {{{{ M mapTarget = "
                              f"\"X1\" }}}}",
                              f"^ {SIMPLE_REFSET} {{{{ M active = true }}}}"]),
                          st.just(f"^ {CTV3_MAP} {{{{ M mapTarget != (\"X1\" \"Y10\"), "
                                  f"referencedComponentId = << {ids[0]} }}}}"),
                          st.just("CTV3#X1"),
                          st.sampled_from(["LNC#A1", "lnc#2345-7", f"{SCHEME_B}#B2",
                                           '"alt-codes#2345-7"', "ALT-CODES#A1",
                                           f"{SCHEME_A}#B2"]),
                          st.sampled_from([
                              f"^ [targetComponentId] {SAME_AS}",
                              f"^ [targetComponentId] {SAME_AS} {{{{ M referencedComponentId "
                              f"= << {ids[-1]} }}}}",
                              f"^ [referencedComponentId] {SIMPLE_REFSET}",
                              "^ [targetComponentId] * {{ M active = 1 }}",
                              "^ *",
                              f'^ {CTV3_MAP} {{{{ M mapTarget = "x" }}}}',
                              f'^ {CTV3_MAP} {{{{ M mapTarget = "Y1" }}}}',
                              f'^ {CTV3_MAP} {{{{ M mapTarget = ("x2" match:"y") }}}}',
                              f'^ {CTV3_MAP} {{{{ M mapTarget = wild:"x*" }}}}',
                              f'^ {CTV3_MAP} {{{{ M mapTarget != "X" }}}}']))
        filters = st.lists(st.one_of(description_filter.map(lambda f: f" {{{{ D {f} }}}}"),
                                     concept_filter.map(lambda f: f" {{{{ C {f} }}}}")),
                           max_size=1).map("".join)
        history = st.sampled_from(["", "", "", " {{ + HISTORY-MIN }}", " {{ + HISTORY-MAX }}"])
        return st.tuples(st.sampled_from(OPERATORS), focus, filters, history).map("".join)

    def attribute(inner, reverse=("", "", "R ")):
        value = st.one_of(sub(inner), st.just("*"))
        expression_attribute = st.tuples(cardinality, st.sampled_from(reverse),
                                         attribute_name, st.sampled_from([" = ", " != "]),
                                         value).map("".join)
        concrete_attribute = st.tuples(
            cardinality, st.just(str(CONCRETE_TYPE)),
            st.sampled_from([" >= #2", " = #500", " != #1", " < #2.5", ' = "alpha"',
                             ' != "beta"', ' = wild:"a*"', " = true", " != false"])
        ).map("".join)
        return st.one_of(expression_attribute, expression_attribute, concrete_attribute)

    def refinement(inner):
        attr = attribute(inner)
        group_body = st.lists(attribute(inner, reverse=("",)), min_size=1, max_size=2)
        group = st.tuples(cardinality, group_body, st.sampled_from([", ", " OR "])).map(
            lambda t: f"{t[0]}{{ {t[2].join(t[1])} }}")
        part = st.one_of(attr, attr, group)
        return st.tuples(st.lists(part, min_size=1, max_size=3),
                         st.sampled_from([", ", " OR "])).map(lambda t: t[1].join(t[0]))

    def compound(inner):
        s = sub(inner)
        return st.one_of(
            st.tuples(s, st.sampled_from([" AND ", " OR ", " MINUS "]), s).map("".join),
            st.tuples(s, refinement(inner)).map(lambda t: f"{t[0]} : {t[1]}"),
            st.tuples(s, attribute_name).map(lambda t: f"{t[0]} . {t[1]}"),
        )

    return st.recursive(sub(st.just(str(ROOT))), lambda inner: st.one_of(sub(inner),
                                                                          compound(inner)),
                        max_leaves=4)


@pytest.mark.slow
# no shrinking: each example imports a release, and shrinking would take minutes; the
# failing expressions are printed as they are
@settings(max_examples=25, deadline=None, phases=[Phase.explicit, Phase.reuse, Phase.generate],
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(release=releases(), data=st.data())
def test_sql_and_reference_evaluators_agree(release, data):
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "release"
        write_release(release, folder)
        db = import_release(folder, Path(tmp) / "store.db")
        stored = _with_every_subtree_stored(db, Path(tmp) / "stored.db")
        substrate = Substrate.from_rf2(folder)
        strategy = expressions(release["ids"])
        with Store.open(db) as store, Store.open(stored) as store_with_sets:
            for _ in range(8):
                text = data.draw(strategy, label="expression")
                tree = parse(text)
                assert parse(render(tree)) == tree
                try:
                    expected = evaluate_reference(tree, substrate)
                except NotSupportedError:
                    with pytest.raises(NotSupportedError):
                        evaluate(tree, store)
                    continue
                got = evaluate(tree, store)
                assert got.ids == expected.ids, text
                assert got.unknown == expected.unknown, text
                assert evaluate(tree, store_with_sets).ids == expected.ids, text
                # the ids as strings (from the stored text on the stored-set paths)
                as_text = [str(i) for i in sorted(expected.ids)]
                assert got.codes() == as_text, text
                assert evaluate(tree, store_with_sets).codes() == as_text, text
                assert list(evaluate(tree, store_with_sets)) == sorted(expected.ids), text


def _with_every_subtree_stored(db: Path, copy: Path) -> Path:
    """A copy of the store whose every subtree and refset is a stored id set, so that
    the evaluator's stored-set paths are compared with the reference too."""
    shutil.copy(db, copy)
    conn = sqlite3.connect(copy)
    add_id_sets(conn, minimum=1)
    conn.commit()
    conn.close()
    return copy
