"""The in-memory substrate of the reference evaluator: a SNOMED CT snapshot as Python
objects, read straight from RF2 Snapshot files (or from a store's base tables).

It deliberately shares no code with the importer: the generative tests compare the SQL
evaluator over an imported store with the reference evaluator over this substrate, so a
bug in the importer shows up as a disagreement.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from codelists.ecl.semantics import IS_A


@dataclass(frozen=True)
class ConceptRow:
    id: int
    effective_time: int
    active: bool
    module_id: int
    definition_status_id: int


@dataclass(frozen=True)
class DescriptionRow:
    id: int
    effective_time: int
    active: bool
    module_id: int
    concept_id: int
    language_code: str
    type_id: int
    term: str


@dataclass(frozen=True)
class Relationship:
    source_id: int
    type_id: int
    destination_id: int
    group: int


@dataclass(frozen=True)
class ConcreteValue:
    source_id: int
    type_id: int
    value: str  # raw RF2: #12, #1.5, "text", true/false
    group: int


@dataclass(frozen=True)
class Member:
    """A refset member; ``fields`` holds every additional field as raw text."""

    id: str
    effective_time: int
    module_id: int
    refset_id: int
    referenced_component_id: int | str
    fields: tuple[tuple[str, str], ...] = ()
    active: bool = True

    def field(self, name: str):
        return dict(self.fields).get(name)


@dataclass(frozen=True)
class Identifier:
    """A row of the Identifier file: a component's identifier in another scheme."""

    scheme_id: int
    alternate_identifier: str
    active: bool
    referenced_component_id: int


@dataclass
class Substrate:
    concepts: dict[int, ConceptRow] = field(default_factory=dict)
    descriptions: dict[int, DescriptionRow] = field(default_factory=dict)
    relationships: list[Relationship] = field(default_factory=list)
    concrete_values: list[ConcreteValue] = field(default_factory=list)
    members: list[Member] = field(default_factory=list)
    #: members whose latest row is inactive (only member filters on ``active`` read them)
    inactive_members: list[Member] = field(default_factory=list)
    refset_fields: dict[int, tuple[str, ...]] = field(default_factory=dict)
    identifiers: list[Identifier] = field(default_factory=list)

    # -- derived views (computed lazily, cached) ----------------------------------------
    def __post_init__(self):
        self._cache: dict = {}

    def parents(self) -> dict[int, set[int]]:
        if "parents" not in self._cache:
            parents: dict[int, set[int]] = defaultdict(set)
            for r in self.relationships:
                if r.type_id == IS_A:
                    parents[r.source_id].add(r.destination_id)
            self._cache["parents"] = parents
        return self._cache["parents"]

    def children(self) -> dict[int, set[int]]:
        if "children" not in self._cache:
            children: dict[int, set[int]] = defaultdict(set)
            for child, parents in self.parents().items():
                for parent in parents:
                    children[parent].add(child)
            self._cache["children"] = children
        return self._cache["children"]

    def ancestors(self, concept: int) -> set[int]:
        return _reach(concept, self.parents())

    def descendants(self, concept: int) -> set[int]:
        return _reach(concept, self.children())

    def members_of(self, refset: int) -> list[Member]:
        return self._by_refset("members").get(refset, [])

    def inactive_members_of(self, refset: int) -> list[Member]:
        return self._by_refset("inactive_members").get(refset, [])

    def _by_refset(self, kind: str) -> dict[int, list[Member]]:
        key = f"{kind} by refset"
        if key not in self._cache:
            by_refset: dict[int, list[Member]] = defaultdict(list)
            for m in getattr(self, kind):
                by_refset[m.refset_id].append(m)
            self._cache[key] = by_refset
        return self._cache[key]

    def refsets(self) -> set[int]:
        """Every refset with members, active or not."""
        return {m.refset_id for m in self.members} | {m.refset_id for m in self.inactive_members}

    # -- loaders -------------------------------------------------------------------------
    @classmethod
    def from_rf2(cls, folder: str | Path) -> Substrate:
        """Read every ``*Snapshot*.txt`` RF2 file under ``folder``."""
        sub = cls()
        for path in sorted(Path(folder).rglob("*.txt")):
            if "Snapshot" not in path.name:
                continue
            with open(path, encoding="utf-8", newline="") as fh:
                lines = fh.read().split("\n")
            header = lines[0].rstrip("\r").split("\t")
            rows = [line.rstrip("\r").split("\t") for line in lines[1:] if line.strip()]
            _read_file(sub, path.name, header, rows)
        return sub

    @classmethod
    def from_store(cls, conn) -> Substrate:
        """Read the base tables of a SNOMED CT store (not its closure or indexes)."""
        sub = cls()
        for r in conn.execute("SELECT id, effective_time, active, module_id, "
                              "definition_status_id FROM concepts"):
            sub.concepts[r[0]] = ConceptRow(r[0], r[1], bool(r[2]), r[3], r[4])
        for r in conn.execute("SELECT id, effective_time, active, module_id, concept_id, "
                              "language_code, type_id, term FROM descriptions"):
            sub.descriptions[r[0]] = DescriptionRow(r[0], r[1], bool(r[2]), *r[3:])
        sub.relationships = [Relationship(*r) for r in conn.execute(
            "SELECT source_id, type_id, destination_id, relationship_group FROM relationships")]
        sub.concrete_values = [ConcreteValue(*r) for r in conn.execute(
            "SELECT source_id, type_id, value, relationship_group FROM concrete_values")]
        if conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'identifiers'").fetchone():
            sub.identifiers = [Identifier(r[0], r[1], bool(r[2]), r[3]) for r in conn.execute(
                "SELECT scheme_id, alternate_identifier, active, referenced_component_id "
                "FROM identifiers")]
        for refset_id, table, names in conn.execute(
                "SELECT refset_id, member_table, fields FROM refsets"):
            sub.refset_fields[refset_id] = tuple(json.loads(names))
            _members_from_table(sub, conn, refset_id, table, tuple(json.loads(names)))
        return sub


