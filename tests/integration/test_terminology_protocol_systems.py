"""Every other coding system's store honours the Terminology protocol the same way."""

from __future__ import annotations

import json

import pytest

from codelists.errors import UnknownCodeError
from codelists.terminology.base import Concept, ConceptDetail, SearchHit, Terminology
from codelists.terminology.registry import importer_for, open_terminology

FIXTURES = "data/terminologies/opencodelists-fixtures/coding_systems"

# system, release (under shared or tests/data), a code, a word to search, a child code
CASES = [
    ("icd10", f"shared:{FIXTURES}/icd10/fixtures/import_resources/icd10_gastric_ulcer.zip",
     "K25", "ulcer", "K25.0"),
    ("ctv3", f"shared:{FIXTURES}/ctv3/fixtures/import_resources/"
     "nhs_readctv3_25.0.0_20180401000001.zip", "H33..", "asthma", "X101x"),
    ("dmd", f"shared:{FIXTURES}/dmd/fixtures/import_resources/"
     "nhsbsa_dmd_1.2.0_20221001000001.zip", "91143003", "salbutamol", "39113611000001102"),
    ("readv2", "data:readv2-nhs-synthetic", "H33..", "asthma", "H330."),
    ("opcs4", "data:opcs4-synthetic", "K40", "graft", "K40.1"),
    ("cprd_medcode", "data:cprd-gold-synthetic/medical.txt", "78", "asthma", None),
]


@pytest.fixture(scope="module", params=CASES, ids=[c[0] for c in CASES])
def case(request, shared, test_data, tmp_path_factory):
    system, release, code, word, child = request.param
    where, _, rel = release.partition(":")
    path = (shared if where == "shared" else test_data) / rel
    store = importer_for(system)(path, tmp_path_factory.mktemp(system) / "s.db")
    with open_terminology(store) as terminology:
        yield system, terminology, code, word, child


def test_protocol(case):
    system, t, code, word, child = case
    assert isinstance(t, Terminology)
    assert t.system == system
    concept = t.lookup(code)
    assert isinstance(concept, Concept) and concept.code == code and concept.system == system
    assert set(t.lookup_many([code, "NOT-A-CODE"])) == {code}
    assert t.normalise(f" {code} ") == code
    detail = t.show(code)
    assert isinstance(detail, ConceptDetail)
    json.dumps(detail.as_dict())
    hits = t.search(word)
    assert hits and all(isinstance(h, SearchHit) for h in hits)
    assert len({h.code for h in hits}) == len(hits)  # one hit per code
    assert all(word in h.term.lower() for h in hits)
    regex = t.search_regex(word, limit=None)
    assert {h.code for h in hits} <= {h.code for h in regex}
    rows = list(t.iter_descriptions())
    assert rows and all(len(r) == 4 and isinstance(r[3], bool) for r in rows)
    if child:
        assert child in t.children(code)
        assert code in t.parents(child)
        assert child in t.descendants(code)
        assert code in t.ancestors(child)
        assert t.descendants(code, include_self=True)[0] == code
        assert detail.descendant_count == len(t.descendants(code))
        within = t.search(word, within=code)
        assert all(h.code in t.descendants(code, include_self=True) for h in within)
    else:
        assert t.children(code) == [] and t.parents(code) == []
    with pytest.raises(UnknownCodeError):
        t.show("NOT-A-CODE")
    with pytest.raises(UnknownCodeError):
        t.descendants("NOT-A-CODE")
