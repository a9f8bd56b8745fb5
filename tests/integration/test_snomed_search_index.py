"""The importer's full-text indexes are merged into one segment, so a query looks each
word up once (codelists.terminology.snomedct.derived.build_search_index)."""

from __future__ import annotations

import random
import sqlite3
from importlib import resources

from codelists.terminology.snomedct.derived import build_search_index

WORDS = [f"{a}{b}{c}" for a in ("arth", "card", "neph", "hepat", "gastr", "pneum")
         for b in ("r", "ol", "an", "em", "ot") for c in ("itis", "algia", "oma", "osis")]


def test_both_indexes_are_one_segment_and_find_every_term(tmp_path):
    conn = sqlite3.connect(tmp_path / "s.db", isolation_level=None)
    conn.executescript(resources.files("codelists.terminology.snomedct")
                       .joinpath("schema.sql").read_text())
    rng = random.Random(3)
    conn.execute("BEGIN")
    conn.executemany("INSERT INTO concepts VALUES (?, 20250101, 1, 1, 1)",
                     ((c,) for c in range(1, 10_001)))
    terms = [(d, c, " ".join(rng.choice(WORDS) for _ in range(4)) + f" {c}")
             for c in range(1, 10_001) for d in (c * 10, c * 10 + 1, c * 10 + 2)]
    conn.executemany("INSERT INTO descriptions VALUES (?, 20250101, 1, 1, ?, 'en', "
                     "900000000000013009, ?, 1)", terms)
    build_search_index(conn)
    conn.execute("COMMIT")
    for table in ("search_fts", "descriptions_fts"):
        segments = conn.execute(f"SELECT count(DISTINCT segid) FROM {table}_idx").fetchone()[0]
        assert segments == 1, table
    did, concept, term = terms[12345]
    found = {r[0] for r in conn.execute(
        "SELECT s.description_id FROM search_fts f JOIN search_terms s ON s.position = f.rowid "
        "WHERE search_fts MATCH ?", (f'"{term.split()[0]}" AND "{concept}"',))}
    assert did in found
    assert conn.execute("SELECT count(*) FROM descriptions_fts WHERE descriptions_fts MATCH ?",
                        (f'"{concept}"',)).fetchone()[0] == 3
    conn.close()
