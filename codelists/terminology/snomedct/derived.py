"""What the importer derives once the release's rows are loaded: indexes, the refsets
table, semantic tags, preferred terms per dialect, and the full-text index."""

from __future__ import annotations

import json
import re
import sqlite3

from codelists.terminology.snomedct.refsets import MEMBER_TABLES

FSN = 900000000000003001
SYNONYM = 900000000000013009
DEFINITION = 900000000000550004
PREFERRED = 900000000000548007
ACCEPTABLE = 900000000000549004

UK_CLINICAL = 999001261000000100
UK_DRUG = 999000691000001104
GB_ENGLISH = 900000000000508004
US_ENGLISH = 900000000000509007

#: dialect -> language refsets, the first that has a preferred synonym winning
DIALECTS: dict[str, tuple[int, ...]] = {
    "en-GB": (UK_CLINICAL, UK_DRUG, GB_ENGLISH),
    "en-US": (US_ENGLISH,),
}

INDEXES = [
    "CREATE INDEX descriptions_concept ON descriptions (concept_id)",
    # both covering for ECL refinements: a concept's attributes and the concepts with an
    # attribute value (and `<!` children) are read from the index alone, role group included
    "CREATE INDEX relationships_source ON relationships (source_id, type_id, destination_id, "
    "relationship_group)",
    "CREATE INDEX relationships_destination ON relationships (destination_id, type_id, "
    "source_id, relationship_group)",
    "CREATE INDEX concrete_values_source ON concrete_values (source_id, type_id)",
    "CREATE INDEX concrete_values_type ON concrete_values (type_id)",
]
_MEMBER_INDEXES = [
    "CREATE INDEX {t}_refset ON {t} (refset_id, referenced_component_id)",
    "CREATE INDEX {t}_component ON {t} (referenced_component_id)",
]

_TAG = re.compile(r"\s*\(([^()]*)\)\s*$")


def create_indexes(conn: sqlite3.Connection) -> None:
    for sql in INDEXES:
        conn.execute(sql)
    for table in MEMBER_TABLES:
        for sql in _MEMBER_INDEXES:
            conn.execute(sql.format(t=table))
        conn.execute(f"CREATE INDEX {table}_inactive_refset ON {table}_inactive (refset_id)")


def create_closure_index(conn: sqlite3.Connection) -> None:
    conn.execute("CREATE INDEX closure_descendant ON closure (descendant_id, ancestor_id)")


def fill_refsets_table(conn: sqlite3.Connection, fields: dict[int, tuple[str, list[str]]]):
    """One row per refset with members: its member table, field names and the number of
    active members (0 for a refset whose members are all inactive)."""
    rows = {}
    for table in MEMBER_TABLES:
        for refset_id, count in conn.execute(
            f"SELECT refset_id, count(*) FROM {table} GROUP BY refset_id"
        ):
            names = fields.get(refset_id, (table, []))[1]
            rows[refset_id] = (refset_id, table, json.dumps(names), count)
    for table in MEMBER_TABLES:
        for (refset_id,) in conn.execute(f"SELECT DISTINCT refset_id FROM {table}_inactive"):
            if refset_id not in rows:
                names = fields.get(refset_id, (table, []))[1]
                rows[refset_id] = (refset_id, table, json.dumps(names), 0)
    conn.executemany("INSERT OR REPLACE INTO refsets VALUES (?, ?, ?, ?)", rows.values())


def split_fsn(fsn: str) -> tuple[str, str]:
    """('Asthma', 'disorder') for 'Asthma (disorder)'; (fsn, '') when it has no tag."""
    found = _TAG.search(fsn)
    if not found:
        return fsn.strip(), ""
    return fsn[: found.start()].strip(), found.group(1)


def fill_semantic_tags(conn: sqlite3.Connection) -> None:
    """The FSN and semantic tag of each concept: its latest active FSN (else latest FSN)."""
    best: dict[int, str] = {}
    for concept_id, term in conn.execute(
        "SELECT concept_id, term FROM descriptions WHERE type_id = ? "
        "ORDER BY active, effective_time, id", (FSN,)
    ):
        best[concept_id] = term
    conn.executemany(
        "INSERT INTO semantic_tags VALUES (?, ?, ?)",
        ((cid, fsn, split_fsn(fsn)[1]) for cid, fsn in best.items()),
    )


