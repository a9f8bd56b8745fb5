"""SNOMED CT RF2 import on real data (tennis-elbow slice, UK Clinical zip) and on the
hand-written snomed-small release."""

from __future__ import annotations

import csv
import json
import sqlite3

import pytest

from codelists.terminology.registry import detect_system, open_terminology
from codelists.terminology.snomedct import SCHEMA_VERSION
from codelists.terminology.snomedct.importer import import_release
from codelists.terminology.snomedct.terminology import SnomedTerminology
from codelists.terminology.store import read_metadata
from tests.plugins.snomed import elbow_csv


def csv_codes(shared, name):
    with open(elbow_csv(shared, name), newline="", encoding="utf-8") as fh:
        return {row["code"]: row["name"] for row in csv.DictReader(fh)}


@pytest.fixture(scope="module")
def elbow(snomed_elbow_store):
    with SnomedTerminology.open(snomed_elbow_store) as t:
        yield t


@pytest.fixture(scope="module")
def small(snomed_small_store):
    with SnomedTerminology.open(snomed_small_store) as t:
        yield t


# -- the tennis-elbow slice -------------------------------------------------------------
def test_disorder_of_elbow_descendants_match_opencodelists(elbow, shared):
    expected = csv_codes(shared, "disorder-of-elbow")
    found = set(elbow.descendants("128133004", include_self=True))
    # the CSV also lists the inactive 156659008, added by hand: nobody's descendant
    assert found | {"156659008"} == set(expected)
    assert "156659008" not in found


def test_excluding_arthritis_with_and_without_descendants(elbow, shared):
    elbow_set = set(elbow.descendants("128133004", include_self=True))
    arthritis = set(elbow.descendants("3723001", include_self=True))
    assert (elbow_set - arthritis) | {"156659008"} == set(
        csv_codes(shared, "disorder-of-elbow-excl-arthritis"))
    assert (elbow_set - {"3723001"}) | {"156659008"} == set(
        csv_codes(shared, "disorder-of-elbow-excl-arthritis-only"))


def test_fsns_match_the_csv_names(elbow, shared):
    for code, name in csv_codes(shared, "disorder-of-elbow").items():
        fsn = elbow.conn.execute("SELECT fsn FROM semantic_tags WHERE concept_id = ?",
                                 (int(code),)).fetchone()[0]
        assert fsn == name


def test_inactive_hand_added_concept_is_kept_and_isolated(elbow):
    concept = elbow.lookup("156659008")
    assert concept is not None and concept.active is False
    assert elbow.ancestors("156659008") == []
    assert elbow.descendants("156659008") == []
    detail = elbow.show("156659008")
    assert detail.concept.active is False
    assert detail.inactivation is not None


def test_without_language_refset_preferred_term_is_fsn_without_tag(elbow):
    assert elbow.lookup("128133004").term == "Disorder of elbow"
    assert elbow.lookup("128133004").kind == "disorder"
    assert elbow.preferred_term("202855006", "en-US") == "Lateral epicondylitis"


def test_elbow_metadata(snomed_elbow_store):
    meta = read_metadata(snomed_elbow_store)
    assert meta.terminology == "snomedct"
    assert meta.edition == "international"
    assert meta.release_date == "20200415"
    assert meta.schema_version == SCHEMA_VERSION
    assert len(meta.sources) == 3 and all(len(s["sha256"]) == 64 for s in meta.sources)
    assert meta.extra["release_type"] == "Snapshot"


# -- the UK Clinical Edition zip (three packages, Full files only) -------------------------
def test_uk_clinical_zip_imports_latest_full_rows(snomed_uk_store):
    meta = read_metadata(snomed_uk_store)
    assert meta.edition == "uk-clinical"
    assert meta.release_date == "20220928"
    assert meta.extra["release_type"] == "Full"
    assert len(json.loads(meta.extra["packages"])) == 3
    with SnomedTerminology.open(snomed_uk_store) as uk:
        # IS-A 202855006 -> 3723001 was inactivated in 2006; -> 439656005 added in 2018
        assert uk.parents("202855006") == ["439656005"]
        assert set(uk.ancestors("202855006")) == {"439656005", "3723001"}
        # 6836899021 was inactive in 2018 and active again in 2019: the latest row wins
        assert uk.parents("312421000119107") == ["202855006"]
        assert set(uk.descendants("3723001")) == {
            "439656005", "202855006", "312411000119100", "312421000119107",
            "15636001000119108"}
        # description 311343018 'Tennis elbow': inactive 2019, active again 2021
        terms = {t["term"]: t["active"] for t in uk.show("202855006").terms}
        assert terms["Tennis elbow"] is True
        concept = uk.conn.execute("SELECT definition_status_id FROM concepts WHERE id = ?",
                                  (202855006,)).fetchone()
        assert concept[0] == 900000000000073002  # the 2004 row, not the 2002 one


def test_uk_placeholder_files_are_skipped_with_warnings(snomed_uk_store):
    warnings = json.loads(read_metadata(snomed_uk_store).extra["warnings"])
    assert any("sct2_TextDefinition_Full-en_INT_20220731.txt" in w for w in warnings)


def test_detection_and_generic_open(shared, snomed_elbow_store):
    from tests.plugins.snomed import elbow_release, uk_clinical_zip

    assert detect_system(elbow_release(shared)) == "snomedct"
    assert detect_system(uk_clinical_zip(shared)) == "snomedct"
    with open_terminology(snomed_elbow_store) as t:
        assert isinstance(t, SnomedTerminology)


