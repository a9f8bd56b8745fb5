"""The peer: the same release as an ``sct sqlite`` database, in sct's best configuration.

sct-py (the Python binding of the Rust ``sct`` engine, a dev dependency) reads the
``snomed.db`` that the ``sct sqlite`` command writes; that command is a Rust tool not
installable here, so :func:`ensure_sct_db` writes the same layout from one of our stores:
its tables and indexes as ``sct sqlite`` creates them (concepts with their JSON fields,
``concept_isa``, ``concept_relationships``, ``refset_members``, ``concepts_fts``), and the
transitive-closure table that ``sct tct`` / ``sct sqlite --transitive-closure`` adds:
``concept_ancestors(ancestor_id, descendant_id, depth)`` as INTEGER, its three indexes
(``idx_ca_ancestor``, ``idx_ca_descendant``, unique ``idx_ca_pair``), the completion
marker ``concept_ancestors_meta`` and the nine invalidation triggers.  sct uses the
closure only when all of these validate (otherwise it walks ``concept_isa`` with a
recursive query, several times slower); :func:`closure_in_use` checks that it validates,
and the benchmarks refuse to run against a peer without it.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections import deque
from pathlib import Path

IS_A = 116680003

SCHEMA = """
CREATE TABLE concepts (id TEXT PRIMARY KEY, fsn TEXT NOT NULL, preferred_term TEXT NOT NULL,
    synonyms TEXT, hierarchy TEXT, hierarchy_path TEXT, parents TEXT, children_count INTEGER,
    attributes TEXT, active INTEGER NOT NULL, definition_status TEXT, module TEXT,
    effective_time TEXT, ctv3_codes TEXT, read2_codes TEXT,
    schema_version INTEGER NOT NULL DEFAULT 3);
CREATE TABLE concept_isa (child_id TEXT NOT NULL, parent_id TEXT NOT NULL);
CREATE TABLE concept_relationships (source_id TEXT NOT NULL, type_id TEXT NOT NULL,
    destination_id TEXT NOT NULL, group_num INTEGER NOT NULL);
CREATE TABLE concept_maps (code TEXT NOT NULL, terminology TEXT NOT NULL,
    concept_id TEXT NOT NULL, PRIMARY KEY (code, terminology));
CREATE TABLE refset_members (refset_id TEXT NOT NULL, referenced_component_id TEXT NOT NULL,
    PRIMARY KEY (refset_id, referenced_component_id));
CREATE TABLE concept_history (source_id TEXT NOT NULL, association TEXT NOT NULL,
    target_id TEXT NOT NULL, PRIMARY KEY (source_id, association, target_id));
