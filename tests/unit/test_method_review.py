"""The review workflow on a codelist in memory: rounds, imports, consensus."""

import pytest

from codelists.codelist.fileformat import dumps, load, parse
from codelists.errors import UsageError
from codelists.method import block, review
from codelists.method.candidates import add_candidates, run
from codelists.method.replay import read_dictionary
from tests.plugins.method import METHOD_SOB


@pytest.fixture
def codelist():
    cl = load(METHOD_SOB / "sob.codelist")
    add_candidates(cl, run(block.strategy(cl), read_dictionary(METHOD_SOB / "dictionary.csv")))
    return cl


def test_rounds_open_reexport_and_refuse(codelist, tmp_path):
    with pytest.raises(UsageError, match="name the reviewers"):
        review.open_round(codelist, None)
    rnd = review.open_round(codelist, ["GP1", "GP2"], ["101", "102"])
    assert (rnd.number, rnd.codes) == (1, ["101", "102"])
    assert review.open_round(codelist, None).key == rnd.key  # the open round again
    with pytest.raises(UsageError, match="is open with reviewers"):
        review.open_round(codelist, ["GP3"])
    with pytest.raises(UsageError, match="not complete"):
        review.next_round(codelist)
    with pytest.raises(UsageError, match="review is not complete"):
        review.apply_consensus(codelist)
    rounds = block.rounds(codelist)
    rounds[0].ratings = {"GP1": {"101": 1, "102": 1}, "GP2": {"101": 1, "102": 1}}
    block.set_rounds(codelist, rounds)
    with pytest.raises(UsageError, match="round 1 is complete"):
        review.open_round(codelist, ["GP1", "GP2"])
    with pytest.raises(UsageError, match="no disputed codes"):
        review.next_round(codelist)


def test_consensus_writes_lines_and_survives_a_round_trip(codelist):
    rnd = review.open_round(codelist, ["A", "B", "C"], ["101", "132", "135"])
    rnd.ratings = {"A": {"101": 1, "132": 2, "135": 1},
                   "B": {"101": 1, "132": 3, "135": 2},
                   "C": {"101": 1, "132": 2, "135": 3}}
    block.set_rounds(codelist, [rnd])
    decisions = review.apply_consensus(codelist)
    assert {c: (d.keep, d.uncertainty) for c, d in decisions.items()} == {
        "101": (True, 0), "132": (False, None), "135": (True, 2)}
    again = parse(dumps(codelist))
    assert again.line_for("132").kind == "excluded"
    assert again.line_for("132").tags["reason"] == "delphi"
    assert again.line_for("135").tags["uncertainty"] == "2"
    results = again.method["delphi"]["results"]
    assert results["agreement"]["reviewers"] == 3
    assert results["agreement"]["fleiss_kappa"] is not None
    # a stricter rule later: 135 is dropped too, 132 stays out
    review.apply_consensus(again, review.ConsensusRule("strict", "all"))
    assert again.line_for("135").kind == "excluded"
    assert "uncertainty" not in again.line_for("135").tags
    assert again.method["delphi"]["rule"]["keep_when"] == "all"
    # and back to the paper's rule: 135 returns as active
    review.apply_consensus(again, block.rule(parse(dumps(codelist))))
    assert again.line_for("135").kind == "active"
