"""ECL over stores imported from real releases: every official example either evaluates
the same with both evaluators or fails loudly with both; known answers on real data."""

from __future__ import annotations

import pytest

from codelists.ecl import Substrate, evaluate, evaluate_reference
from codelists.errors import NotSupportedError
from codelists.terminology.store import Store


@pytest.fixture(scope="module")
def elbow(snomed_elbow_store):
    store = Store.open(snomed_elbow_store)
    yield store, Substrate.from_store(store.conn)
    store.close()


def test_every_official_example_agrees_on_the_elbow_release(elbow, ecl_examples):
    store, substrate = elbow
    evaluated = 0
    for name, text in ecl_examples:
        try:
            expected = evaluate_reference(text, substrate)
        except NotSupportedError:
            with pytest.raises(NotSupportedError):
                evaluate(text, store)
            continue
        assert evaluate(text, store).ids == expected.ids, name
        evaluated += 1
    assert evaluated > 100


def test_tennis_elbow_subtree(elbow):
    store, substrate = elbow
    # 202855006 |Lateral epicondylitis| (tennis elbow) is in the slice with its subtypes
    result = evaluate("<< 202855006", store)
    assert 202855006 in result.ids
    assert result.ids == evaluate_reference("<< 202855006", substrate).ids
    assert evaluate("> 202855006", store).ids >= {404684003, 138875005}


def test_uk_clinical_edition(snomed_uk_store):
    with Store.open(snomed_uk_store) as store:
        substrate = Substrate.from_store(store.conn)
        for text in ("<< 404684003 |Clinical finding| {{ C active = 1 }}",
                     "< 404684003 {{ term = \"elbow\" }}",
                     "< 404684003 : 363698007 = *",
                     "^ * MINUS << 404684003"):
            assert evaluate(text, store).ids == evaluate_reference(text, substrate).ids, text
