"""ICD-10 from the real WHO ClaML excerpts, and the UK 5th edition table (synthetic)."""

from __future__ import annotations

import pytest

from codelists.errors import ImportFailedError
from codelists.terminology.icd10.importer import import_release
from codelists.terminology.registry import open_terminology


@pytest.fixture(scope="module")
def icd10_dir(shared):
    return shared / "data/terminologies/opencodelists-fixtures/coding_systems/icd10/fixtures"


@pytest.fixture(scope="module")
def parser_examples(icd10_dir, tmp_path_factory):
    path = import_release(icd10_dir / "claml/parser_examples.xml",
                          tmp_path_factory.mktemp("icd10") / "examples.db")
    with open_terminology(path) as terminology:
        yield terminology


@pytest.fixture(scope="module")
def gastric_ulcer(icd10_dir, tmp_path_factory):
    path = import_release(icd10_dir / "import_resources/icd10_gastric_ulcer.zip",
                          tmp_path_factory.mktemp("icd10") / "k25.db")
    with open_terminology(path) as terminology:
        yield terminology


@pytest.fixture(scope="module")
def uk5(test_data, tmp_path_factory):
    path = import_release(test_data / "icd10-uk5-synthetic",
                          tmp_path_factory.mktemp("icd10") / "uk5.db")
    with open_terminology(path) as terminology:
        yield terminology


def test_chapters_blocks_and_categories_form_the_hierarchy(parser_examples):
    t = parser_examples
    assert t.ancestors("C40.3") == ["II", "C00-C97", "C00-C75", "C40-C41", "C40"]
    assert [t.lookup(c).kind for c in ("II", "C00-C97", "C40", "C40.3")] == [
        "chapter", "block", "category", "subcategory"]
    assert "C40.3" in t.descendants("II")


def test_long_preferred_term_wins_and_short_is_kept(parser_examples):
    detail = parser_examples.show("C403")
    assert detail.concept.term == "Malignant neoplasm: Short bones of lower limb"
    assert {"term": "Short bones of lower limb", "type": "short", "active": True,
            "description_id": None} in detail.terms


def test_references_are_left_out_of_terms_but_kept_in_notes(parser_examples):
    assert parser_examples.lookup("A17.0").term == "Tuberculous meningitis"
    assert parser_examples.lookup("D51").term == "Vitamin B12 deficiency anaemia"
    notes = parser_examples.show("C40-C41").notes
    assert notes == [{"type": "exclusion", "text": "bone marrow NOS (C96.7)"},
                     {"type": "exclusion", "text": "synovia (C49.-)"}]


def test_dagger_and_asterisk(parser_examples):
    attributes = parser_examples.show("A17.0").attributes
    assert {"group": 0, "type": "usage", "value": "dagger", "value_code": None} in attributes
    assert any(a["type"] == "asterisk_code" and a["value_code"] == "G01" for a in attributes)
    e102 = parser_examples.show("E10.2").attributes
    assert any(a["type"] == "usage" and a["value"] == "dagger" for a in e102)


@pytest.mark.parametrize(("code", "parent", "term"), [
    ("E10.0", "E10", "Type 1 diabetes mellitus (With coma)"),  # pattern A
    ("I70.00", "I70.0", "Atherosclerosis of aorta (without gangrene)"),  # B
    ("M45.X0", "M45", "Ankylosing spondylitis (Multiple sites in spine)"),  # C
    ("M00.00", "M00.0", "Staphylococcal arthritis and polyarthritis (Multiple sites)"),  # D
    ("T14.20", "T14.2", "Fracture of unspecified body region (closed)"),  # E
    ("M13.00", "M13.0", "Polyarthritis, unspecified (Multiple sites)"),  # modifierlink only
])
def test_modifiers_make_codes(parser_examples, code, parent, term):
    concept = parser_examples.lookup(code)
    assert concept.term == term
    assert concept.kind == "extension"
    assert parser_examples.parents(code) == [parent]


def test_undotted_and_uk_five_character_forms(parser_examples):
    t = parser_examples
    assert t.lookup("E100").code == "E10.0"
    assert t.lookup("M0000").code == "M00.00"
    assert t.lookup("M45X0").code == "M45.X0"
    assert t.lookup("I70").code == "I70"


def test_modifier_inclusions_are_searchable(parser_examples):
    hits = parser_examples.search("hyperosmolar coma")
    assert hits[0].code == "E10.0"
    assert hits[0].term == "Diabetic: hyperosmolar coma"


def test_real_release_zip_with_title_and_notes(gastric_ulcer):
    t = gastric_ulcer
    assert t.metadata.release_date == "2020-03-22"
    assert "2019" in t.metadata.edition
    assert t.children("K25")[:2] == ["K25.0", "K25.1"]
    assert t.lookup("K250").term == "Gastric ulcer (Acute with haemorrhage)"
    notes = {n["type"] for n in t.show("K25").notes}
    assert {"inclusion", "exclusion", "coding-hint"} <= notes
    assert t.search("ulcer pylorus")[0].code == "K25"
    assert [h.code for h in t.search_regex(r"with perforation\)$", within="K25")] == ["K25.1", "K25.5"]


def test_uk_fifth_edition_table(uk5):
    t = uk5
    assert t.metadata.edition == "ICD-10 5th Edition (NHS England)"
    assert t.lookup("M7700").code == "M77.00"
    assert t.lookup("I10X").code == "I10"
    assert t.ancestors("M77.00") == ["M00-M99", "M77", "M77.0"]
    assert t.lookup("A00-B99").term == "Certain infectious and parasitic diseases"
    assert t.children("I00-I99") == ["I10", "I21"]
    assert t.descendants("I21") == ["I21.0", "I21.9"]
    assert any(a["type"] == "usage" and a["value"] == "DAGGER" for a in t.show("A170").attributes)
    assert t.search("classical cholera")[0].code == "A00.0"


def test_not_claml_is_refused(tmp_path):
    bad = tmp_path / "release.xml"
    bad.write_text("<ICD10CM.tabular/>")
    with pytest.raises(ImportFailedError, match="not <ClaML>"):
        import_release(bad, tmp_path / "x.db")
    table = tmp_path / "ICD10_Edition5_CodesAndTitles_bad.txt"
    table.write_text("CODE\tTITLE\nA00\tCholera\n")
    with pytest.raises(ImportFailedError, match="missing columns"):
        import_release(table, tmp_path / "x.db")


def test_whole_words_search(gastric_ulcer):
    t = gastric_ulcer
    assert t.search("ulcer pylor")  # each word the start of a word
    assert t.search("ulcer pylor", whole_words=True) == []
    assert t.search("ulcer pylorus", whole_words=True)[0].code == "K25"