CREATE TABLE metadata (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE VIRTUAL TABLE concepts_fts USING fts5(id, preferred_term, synonyms, fsn,
    content='concepts', content_rowid='rowid');
"""

INDEXES = """
CREATE INDEX idx_concepts_hierarchy ON concepts(hierarchy);
CREATE INDEX idx_concepts_schema_version ON concepts(schema_version);
CREATE INDEX idx_concept_isa_parent ON concept_isa(parent_id);
CREATE INDEX idx_concept_isa_child ON concept_isa(child_id);
CREATE INDEX idx_rel_source ON concept_relationships(source_id);
CREATE INDEX idx_rel_type_dest ON concept_relationships(type_id, destination_id);
CREATE INDEX idx_concept_maps_concept ON concept_maps(concept_id);
CREATE INDEX idx_refset_members_by_concept ON refset_members(referenced_component_id);
CREATE INDEX idx_history_source ON concept_history(source_id);
CREATE INDEX idx_history_target ON concept_history(target_id);
INSERT INTO concepts_fts(concepts_fts) VALUES('rebuild');
"""

#: the closure and what sct checks before it trusts it (schema version 1 of its marker)
CLOSURE = """
CREATE TABLE concept_ancestors (ancestor_id INTEGER NOT NULL,
    descendant_id INTEGER NOT NULL, depth INTEGER NOT NULL);
"""
CLOSURE_INDEXES = """
CREATE INDEX idx_ca_ancestor ON concept_ancestors(ancestor_id);
CREATE INDEX idx_ca_descendant ON concept_ancestors(descendant_id);
CREATE UNIQUE INDEX idx_ca_pair ON concept_ancestors(ancestor_id, descendant_id);
CREATE TABLE concept_ancestors_meta (schema_version INTEGER NOT NULL,
    include_self INTEGER NOT NULL CHECK (include_self IN (0, 1)));
INSERT INTO concept_ancestors_meta VALUES (1, 0);
"""
TRIGGERS = [("isa_insert", "INSERT", "concept_isa"), ("isa_update", "UPDATE", "concept_isa"),
            ("isa_delete", "DELETE", "concept_isa"), ("concepts_insert", "INSERT", "concepts"),
            ("concepts_update", "UPDATE OF id", "concepts"),
            ("concepts_delete", "DELETE", "concepts"),
            ("ca_insert", "INSERT", "concept_ancestors"),
            ("ca_update", "UPDATE", "concept_ancestors"),
            ("ca_delete", "DELETE", "concept_ancestors")]


def ensure_sct_db(store: Path, dest: Path | None = None) -> Path:
    """The sct database of ``store`` (built next to it once, reused while newer)."""
    dest = dest or store.with_name(store.stem + ".sct-tct.db")
    built = _build_time(store, "SELECT value FROM metadata WHERE key = 'build_time'")
    if dest.exists() and _build_time(dest, "SELECT value FROM metadata WHERE key = "
                                     "'source_build_time'") == built and closure_in_use(dest):
        return dest
    tmp = dest.with_name(f".{dest.name}.{os.getpid()}.building")  # benchmarks/data is shared
    src = sqlite3.connect(f"file:{store}?mode=ro", uri=True)
    out = sqlite3.connect(tmp)
    out.executescript("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;" + SCHEMA)
    parents = _parents(src)
    out.execute("BEGIN")
    _concepts(src, out, parents)
    out.executemany("INSERT INTO concept_isa VALUES (?, ?)",
                    ((str(c), str(p)) for c, ps in parents.items() for p in ps))
    out.executemany("INSERT INTO concept_relationships VALUES (?, ?, ?, ?)", (
        tuple(map(str, r[:3])) + (r[3],) for r in src.execute(
            "SELECT source_id, type_id, destination_id, relationship_group FROM relationships "
            "WHERE type_id != ?", (IS_A,))))
    out.executemany("INSERT OR IGNORE INTO refset_members VALUES (?, ?)", (
        (str(r), str(c)) for r, c in src.execute(
            "SELECT refset_id, referenced_component_id FROM refset_simple")))
    out.execute("INSERT INTO metadata VALUES ('edition_label', 'synthetic')")
    out.execute("INSERT INTO metadata VALUES ('source_build_time', ?)", (built,))
    out.execute("COMMIT")
    out.executescript(INDEXES)
    _closure(out, parents)
    out.close()
    src.close()
    if not closure_in_use(tmp):
        tmp.unlink()
        raise RuntimeError(f"{dest}: sct would not use this closure table")
    tmp.replace(dest)
    return dest


def _build_time(path: Path, sql: str) -> str | None:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        row = conn.execute(sql).fetchone()
    except sqlite3.OperationalError:
        return None
    finally:
        conn.close()
    return row[0] if row else None


def _parents(src) -> dict[int, list[int]]:
    parents: dict[int, list[int]] = {}
    for child, parent in src.execute("SELECT source_id, destination_id FROM relationships "
                                     "WHERE type_id = ?", (IS_A,)):
        parents.setdefault(child, []).append(parent)
    return parents


def _concepts(src, out, parents: dict[int, list[int]]) -> None:
    fsn = dict(src.execute("SELECT concept_id, fsn FROM semantic_tags"))
    pt = dict(src.execute("SELECT concept_id, term FROM preferred_terms WHERE dialect='en-GB'"))
    synonyms: dict[int, list[str]] = {}
    for cid, term in src.execute("SELECT concept_id, term FROM descriptions WHERE active = 1 "
                                 "AND type_id = 900000000000013009"):
        synonyms.setdefault(cid, []).append(term)
    children: dict[int, int] = {}
    for ps in parents.values():
        for parent in ps:
            children[parent] = children.get(parent, 0) + 1
    out.executemany(
        "INSERT INTO concepts VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        ((str(cid), fsn.get(cid, ""), pt.get(cid, ""), json.dumps(synonyms.get(cid, [])),
          "", "[]", json.dumps([{"id": str(p), "fsn": fsn.get(p, "")}
                                for p in parents.get(cid, [])]),
          children.get(cid, 0), "{}", active, str(status), str(module), str(et), "[]", "[]", 3)
         for cid, active, module, et, status in src.execute(
             "SELECT id, active, module_id, effective_time, definition_status_id "
             "FROM concepts")))


def _closure(out, parents: dict[int, list[int]]) -> None:
    """Every (ancestor, descendant, shortest depth), as ``sct tct`` computes it."""

    def rows():
        for concept in parents:
            seen = {concept}
            queue = deque([(concept, 0)])
            while queue:
                node, depth = queue.popleft()
                for parent in parents.get(node, ()):
                    if parent not in seen:
                        seen.add(parent)
                        yield parent, concept, depth + 1
                        queue.append((parent, depth + 1))

    out.executescript(CLOSURE)
    out.execute("BEGIN")
    out.executemany("INSERT INTO concept_ancestors VALUES (?, ?, ?)", rows())
    out.execute("COMMIT")
    out.executescript(CLOSURE_INDEXES + "".join(
        f"CREATE TRIGGER tct_invalidate_{name} AFTER {event} ON {table} BEGIN UPDATE "
        "concept_ancestors_meta SET schema_version = 0; END;\n"
        for name, event, table in TRIGGERS))


def closure_in_use(path: Path) -> bool:
    """Whether sct would read the closure table of ``path`` (its own checks, restated:
    the marker row, the three indexes and the nine triggers)."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        marker = conn.execute("SELECT count(*) = 1 AND min(schema_version) = 1 FROM "
                              "concept_ancestors_meta").fetchone()[0]
        indexes = {r[1]: r[2] for r in conn.execute("PRAGMA index_list('concept_ancestors')")}
        triggers = {n: " ".join(s.split()).lower() for n, s in conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")}
    except sqlite3.OperationalError:
        return False
    finally:
        conn.close()
    expected = {f"tct_invalidate_{n}": f"create trigger tct_invalidate_{n} after {e.lower()} "
                f"on {t} begin update concept_ancestors_meta set schema_version = 0; end"
                for n, e, t in TRIGGERS}
    return bool(marker) and indexes == {"idx_ca_ancestor": 0, "idx_ca_descendant": 0,
                                        "idx_ca_pair": 1} and all(
        triggers.get(n) == s for n, s in expected.items())
