"""Stored id sets: large subtrees and refsets, each kept as one blob of sorted SCTIDs.

Moving 100,000 ids out of SQLite one row at a time costs far more than the query; a
blob of ascending little-endian int64 ids is read in one step and unpacked in C, and the
same ids as text (``codes``: decimal SCTIDs, one per line) are split into strings in C,
for callers that want ``list[str]`` (making 100,000 strings from ints in Python costs
several times more).  Two tables hold them, both derived at import and both optional (a
store imported before they existed, or a set below the minimum, is read from the base
tables instead; one imported before ``codes`` existed answers from ``ids``):

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
from bisect import bisect_left

#: concepts with at least this many descendants get a descendant set
DESCENDANT_SET_MIN = 1024
#: refsets with at least this many members get a member set
MEMBER_SET_MIN = 1024

DESCENDANT_SETS_SQL = ("CREATE TABLE IF NOT EXISTS descendant_sets (ancestor_id INTEGER "
                       "PRIMARY KEY, size INTEGER NOT NULL, ids BLOB NOT NULL, codes TEXT)")
MEMBER_SETS_SQL = ("CREATE TABLE IF NOT EXISTS member_sets (refset_id INTEGER PRIMARY KEY, "
                   "size INTEGER NOT NULL, ids BLOB NOT NULL, codes TEXT)")


class StoredSet:
    """One stored id set: ``ids`` ascending (an ``array('q')``), and ``codes()`` the same
    ids as decimal strings, split from the stored text when there is one."""

    __slots__ = ("ids", "_text", "_added")

    def __init__(self, ids: array, text: str | None = None, added: tuple[int, int] = ()):
        self.ids = ids
        self._text = text
        self._added = added  # (position, id) inserted into ids but not into the text

    def __len__(self) -> int:
        return len(self.ids)

    def codes(self) -> list[str]:
        if self._text is None:
            return list(map(str, self.ids))
        codes = self._text.split("\n") if self._text else []
        if self._added:
            codes.insert(self._added[0], str(self._added[1]))
        return codes

    def with_self(self, concept: int) -> StoredSet:
        """The set plus ``concept`` (``<< X`` from the descendants of X), kept ascending."""
        at = bisect_left(self.ids, concept)
        if (at < len(self.ids) and self.ids[at] == concept) or self._added:
            return self if not self._added else StoredSet(array("q", sorted(
                {*self.ids, concept})))
        ids = array("q", self.ids)
        ids.insert(at, concept)
        return StoredSet(ids, self._text, (at, concept))


def codes_text(values) -> str:
    """Ascending ids as the stored text: decimal, one per line."""
    return "\n".join(map(str, values))


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


def _read(conn: sqlite3.Connection, table: str, key_column: str, key: int
          ) -> StoredSet | None:
    try:
        row = conn.execute(f"SELECT ids, codes FROM {table} WHERE {key_column} = ?",
                           (key,)).fetchone()
    except sqlite3.OperationalError as exc:
        if "no such table" in str(exc):
            return None
        if "no such column" not in str(exc):
            raise
        row = conn.execute(f"SELECT ids, NULL FROM {table} WHERE {key_column} = ?",
                           (key,)).fetchone()
    return None if row is None else StoredSet(unpack(row[0]), row[1])


def descendant_set(conn: sqlite3.Connection, concept: int) -> array | None:
    """The descendants of ``concept`` (ascending, without itself), or None when none are
    stored: the caller then reads the closure table."""
    found = stored_descendants(conn, concept)
    return None if found is None else found.ids


def stored_descendants(conn: sqlite3.Connection, concept: int) -> StoredSet | None:
    """:func:`descendant_set` with the ids as text too."""
    return _read(conn, "descendant_sets", "ancestor_id", concept)


def member_set(conn: sqlite3.Connection, refset: int) -> array | None:
    """The distinct referenced components of ``refset``'s members (ascending), or None
    when none are stored: the caller then reads the member tables."""
    found = stored_members(conn, refset)
    return None if found is None else found.ids


def stored_members(conn: sqlite3.Connection, refset: int) -> StoredSet | None:
    """:func:`member_set` with the ids as text too."""
    return _read(conn, "member_sets", "refset_id", refset)


def _emptied(conn: sqlite3.Connection, create: str, table: str, minimum: int | None,
             default: int) -> int:
    """Create ``table`` if missing (again, when it predates the ``codes`` column) and
    empty it; the minimum set size to use."""
    columns = {r[1] for r in conn.execute(f"PRAGMA table_info({table})")}
    if columns and "codes" not in columns:
        conn.execute(f"DROP TABLE {table}")
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
        conn.execute("INSERT INTO member_sets (refset_id, size, ids, codes) VALUES (?, ?, ?, ?)",
                     (refset_id, len(ids), pack(ids), codes_text(ids)))
    return len(chosen)


def fill_descendant_sets(conn: sqlite3.Connection, minimum: int | None = None) -> int:
    """Write ``descendant_sets`` from the store's closure table; the number of sets
    written.  The caller commits."""
    minimum = _emptied(conn, DESCENDANT_SETS_SQL, "descendant_sets", minimum,
                       DESCENDANT_SET_MIN)
    big = conn.execute("SELECT ancestor_id, count(*) FROM closure GROUP BY ancestor_id "
                       "HAVING count(*) >= ?", (minimum,)).fetchall()
    for ancestor, count in big:
        found = [d for (d,) in conn.execute(  # the primary key's order: ascending
            "SELECT descendant_id FROM closure WHERE ancestor_id = ? ORDER BY descendant_id",
            (ancestor,))]
        conn.execute("INSERT INTO descendant_sets (ancestor_id, size, ids, codes) "
                     "VALUES (?, ?, ?, ?)", (ancestor, count, pack(found), codes_text(found)))
    return len(big)


def add_id_sets(conn: sqlite3.Connection, *, minimum: int | None = None) -> tuple[int, int]:
    """Fill both tables from the closure, member and refsets tables: the import's last
    derived step, and the upgrade of a store imported before they existed; (descendant
    sets, member sets).  The caller commits."""
    return fill_descendant_sets(conn, minimum), fill_member_sets(conn, minimum)
