"""`plan_update` / `apply_update` on real releases.

SNOMED CT: the tennis-elbow and tennis-toe slices (one International release, 20200415)
merged into a second release dated 20201015 that adds Tennis toe (238484001) and the
concepts between it and Disorder of soft tissue (19660004).  dm+d: the OpenCodelists
fixture releases 1.0.0 (names 320139002 as the previous id of a VMP) and 1.2.0 (no
longer does).
"""

from __future__ import annotations

import pytest

from codelists.codelist.definition import Definition, Rule, expand
from codelists.codelist.fileformat import dumps, parse
from codelists.codelist.upgrade import apply_update, plan_update
from codelists.terminology.registry import open_terminology

TENNIS_TOE = "238484001"


@pytest.fixture(scope="module")
def releases(snomed_elbow_store, snomed_tennis_merged_store):
    old = open_terminology(snomed_elbow_store)
    new = open_terminology(snomed_tennis_merged_store)
    yield old, new
    old.close()
    new.close()


def soft_tissue_list(make_codelist, old, definition):
    codes = sorted(expand(definition, old))
    terms = old.lookup_many(codes)
    body = "".join(f"{c:<14} {terms[c].term}\n" for c in codes)
    cl = make_codelist(body, path="soft-tissue.codelist", snomed_release="20200415")
    cl.definition = definition
    return parse(dumps(cl), path="soft-tissue.codelist")


def test_new_release_adds_tennis_toe_and_its_ancestors_as_pending(releases, make_codelist):
    old, new = releases
    cl = soft_tissue_list(make_codelist, old, Definition(ecl="<< 19660004 |Disorder of soft tissue|"))  # noqa: E501
    before = dumps(cl)
    plan = plan_update(cl, new)
    gained = expand(cl.definition, new) - expand(cl.definition, old)
    assert TENNIS_TOE in gained and len(gained) > 1
    assert {c.kind for c in plan.changes} == {"new"}
    assert {c.code for c in plan.changes} == gained
    assert all(new.lookup(c).active for c in gained)
    # the others are Tennis toe's new ancestors below Disorder of soft tissue, and one
    # concept the toe slice carries under one of them (Site-specific disorder of skin)
    between = set(new.ancestors(TENNIS_TOE)) & set(new.descendants("19660004"))
    had = set(cl.active_codes())
    assert had == expand(cl.definition, old) and had & between == {"239953001", "280134004"}
    assert gained == {TENNIS_TOE, "238907001"} | (between - had)
    assert len(between - had) == 12
    assert new.parents("238907001") == ["95320005"] and "95320005" in between
    assert plan.needs_decision and plan.from_release == "20200415"
    apply_update(cl, plan, today="2026-06-01")
    text = dumps(cl)
    old_meta = parse(before).meta
    changed = {k for k in cl.meta if cl.meta[k] != old_meta.get(k)}
    assert changed == {"updated", "version", "snomed_release", "method"}
    assert "snomed_release: '20201015'" in text
    assert f"# ? {TENNIS_TOE}  Tennis toe  # new in 20201015\n" in text
    assert cl.active_codes() == parse(before).active_codes()
    assert set(cl.pending_codes()) == gained
    assert cl.method["updates"] == [{"date": "2026-06-01", "from": "20200415",
                                     "to": "20201015", "changes": {"new": len(gained)}}]
    assert cl.meta["version"] == 2
    # the body before the update is kept line for line
    assert text.split("---\n", 2)[2].startswith(before.split("---\n", 2)[2])


def test_rules_follow_the_release_and_exclusions_stay(releases, make_codelist):
    old, new = releases
    definition = Definition(rules=(Rule("19660004", True), Rule("128133004", False)))
    cl = soft_tissue_list(make_codelist, old, definition)
    cl.add_excluded(TENNIS_TOE, "Tennis toe", reason="scope")
    plan = plan_update(cl, new)
    assert TENNIS_TOE not in {c.code for c in plan.changes}  # a decision already taken
    assert {c.kind for c in plan.changes} <= {"new"}


def test_same_release_changes_nothing(releases, make_codelist):
    old, _ = releases
    cl = soft_tissue_list(make_codelist, old, Definition(ecl="<< 19660004"))
    assert plan_update(cl, old).changes == []


