"""Why a description matched a query: what the query contributes is worked out once per
query text (codelists.terminology.search._query), so every hit of one search, and a later
search with the same text, is explained as if from scratch."""

from __future__ import annotations

from codelists.terminology.search import why, words_found


def test_one_query_explains_each_description_on_its_own():
    query = "chronic dyspnoea"
    assert why(query, "Chronic dyspnoea") == "exact"
    assert why(query, "Chronic dyspnea") == "exact; other spelling of dyspnoea"
    assert why(query, "Dyspnea, chronic") == "all words; other spelling of dyspnoea"
    assert why(query, "Chronic cough") == "1 of 2 words (chronic)"
    assert why(query, "Breathless", "synonym", "Dyspnoea") == (
        "0 of 2 words () in synonym term 'Breathless'")
    assert why(query, "Chronic dyspnoea") == "exact"  # again, from the worked-out query


def test_words_found_per_description():
    assert words_found("haem anaemia", "Hemolytic anemia") == (["anaemia"], ["anaemia"])
    assert words_found("haem anaemia", "Haemolytic anaemia") == (["haem", "anaemia"], [])
    assert words_found("haem anaemia", "Fracture") == ([], [])


def test_spacing_and_case_of_the_query():
    assert why("Heart  ATTACK", "heart attack") == "all words"
    assert why("heart attack", "Heart attack") == "exact"
    assert why(" asthma ", "Asthma") == "exact"
