"""`plan_update` on a synthetic release and its successor, against an independent
computation from the generator's own record of what changed (benchmarks/
synthetic_successor.py): the in-memory hierarchy, not the stores, says what each list
should gain, lose and retitle."""

from __future__ import annotations

import pytest

from benchmarks.synthetic_rf2 import Generator
from benchmarks.synthetic_successor import NEXT_DATE, evolve
from codelists.codelist.definition import Definition
from codelists.codelist.fileformat import dumps, parse
from codelists.codelist.upgrade import apply_update, plan_update
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
