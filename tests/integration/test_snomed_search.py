"""Full-text and regex search, and the bulk description iterator."""

from __future__ import annotations

import pytest

from codelists.errors import UnknownCodeError, UsageError
from codelists.terminology.base import Terminology
from codelists.terminology.snomedct.terminology import SnomedTerminology


@pytest.fixture(scope="module")
def small(snomed_small_store):
    with SnomedTerminology.open(snomed_small_store) as t:
        yield t


def codes(hits):
    return [h.code for h in hits]


def test_it_is_a_terminology(small):
    assert isinstance(small, Terminology)


def test_prefix_matching_and_ranking(small):
    hits = small.search("arthr")
    assert {"3723001", "69896004", "439656005", "429554009"} <= set(codes(hits))
    assert len(codes(hits)) == len(set(codes(hits)))  # one hit per concept
    assert codes(small.search("rheum arth"))[0] == "69896004"
    assert codes(small.search("Arthritis"))[0] == "3723001"  # the shortest, best match


def test_search_reports_matched_and_preferred_terms(small):
    hit = small.search("acetaminophen")[0]
    assert hit.code == "322236009"
    assert hit.term == "Acetaminophen 500 mg oral tablet"
    assert hit.preferred_term == "Paracetamol 500 mg oral tablet"


def test_within_restricts_to_a_subtree(small):
    assert set(codes(small.search("arth", within="429554009"))) == {"429554009", "439656005"}
    with pytest.raises(UnknownCodeError):
        small.search("arth", within="12345")


def test_inactive_only_when_asked(small):
    assert "1000004" not in codes(small.search("arthritis nos"))
    assert "1000004" in codes(small.search("arthritis nos", include_inactive=True))
    # an inactive description of an active concept
    assert "Arthritis, NOS" not in [h.term for h in small.search("arthritis nos", limit=50)]
    found = small.search_regex(r"^Arthritis, NOS$", include_inactive=True)
    assert [(h.code, h.term) for h in found] == [("3723001", "Arthritis, NOS")]


def test_limit(small):
    assert len(small.search("a", limit=2)) == 2
    with pytest.raises(UsageError):
        small.search("arth", limit=0)


def test_regex(small):
    found = small.search_regex(r"\belbow\b")
    assert set(codes(found)) == {"429554009", "439656005", "16953009"}
    assert codes(small.search_regex("ELBOW JOINT")) == ["16953009"]
    assert small.search_regex("ELBOW JOINT", ignore_case=False) == []
    assert set(codes(small.search_regex("elbow", within="3723001"))) == {"439656005"}
    assert len(small.search_regex("e", limit=3)) == 3


def test_iter_descriptions(small):
    rows = list(small.iter_descriptions())
    assert ("322236009", "Acetaminophen 500 mg oral tablet", "synonym", True) in rows
    assert ("3723001", "Arthritis (disorder)", "fsn", True) in rows
    assert all(active for *_, active in rows)
    assert not any(code == "1000004" for code, *_ in rows)
    everything = list(small.iter_descriptions(include_inactive=True))
    assert ("3723001", "Arthritis, NOS", "synonym", False) in everything
    assert len(everything) == small.conn.execute("SELECT count(*) FROM descriptions"
                                                 ).fetchone()[0]


def test_lookup_many_and_normalise(small):
    found = small.lookup_many(["3723001", " 69896004 ", "69896004.0", "nonsense", "1"])
    assert set(found) == {"3723001", " 69896004 ", "69896004.0"}
    assert small.lookup("nonsense") is None
    with pytest.raises(UnknownCodeError):
        small.show("1")


def test_search_tables_agree(small):
    terms = [r[0] for r in small.conn.execute("SELECT term FROM search_terms ORDER BY position")]
    parts = [r[0] for r in small.conn.execute("SELECT terms FROM search_text ORDER BY part")]
    assert "\n".join(parts).split("\n") == terms
    actives = [r[0] for r in small.conn.execute(
        "SELECT active FROM search_terms ORDER BY position")]
    assert actives == sorted(actives, reverse=True)  # active rows first
    assert int(small.metadata.extra["active_search_terms"]) == sum(actives)


def _whole_word_concepts(terminology, query: str) -> set[str]:
    """The concepts :meth:`search` with ``whole_words`` must find, worked out by a scan of
    every active description: each query word (in one of its spellings) is a word of it."""
    from codelists.terminology.search import query_words
    from codelists.terminology.spelling import word_variants

    wanted = [{v.lower() for v in word_variants(w)} for w in query_words(query)]
    return {code for code, term, _kind, _active in terminology.iter_descriptions()
            if all(spellings & set(query_words(term)) for spellings in wanted)}


@pytest.mark.parametrize("query", ["arthritis", "rheumatoid arthritis", "arth", "oral tablet",
                                   "tablet 500", "paracetamol", "haemorrhage", "disorder of"])
def test_whole_words_finds_exactly_the_concepts_with_every_word(small, query):
    found = codes(small.search(query, limit=10_000, whole_words=True))
    assert len(found) == len(set(found))
    expected = _whole_word_concepts(small, query)
    assert set(found) == expected
    # a whole word is also the start of a word: never more than the default search
    assert set(found) <= set(codes(small.search(query, limit=10_000)))


def test_whole_words_does_not_match_the_start_of_a_word(small):
    assert small.search("arth")  # by default a prefix
    assert small.search("arth", whole_words=True) == []
    assert codes(small.search("arthritis", whole_words=True))[0] == "3723001"


def test_hits_carry_the_preferred_term_and_the_concept_state(small):
    hit = small.search("acetaminophen", whole_words=True)[0]
    assert (hit.code, hit.preferred_term, hit.active) == (
        "322236009", "Paracetamol 500 mg oral tablet", True)
    inactive = [h for h in small.search("arthritis nos", include_inactive=True)
                if h.code == "1000004"]
    assert inactive and inactive[0].active is False
    assert inactive[0].preferred_term == small.lookup("1000004").term