def test_inactive_codes_move_to_excluded(releases, make_codelist):
    old, _ = releases
    cl = make_codelist("156659008      Epicondylitis or golfers' elbow\n"
                       "73583000       Epicondylitis\n", path="e.codelist")
    plan = plan_update(cl, old)
    kinds = {(c.kind, c.code) for c in plan.changes}
    assert ("inactive", "156659008") in kinds
    assert ("term", "156659008") in kinds  # the release's term differs from the file's
    apply_update(cl, plan, today="2026-06-01")
    line = cl.line_for("156659008")
    assert line.kind == "excluded" and line.tags["reason"] == "inactive"
    assert "inactive in 20200415" in line.comment
    assert cl.active_codes() == ["73583000"]


@pytest.fixture(scope="module")
def dmd_releases(dmd_release_stores):
    stores = [open_terminology(dmd_release_stores[v]) for v in ("1.0.0", "1.2.0")]
    yield stores
    for store in stores:
        store.close()


VMP = "39113611000001102"


def test_dmd_previous_vmp_id_brings_the_current_id(dmd_releases, make_codelist):
    first, last = dmd_releases
    cl = make_codelist("320139002      Salbutamol 100micrograms/dose inhaler CFC free\n",
                       terminology="dmd", path="salbutamol.codelist")
    plan = plan_update(cl, first)
    assert [(c.kind, c.code, c.source, c.association, c.reason) for c in plan.changes] == [
        ("new-id", VMP, "320139002", "CURRENT ID", "previous id (VPIDPREV)")]
    apply_update(cl, plan, today="2026-06-01")
    assert cl.active_codes() == ["320139002"]  # records still carry the old id
    assert cl.pending_codes() == [VMP]
    assert "snomed_release" not in cl.meta
    assert cl.method["updates"][0]["to"] == "20221001"
    # on 1.2.0 the old id is unknown: reported, not decided
    plan = plan_update(cl, last)
    assert [(c.kind, c.code) for c in plan.changes] == [("unknown", "320139002")]
    assert plan.needs_decision


def test_dmd_current_id_is_unchanged_across_releases(dmd_releases, make_codelist):
    first, last = dmd_releases
    term = first.lookup(VMP).term
    cl = make_codelist(f"{VMP:<14} {term}\n", terminology="dmd")
    assert plan_update(cl, first).changes == [] and plan_update(cl, last).changes == []


def test_snomed_history_names_each_association(snomed_small_store, make_codelist):
    """tests/data/snomed-small: 156659008 is Ambiguous, POSSIBLY EQUIVALENT TO 439656005
    and 3723001; 1000004 is a Duplicate, SAME AS 3723001."""
    cl = make_codelist("156659008      Epicondylitis or golfers' elbow\n"
                       "1000004        Arthritis NOS\n"
                       "69896004       Rheumatoid arthritis\n", path="small.codelist")
    with open_terminology(snomed_small_store) as store:
        plan = plan_update(cl, store)
    found = {(c.kind, c.code): c for c in plan.changes}
    assert found[("inactive", "156659008")].reason == "AMBIGUOUS"
    assert found[("inactive", "1000004")].reason == "DUPLICATE"
    assert "SAME AS 3723001" in found[("inactive", "1000004")].note
    offered = {(c.code, c.association, c.source) for c in plan.changes
               if c.kind == "replacement"}
    assert offered == {("3723001", "POSSIBLY EQUIVALENT TO", "156659008"),
                       ("439656005", "POSSIBLY EQUIVALENT TO", "156659008")}
    apply_update(cl, plan, today="2026-06-01")
    assert cl.active_codes() == ["69896004"]
    assert set(cl.pending_codes()) == {"3723001", "439656005"}
    assert "POSSIBLY EQUIVALENT TO for 156659008" in cl.line_for("3723001").comment
    assert cl.line_for("1000004").tags == {"reason": "inactive"}


def test_rules_naming_retired_codes_are_reported(snomed_small_store, make_codelist):
    cl = make_codelist("69896004       Rheumatoid arthritis\n", path="rules.codelist")
    cl.definition = Definition(rules=(Rule("3723001", True), Rule("1000004", False),
                                      Rule("999999999999", False)))
    with open_terminology(snomed_small_store) as store:
        plan = plan_update(cl, store)
    flagged = {c.code: c for c in plan.changes if c.kind == "rule-inactive"}
    assert set(flagged) == {"1000004", "999999999999"}
    assert flagged["1000004"].reason == "DUPLICATE"
    assert "exclude rule" in flagged["1000004"].note
    assert "SAME AS 3723001" in flagged["1000004"].note
    assert "not in 20250101" in flagged["999999999999"].note
    assert plan.needs_decision
