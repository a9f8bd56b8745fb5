"""SNOMED CT over its store: the :class:`~codelists.terminology.base.Terminology` protocol.

Codes cross this interface as strings; inside the store they are INTEGERs.  The
preferred term shown for a concept is the store's en-GB preferred term unless another
dialect is chosen (``SnomedTerminology.open(path, dialect="en-US")``).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from codelists.errors import UnknownCodeError, UsageError
from codelists.terminology import search as fts
from codelists.terminology.base import Concept, ConceptDetail, SearchHit
from codelists.terminology.snomedct import SYSTEM
from codelists.terminology.snomedct.derived import DEFINITION, FSN
from codelists.terminology.snomedct.idsets import descendant_set
from codelists.terminology.store import Store

IS_A = 116680003
DESCRIPTION_TYPES = {FSN: "fsn", DEFINITION: "definition"}


def type_name(type_id: int) -> str:
    return DESCRIPTION_TYPES.get(type_id, "synonym")


class SnomedTerminology:
    """Read-only queries over one SNOMED CT store."""

    system = SYSTEM

    def __init__(self, store: Store, *, dialect: str = "en-GB"):
        self.store = store
        self.conn = store.conn
        self.dialect = dialect
        self._terms: tuple[fts.TermIndex, int] | None = None

    @classmethod
    def open(cls, path: str | Path, *, dialect: str = "en-GB") -> SnomedTerminology:
        return cls(Store.open(path, terminology=SYSTEM), dialect=dialect)

    @property
    def metadata(self):
        return self.store.metadata

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> SnomedTerminology:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- codes ---------------------------------------------------------------------------
    def normalise(self, code: str) -> str:
        """Digits only: strips spaces and a trailing ``.0`` left by spreadsheets."""
        text = str(code).strip()
        if text.endswith(".0") and text[:-2].isdigit():
            text = text[:-2]
        return text

    def _id(self, code: str) -> int | None:
        text = self.normalise(code)
        return int(text) if text.isdigit() and len(text) <= 18 else None

    def _require(self, code: str) -> int:
        sctid = self._id(code)
        if sctid is None or self.conn.execute(
            "SELECT 1 FROM concepts WHERE id = ?", (sctid,)
        ).fetchone() is None:
            raise UnknownCodeError(f"{code} is not a concept in this SNOMED CT store",
                                   path=self.store.path,
                                   hint="check the code, or search with `codelist "
                                   "terminology search`")
        return sctid

    # -- concepts --------------------------------------------------------------------
    _LOOKUP = (
        "SELECT c.id, c.active, p.term, s.semantic_tag FROM concepts c "
        "LEFT JOIN preferred_terms p ON p.concept_id = c.id AND p.dialect = ? "
        "LEFT JOIN semantic_tags s ON s.concept_id = c.id WHERE c.id = ?"
    )

    def _concept(self, row) -> Concept:
        sctid, active, term, tag = row
        return Concept(str(sctid), term if term is not None else str(sctid), bool(active),
                       SYSTEM, tag or "")

    def lookup(self, code: str) -> Concept | None:
        sctid = self._id(code)
        if sctid is None:
            return None
        row = self.conn.execute(self._LOOKUP, (self.dialect, sctid)).fetchone()
        return self._concept(row) if row else None

    def lookup_many(self, codes: list[str]) -> dict[str, Concept]:
        """Concepts by the codes as given (codes normalised to the same id all map)."""
        found: dict[str, Concept] = {}
        ids: dict[int, list[str]] = {}
        for code in codes:
            sctid = self._id(code)
            if sctid is not None:
                ids.setdefault(sctid, []).append(code)
        for sctid, concept in self._concepts(list(ids)).items():
            for code in ids[sctid]:
                found[code] = concept
        return found

    def _concepts(self, ids: list[int]) -> dict[int, Concept]:
        """The concepts the store holds among ``ids``, by id."""
        found: dict[int, Concept] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            marks = ",".join("?" * len(chunk))
            sql = self._LOOKUP.replace("WHERE c.id = ?", f"WHERE c.id IN ({marks})")
            for row in self.conn.execute(sql, (self.dialect, *chunk)):
                found[row[0]] = self._concept(row)
        return found

    def preferred_term(self, code: str, dialect: str | None = None) -> str | None:
        sctid = self._id(code)
        row = self.conn.execute(
            "SELECT term FROM preferred_terms WHERE concept_id = ? AND dialect = ?",
            (sctid, dialect or self.dialect),
        ).fetchone()
        return row[0] if row else None

    def show(self, code: str) -> ConceptDetail:
        from codelists.terminology.snomedct.detail import concept_detail

        return concept_detail(self, self._require(code))

    # -- hierarchy -------------------------------------------------------------------
    def descendants(self, code: str, *, include_self: bool = False) -> list[str]:
        sctid = self._require(code)
        found = descendant_set(self.conn, sctid)
        rows = self.conn.execute(
            "SELECT descendant_id FROM closure WHERE ancestor_id = ?", (sctid,)
        ).fetchall() if found is None else [(d,) for d in found.tolist()]
        return _codes(rows, sctid if include_self else None)

    def ancestors(self, code: str, *, include_self: bool = False) -> list[str]:
        sctid = self._require(code)
        rows = self.conn.execute(
            "SELECT ancestor_id FROM closure WHERE descendant_id = ?", (sctid,)
        ).fetchall()
        return _codes(rows, sctid if include_self else None)

    def children(self, code: str) -> list[str]:
        sctid = self._require(code)
        rows = self.conn.execute(
            "SELECT DISTINCT source_id FROM relationships WHERE destination_id = ? "
            "AND type_id = ?", (sctid, IS_A)).fetchall()
        return _codes(rows)

    def parents(self, code: str) -> list[str]:
        sctid = self._require(code)
        rows = self.conn.execute(
            "SELECT DISTINCT destination_id FROM relationships WHERE source_id = ? "
            "AND type_id = ?", (sctid, IS_A)).fetchall()
        return _codes(rows)

    def parents_many(self, codes: list[str]) -> dict[str, list[str]]:
        """The parents of many concepts at once (a concept the store does not hold is
        absent from the answer): one query per 500 codes instead of one per code."""
        ids = {self._id(code): code for code in codes}
        ids.pop(None, None)
        found: dict[str, list[str]] = {}
        keys = list(ids)
        for start in range(0, len(keys), 500):
            chunk = keys[start:start + 500]
            marks = ",".join("?" * len(chunk))
            for source, destination in self.conn.execute(
                    "SELECT DISTINCT source_id, destination_id FROM relationships "
                    f"WHERE type_id = ? AND source_id IN ({marks})", (IS_A, *chunk)):
                found.setdefault(ids[source], []).append(str(destination))
        known = self.lookup_many([ids[k] for k in keys if ids[k] not in found])
        for code in known:
            found.setdefault(code, [])
        return found

    def count_descendants(self, code: str) -> int:
        return self.conn.execute("SELECT count(*) FROM closure WHERE ancestor_id = ?",
                                 (self._require(code),)).fetchone()[0]

    def count_ancestors(self, code: str) -> int:
        return self.conn.execute("SELECT count(*) FROM closure WHERE descendant_id = ?",
                                 (self._require(code),)).fetchone()[0]

    # -- descriptions and search -----------------------------------------------------
    def iter_descriptions(self, *, include_inactive: bool = False
                          ) -> Iterator[tuple[str, str, str, bool]]:
        """(code, term, 'fsn'|'synonym'|'definition', active) for every description.

        Without ``include_inactive`` only active descriptions of active concepts; with
        it, ``active`` is true when both the description and its concept are active.
        """
        sql = "SELECT concept_id, term, type_id, active FROM search_terms"
        if not include_inactive:
            sql += " WHERE active = 1"
        cursor = self.conn.execute(sql)
        names = DESCRIPTION_TYPES
        while rows := cursor.fetchmany(50_000):
            for cid, term, type_id, active in rows:
                yield str(cid), term, names.get(type_id, "synonym"), active == 1

    #: up to this many descendants, --within loads the subtree into memory
    WITHIN_IN_MEMORY = 20_000

    def _within_check(self, within: str | None):
        if within is None:
            return None
        root = self._require(within)
        conn = self.conn
        small = conn.execute(
            "SELECT count(*) FROM (SELECT 1 FROM closure WHERE ancestor_id = ? LIMIT ?)",
            (root, self.WITHIN_IN_MEMORY + 1)).fetchone()[0] <= self.WITHIN_IN_MEMORY
        if small:
            members = {r[0] for r in conn.execute(
                "SELECT descendant_id FROM closure WHERE ancestor_id = ?", (root,))}
            members.add(root)
            return members.__contains__
        sql = "SELECT 1 FROM closure WHERE ancestor_id = ? AND descendant_id = ?"

        def inside(concept_id: int) -> bool:
            return concept_id == root or conn.execute(sql, (root, concept_id)).fetchone() \
                is not None

        return inside

    def _accept(self, *, include_inactive: bool, within: str | None):
        """A filter over search_terms rows (position, description, concept, active, term)
        keeping the first (best) description of each concept."""
        inside = self._within_check(within)
        seen: set[int] = set()

        def accept(row):
            if not include_inactive and not row[3]:
                return fts.STOP  # active rows come first: nothing after this one
            cid = row[2]
            if cid in seen or (inside is not None and not inside(cid)):
                return None
            seen.add(cid)
            return row

        return accept

    def search(self, query: str, *, limit: int = 50, within: str | None = None,
               include_inactive: bool = False, partial: bool = False,
               whole_words: bool = False) -> list[SearchHit]:
        """Full-text search with prefix matching: every word of the query must start a
        word of the description (with ``whole_words``: be a word of it), in any of its
        British/American spellings.  Results
        come one per concept, its best description shown: active concepts first, then
        shorter (more specific) terms first.  With ``partial``, when fewer than ``limit``
        concepts have every word, descriptions with the most of the query's content
        words follow."""
        if limit <= 0:
            raise UsageError("--limit must be at least 1")
        match = fts.fts_query(query, prefix=not whole_words)
        select = (f"SELECT {self._HIT_COLUMNS} FROM search_fts f JOIN search_terms s "
                  "ON s.position = f.rowid WHERE search_fts MATCH :match ")
        rows = self.conn.execute(select + "ORDER BY f.rowid",
                                 {"match": match, "dialect": self.dialect})
        accept = self._accept(include_inactive=include_inactive, within=within)
        found = fts.first_matches(rows, limit=limit, accept=accept)
        expression = fts.partial_query(query, prefix=not whole_words) if partial else None
        if expression is not None and len(found) < limit:
            best = self.conn.execute(select + "ORDER BY f.rank LIMIT :limit", {
                "match": expression, "dialect": self.dialect,
                "limit": limit * fts.PARTIAL_READ}).fetchall()
            found += fts.first_matches(fts.by_words_found(best, query, 4),
                                       limit=limit - len(found), accept=accept)
        return self._hits(found, query)

    #: a search row: (position, description, concept, active, term, the concept's
    #: preferred term, the concept's active flag); the last two read with the row, so
    #: a search makes no second trip for what its hits show
    _HIT_COLUMNS = (
        "s.position, s.description_id, s.concept_id, s.active, s.term, "
        "(SELECT p.term FROM preferred_terms p WHERE p.concept_id = s.concept_id "
        "AND p.dialect = :dialect), (SELECT c.active FROM concepts c WHERE c.id = s.concept_id)")

    def _collect(self, rows, limit, include_inactive, within) -> list[SearchHit]:
        accept = self._accept(include_inactive=include_inactive, within=within)
        return self._hits(fts.first_matches(rows, limit=limit, accept=accept))

    def _hits(self, rows: list[tuple], query: str | None = None) -> list[SearchHit]:
        hits = []
        why = fts.why
        for rank, (_pos, did, cid, active, term, preferred, concept_active) in enumerate(rows):
            if concept_active is None:  # no concept row: the description stands alone
                preferred, concept_active = term, active
            elif preferred is None:
                preferred = str(cid)
            hits.append(SearchHit(str(cid), term, preferred, bool(concept_active),
                                  round(1.0 / (rank + 1), 4), str(did),
                                  why=why(query, term, "", preferred) if query else ""))
        return hits

    def matching_ids(self, query: str) -> set[int]:
        """Every active concept with an active description matching ``query`` as
        :meth:`search` matches (every word starts a word, any spelling), unranked and
        without a limit: a filter for large sets (FHIR ``$expand`` with ``filter``)."""
        return {row[0] for row in self.conn.execute(
            "SELECT s.concept_id FROM search_fts f JOIN search_terms s "
            "ON s.position = f.rowid WHERE search_fts MATCH ? AND s.active = 1",
            (fts.fts_query(query),))}

    def search_regex(self, pattern: str, *, limit: int | None = None,
                     within: str | None = None, include_inactive: bool = False,
                     ignore_case: bool = True) -> list[SearchHit]:
        """A Python regular expression over every description (case-insensitive by
        default); one result per concept, in the same order as :meth:`search`.

        The first call loads every term into memory (:class:`TermIndex`); later calls
        on the same object reuse it."""
        regex = fts.compile_regex(pattern, ignore_case=ignore_case)
        index, active_count = self._term_index()
        stop = None if include_inactive else active_count
        positions = [i + 1 for i in index.matching(regex, stop)]
        return self._collect(self._rows_at(positions), limit, include_inactive, within)

    def _term_index(self) -> tuple[fts.TermIndex, int]:
        if self._terms is None:
            parts = [r[0] for r in self.conn.execute(
                "SELECT terms FROM search_text ORDER BY part")]
            active = self.metadata.extra.get("active_search_terms")
            if active is None:
                active = self.conn.execute(
                    "SELECT count(*) FROM search_terms WHERE active = 1").fetchone()[0]
            index = fts.TermIndex(text="\n".join(parts)) if parts else fts.TermIndex([])
            self._terms = (index, int(active))
        return self._terms

    def _rows_at(self, positions: list[int]):
        sql = (f"SELECT {self._HIT_COLUMNS} FROM search_terms s WHERE s.position IN ({{}}) "
               "ORDER BY s.position")
        for start in range(0, len(positions), 500):
            chunk = positions[start:start + 500]
            marks = ",".join(f":p{i}" for i in range(len(chunk)))
            params = {f"p{i}": p for i, p in enumerate(chunk)}
            params["dialect"] = self.dialect
            yield from self.conn.execute(sql.format(marks), params)


def _codes(rows, include: int | None = None) -> list[str]:
    ids = {r[0] for r in rows}
    if include is not None:
        ids.add(include)
    return [str(i) for i in sorted(ids)]
