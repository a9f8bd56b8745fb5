"""British and American spellings (codelists.terminology.spelling)."""

import re

import pytest

from codelists.terminology.spelling import expand_regex, variants, word_variants

PAIRS = [
    ("dyspnoea", "dyspnea"), ("diarrhoea", "diarrhea"), ("oesophagus", "esophagus"),
    ("oedema", "edema"), ("lymphoedema", "lymphedema"), ("anaemia", "anemia"),
    ("leukaemia", "leukemia"), ("hyperglycaemic", "hyperglycemic"),
    ("haematuria", "hematuria"), ("haemorrhage", "hemorrhage"),
    ("microhaematuria", "microhematuria"), ("paediatric", "pediatric"),
    ("orthopaedic", "orthopedic"), ("gynaecology", "gynecology"),
    ("anaesthetic", "anesthetic"), ("aetiology", "etiology"), ("coeliac", "celiac"),
    ("foetal", "fetal"), ("oestrogen", "estrogen"), ("apnoea", "apnea"),
    ("tachypnoea", "tachypnea"), ("gonorrhoea", "gonorrhea"), ("ischaemia", "ischemia"),
    ("tumour", "tumor"), ("tumours", "tumors"), ("behavioural", "behavioral"),
    ("discolouration", "discoloration"), ("immunisation", "immunization"),
    ("hospitalised", "hospitalized"), ("paralysed", "paralyzed"), ("sulphur", "sulfur"),
    ("centre", "center"), ("leucocyte", "leukocyte"), ("phaeochromocytoma",
                                                      "pheochromocytoma"),
    ("caesarean", "cesarean"), ("faecal", "fecal"), ("ageing", "aging"),
]

NOT_VARIANTS = [
    "house", "hose", "four", "hour", "your", "colorectal", "humorous", "chemotherapy",
    "hemisphere", "hemiplegia", "them", "measurement", "pneumonia", "exercise", "advise",
    "surprise", "precise", "size", "seized", "crises", "analyses", "academia", "epidemic",
    "systemic", "anemone", "fetch", "estimate", "estranged", "festival", "fecundity",
    "homeowner", "disease", "promised", "raised", "noise", "shortness", "breath",
]


@pytest.mark.parametrize("british,american", PAIRS)
def test_each_spelling_gives_the_other_both_ways(british, american):
    assert word_variants(british) == [british, american]
    assert word_variants(american) == [american, british]


@pytest.mark.parametrize("word", NOT_VARIANTS)
def test_ordinary_words_get_no_false_variant(word):
    assert word_variants(word) == [word]


def test_case_is_kept():
    assert variants("Dyspnoea") == ["Dyspnoea", "Dyspnea"]
    assert variants("ANAEMIA") == ["ANAEMIA", "ANEMIA"]


def test_a_phrase_gives_every_combination_the_given_one_first():
    found = variants("haemorrhagic oesophagitis")
    assert found[0] == "haemorrhagic oesophagitis"
    assert sorted(found) == sorted(["haemorrhagic oesophagitis", "haemorrhagic esophagitis",
                                    "hemorrhagic oesophagitis", "hemorrhagic esophagitis"])
    assert variants("gastro-oesophageal reflux") == ["gastro-oesophageal reflux",
                                                      "gastro-esophageal reflux"]
    assert variants("shortness of breath") == ["shortness of breath"]


def test_variants_are_bounded():
    assert len(variants("anaemia oedema dyspnoea diarrhoea tumour haematuria", limit=5)) == 5


def test_expand_regex_widens_literals_only():
    pattern = expand_regex(r"\bdyspnoea|haematuria")
    assert pattern == r"\b(?:dyspnoea|dyspnea)|(?:haematuria|hematuria)"
    for text in ("dyspnea on exertion", "Microscopic hematuria", "dyspnoea"):
        assert re.search(pattern, text, re.I)
    assert not re.search(pattern, "apnoea")


@pytest.mark.parametrize("pattern", [
    r"colou?r", r"[Hh]aem(at)?uria\w+", r"(?i)breath", r"\d{2,3}", r"x{2}",
    r"(?P<x>short)\s+of", r"(?<=ab)c", r"[^oe]dema",
])
def test_expand_regex_keeps_syntax_it_does_not_expand(pattern):
    assert expand_regex(pattern) == pattern
    re.compile(expand_regex(pattern))


def test_expand_regex_leaves_the_quantified_letter_outside():
    expanded = expand_regex("oedema?")
    assert expanded == "(?:oedem|edem)a?"
    assert re.fullmatch(expanded, "edem") and re.fullmatch(expanded, "oedema")


def test_expand_regex_inside_groups_and_named_groups():
    expanded = expand_regex(r"(anaemia|(?P<x>foetal))")
    assert re.fullmatch(expanded, "anemia") and re.fullmatch(expanded, "fetal")
    assert re.compile(expanded).groupindex == {"x": 2}
