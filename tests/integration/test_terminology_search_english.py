"""Search in the user's English (#19): both spellings, inclusion terms, partial matches
ranked after full ones, why each row matched; descendants in hierarchy order."""

import json

from codelists.cli.main import main
from codelists.terminology.tree import hierarchy_order


def test_british_spelling_finds_american_terms(icd10cm):
    hits = icd10cm.search("dyspnoea", limit=10)
    assert hits[0].code == "R06.0"
    assert {"R06.0", "R06.00", "R06.09"} <= {h.code for h in hits}
    assert "other spelling of dyspnoea" in hits[1].why
    assert icd10cm.search("oesophagitis", limit=5)[0].preferred_term.lower().startswith(
        "esophagitis")
    assert {h.code for h in icd10cm.search("haemoptysis")} == {
        h.code for h in icd10cm.search("hemoptysis")}


def test_inclusion_terms_are_searched_and_named(icd10cm):
    hits = icd10cm.search("breath-holding", limit=5)
    assert "R06.89" in {h.code for h in hits}
    hit = next(h for h in hits if h.code == "R06.89")
    assert "inclusion term 'Breath-holding (spells)'" in hit.why


def test_partial_matches_follow_full_ones(icd10cm):
    assert [h.code for h in icd10cm.search("shortness of breath", limit=5)] == ["R06.02"]
    hits = icd10cm.search("shortness of breath", limit=5, partial=True)
    assert len(hits) == 5 and hits[0].code == "R06.02" and hits[0].why == "exact"
    assert all(h.why.startswith("1 of 2 words (breath)") for h in hits[1:])
    assert hits[0].score > hits[1].score


def test_the_cli_table_has_a_header_a_count_and_why(icd10cm_store, capsys):
    capsys.readouterr()
    assert main(["terminology", "search", "shortness of breath", "--limit", "5",
                 "--db", str(icd10cm_store)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["code", "term", "why"]
    assert len(lines) == 7 and lines[-1].startswith("5 codes")
    assert lines[1].split()[0] == "R06.02" and lines[1].endswith("exact")
    assert main(["terminology", "search", "dyspnoea", "--db", str(icd10cm_store),
                 "--json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["code"] == "R06.0"


def test_descendants_in_hierarchy_order(icd10cm, icd10cm_store, capsys):
    order = hierarchy_order(icd10cm, "R06")
    codes = [c for c, _ in order]
    assert codes[:6] == ["R06.0", "R06.00", "R06.01", "R06.02", "R06.03", "R06.09"]
    assert dict(order)["R06.0"] == 1 and dict(order)["R06.02"] == 2
    assert set(codes) == set(icd10cm.descendants("R06"))
    capsys.readouterr()
    assert main(["terminology", "descendants", "R06", "--db", str(icd10cm_store)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "R06.0\tDyspnea" and lines[1] == "  R06.00\tDyspnea, unspecified"


def test_ancestors_from_the_top_down(icd10cm):
    from codelists.terminology.tree import ancestor_order

    assert ancestor_order(icd10cm, "R06.02") == ["18", "R00-R09", "R06", "R06.0"]
    assert ancestor_order(icd10cm, "R06.02", include_self=True)[-1] == "R06.02"


def test_an_exact_term_in_the_other_spelling_is_exact(icd10cm):
    assert icd10cm.search("dyspnoea", limit=1)[0].why == "exact; other spelling of dyspnoea"
