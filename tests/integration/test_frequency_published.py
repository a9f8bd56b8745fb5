"""Published national usage (NHS HES counts in ../shared) against a list."""

from __future__ import annotations

import pytest

from codelists.errors import UsageError
from codelists.frequency.inputs import CodeSet
from codelists.frequency.published import (
    check_published,
    load_counts,
    prefix_relations,
    published_markdown,
)


@pytest.fixture(scope="module")
def hes_icd10(shared):
    return load_counts(shared / "data/frequencies/nhs-hes-code-usage/icd10_usage.csv.gz",
                       years=("2023",))


def test_load_counts_canonical_codes_and_years(hes_icd10):
    assert hes_icd10.system == "icd10"
    assert hes_icd10.years == ("2023",)
    assert hes_icd10.usage["J45.9"] == 1_929_258  # FY2023-24 row J459
    assert hes_icd10.usage["J45.0"] == 99_378
    assert "I10" in hes_icd10.usage and "I10X" not in hes_icd10.usage
    assert hes_icd10.descriptions["J45.0"] == "Predominantly allergic asthma"


def test_all_years_add_up(shared):
    counts = load_counts(shared / "data/frequencies/nhs-hes-code-usage/icd10_usage.csv.gz")
    assert len(counts.years) == 12 and counts.years[0] == "2012"
    assert counts.usage["J45.9"] > 1_929_258 * 5


def test_asthma_list_never_used_and_missing_relatives(hes_icd10):
    codes = CodeSet.from_mapping("icd10", {"J45.0": 0, "J45.9": 0, "J46": 1, "J45": 2,
                                           "Z99.99": 0}, name="asthma")
    check = check_published(codes, hes_icd10)
    assert check.usage["J45.9"] == 1_929_258
    assert check.never_used == ("J45", "Z99.99")
    missing = {r.code: r for r in check.missing_related}
    # J45 is in the list, so J45.1 and J45.8 are its descendants (not mere siblings)
    assert missing["J45.1"].relation == "descendant" and missing["J45.1"].of == "J45"
    assert missing["J45.8"].usage == 879
    assert not any(r.of == "Z99.99" for r in check.missing_related)  # no Z99.9x in HES
    assert "J45.0" not in missing and "J45.9" not in missing
    assert [r.usage for r in check.missing_related] == sorted(
        (r.usage for r in check.missing_related), reverse=True)
    text = published_markdown(check)
    assert "Never used nationally (2)" in text and "| J45.1 | Nonallergic asthma |" in text


def test_opcs4_counts(shared):
    counts = load_counts(shared / "data/frequencies/nhs-hes-code-usage/opcs4_usage.csv.gz",
                         years=("2023",))
    assert counts.system == "opcs4"
    codes = CodeSet.from_mapping("opcs4", {"A01.1": 0}, name="brain")
    check = check_published(codes, counts)
    assert check.usage["A01.1"] == 7
    assert {r.code for r in check.missing_related} >= {"A01.2", "A01.3"}


def test_prefix_relations_by_code_structure():
    got = prefix_relations(["J45", "K40.1", "M77.00"],
                           ["J45.0", "J46", "K40.2", "K41.1", "M77.01", "M77.1", "J45"])
    assert ("J45.0", "descendant", "J45") in got
    assert ("K40.2", "sibling", "K40.1") in got
    assert ("M77.01", "sibling", "M77.00") in got
    assert not any(code in ("J46", "K41.1", "M77.1", "J45") for code, _r, _of in got)


class FakeTerminology:
    """The three hierarchy calls check_published needs, over a tiny tree."""

    tree = {"J45": ["J45.0", "J45.1"], "J45.0": [], "J45.1": [], "J44": ["J44.0"]}

    def descendants(self, code):
        kids = self.tree.get(code, [])
        return kids + [d for k in kids for d in self.descendants(k)]

    def parents(self, code):
        return [p for p, kids in self.tree.items() if code in kids]

    def children(self, code):
        return self.tree.get(code, [])


def test_hierarchy_from_a_terminology(hes_icd10):
    codes = CodeSet.from_mapping("icd10", {"J45.0": 0})
    check = check_published(codes, hes_icd10, terminology=FakeTerminology())
    assert [(r.code, r.relation) for r in check.missing_related] == [("J45.1", "sibling")]
    assert check.notes == ()


def test_system_mismatch_and_unknown_structure(hes_icd10):
    with pytest.raises(UsageError, match="icd10 codes but the list is opcs4"):
        check_published(CodeSet.from_mapping("opcs4", {"A01.1": 0}), hes_icd10)


def test_related_codes_from_a_real_icd10_store(hes_icd10, icd10_store):
    from codelists.terminology.registry import open_terminology

    codes = CodeSet.from_mapping("icd10", {"E10.0": 0, "C40": 1, "Z99.9": 0})
    terminology = open_terminology(icd10_store)
    try:
        check = check_published(codes, hes_icd10, terminology=terminology)
    finally:
        terminology.close()
    missing = {r.code: r for r in check.missing_related}
    assert missing["E10.9"].relation == "sibling" and missing["E10.9"].of == "E10.0"
    assert missing["C40.3"].relation == "descendant" and missing["C40.3"].of == "C40"
    assert all(r.usage > 0 for r in check.missing_related)
    assert check.notes == ("not in the terminology store, so no related codes: Z99.9",)
