"""`plan_update` on a synthetic release and its successor, against an independent
computation from the generator's own record of what changed (benchmarks/
synthetic_successor.py): the in-memory hierarchy, not the stores, says what each list
should gain, lose and retitle."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.synthetic_rf2 import Generator
from benchmarks.synthetic_successor import NEXT_DATE, evolve
from codelists.codelist.definition import Definition, Rule
from codelists.codelist.fileformat import dumps, load, parse, save
from codelists.codelist.release_facts import ReleaseFacts
from codelists.codelist.upgrade import apply_update, plan_update
from codelists.codelist.upgrade_report import upgrade_report
from codelists.terminology.history import ASSOCIATIONS, REASONS
from codelists.terminology.registry import open_terminology
from codelists.terminology.snomedct.importer import import_release

SIZE = 4000
FINDING = 404684003


def built(evolved: bool):
    gen = Generator(SIZE)
    gen.build()
    return gen, (evolve(gen, share=0.01) if evolved else None)


def active_ids(gen) -> set[int]:
    return {c[0] for n, c in enumerate(gen.concepts)
            if n not in gen.inactive and n not in gen.retired}


def below(gen, top: int) -> set[int]:
    """Descendants-or-self of ``top`` among active concepts, from the parent lists."""
    alive = active_ids(gen)
    children: dict[int, list[int]] = {}
    for child, parents in gen.parents.items():
        if child in alive:
            for p in parents:
                children.setdefault(p, []).append(child)
    seen, stack = {top}, [top]
    while stack:
        for child in children.get(stack.pop(), ()):
            if child not in seen:
                seen.add(child)
                stack.append(child)
    return seen


@pytest.fixture(scope="module")
def releases(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("synthetic-upgrade")
    old, _ = built(False)
    new, evolution = built(True)
    old.write(tmp / "n")
    new.write(tmp / "n1")
    stores = (open_terminology(import_release(tmp / "n", tmp / "n.db")),
              open_terminology(import_release(tmp / "n1", tmp / "n1.db")))
    yield old, new, evolution, stores
    for store in stores:
        store.close()


def codelist_for(make_codelist, store, top: int):
    codes = sorted(store.descendants(str(top), include_self=True))
    terms = store.lookup_many(codes)
    cl = make_codelist("".join(f"{c:<14} {terms[c].term}\n" for c in codes),
                       path="synthetic.codelist", snomed_release="20250101")
    cl.definition = Definition(ecl=f"<< {top}")
    return parse(dumps(cl), path="synthetic.codelist")


def expected_plan(old, new, evolution, top: int) -> dict[str, set[str]]:
    listed = below(old, top)
    retired = {c for c in listed if c in evolution.retired}
    offered = {t for c in retired for a, t in evolution.retired[c][1]} - listed
    reached = below(new, top)
    return {
        "inactive": {str(c) for c in retired},
        "replacement": {str(c) for c in offered},
        "term": {str(c) for c in listed if c in evolution.renamed},
        "new": {str(c) for c in reached - listed - offered},
        "outside-definition": {str(c) for c in listed - reached - retired},
    }


def test_the_successor_changes_each_way():
    _, evolution = built(True)
    assert all(len(x) >= 10 for x in (evolution.retired, evolution.added, evolution.moved,
                                      evolution.renamed))


def pick_top(old, evolution, pick: str) -> int:
    if pick == "top":
        return FINDING
    if pick == "retired-parent":  # a small list whose replacements lie outside it
        for cid in sorted(evolution.retired):
            parent = old.parents[cid][0]
            targets = {t for _, t in evolution.retired[cid][1]}
            if parent in below(old, FINDING) and not targets & below(old, parent):
                return parent
    # the old or new parent of a moved concept: the list loses / gains it
    cid = next(c for c in sorted(evolution.moved)
               if evolution.moved[c][0][0] in below(old, FINDING))
    return evolution.moved[cid][0][0] if pick == "moved-from" else evolution.moved[cid][1][0]


@pytest.mark.parametrize("pick", ["top", "retired-parent", "moved-from", "moved-to"])
def test_plan_matches_the_generator_record(releases, make_codelist, pick):
    old, new, evolution, (store_n, store_n1) = releases
    top = pick_top(old, evolution, pick)
    cl = codelist_for(make_codelist, store_n, top)
    assert {int(c) for c in cl.active_codes()} == below(old, top)
    plan = plan_update(cl, store_n1)
    got = {kind: {c.code for c in plan.changes if c.kind == kind}
           for kind in ("inactive", "replacement", "term", "new", "outside-definition")}
    assert got == expected_plan(old, new, evolution, top)
    assert {c.kind for c in plan.changes} <= set(got)
    if pick == "top":
        assert all(got[k] for k in ("inactive", "term", "new"))
    if pick == "retired-parent":
        assert got["inactive"] and got["replacement"]
    if pick == "moved-from":
        assert got["outside-definition"]


def test_inactivations_name_reason_and_association(releases, make_codelist):
    old, _, evolution, (store_n, store_n1) = releases
    cl = codelist_for(make_codelist, store_n, FINDING)
    plan = plan_update(cl, store_n1)
    for change in plan.changes:
        if change.kind == "inactive":
            reason, targets = evolution.retired[int(change.code)]
            assert change.reason == REASONS[str(reason)]
            for association, target in targets:
                assert f"{ASSOCIATIONS[str(association)]} {target}" in change.note
        if change.kind == "replacement":
            _, targets = evolution.retired[int(change.source)]
            assert (change.association, change.code) in {
                (ASSOCIATIONS[str(a)], str(t)) for a, t in targets}
    apply_update(cl, plan, today="2026-06-01")
    retired = [c.code for c in plan.changes if c.kind == "inactive"]
    assert set(retired) <= set(cl.excluded_codes())
    line = cl.line_for(retired[0])
    assert line.tags["reason"] == "inactive" and f"inactive in {NEXT_DATE}" in line.comment
    renamed = next(c for c in plan.changes if c.kind == "term")
    line = cl.line_for(renamed.code)
    assert line.term == evolution.renamed[int(renamed.code)][1]
    assert f"term was: {evolution.renamed[int(renamed.code)][0]}" in line.comment
    assert cl.meta["snomed_release"] == NEXT_DATE


def varied_study(folder, make_codelist, old, evolution, store_n):
    """Lists that overlap, write the same codes with other terms, share a definition,
    decide by rules, hold excluded, pending, duplicated and unknown codes; plus a list of
    another system and a broken file."""
    big = codelist_for(make_codelist, store_n, FINDING)
    save(big, folder / "a-finding.codelist")
    same = codelist_for(make_codelist, store_n, FINDING)  # same definition, other words
    retired = [str(c) for c in sorted(evolution.retired) if c in below(old, FINDING)]
    unchanged = [c for c in sorted(below(old, FINDING)) if c not in evolution.renamed
                 and c not in evolution.retired][:3]
    for i, line in enumerate(same.lines):
        if line.is_code and int(line.code) in unchanged:
            same.lines[i] = line.with_(term=f"Old words {line.code}")
        elif line.is_code and line.code == retired[0]:
            same.lines[i] = line.with_(kind="excluded")
        elif line.is_code and line.code == retired[1]:
            same.lines[i] = line.with_(kind="pending")
    same.reindex()
    save(same, folder / "b-finding-reworded.codelist")
    parent = pick_top(old, evolution, "retired-parent")
    ruled = codelist_for(make_codelist, store_n, parent)
    child = next(c for c in sorted(below(old, parent)) if c != parent)
    ruled.definition = Definition(rules=(Rule(str(parent), True), Rule(str(child), False)))
    save(ruled, folder / "c-rules.codelist")
    moved = codelist_for(make_codelist, store_n, pick_top(old, evolution, "moved-from"))
    save(moved, folder / "d-moved.codelist")
    flat = "".join(f"{c}  Retired {c}\n" for c in retired[:4]) + (
        f"{retired[0]}  Retired again\n999999999999  Not a concept\n")
    save(make_codelist(flat, path="e-flat.codelist"), folder / "e-flat.codelist")
    save(make_codelist("J45  Asthma\n", terminology="icd10", path="f-icd10.codelist"),
         folder / "f-icd10.codelist")
    (folder / "g-broken.codelist").write_text("not front matter\n")


def test_study_report_equals_the_per_file_plans(releases, make_codelist, tmp_path):
    old, _, evolution, (store_n, store_n1) = releases
    varied_study(tmp_path, make_codelist, old, evolution, store_n)
    report = upgrade_report(tmp_path, store_n1)
    assert [Path(p.path).name for p in report.plans] == [
        "a-finding.codelist", "b-finding-reworded.codelist", "c-rules.codelist",
        "d-moved.codelist", "e-flat.codelist"]
    assert [(Path(s["path"]).name, s["why"]) for s in report.skipped] == [
        ("f-icd10.codelist", "other system"), ("g-broken.codelist", "error")]
    for plan in report.plans:
        alone = plan_update(load(plan.path), store_n1)
        assert plan.as_dict() == alone.as_dict(), plan.path
    by_name = {Path(p.path).name: p for p in report.plans}
    terms = lambda name: {c.code for c in by_name[name].changes if c.kind == "term"}  # noqa: E731
    # the reworded list's own words were compared, not the first list's answers reused
    assert terms("a-finding.codelist") < terms("b-finding-reworded.codelist")
    kinds = {c.kind for p in report.plans for c in p.changes}
    assert {"inactive", "replacement", "term", "new", "outside-definition", "unknown"} <= kinds


def test_shared_facts_ask_the_store_once(releases, make_codelist):
    _, _, _, (store_n, store_n1) = releases
    cl = codelist_for(make_codelist, store_n, FINDING)
    facts = ReleaseFacts(store_n1)
    statements: list[str] = []
    store_n1.conn.set_trace_callback(statements.append)
    try:
        first = plan_update(cl, store_n1, facts=facts)
        asked = len(statements)
        again = plan_update(cl, store_n1, facts=facts)
    finally:
        store_n1.conn.set_trace_callback(None)
    assert asked > 0 and len(statements) == asked  # the second plan asked nothing
    assert again.as_dict() == first.as_dict()