def fill_preferred_terms(conn: sqlite3.Connection) -> None:
    """Preferred synonym per dialect down its refset chain; else the FSN without its tag,
    else the concept's first active synonym."""
    for dialect, chain in DIALECTS.items():
        for refset_id in chain:
            conn.execute(
                "INSERT OR IGNORE INTO preferred_terms (concept_id, dialect, term) "
                "SELECT d.concept_id, ?, d.term FROM refset_language l "
                "JOIN descriptions d ON d.id = l.referenced_component_id "
                "WHERE l.refset_id = ? AND l.acceptability_id = ? AND l.active = 1 "
                "AND d.active = 1 AND d.type_id = ? ORDER BY d.effective_time DESC",
                (dialect, refset_id, PREFERRED, SYNONYM),
            )
        rows = [(cid, dialect, split_fsn(fsn)[0]) for cid, fsn in conn.execute(
            "SELECT s.concept_id, s.fsn FROM semantic_tags s WHERE NOT EXISTS "
            "(SELECT 1 FROM preferred_terms p WHERE p.concept_id = s.concept_id "
            "AND p.dialect = ?)", (dialect,))]
        conn.executemany("INSERT OR IGNORE INTO preferred_terms VALUES (?, ?, ?)", rows)
        conn.execute(
            "INSERT OR IGNORE INTO preferred_terms (concept_id, dialect, term) "
            "SELECT d.concept_id, ?, d.term FROM descriptions d "
            "WHERE d.type_id = ? ORDER BY d.active DESC, d.id",
            (dialect, SYNONYM),
        )


def build_search_index(conn: sqlite3.Connection) -> None:
    """search_terms in result order, and the two full-text indexes, each merged into one
    segment ('optimize'): a query then looks each word up once instead of once per
    segment the build left, about a quarter less time for a two-word search."""
    conn.execute(
        "INSERT INTO search_terms (description_id, concept_id, type_id, active, term) "
        "SELECT d.id, d.concept_id, d.type_id, d.active AND c.active, d.term "
        "FROM descriptions d JOIN concepts c ON c.id = d.concept_id "
        "ORDER BY d.active AND c.active DESC, length(d.term), d.term, d.id"
    )
    fill_search_text(conn)
    for table in ("search_fts", "descriptions_fts"):
        # no merging while the index is built: 'optimize' merges every segment into one
        # at the end anyway, so merges on the way are wasted (on the 370k release,
        # rebuild and optimize of one index took ~2.5 s instead of ~3.5 s); then
        # FTS5's defaults again
        _fts_merging(conn, table, automerge=0, crisismerge=1000)
        conn.execute(f"INSERT INTO {table} ({table}) VALUES ('rebuild')")
        conn.execute(f"INSERT INTO {table} ({table}) VALUES ('optimize')")
        _fts_merging(conn, table, automerge=4, crisismerge=16)


def _fts_merging(conn: sqlite3.Connection, table: str, *, automerge: int,
                 crisismerge: int) -> None:
    for option, value in (("automerge", automerge), ("crisismerge", crisismerge)):
        conn.execute(f"INSERT INTO {table} ({table}, rank) VALUES (?, ?)", (option, value))


def fill_search_text(conn: sqlite3.Connection, per_part: int = 200_000) -> None:
    cursor = conn.execute("SELECT position, term FROM search_terms ORDER BY position")
    part = 0
    while rows := cursor.fetchmany(per_part):
        text = "\n".join(term.replace("\n", " ") for _, term in rows)
        conn.execute("INSERT INTO search_text VALUES (?, ?, ?)", (part, rows[0][0], text))
        part += 1


def counts(conn: sqlite3.Connection) -> dict[str, str]:
    def one(sql: str) -> str:
        return str(conn.execute(sql).fetchone()[0])

    return {
        "concepts": one("SELECT count(*) FROM concepts"),
        "active_concepts": one("SELECT count(*) FROM concepts WHERE active = 1"),
        "descriptions": one("SELECT count(*) FROM descriptions"),
        "relationships": one("SELECT count(*) FROM relationships"),
        "concrete_values": one("SELECT count(*) FROM concrete_values"),
        "refsets": one("SELECT count(*) FROM refsets"),
        "refset_members": one("SELECT coalesce(sum(member_count), 0) FROM refsets"),
        "inactive_refset_members": one("SELECT " + " + ".join(
            f"(SELECT count(*) FROM {t}_inactive)" for t in MEMBER_TABLES)),
        "active_search_terms": one("SELECT count(*) FROM search_terms WHERE active = 1"),
    }