# -- the small hand-written release -----------------------------------------------------
def test_polyhierarchy_in_the_closure(small):
    assert small.parents("439656005") == ["3723001", "429554009"]
    assert set(small.ancestors("439656005")) == {
        "3723001", "429554009", "128139000", "928000", "64572001", "404684003", "138875005"}
    assert set(small.descendants("928000")) == {"3723001", "429554009", "439656005",
                                                "69896004"}
    assert small.children("3723001") == ["69896004", "439656005"]


def test_preferred_terms_per_dialect(small):
    assert small.preferred_term("322236009", "en-GB") == "Paracetamol 500 mg oral tablet"
    assert small.preferred_term("322236009", "en-US") == "Acetaminophen 500 mg oral tablet"
    # the UK clinical refset comes first in the en-GB chain
    assert small.preferred_term("195967001", "en-GB") == "Asthma (UK clinical)"
    assert small.preferred_term("195967001", "en-US") == "Asthma"
    us = SnomedTerminology(small.store, dialect="en-US")
    assert us.lookup("322236009").term == "Acetaminophen 500 mg oral tablet"


def test_acceptability_per_language_refset(small):
    terms = {t["term"]: t for t in small.show("322236009").terms}
    assert terms["Acetaminophen 500 mg oral tablet"]["acceptability"] == {
        "900000000000508004": "acceptable", "900000000000509007": "preferred"}
    assert terms[next(t for t in terms if t.startswith("Product"))]["type"] == "fsn"


def test_role_groups(small):
    rows = small.conn.execute(
        "SELECT relationship_group, type_id, destination_id FROM relationships "
        "WHERE source_id = 69896004 AND type_id != 116680003 ORDER BY 1, 2").fetchall()
    assert rows == [(1, 116676008, 409774005), (1, 363698007, 39352004),
                    (2, 363698007, 16953009)]
    groups = {a["group"] for a in small.show("69896004").attributes}
    assert groups == {1, 2}


def test_concrete_values(small):
    rows = small.conn.execute(
        "SELECT relationship_group, type_id, value, value_number, value_text FROM "
        "concrete_values WHERE source_id = 322236009 ORDER BY type_id").fetchall()
    assert rows == [
        (0, 1001000, '"Paracetamol 500 mg tablets"', None, "Paracetamol 500 mg tablets"),
        (1, 1142135004, "#500", 500.0, None),
        (0, 1142139005, "#1", 1.0, None),
    ]


def test_inactive_concepts_with_history(small):
    detail = small.show("156659008")
    assert detail.inactivation["reason_term"] == "Ambiguous component"
    assert {r["code"] for r in detail.inactivation["replacements"]} == {"439656005",
                                                                        "3723001"}
    nos = small.show("1000004").inactivation
    assert nos["reason"] == "900000000000482003"
    assert [(r["association"], r["code"]) for r in nos["replacements"]] == [
        ("900000000000527005", "3723001")]
    # its old IS-A row is inactive: not in the store, not in the closure
    assert small.ancestors("1000004") == []


def test_refsets_table_and_both_extended_map_headers(small):
    rows = {r[0]: r[1:] for r in small.conn.execute(
        "SELECT refset_id, member_table, fields, member_count FROM refsets")}
    assert rows[447562003][0] == "refset_extended_map"
    assert json.loads(rows[447562003][1])[-1] == "mapCategoryId"
    assert json.loads(rows[999002271000000101][1])[-1] == "mapBlock"
    assert rows[999002271000000101][2] == 3
    assert rows[1002007] == ("refset_simple", "[]", 3)  # the inactive member is not kept
    assert rows[900000000000497000][0] == "refset_simple_map"
    assert rows[900000000000508004][0] == "refset_language"
    assert rows[900000000000489007][0] == "refset_attribute_value"
    assert rows[900000000000527005][0] == "refset_association"
    blocks = small.conn.execute(
        "SELECT map_target, map_block, map_category_id FROM refset_extended_map "
        "WHERE referenced_component_id = 69896004 ORDER BY refset_id, map_group").fetchall()
    assert blocks == [("M06.9", None, 447637006), ("M069", 2, None), ("M0699", 2, None)]


def test_maps_in_show(small):
    maps = small.show("195967001").maps
    assert {m["target"] for m in maps} == {"H33..", "J45.9", "J459"}


def test_every_table_is_filled(snomed_small_store):
    conn = sqlite3.connect(snomed_small_store)
    for table in ("concepts", "descriptions", "preferred_terms", "semantic_tags",
                  "relationships", "concrete_values", "closure", "refset_simple",
                  "refset_language", "refset_association", "refset_attribute_value",
                  "refset_simple_map", "refset_extended_map", "refsets"):
        assert conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] > 0, table
    conn.close()


def test_import_from_a_zip_of_the_small_release(tmp_path, snomed_small_release):
    import shutil

    archive = shutil.make_archive(str(tmp_path / "small"), "zip", snomed_small_release)
    store = import_release(archive, tmp_path / "from-zip.db")
    with SnomedTerminology.open(store) as t:
        assert t.lookup("3723001").term == "Arthritis"
        assert t.count_descendants("3723001") == 2


def test_progress_events_reach_the_total(tmp_path, snomed_small_release):
    events = []
    import_release(snomed_small_release, tmp_path / "p.db", progress=events.append)
    done = [e.done for e in events if e.stage != "warning"]
    assert done == sorted(done)
    assert events[-1].stage == "done" and events[-1].done == events[-1].total
    stages = {e.stage for e in events}
    assert {"indexes", "preferred terms", "closure", "search index"} <= stages
