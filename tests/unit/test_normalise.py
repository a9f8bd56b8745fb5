"""Per-system code normalisation: canonical forms, Excel repairs, and what is refused."""

from __future__ import annotations

import pytest

from codelists.errors import UsageError
from codelists.terminology.normalise import (
    SYSTEMS,
    NormalisedCode,
    code_pattern,
    detect_system,
    looks_like,
    normalise_code,
    normalise_codes,
    sctid_problem,
    verhoeff_digit,
    verhoeff_valid,
)

# (system, raw, canonical code or None, repaired)
CASES = [
    ("snomedct", "195967001", "195967001", False),
    ("snomedct", "195967001.0", "195967001", True),
    ("snomedct", " 195967001 ", "195967001", True),
    ("snomedct", "'195967001", "195967001", True),
    ("snomedct", "999000691000001104", "999000691000001104", False),
    ("snomedct", "1.95967E+08", None, True),
    ("snomedct", "195967002", None, False),  # check digit
    ("snomedct", "195967011", None, False),  # partition 01: a description id
    ("snomedct", "0195967001", None, False),
    ("dmd", "39113611000001102", "39113611000001102", False),
    ("dmd", "21711311000001108", "21711311000001108", False),  # real id, odd check digit
    ("dmd", "36032011000001112", "36032011000001112", False),  # real, odd partition
    ("dmd", "0123456", None, False),
    ("icd10", "J45.0", "J45.0", False),
    ("icd10", "J450", "J45.0", False),
    ("icd10", "j45.0", "J45.0", True),
    ("icd10", "M7700", "M77.00", False),
    ("icd10", "M77.00", "M77.00", False),
    ("icd10", "I21  ", "I21", True),
    ("icd10", "I10X", "I10", False),
    ("icd10", "A17.0+", "A17.0", True),
    ("icd10", "G01*", "G01", True),
    ("icd10", "J4", None, False),
    ("icd10", "S52.521A", None, False),
    ("icd10cm", "S52521A", "S52.521A", False),
    ("icd10cm", "T36.0X1A", "T36.0X1A", False),
    ("icd10cm", "E119", "E11.9", False),
    ("icd10cm", "E11", "E11", False),
    ("opcs4", "K401", "K40.1", False),
    ("opcs4", "K40.1", "K40.1", False),
    ("opcs4", "K40.12", None, False),
    ("readv2", "H33..00", "H33..00", False),
    ("readv2", "H33..", "H33..", False),
    ("readv2", "H33", "H33..", True),
    ("readv2", "2126200.0", "2126200", True),
    ("readv2", "6627", "6627.", True),
    ("readv2", "2.126200E+06", "2126200", True),
    ("readv2", "2.13E+06", None, True),
    ("readv2", "Eu33312", "Eu33312", False),
    ("readv2", "H3.3.", None, False),
    ("ctv3", "XaBVJ", "XaBVJ", False),
    ("ctv3", "xaBVJ", "xaBVJ", False),  # case is significant in CTV3, kept
    ("ctv3", "H33..00", None, False),
    ("ctv3", "1371", "1371.", True),
    ("bnf", "0301012A0AAABAB", "0301012A0AAABAB", False),
    ("bnf", "0301012a0aa", "0301012A0AA", True),
    ("bnf", "301", "0301", True),
    ("bnf", "30101", "030101", True),
    ("bnf", "03010", None, False),
    ("cprd_medcode", "719.0", "719", True),
    ("cprd_medcode", "719", "719", False),
    ("cprd_medcode", "7.19E+02", None, True),
    ("cprd_aurum_medcodeid", "1.23457E+15", None, True),
    ("cprd_aurum_medcodeid", "1234567890123450000.0", None, True),
    ("cprd_aurum_medcodeid", "1234567890123456001.0", "1234567890123456001", True),
    ("cprd_aurum_medcodeid", "12345678901", "12345678901", False),
    ("cprd_prodcode", "42.0", "42", True),
    ("dictionary", "  ab-c ", "ab-c", True),
    ("dictionary", "ab c", None, False),  # a code line cannot hold a space
    ("icd10", "B01.2+", "B01.2", True),  # the dagger mark is dropped, and that is reported
    ("loinc", "2345-7", "2345-7", False),
    ("icd10pcs", "0DTJ4ZZ", "0DTJ4ZZ", False),
    ("atc", "C09AA05", "C09AA05", False),
    ("cpt4", "99213", "99213", False),
    ("omop", "201826.0", "201826", True),
    ("cprd_medcode", "719#", "719", True),  # a spreadsheet guard
    ("dictionary", "   ", None, True),
]


