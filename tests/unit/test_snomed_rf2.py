"""RF2 file names, row conversion, the closure and the search helpers."""

from __future__ import annotations

import pytest

from codelists.errors import UsageError
from codelists.terminology import search
from codelists.terminology.snomedct.closure import closure_pairs
from codelists.terminology.snomedct.derived import split_fsn
from codelists.terminology.snomedct.importer import concrete_value
from codelists.terminology.snomedct.refsets import pattern_for, pattern_name
from codelists.terminology.snomedct.rf2 import REFSET_COMMON, classify, edition_name


@pytest.mark.parametrize("name, expected", [
    ("sct2_Concept_Snapshot_INT_20200415.txt", ("concept", "Snapshot", "20200415")),
    ("x/y/sct2_Description_Snapshot-en_INT_20200415.txt",
     ("description", "Snapshot", "20200415")),
    ("sct2_Concept_UKCLFull_GB1000000_20220928.txt", ("concept", "Full", "20220928")),
    ("sct2_TextDefinition_UKEDFull-en_GB_20220928.txt", ("text_definition", "Full",
                                                         "20220928")),
    ("sct2_RelationshipConcreteValues_Delta_INT_20230131.txt",
     ("concrete_value", "Delta", "20230131")),
    ("der2_cRefset_LanguageUKCLSnapshot-en_GB1000000_20220928.txt",
     ("refset", "Snapshot", "20220928")),
    ("sct2_sRefset_OWLExpressionSnapshot_INT_20230131.txt", ("refset", "Snapshot",
                                                             "20230131")),
    ("sct2_StatedRelationship_Snapshot_INT_20230131.txt",
     ("stated_relationship", "Snapshot", "20230131")),
    ("Readme_en_20230131.txt", None),
    ("sct2_Concept_Snapshot_INT_20200415.csv", None),
])
def test_classify(name, expected):
    assert classify(name) == expected


def test_edition_names():
    assert edition_name(["SnomedCT_InternationalRF2_PRODUCTION_20220731T120000Z",
                         "SnomedCT_UKClinicalRF2_PRODUCTION_20220928T000001Z"], []) == \
        "uk-clinical"
    assert edition_name(["SnomedCT_UKClinicalRF2_PRODUCTION_1", "SnomedCT_UKDrugRF2_X"],
                        []) == "uk-clinical-drug"
    assert edition_name(["SnomedCT_MonolithRF2_PRODUCTION_20240101T000001Z"], []) == \
        "uk-monolith"


def test_concrete_values():
    assert concrete_value("#500") == (500.0, None, None)
    assert concrete_value("#0.25") == (0.25, None, None)
    assert concrete_value('"oral"') == (None, "oral", None)
    assert concrete_value("true") == (None, None, 1)
    with pytest.raises(ValueError):
        concrete_value("500")


def test_split_fsn():
    assert split_fsn("Asthma (disorder)") == ("Asthma", "disorder")
    assert split_fsn("Pain (finding) of (limb) (finding)") == ("Pain (finding) of (limb)",
                                                               "finding")
    assert split_fsn("No tag") == ("No tag", "")


def test_refset_patterns_from_headers():
    assert pattern_for(REFSET_COMMON, "x").table == "refset_simple"
    assert pattern_for(REFSET_COMMON + ["acceptabilityId"], "x").table == "refset_language"
    uk = REFSET_COMMON + ["mapGroup", "mapPriority", "mapRule", "mapAdvice", "mapTarget",
                          "correlationId", "mapBlock"]
    row = pattern_for(uk, "x").convert(["u", "20220101", "1", "1", "2", "3", "1", "1", "", "",
                                        "J459", "1", "7"])
    assert row[-2:] == (None, 7)
    other = pattern_for(REFSET_COMMON + ["owlExpression"],
                        "der2_sRefset_OWLExpressionSnapshot_INT_20230131.txt")
    assert other.table == "refset_other"
    assert other.convert(["u", "20230101", "1", "1", "2", "3", "Ontology()"])[-2:] == (
        "sRefset_OWLExpression", '{"owlExpression": "Ontology()"}')
    assert pattern_name("der2_cissccRefset_MRCMAttributeDomainSnapshot_INT_1.txt") == \
        "cissccRefset_MRCMAttributeDomain"


def test_closure_with_polyhierarchy():
    # 1 <- 2 <- 4, 1 <- 3 <- 4, 4 <- 5
    anc, desc = closure_pairs([(2, 1), (3, 1), (4, 2), (4, 3), (5, 4), (5, 4)])
    pairs = set(zip(anc.tolist(), desc.tolist(), strict=True))
    assert pairs == {(1, 2), (1, 3), (1, 4), (1, 5), (2, 4), (2, 5), (3, 4), (3, 5), (4, 5)}
    assert list(zip(anc.tolist(), desc.tolist(), strict=True)) == sorted(pairs)


def test_closure_survives_a_cycle():
    anc, desc = closure_pairs([(2, 1), (3, 2), (2, 3)])
    assert (1, 2) in set(zip(anc.tolist(), desc.tolist(), strict=True))


def test_closure_of_nothing():
    anc, desc = closure_pairs([])
    assert anc.size == 0 and desc.size == 0


def test_fts_query():
    assert search.fts_query("Heart att") == '"heart"* AND "att"*'
    assert search.fts_query('x" OR y*') == '"x"* AND "or"* AND "y"*'
    with pytest.raises(UsageError):
        search.fts_query("  ?? ")


def test_whole_word_queries_have_no_prefix_star():
    assert search.fts_query("Heart att", prefix=False) == '"heart" AND "att"'
    assert search.fts_query("tumour", prefix=False) == '("tumour" OR "tumor")'
    assert search.partial_query("heart attack of", prefix=False) == '"heart" OR "attack"'
    assert search.partial_query("heart attack of") == '"heart"* OR "attack"*'


def test_bad_regex_is_a_usage_error():
    with pytest.raises(UsageError, match="regular expression"):
        search.compile_regex("(unclosed")
