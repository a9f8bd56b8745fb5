"""ICD-10-CM imported from the CDC tabular XML shipped in simple-icd-10-cm."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from codelists.errors import ImportFailedError, UnknownCodeError
from codelists.terminology.base import ConceptDetail, Terminology
from codelists.terminology.icd10cm.importer import import_release, installed_release


def _code_list() -> set[str]:
    listed = installed_release().parent.glob("code-list-*.txt")
    path = sorted(listed)[-1]
    return {line.strip() for line in path.read_text().splitlines() if line.strip()}


def test_store_holds_every_code_of_the_release(icd10cm):
    assert isinstance(icd10cm, Terminology)
    stored = {c.replace(".", "") for c in icd10cm.all_codes()}
    expected = _code_list()
    # blocks made of one category (B99) are named B99-B99 so they do not clash with it
    single_blocks = {c for c in stored - expected if "-" in c}
    assert stored - single_blocks == expected
    assert len(stored) > 98_000


def test_metadata(icd10cm):
    meta = icd10cm.metadata
    assert meta.terminology == "icd10cm"
    assert meta.release_date == "2026-04-01"
    assert {s["path"] for s in meta.sources} >= {installed_release().name}
    assert all(len(s["sha256"]) == 64 for s in meta.sources)


def test_dotted_and_undotted_lookup(icd10cm):
    assert icd10cm.lookup("E119").code == "E11.9"
    assert icd10cm.lookup("e11.9").term == "Type 2 diabetes mellitus without complications"
    assert icd10cm.lookup("E11.99999") is None
    found = icd10cm.lookup_many(["E119", "J45", "Z99.999"])
    assert set(found) == {"E119", "J45"}


def test_seventh_character_extensions_are_codes(icd10cm):
    concept = icd10cm.lookup("S52.521A")
    assert concept.kind == "extension"
    assert concept.term.endswith("initial encounter for closed fracture")
    assert icd10cm.parents("S52.521A") == ["S52.521"]
    assert icd10cm.lookup("T07XXXA").term == "Unspecified multiple injuries, initial encounter"
    assert "S52.521A" in icd10cm.descendants("S52")


def test_hierarchy_chapter_block_category(icd10cm):
    assert icd10cm.ancestors("S52.521A") == ["19", "S50-S59", "S52", "S52.5", "S52.52",
                                             "S52.521"]
    assert icd10cm.lookup("19").kind == "chapter"
    assert icd10cm.lookup("S50-S59").kind == "block"
    assert icd10cm.children("J45.2") == ["J45.20", "J45.21", "J45.22"]
    desc = icd10cm.descendants("J45.2", include_self=True)
    assert desc[0] == "J45.2" and set(desc[1:]) == {"J45.20", "J45.21", "J45.22"}


def test_inclusion_terms_are_searchable_synonyms(icd10cm):
    # "Classical cholera" is only an inclusion term of A00.0
    hits = icd10cm.search("classical cholera")
    assert hits[0].code == "A00.0"
    assert hits[0].term == "Classical cholera"
    assert hits[0].preferred_term.startswith("Cholera due to Vibrio cholerae 01")


def test_search_ranks_the_exact_term_first_and_matches_prefixes(icd10cm):
    assert icd10cm.search("asthma")[0].code == "J45"
    assert any(h.code.startswith("J45") for h in icd10cm.search("asthm"))
    within = icd10cm.search("fracture", within="S52.5", limit=1000)
    assert within and all(c.code.startswith("S52.5") for c in within)
    assert icd10cm.search("   ") == []


def test_search_regex(icd10cm):
    hits = icd10cm.search_regex(r"^Torus fracture of lower end of right radius", limit=None)
    codes = {h.code for h in hits}
    assert "S52.521" in codes and "S52.521A" in codes
    assert all(h.preferred_term for h in hits)


def test_show_has_notes_and_counts(icd10cm):
    detail = icd10cm.show("J45")
    assert isinstance(detail, ConceptDetail)
    assert detail.concept.term == "Asthma"
    types = {n["type"] for n in detail.notes}
    assert {"includes", "excludes1", "excludes2"} <= types
    assert detail.descendant_count == len(icd10cm.descendants("J45"))
    assert [p.code for p in detail.parents] == ["J40-J4A"]
    json.dumps(detail.as_dict())
    with pytest.raises(UnknownCodeError):
        icd10cm.show("Q99.999")


def test_seventh_character_definitions_are_notes(icd10cm):
    notes = icd10cm.show("S52").notes
    assert any(n["type"] == "sevenChrDef" and n["text"].startswith("A:") for n in notes)


def test_iter_descriptions(icd10cm):
    rows = list(icd10cm.iter_descriptions())
    assert ("A00.0", "Classical cholera", "inclusion", True) in rows
    assert len(rows) > 100_000


def test_import_refuses_other_xml(tmp_path):
    bad = tmp_path / "icd10cm-tabular-2026.xml"
    bad.write_text("<ClaML/>")
    with pytest.raises(ImportFailedError, match="not <ICD10CM.tabular>"):
        import_release(bad, tmp_path / "out.db")
    broken = tmp_path / "broken" / "icd10cm-tabular-2026.xml"
    broken.parent.mkdir()
    broken.write_text("<ICD10CM.tabular><chapter>")
    with pytest.raises(ImportFailedError) as info:
        import_release(broken.parent, tmp_path / "out.db")
    assert info.value.line == 1
    assert not (tmp_path / "out.db").exists()


def test_failed_import_keeps_previous_store(tmp_path, icd10cm_store: Path):
    target = tmp_path / "keep.db"
    target.write_bytes(icd10cm_store.read_bytes())
    before = target.stat().st_size
    bad = tmp_path / "icd10cm-tabular-2026.xml"
    bad.write_text("<ICD10CM.tabular><version>2026</version></ICD10CM.tabular>")
    with pytest.raises(ImportFailedError, match="no <chapter>"):
        import_release(bad, target)
    assert target.stat().st_size == before
    assert not list(tmp_path.glob(".keep.db.*"))