def _reach(start: int, edges: dict[int, set[int]]) -> set[int]:
    seen: set[int] = set()
    stack = list(edges.get(start, ()))
    while stack:
        node = stack.pop()
        if node not in seen:
            seen.add(node)
            stack.extend(edges.get(node, ()))
    return seen


def _kind(name: str) -> str:
    parts = name.split("_")
    if parts[0] == "sct2":
        return parts[1].split("Snapshot")[0]
    return "Refset"


def _read_file(sub: Substrate, name: str, header: list[str], rows: list[list[str]]) -> None:
    kind = _kind(name)
    if kind == "Concept":
        for p in rows:
            c = ConceptRow(int(p[0]), int(p[1]), p[2] == "1", int(p[3]), int(p[4]))
            sub.concepts[c.id] = c
    elif kind in ("Description", "TextDefinition"):
        for p in rows:
            d = DescriptionRow(int(p[0]), int(p[1]), p[2] == "1", int(p[3]), int(p[4]),
                               p[5], int(p[6]), p[7])
            sub.descriptions[d.id] = d
    elif kind == "Relationship":
        sub.relationships.extend(Relationship(int(p[4]), int(p[7]), int(p[5]), int(p[6]))
                                 for p in rows if p[2] == "1")
    elif kind == "RelationshipConcreteValues":
        sub.concrete_values.extend(ConcreteValue(int(p[4]), int(p[7]), p[5], int(p[6]))
                                   for p in rows if p[2] == "1")
    elif kind == "Identifier":
        sub.identifiers.extend(Identifier(int(p[0]), p[1], p[3] == "1", int(p[5]))
                               for p in rows)
    elif kind == "Refset":
        extra = tuple(header[6:])
        for p in rows:
            ref: int | str = int(p[5]) if p[5].isdigit() else p[5]
            active = p[2] == "1"
            (sub.members if active else sub.inactive_members).append(
                Member(p[0], int(p[1]), int(p[3]), int(p[4]), ref,
                       tuple(zip(extra, p[6:], strict=True)), active))
            sub.refset_fields.setdefault(int(p[4]), extra)


def _members_from_table(sub, conn, refset_id: int, table: str, names: tuple[str, ...]):
    from codelists.ecl.semantics import FIELD_COLUMNS

    tables = [table] + [f"{table}_inactive" for _ in conn.execute(
        "SELECT 1 FROM sqlite_master WHERE name = ?", (f"{table}_inactive",))]
    for source in tables:
        if table == "refset_other":
            for r in conn.execute("SELECT id, effective_time, module_id, "
                                  "referenced_component_id, fields, active FROM "
                                  f"{source} WHERE refset_id = ?", (refset_id,)):
                ref = int(r[3]) if str(r[3]).isdigit() else r[3]
                fields = tuple((k, str(v)) for k, v in json.loads(r[4]).items())
                _add_member(sub, Member(r[0], r[1], r[2], refset_id, ref, fields, bool(r[5])))
            continue
        columns = [FIELD_COLUMNS[n] for n in names]
        select = ", ".join(["id", "effective_time", "module_id", "referenced_component_id",
                            "active", *columns])
        for r in conn.execute(f"SELECT {select} FROM {source} WHERE refset_id = ?",
                              (refset_id,)):
            fields = tuple((n, "" if v is None else str(v))
                           for n, v in zip(names, r[5:], strict=True))
            _add_member(sub, Member(r[0], r[1], r[2], refset_id, r[3], fields, bool(r[4])))


def _add_member(sub: Substrate, m: Member) -> None:
    (sub.members if m.active else sub.inactive_members).append(m)
