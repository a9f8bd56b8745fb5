"""Stored id sets: large subtrees and refsets, each kept as one blob of sorted SCTIDs.

Moving 100,000 ids out of SQLite one row at a time costs far more than the query; a
blob of ascending little-endian int64 ids is read in one step and unpacked in C.  Two
tables hold them, both derived at import and both optional (a store imported before
they existed, or a set below the minimum, is read from the base tables instead):

- ``descendant_sets``: the closure's descendants of each concept with at least
  ``DESCENDANT_SET_MIN`` of them;
- ``member_sets``: the distinct referenced components of each refset with at least
  ``MEMBER_SET_MIN`` active members whose components are concepts (not the language
  refsets, whose members are descriptions).
"""

from __future__ import annotations

import sqlite3
import sys
from array import array

#: concepts with at least this many descendants get a descendant set
DESCENDANT_SET_MIN = 1024
#: refsets with at least this many members get a member set
MEMBER_SET_MIN = 1024

DESCENDANT_SETS_SQL = ("CREATE TABLE IF NOT EXISTS descendant_sets (ancestor_id INTEGER "
                       "PRIMARY KEY, size INTEGER NOT NULL, ids BLOB NOT NULL)")
MEMBER_SETS_SQL = ("CREATE TABLE IF NOT EXISTS member_sets (refset_id INTEGER PRIMARY KEY, "
                   "size INTEGER NOT NULL, ids BLOB NOT NULL)")


def pack(values) -> bytes:
    """Ascending int64 ids as little-endian bytes."""
    packed = array("q", values)
    if sys.byteorder != "little":
        packed.byteswap()
    return packed.tobytes()


def unpack(blob: bytes) -> array:
    """The ids of a blob as an ``array('q')`` (``.tolist()`` gives Python ints)."""
    found = array("q", blob)
    if sys.byteorder != "little":
        found.byteswap()
    return found


def _read(conn: sqlite3.Connection, sql: str, key: int) -> array | None:
    try:
        row = conn.execute(sql, (key,)).fetchone()
    except sqlite3.OperationalError as exc:
        if "no such table" in str(exc):
            return None
        raise
    return None if row is None else unpack(row[0])


def descendant_set(conn: sqlite3.Connection, concept: int) -> array | None:
    """The descendants of ``concept`` (ascending, without itself), or None when none are
    stored: the caller then reads the closure table."""
    return _read(conn, "SELECT ids FROM descendant_sets WHERE ancestor_id = ?", concept)


def member_set(conn: sqlite3.Connection, refset: int) -> array | None:
    """The distinct referenced components of ``refset``'s members (ascending), or None
    when none are stored: the caller then reads the member tables."""
    return _read(conn, "SELECT ids FROM member_sets WHERE refset_id = ?", refset)


def _emptied(conn: sqlite3.Connection, create: str, table: str, minimum: int | None,
             default: int) -> int:
    """Create ``table`` if missing and empty it; the minimum set size to use."""
    conn.execute(create)
    conn.execute(f"DELETE FROM {table}")
    return default if minimum is None else minimum


def fill_member_sets(conn: sqlite3.Connection, minimum: int | None = None) -> int:
    """Write ``member_sets`` from the member tables and the ``refsets`` table; the number
    of sets written.  The caller commits."""
    minimum = _emptied(conn, MEMBER_SETS_SQL, "member_sets", minimum, MEMBER_SET_MIN)
    chosen = conn.execute("SELECT refset_id, member_table FROM refsets WHERE member_count >= ? "
                          "AND member_table != 'refset_language'", (minimum,)).fetchall()
    for refset_id, table in chosen:
        if table == "refset_other":  # components of any kind, held as text
            sql = ("SELECT DISTINCT CAST(referenced_component_id AS INTEGER) AS c FROM "
                   "refset_other WHERE refset_id = ? AND NOT (referenced_component_id GLOB "
                   "'*[^0-9]*') ORDER BY c")
        else:
            sql = (f"SELECT DISTINCT referenced_component_id FROM {table} WHERE refset_id = ? "
                   "ORDER BY 1")
        ids = [c for (c,) in conn.execute(sql, (refset_id,))]
        conn.execute("INSERT INTO member_sets (refset_id, size, ids) VALUES (?, ?, ?)",
                     (refset_id, len(ids), pack(ids)))
    return len(chosen)


def fill_descendant_sets(conn: sqlite3.Connection, minimum: int | None = None) -> int:
    """Write ``descendant_sets`` from the store's closure table; the number of sets
    written.  The caller commits."""
    minimum = _emptied(conn, DESCENDANT_SETS_SQL, "descendant_sets", minimum,
                       DESCENDANT_SET_MIN)
    big = conn.execute("SELECT ancestor_id, count(*) FROM closure GROUP BY ancestor_id "
                       "HAVING count(*) >= ?", (minimum,)).fetchall()
    for ancestor, count in big:
        found = (d for (d,) in conn.execute(  # the primary key's order: ascending
            "SELECT descendant_id FROM closure WHERE ancestor_id = ? ORDER BY descendant_id",
            (ancestor,)))
        conn.execute("INSERT INTO descendant_sets (ancestor_id, size, ids) VALUES (?, ?, ?)",
                     (ancestor, count, pack(found)))
    return len(big)


def add_id_sets(conn: sqlite3.Connection, *, minimum: int | None = None) -> tuple[int, int]:
    """Fill both tables from the closure, member and refsets tables: the import's last
    derived step, and the upgrade of a store imported before they existed; (descendant
    sets, member sets).  The caller commits."""
    return fill_descendant_sets(conn, minimum), fill_member_sets(conn, minimum)
