"""A generic store for coding systems whose codes are text.

ICD-10, ICD-10-CM, OPCS-4, Read v2, CTV3, dm+d, BNF and the CPRD dictionaries share one
schema (:data:`SCHEMA_SQL`): codes with a preferred term and a kind, descriptions of every
type (preferred, synonym, inclusion, ...), parent/child edges with a transitive-closure
table, notes (inclusions, exclusions, instructions), attributes, aliases (other spellings
of a code that a release names, such as dm+d previous ids), cross-maps, and an FTS5
index over every description.  Importers fill it through :class:`CodeSystemWriter`;
:class:`CodeSystemTerminology` reads it and implements the Terminology protocol.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

from codelists.errors import UnknownCodeError, UsageError
from codelists.terminology.base import Concept, ConceptDetail, SearchHit
from codelists.terminology.normalise import SYSTEMS, normalise_code
from codelists.terminology.store import Store, register_schema

SCHEMA_VERSION = 2  # 2: descriptions shortest first, index on term COLLATE NOCASE
for _system in SYSTEMS:
    if _system != "snomedct":
        register_schema(_system, SCHEMA_VERSION)

SCHEMA_SQL = """
CREATE TABLE codes (
    code TEXT PRIMARY KEY,           -- canonical form (normalise.normalise_code)
    term TEXT NOT NULL,              -- preferred term
    kind TEXT NOT NULL DEFAULT '',   -- chapter, block, category, VMP, presentation, ...
    active INTEGER NOT NULL DEFAULT 1,
    seq INTEGER NOT NULL             -- order in the release
) WITHOUT ROWID;
CREATE TABLE descriptions (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL,
    term TEXT NOT NULL,
    type TEXT NOT NULL,              -- preferred, synonym, inclusion, ...
    active INTEGER NOT NULL DEFAULT 1,
    description_id TEXT              -- a release's own id for the term, when it has one
);
CREATE TABLE hierarchy (
    parent TEXT NOT NULL, child TEXT NOT NULL, PRIMARY KEY (parent, child)
) WITHOUT ROWID;
CREATE TABLE closure (
    ancestor TEXT NOT NULL, descendant TEXT NOT NULL, PRIMARY KEY (ancestor, descendant)
) WITHOUT ROWID;
CREATE TABLE notes (
    code TEXT NOT NULL, type TEXT NOT NULL, text TEXT NOT NULL, seq INTEGER NOT NULL
);
CREATE TABLE attributes (
    code TEXT NOT NULL, name TEXT NOT NULL, value TEXT, value_code TEXT, grp INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE aliases (
    alias TEXT PRIMARY KEY, code TEXT NOT NULL, reason TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE maps (
    source_code TEXT NOT NULL, target_system TEXT NOT NULL, target_code TEXT NOT NULL,
    map_group INTEGER, map_priority INTEGER, map_rule TEXT, map_advice TEXT,
    relation TEXT, active INTEGER NOT NULL DEFAULT 1, origin TEXT NOT NULL DEFAULT ''
);
CREATE VIRTUAL TABLE descriptions_fts USING fts5(
    term, content='descriptions', content_rowid='id',
    tokenize="unicode61 remove_diacritics 2", prefix='2 3 4'
);
"""

INDEX_SQL = """
CREATE INDEX descriptions_code ON descriptions(code);
CREATE INDEX descriptions_term ON descriptions(term COLLATE NOCASE);
CREATE INDEX hierarchy_child ON hierarchy(child, parent);
CREATE INDEX closure_descendant ON closure(descendant, ancestor);
CREATE INDEX notes_code ON notes(code, seq);
CREATE INDEX attributes_code ON attributes(code);
CREATE INDEX attributes_value ON attributes(name, value_code);
CREATE INDEX maps_source ON maps(source_code, target_system);
CREATE INDEX maps_target ON maps(target_system, target_code);
"""


# --------------------------------------------------------------------------- reading
_TOKEN = re.compile(r"\w+", re.UNICODE)


def fts_query(query: str, *, prefix: bool = True) -> str | None:
    """An FTS5 query matching every word of ``query`` as a prefix (or, with
    ``prefix=False``, as a whole word), in any of its British and American spellings
    (None: nothing to find)."""
    from codelists.terminology import search

    if not _TOKEN.findall(query.lower()):
        return None
    return search.fts_query(query, prefix=prefix)


def first_matches(conn: sqlite3.Connection, match: str, *, limit: int,
                  accept) -> list[object]:
    """FTS matches in rowid order, which is best first: descriptions are stored
    shortest term first, so the first matches are the closest (see ``finish``).  Reads
    in growing pages until ``accept(rowid)`` (None rejects) has given ``limit`` results."""
    results: list[object] = []
    offset, page = 0, max(limit * 4, 40)
    sql = ("SELECT rowid FROM descriptions_fts WHERE descriptions_fts MATCH ? "
           "LIMIT ? OFFSET ?")
    while len(results) < limit:
        rows = conn.execute(sql, (match, page, offset)).fetchall()
        for (rowid,) in rows:
            item = accept(rowid)
            if item is not None:
                results.append(item)
                if len(results) >= limit:
                    break
        if len(rows) < page:
            break
        offset, page = offset + page, page * 4
    return results


class CodeSystemTerminology:
    """The Terminology protocol over a generic code-system store."""

    def __init__(self, store: Store):
        self.store = store
        self.conn = store.conn
        self.system = store.metadata.terminology
        self.metadata = store.metadata
        self._descriptions: list[tuple[str, str, str, bool]] | None = None  # regex cache

    @classmethod
    def open(cls, path: str | Path) -> CodeSystemTerminology:
        return cls(Store.open(path))

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> CodeSystemTerminology:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- codes
    def normalise(self, code: str) -> str:
        result = normalise_code(self.system, code)
        return result.code if result.code is not None else str(code).strip()

    def resolve(self, code: str) -> str | None:
        """The stored code a raw code names (normalised, then through aliases)."""
        canonical = self.normalise(code)
        row = self.conn.execute("SELECT code FROM codes WHERE code = ?", (canonical,)).fetchone()
        if row:
            return row[0]
        for candidate in {canonical, str(code).strip()}:
            row = self.conn.execute("SELECT code FROM aliases WHERE alias = ?",
                                    (candidate,)).fetchone()
            if row:
                return row[0]
        return None

    def alias_reasons(self, codes: list[str]) -> dict[str, str]:
        """Why the release knows each of ``codes`` under another stored code (dm+d
        ``previous id (VPIDPREV)``, ICD-10 ``ALT_CODE`` ...), for those that are aliases."""
        out: dict[str, str] = {}
        for code in codes:
            for candidate in dict.fromkeys((self.normalise(code), str(code).strip())):
                row = self.conn.execute("SELECT reason FROM aliases WHERE alias = ?",
                                        (candidate,)).fetchone()
                if row:
                    out[code] = row[0]
                    break
        return out

    def _concept(self, row) -> Concept:
        return Concept(code=row[0], term=row[1], active=bool(row[3]), system=self.system,
                       kind=row[2])

    def lookup(self, code: str) -> Concept | None:
        stored = self.resolve(code)
        if stored is None:
            return None
        row = self.conn.execute("SELECT code, term, kind, active FROM codes WHERE code = ?",
                                (stored,)).fetchone()
        return self._concept(row)

    def lookup_many(self, codes: list[str]) -> dict[str, Concept]:
        found = {}
        for code in codes:
            concept = self.lookup(code)
            if concept is not None:
                found[code] = concept
        return found

    def _require(self, code: str) -> str:
        stored = self.resolve(code)
        if stored is None:
            raise UnknownCodeError(f"{code!r} is not in this {self.system} store",
                                   path=self.store.path,
                                   hint="check the code, or search for it by term")
        return stored

    def _concepts(self, codes: list[str]) -> list[Concept]:
        if not codes:
            return []
        out = []
        for i in range(0, len(codes), 500):
            chunk = codes[i:i + 500]
            marks = ",".join("?" * len(chunk))
            out.extend(self._concept(r) for r in self.conn.execute(
                f"SELECT code, term, kind, active FROM codes WHERE code IN ({marks}) "
                "ORDER BY seq", chunk))
        return out

    # ---- hierarchy
    def children(self, code: str) -> list[str]:
        stored = self._require(code)
        return [r[0] for r in self.conn.execute(
            "SELECT h.child FROM hierarchy h JOIN codes c ON c.code = h.child "
            "WHERE h.parent = ? ORDER BY c.seq", (stored,))]

    def parents(self, code: str) -> list[str]:
        stored = self._require(code)
        return [r[0] for r in self.conn.execute(
            "SELECT h.parent FROM hierarchy h JOIN codes c ON c.code = h.parent "
            "WHERE h.child = ? ORDER BY c.seq", (stored,))]

    def parents_many(self, codes: list[str]) -> dict[str, list[str]]:
        """The parents of many codes at once (a code the store does not hold is absent
        from the answer): one query per 500 codes instead of one per code."""
        stored = {}
        for code in codes:
            found = self.resolve(code)
            if found is not None:
                stored[found] = code
        answer: dict[str, list[str]] = {stored[s]: [] for s in stored}
        keys = list(stored)
        for start in range(0, len(keys), 500):
            chunk = keys[start:start + 500]
            marks = ",".join("?" * len(chunk))
            for child, parent in self.conn.execute(
                    "SELECT h.child, h.parent FROM hierarchy h JOIN codes c ON c.code = h.parent "
                    f"WHERE h.child IN ({marks}) ORDER BY c.seq", chunk):
                answer[stored[child]].append(parent)
        return answer

    def descendants(self, code: str, *, include_self: bool = False) -> list[str]:
        stored = self._require(code)
        found = [r[0] for r in self.conn.execute(
            "SELECT x.descendant FROM closure x JOIN codes c ON c.code = x.descendant "
            "WHERE x.ancestor = ? ORDER BY c.seq", (stored,))]
        return [stored, *found] if include_self else found

    def ancestors(self, code: str, *, include_self: bool = False) -> list[str]:
        stored = self._require(code)
        found = [r[0] for r in self.conn.execute(
            "SELECT x.ancestor FROM closure x JOIN codes c ON c.code = x.ancestor "
            "WHERE x.descendant = ? ORDER BY c.seq", (stored,))]
        return [stored, *found] if include_self else found

    # ---- show
    def show(self, code: str) -> ConceptDetail:
        stored = self._require(code)
        concept = self.lookup(stored)
        q = self.conn.execute
        terms = [{"term": t, "type": ty, "active": bool(a), "description_id": d}
                 for t, ty, a, d in q("SELECT term, type, active, description_id FROM "
                                      "descriptions WHERE code = ? ORDER BY type != "
                                      "'preferred', id", (stored,))]
        notes = [{"type": t, "text": x} for t, x in
                 q("SELECT type, text FROM notes WHERE code = ? ORDER BY seq", (stored,))]
        attributes = [{"group": g, "type": n, "value": v, "value_code": vc}
                      for n, v, vc, g in q("SELECT name, value, value_code, grp FROM "
                                           "attributes WHERE code = ? ORDER BY grp, rowid",
                                           (stored,))]
        counts = q("SELECT (SELECT count(*) FROM closure WHERE descendant = ?), "
                   "(SELECT count(*) FROM closure WHERE ancestor = ?)",
                   (stored, stored)).fetchone()
        return ConceptDetail(
            concept=concept, terms=terms, preferred_terms={"en": concept.term},
            parents=self._concepts(self.parents(stored)),
            children=self._concepts(self.children(stored)),
            ancestor_count=counts[0], descendant_count=counts[1], attributes=attributes,
            maps=self.maps_from(stored), notes=notes,
            inactivation=None if concept.active else {"reason": concept.kind or "inactive",
                                                       "replacements": self._replacements(stored)},
        )

    def _replacements(self, code: str) -> list[str]:
        return [r[0] for r in self.conn.execute(
            "SELECT value_code FROM attributes WHERE code = ? AND name = 'replaced_by'",
            (code,))]

    def maps_from(self, code: str, target_system: str | None = None) -> list[dict]:
        """The cross-maps a release supplies from ``code`` (optionally to one system)."""
        sql = ("SELECT target_system, target_code, map_group, map_priority, map_rule, "
               "map_advice, relation, active, origin FROM maps WHERE source_code = ?")
        args: list = [code]
        if target_system:
            sql += " AND target_system = ?"
            args.append(target_system)
        cols = ("target_system", "target_code", "map_group", "map_priority", "map_rule",
                "map_advice", "relation", "active", "origin")
        return [dict(zip(cols, r, strict=True)) for r in self.conn.execute(sql + " ORDER BY rowid", args)]

    # ---- search
    def search(self, query: str, *, limit: int = 50, within: str | None = None,
               include_inactive: bool = False, partial: bool = False,
               whole_words: bool = False) -> list[SearchHit]:
        """Ranked search over every description (preferred terms, synonyms, inclusion
        terms), each word as a prefix (with ``whole_words``, as a whole word) in any of
        its British/American spellings, one hit
        per code, best first: a description equal to the query; then descriptions with
        every word, shortest first; then, with ``partial`` and when those are fewer than
        ``limit``, descriptions with the most of the query's content words.  Each hit
        says why it matched (:attr:`SearchHit.why`)."""
        from codelists.terminology import search as words

        match = fts_query(query, prefix=not whole_words)
        if match is None:
            return []
        allowed = (set(self.descendants(within, include_self=True))
                   if within is not None else None)
        hits: dict[str, SearchHit] = {}
        sql = ("SELECT d.code, d.term, c.term, d.active AND c.active, d.type FROM "
               "descriptions d JOIN codes c ON c.code = d.code WHERE ")

        def accept(row, score: float):
            code, term, preferred, active, kind = row
            if code in hits or (not active and not include_inactive) or (
                    allowed is not None and code not in allowed):
                return None
            hits[code] = SearchHit(code, term, preferred, bool(active), score,
                                   why=words.why(query, term, kind, preferred))
            return code

        for spelling in words.spelling_variants(query.strip()):
            for row in self.conn.execute(sql + "d.term = ? COLLATE NOCASE", (spelling,)):
                accept(row, 1e9)
        tiers = [match, words.partial_query(query, prefix=not whole_words) if partial
                 else None]
        for tier, expression in enumerate(tiers):
            if expression is None or len(hits) >= limit:
                continue
            found = self._ranked(expression, limit - len(hits), accept, sql,
                                 partial=tier == 1, query=query)
            for position, code in enumerate(found, start=1):
                hits[code] = replace(hits[code], score=round((0.5 if tier else 1.0) / position,
                                                             4))
        return list(hits.values())[:limit]

    def _ranked(self, expression: str, limit: int, accept, sql: str, *, partial: bool,
                query: str) -> list[str]:
        """Codes of the descriptions matching ``expression``, best first."""
        from codelists.terminology import search as words

        if not partial:
            return first_matches(self.conn, expression, limit=limit, accept=lambda rowid: accept(
                self.conn.execute(sql + "d.id = ?", (rowid,)).fetchone(), 0.0))
        # partial: most content words first, then shortest; bounded read of the best rows
        rows = [self.conn.execute(sql + "d.id = ?", (rowid,)).fetchone()
                for (rowid,) in self.conn.execute(
                    "SELECT rowid FROM descriptions_fts WHERE descriptions_fts MATCH ? "
                    "ORDER BY rank LIMIT ?", (expression, limit * words.PARTIAL_READ))]
        out = []
        for row in words.by_words_found(rows, query, 1):
            code = accept(row, 0.0)
            if code is not None:
                out.append(code)
                if len(out) >= limit:
                    break
        return out

    def search_regex(self, pattern: str, *, limit: int | None = None,
                     within: str | None = None, include_inactive: bool = False,
                     ignore_case: bool = True) -> list[SearchHit]:
        try:
            regex = re.compile(pattern, re.IGNORECASE if ignore_case else 0)
        except re.error as exc:
            raise UsageError(f"bad regular expression {pattern!r}: {exc}",
                             hint="this is a Python regular expression") from exc
        allowed = None
        if within is not None:
            allowed = set(self.descendants(within, include_self=True))
        if self._descriptions is None:  # read once: a store is read-only
            self._descriptions = list(self.iter_descriptions(include_inactive=True))
        hits: dict[str, SearchHit] = {}
        search = regex.search
        for code, term, _type, active in self._descriptions:
            if not search(term) or code in hits or (not active and not include_inactive):
                continue
            if allowed is None or code in allowed:
                hits[code] = SearchHit(code=code, term=term, preferred_term="",
                                       active=active, score=1.0)
                if limit is not None and len(hits) >= limit:
                    break
        preferred = {c.code: c.term for c in self._concepts(list(hits))}
        return [SearchHit(h.code, h.term, preferred.get(h.code, ""), h.active, h.score)
                for h in hits.values()]

    def iter_descriptions(self, *, include_inactive: bool = False
                          ) -> Iterator[tuple[str, str, str, bool]]:
        """Every description as (code, term, type, active), shortest term first."""
        sql = ("SELECT d.code, d.term, d.type, d.active AND c.active FROM descriptions d "
               "JOIN codes c ON c.code = d.code")
        if not include_inactive:
            sql += " WHERE d.active = 1 AND c.active = 1"
        for code, term, type_, active in self.conn.execute(sql + " ORDER BY d.id"):
            yield code, term, type_, bool(active)

    def all_codes(self, *, include_inactive: bool = False) -> list[str]:
        sql = "SELECT code FROM codes"
        if not include_inactive:
            sql += " WHERE active = 1"
        return [r[0] for r in self.conn.execute(sql + " ORDER BY seq")]

    def count(self) -> int:
        return self.conn.execute("SELECT count(*) FROM codes").fetchone()[0]


# the writing side lives in codesystem_writer (re-exported here for importers)
from codelists.terminology.codesystem_writer import (  # noqa: E402
    CodeSystemWriter,
    ReleaseFiles,
    build_codesystem_store,
    transitive_closure,
)

__all__ = [
    "SCHEMA_SQL", "INDEX_SQL", "SCHEMA_VERSION", "CodeSystemTerminology", "CodeSystemWriter",
    "ReleaseFiles", "build_codesystem_store", "transitive_closure", "fts_query",
    "first_matches",
]
