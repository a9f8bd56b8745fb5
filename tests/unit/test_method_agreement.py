"""Agreement statistics against published worked examples."""

import pytest

from codelists.errors import UserError
from codelists.method.agreement import (
    agreement,
    cohen_kappa,
    count_table,
    fleiss_kappa,
    interpret,
    pabak,
    percent_agreement,
    raw_agreement,
)

# Fleiss (1971) as worked on Wikipedia's "Fleiss' kappa" page: 10 subjects, 14 raters,
# 5 categories; P-bar = 0.378, Pe-bar = 0.213, kappa = 0.210.
FLEISS_EXAMPLE = [
    [0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0], [2, 2, 8, 1, 1],
    [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2], [6, 5, 2, 1, 0], [0, 2, 2, 3, 7],
]


def test_fleiss_worked_example():
    assert fleiss_kappa(FLEISS_EXAMPLE) == pytest.approx(0.210, abs=0.0005)


def test_cohen_textbook_example():
    # 50 proposals: both yes 20, A yes/B no 5, A no/B yes 10, both no 15 -> po 0.7,
    # pe 0.5, kappa 0.4 (Wikipedia, "Cohen's kappa", worked example)
    a = ["yes"] * 25 + ["no"] * 25
    b = ["yes"] * 20 + ["no"] * 5 + ["yes"] * 10 + ["no"] * 15
    assert cohen_kappa(a, b) == pytest.approx(0.4)


def test_two_rater_fleiss_close_to_cohen_and_perfect_agreement():
    ratings = {str(i): {"A": r, "B": r} for i, r in enumerate([1, 2, 3, 1, 2])}
    stats = agreement(ratings)
    assert stats["cohen_kappa"] == pytest.approx(1.0)
    assert stats["fleiss_kappa"] == pytest.approx(1.0)
    assert stats["percent_agreement"] == 100.0


def test_paper_agreement_counts():
    ratings = {f"c{i}": {"GP1": 1, "GP2": 1} for i in range(44)}
    ratings.update({f"p{i}": {"GP1": 1, "GP2": 2 if i < 3 else 3} for i in range(5)})
    stats = agreement(ratings)
    assert (stats["codes"], stats["complete_agreement"], stats["partial_agreement"]) == (
        49, 44, 5)
    assert stats["percent_agreement"] == pytest.approx(100 * 44 / 49)
    # one reviewer always said 1: expected agreement equals observed (the kappa paradox)
    assert stats["cohen_kappa"] == pytest.approx(0.0)


def test_percent_agreement_ignores_codes_with_one_rating():
    assert percent_agreement({"a": {"x": 1}, "b": {"x": 1, "y": 1}}) == 100.0
    assert percent_agreement({}) is None


def test_count_table_and_errors():
    assert count_table({"b": {"x": 3, "y": 3}, "a": {"x": 1, "y": 2}}) == [[1, 1, 0],
                                                                           [0, 0, 2]]
    with pytest.raises(UserError):
        fleiss_kappa([[1, 1], [2, 1]])
    assert fleiss_kappa([[2, 0], [2, 0]]) is None  # every rating in one category


def test_interpretation_labels():
    assert interpret(0.210) == "fair" and interpret(0.9) == "almost perfect"
    assert interpret(-0.1) == "poor" and interpret(None) == "undefined"


def test_pabak_beside_kappa_names_the_paradox():
    # the paper's panel: 44 of 49 codes rated 1 by both; one reviewer always said 1
    ratings = {f"c{i}": {"GP1": 1, "GP2": 1} for i in range(44)}
    ratings.update({f"p{i}": {"GP1": 1, "GP2": 2 if i < 3 else 3} for i in range(5)})
    stats = agreement(ratings)
    assert stats["raw_agreement"] == pytest.approx(44 / 49)
    assert stats["pabak"] == pytest.approx((3 * 44 / 49 - 1) / 2)
    assert stats["pabak_interpretation"] == "almost perfect"  # 0.847
    assert stats["cohen_kappa"] == pytest.approx(0.0)
    assert "kappa paradox" in stats["advice"] and "PABAK" in stats["advice"]


def test_pabak_two_categories_is_2po_minus_1_and_spread_ratings_quote_kappa():
    assert pabak(0.83, categories=2) == pytest.approx(0.66)
    assert pabak(None) is None
    ratings = {str(i): {"A": r, "B": r if i % 5 else (r % 3) + 1}
               for i, r in enumerate([1, 2, 3] * 10)}
    stats = agreement(ratings)
    assert "Quote Cohen's kappa" in stats["advice"]


def test_raw_agreement_averages_pairs_for_more_than_two_raters():
    # 3 raters: (1,1,2) agrees on 1 pair of 3; (1,1,1) on 3 of 3 -> 4/6
    ratings = {"a": {"x": 1, "y": 1, "z": 2}, "b": {"x": 1, "y": 1, "z": 1}}
    assert raw_agreement(ratings) == pytest.approx(4 / 6)
    assert agreement(ratings)["pabak"] == pytest.approx((3 * 4 / 6 - 1) / 2)