@pytest.mark.parametrize(("system", "raw", "code", "repaired"), CASES)
def test_normalise_code(system, raw, code, repaired):
    result = normalise_code(system, raw)
    assert isinstance(result, NormalisedCode)
    assert result.raw == raw
    assert result.code == code
    assert result.repaired is repaired
    if code is None:
        assert result.problem, "a refused code must say why"
    else:
        assert result.problem is None
        assert code_pattern(system).match(code)


def test_snomed_scientific_notation_is_reported_not_guessed():
    result = normalise_code("snomedct", "2.2298E+07")
    assert result.code is None
    assert "scientific notation" in result.problem


def test_dotted_undotted_and_uk_forms_are_one_icd10_code():
    forms = ["J45.0", "J450", "j45.0 ", "J45.0+"]
    assert {normalise_code("icd10", f).code for f in forms} == {"J45.0"}
    assert normalise_code("icd10", "M7700").code == normalise_code("icd10", "M77.00").code


def test_every_system_has_a_pattern_and_unknown_systems_fail():
    for system in SYSTEMS:
        assert code_pattern(system).pattern
    with pytest.raises(UsageError):
        normalise_code("icd11", "1A00")


def test_looks_like():
    assert looks_like("snomedct", "22298006")
    assert not looks_like("snomedct", "22298007")
    assert looks_like("icd10", "I21.9")
    assert not looks_like("opcs4", "I21.99")


def test_verhoeff_round_trip():
    for stem in ["19596700", "2229800", "99900069100000110", "12345"]:
        assert verhoeff_valid(stem + verhoeff_digit(stem))
        wrong = str((int(verhoeff_digit(stem)) + 1) % 10)
        assert not verhoeff_valid(stem + wrong)


def test_sctid_problem_names_the_partition():
    assert "description" in sctid_problem("1234567014")
    assert sctid_problem("22298006") is None


def test_read_column_context_restores_term_code():
    results = normalise_codes("readv2", ["H33..00", "6627", "2126200.0", "H330.11"])
    assert [r.code for r in results] == ["H33..00", "6627.00", "2126200", "H330.11"]
    assert [r.repaired for r in results] == [False, True, True, False]
    five = normalise_codes("readv2", ["H33..", "6627"])
    assert [r.code for r in five] == ["H33..", "6627."]


@pytest.mark.parametrize(
    ("codes", "header", "expected"),
    [
        (["195967001", "22298006"], None, "snomedct"),
        (["39113611000001102", "39113711000001106"], None, "dmd"),
        (["J45.0", "I21", "I219"], None, "icd10"),
        (["K40.1", "K401"], "opcs4_code", "opcs4"),
        (["S52.521A", "E11.9", "T36.0X1A"], None, "icd10cm"),
        (["H33..00", "6627.00"], None, "readv2"),
        (["XaBVJ", "H33.."], None, "ctv3"),
        (["H33..", "H330."], None, None),
        (["H33..", "H330."], "CTV3ID", "ctv3"),
        (["H33..", "H330."], "Readcode", "readv2"),
        (["719", "6345", "28994"], None, None),  # GOLD medcodes or prodcodes: refuse
        (["719", "6345", "28994"], "medcode", "cprd_medcode"),
        (["X00AW", "XE0UH"], None, None),  # CTV3 or (dotted) ICD-10-CM: refuse
        (["X00AW", "XE0Uh"], None, "ctv3"),  # never X00.AW
        (["719", "6345"], "prodcode", "cprd_prodcode"),
        (["0301012A0AA", "0301012A0AAABAB"], None, "bnf"),
        ([], None, None),
        (["not a code at all!"], None, None),
    ],
)
def test_detect_system(codes, header, expected):
    assert detect_system(codes, header=header) == expected


@pytest.mark.parametrize(("raw", "code", "why"), [
    ("6627", "6627.00", "Read code restored from a spreadsheet number"),
    ("H33", "H33..", "padded with dots"),
    ("J450", "J45.0", "dotted"),
    ("719.0", "719", "spreadsheet .0 removed"),
    ("B01.2+", "B01.2", "dagger/asterisk mark dropped"),
    ("'195967001", "195967001", "spreadsheet guard ' removed"),
    ("22298006#", "22298006", "spreadsheet guard # removed"),
])
def test_every_change_says_why(raw, code, why):
    from codelists.terminology.detection import describe_change

    assert describe_change(raw, code) == why


@pytest.mark.parametrize(("system", "raw", "fits"), [
    ("icd10cm", "X00AW", True), ("icd10cm", "XE0Uh", False),  # never upper-cased to fit
    ("ctv3", "XE0Uh", True), ("bnf", "301", False), ("bnf", "0301", True),
    ("snomedct", "195967001", True), ("snomedct", "195967002", False),
])
def test_fits_never_changes_a_codes_shape(system, raw, fits):
    from codelists.terminology.detection import fits as fits_

    assert fits_(system, raw) is fits
