"""Definitions on hypothesis-generated hierarchies (polyhierarchies included).

- ``resolve(infer(S))`` includes exactly ``S``, for any subset ``S`` of any DAG;
- the closure-table fast path (``resolve_below``) agrees with the parent walk;
- the rules' statuses follow the written meaning: nearest decided ancestors-or-self,
  checked against a brute-force computation over explicit ancestor sets.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from codelists.codelist.definition import Rule, Status, infer, resolve, resolve_below


class Dag:
    def __init__(self, parents: dict[str, list[str]]) -> None:
        self._parents = parents

    def parents(self, code):
        return self._parents[code]

    def ancestors(self, code):
        out = set()
        for p in self._parents[code]:
            out |= {p} | self.ancestors(p)
        return out

    def descendants(self, code):
        return {c for c in self._parents if code in self.ancestors(c)}


@st.composite
def dags(draw, max_nodes=14):
    n = draw(st.integers(1, max_nodes))
    names = [str(100 + i) for i in range(n)]
    parents = {names[0]: []}
    for i in range(1, n):
        # each node's parents come from earlier nodes: acyclic by construction
        ps = draw(st.lists(st.sampled_from(names[:i]), min_size=0, max_size=3, unique=True))
        parents[names[i]] = ps
    return Dag(parents)


@st.composite
def dag_and_subset(draw):
    dag = draw(dags())
    nodes = sorted(dag._parents)
    return dag, set(draw(st.lists(st.sampled_from(nodes), unique=True)))


@st.composite
def dag_and_rules(draw):
    dag = draw(dags())
    nodes = sorted(dag._parents)
    codes = draw(st.lists(st.sampled_from(nodes), unique=True, max_size=5))
    return dag, [Rule(c, draw(st.booleans())) for c in codes]


def included(statuses):
    return {c for c, s in statuses.items() if s is Status.INCLUDED}


@settings(max_examples=300, deadline=None)
@given(dag_and_subset())
def test_resolve_of_infer_is_the_set(case):
    dag, wanted = case
    nodes = list(dag._parents)
    rules = infer(wanted, nodes, dag)
    assert included(resolve(rules, nodes, dag)) == wanted
    assert len({r.code for r in rules}) == len(rules)
    assert len(rules) <= len(nodes)


@settings(max_examples=200, deadline=None)
@given(dag_and_subset())
def test_infer_within_a_universe(case):
    dag, wanted = case
    nodes = sorted(dag._parents)
    universe = set(nodes[len(nodes) // 2:]) | wanted
    rules = infer(wanted, universe, dag)
    assert included(resolve(rules, universe, dag)) == wanted


@settings(max_examples=300, deadline=None)
@given(dag_and_rules())
def test_statuses_match_the_written_meaning(case):
    dag, rules = case
    decided = {r.code: r.include for r in rules}
    statuses = resolve(rules, list(dag._parents), dag)
    for code, status in statuses.items():
        above = {a for a in dag.ancestors(code) | {code} if a in decided}
        nearest = {a for a in above if not any(a in dag.ancestors(b) for b in above)}
        flags = {decided[a] for a in nearest}
        expected = (Status.UNRESOLVED if not flags else Status.INCLUDED if flags == {True}
                    else Status.EXCLUDED if flags == {False} else Status.CONFLICTED)
        assert status is expected, (code, nearest)
    fast = resolve_below(rules, dag.descendants)
    assert fast == {c: s for c, s in statuses.items() if s is not Status.UNRESOLVED}
