"""ECL evaluation: the Hermes-style named shapes on the synthetic SNOMED CT releases.

Each shape is evaluated with ``codelists.ecl.evaluate(expression, store)`` (parse cached,
ids returned as a Python frozenset) several times; the table gives the median.  The
concepts each shape uses are chosen from the store itself (the largest subtree, one of
about 100k and one of about 1k descendants, a deep leaf, the largest simple refset...).
For the hierarchy shapes the "closure rows" column is the time to fetch the same ids with
one bare closure query, row by row: what moving that many ids costs without the stored
id sets (descendant_sets, member_sets) that ``evaluate`` reads.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from itertools import chain
from pathlib import Path

from benchmarks.synthetic_rf2 import DATA, ensure_release

ROOT = 138875005
FINDING, BODY = 404684003, 123037004
FINDING_SITE, MORPHOLOGY = 363698007, 116676008

#: the sct engine's medians quoted in issue 4 (370k synthetic release, this machine class)
SCT_QUOTED = {"<< largest subtree": "27 ms (132k)", "<< ~100k": "17 ms (85k)",
              "<< ~1k": "0.3 ms", "^ refset": "0.5 ms (3,000)",
              "<<A MINUS <<B": "21 ms", "attribute refinement": "19 ms"}


def ensure_store(size: str) -> Path:
    """A store of the synthetic release: reuse one another benchmark built, else import."""
    from codelists.terminology.store import Store

    for name in (f"store-{size}.db", f"method-snomed-{size}.db", f"ecl-snomed-{size}.db"):
        path = DATA / name
        if path.is_file():
            try:
                Store.open(path).close()
            except Exception:  # not current: fall through to our own import
                continue
            _add_descendant_sets(path)
            return path
    from codelists.terminology.snomedct.importer import import_release

    return import_release(ensure_release(size), DATA / f"ecl-snomed-{size}.db")


def _add_descendant_sets(path: Path) -> None:
    """A store another benchmark imported before stores had stored id sets gets them
    (the same rows an import writes; tests/integration/test_snomed_id_sets.py)."""
    import sqlite3

    from codelists.terminology.snomedct.idsets import add_id_sets

    conn = sqlite3.connect(path)
    try:
        if not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'member_sets'"
                            ).fetchone():
            add_id_sets(conn)
            conn.commit()
    finally:
        conn.close()


SCT_SCHEMA = """
CREATE TABLE concepts (id TEXT PRIMARY KEY, fsn TEXT, preferred_term TEXT, synonyms TEXT,
    hierarchy TEXT, hierarchy_path TEXT, active INTEGER, effective_time TEXT, module TEXT,
    schema_version INTEGER);
CREATE TABLE concept_isa (child_id TEXT, parent_id TEXT);
CREATE TABLE refset_members (refset_id TEXT, referenced_component_id TEXT);
CREATE TABLE concept_relationships (source_id TEXT, destination_id TEXT, type_id TEXT,
    relationship_group INTEGER);
"""
SCT_INDEXES = """
CREATE INDEX isa_parent ON concept_isa (parent_id, child_id);
CREATE INDEX isa_child ON concept_isa (child_id, parent_id);
CREATE INDEX members_refset ON refset_members (refset_id);
CREATE INDEX relationships_type ON concept_relationships (type_id, destination_id);
CREATE INDEX relationships_source ON concept_relationships (source_id);
"""


def ensure_sct_database(store: Path, size: str) -> Path:
    """The same release in the tables sct-py reads (reverse-engineered from the queries
    in its binary), without sct's own closure table: sct then walks concept_isa with a
    recursive query."""
    import sqlite3

    path = DATA / f"sct-compatible-{size}.db"
    if path.is_file():
        return path
    tmp = path.with_suffix(".building")
    tmp.unlink(missing_ok=True)
    dst = sqlite3.connect(tmp)
    dst.executescript(SCT_SCHEMA)
    dst.execute("ATTACH DATABASE ? AS src", (f"file:{store}?mode=ro",))
    dst.executescript("""
        INSERT INTO concepts (id, fsn, preferred_term, active, schema_version)
            SELECT CAST(c.id AS TEXT), coalesce(s.fsn, ''), coalesce(p.term, ''), c.active, 1
            FROM src.concepts c LEFT JOIN src.semantic_tags s ON s.concept_id = c.id
            LEFT JOIN src.preferred_terms p ON p.concept_id = c.id AND p.dialect = 'en-GB';
        INSERT INTO concept_isa SELECT CAST(source_id AS TEXT), CAST(destination_id AS TEXT)
            FROM src.relationships WHERE type_id = 116680003;
        INSERT INTO refset_members SELECT CAST(refset_id AS TEXT),
            CAST(referenced_component_id AS TEXT) FROM src.refset_simple;
        INSERT INTO concept_relationships SELECT CAST(source_id AS TEXT),
            CAST(destination_id AS TEXT), CAST(type_id AS TEXT), relationship_group
            FROM src.relationships;
    """)
    dst.executescript(SCT_INDEXES)
    dst.commit()
    dst.close()
    tmp.rename(path)
    return path


def sct_column(sct, expression: str, ours: int, repeat: int) -> str:
    try:
        count = len(sct.expand(expression))
    except Exception as exc:  # sct refuses what it does not implement
        reason = str(exc).split("unsupported ECL construct:", 1)[-1].split(";")[0]
        return "refused: " + reason.strip()[:60]
    ms = median_ms(lambda: sct.expand(expression), repeat)
    same = "" if count == ours else f", {count:,} ids"
    return f"{ms:.1f} ms{same}"


def _count(conn, concept: int) -> int:
    return conn.execute("SELECT count(*) FROM closure WHERE ancestor_id = ?",
                        (concept,)).fetchone()[0]


def _children(conn, concepts) -> list[int]:
    out = []
    for c in concepts:
        out.extend(r[0] for r in conn.execute(
            "SELECT source_id FROM relationships WHERE type_id = 116680003 AND "
            "destination_id = ?", (c,)))
    return out


def choose_concepts(conn) -> dict[str, int]:
    """Pick the concepts of each shape from the store."""
    rng = random.Random(4)
    level1 = _children(conn, [ROOT])
    level2 = _children(conn, level1)
    level3 = _children(conn, level2)
    candidates = {c: _count(conn, c) for c in set(level1 + level2 + rng.sample(
        level3, min(1500, len(level3))))}
    largest = max(level1, key=lambda c: candidates[c])

    def closest(target, pool=candidates):
        return min((c for c in pool if c != largest),
                   key=lambda c: abs(candidates[c] - target))

    under_finding = {c: n for c, n in candidates.items() if c != largest and conn.execute(
        "SELECT 1 FROM closure WHERE ancestor_id = ? AND descendant_id = ?",
        (largest, c)).fetchone()}
    small = [c for c, n in candidates.items() if 5 <= n <= 30] or list(candidates)
    sample = [r[0] for r in conn.execute(
        "SELECT id FROM concepts WHERE active = 1 ORDER BY id LIMIT 3000 OFFSET "
        "(SELECT count(*) / 3 FROM concepts)")]
    deep = max(sample, key=lambda c: conn.execute(
        "SELECT count(*) FROM closure WHERE descendant_id = ?", (c,)).fetchone()[0])
    body = [c for c in _children(conn, [BODY]) if c in candidates] or [BODY]
    refset = conn.execute("SELECT refset_id FROM refsets WHERE member_table = 'refset_simple' "
                          "ORDER BY member_count DESC LIMIT 1").fetchone()
    return {
        "largest": largest, "100k": closest(100_000), "1k": closest(1_000),
        "inside": closest(candidates[largest] // 4, under_finding or candidates),
        "small": small[0], "deep": deep,
        "body": max(body, key=lambda c: candidates.get(c, 0)),
        "refset": refset[0] if refset else 0,
    }


def shapes(c: dict[str, int]) -> list[tuple[str, str]]:
    return [
        ("concept lookup", f"{c['small']}"),
        ("<< largest subtree", f"<< {c['largest']}"),
        ("<< ~100k", f"<< {c['100k']}"),
        ("<< ~1k", f"<< {c['1k']}"),
        ("< small leafy concept", f"< {c['small']}"),
        (">> ancestors of a deep leaf", f">> {c['deep']}"),
        ("<! children", f"<! {c['largest']}"),
        ("^ refset", f"^ {c['refset']}"),
        ("<<A MINUS <<B", f"<< {c['largest']} MINUS << {c['inside']}"),
        ("(<<A OR <<B) AND ^R", f"(<< {c['largest']} OR << {c['100k']}) AND ^ {c['refset']}"),
        ("attribute refinement", f"< {FINDING} : {FINDING_SITE} = << {c['body']}"),
        ("grouped refinement with cardinality",
         f"< {FINDING} : [1..2] {{ {FINDING_SITE} = << {c['body']}, {MORPHOLOGY} = * }}"),
        ("description filter", f'< {FINDING} {{{{ term = "chronic" }}}}'),
    ]


def median_ms(func, repeat: int) -> float:
    func()  # warm the page cache and the parse cache
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def floor_ms(conn, expression: str, repeat: int) -> float | None:
    """A bare closure fetch of the same ids, for the `<<`/`<`/`>>` shapes."""
    parts = expression.split()
    if len(parts) != 2 or parts[0] not in ("<<", "<", ">>"):
        return None
    column, key = (("ancestor_id", "descendant_id") if parts[0] == ">>"
                   else ("descendant_id", "ancestor_id"))
    sql = f"SELECT {column} FROM closure WHERE {key} = {int(parts[1])}"
    return median_ms(lambda: frozenset(chain.from_iterable(conn.execute(sql))), repeat)


def bench_size(size: str, repeat: int) -> list[str]:
    from codelists.ecl import evaluate
    from codelists.terminology.store import Store

    store_path = ensure_store(size)
    store = Store.open(store_path)
    concepts = choose_concepts(store.conn)
    sct = _open_sct(store_path, size)
    lines = [f"### {size} concepts", "",
             "| shape | expression | ids | median | closure rows | sct-py, same release "
             "(no closure table) | sct (quoted in issue) |",
             "|---|---|---:|---:|---:|---:|---:|"]
    for name, expression in shapes(concepts):
        count = len(evaluate(expression, store).ids)
        ms = median_ms(lambda e=expression: evaluate(e, store), repeat)
        floor = floor_ms(store.conn, expression, repeat)
        floor_text = f"{floor:.1f} ms" if floor is not None else ""
        sct_text = sct_column(sct, expression, count, repeat) if sct else "not installed"
        lines.append(f"| {name} | `{expression}` | {count:,} | {ms:.1f} ms | {floor_text} | "
                     f"{sct_text} | {SCT_QUOTED.get(name, '')} |")
    store.close()
    return lines + [""]


def _open_sct(store_path: Path, size: str):
    try:
        import sct_py
    except ImportError:
        return None
    return sct_py.Snomed(str(ensure_sct_database(store_path, size)))


def main(argv: list[str]) -> str:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default=None, help="comma-separated: 20k, 370k, 840k "
                        "(default: 370k, and 840k when a store of it was already built)")
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args(argv)
    lines = ["## ECL (`codelists.ecl.evaluate`)", "",
             "Named shapes as in Hermes; each expression is compiled to one SQLite query over "
             "the store's closure, relationship and refset tables, except that `<< X`, `< X` "
             "and `^ R` of a large set (and a MINUS, AND or OR of them) read the store's "
             "stored id sets; the ids come back as a Python frozenset. Median of "
             f"{args.repeat} runs after one warm-up.", ""]
    sizes = args.sizes.split(",") if args.sizes else ["370k"] + (
        ["840k"] if (DATA / "store-840k.db").is_file() else [])
    for size in sizes:
        lines += bench_size(size.strip(), args.repeat)
    lines += ["sct-py (the `sct` engine's binding) reads a `snomed.db` built by the `sct` "
              "command-line tool, which is not installable here.  The sct-py column runs the "
              "binding over the same release copied into the tables its queries read "
              "(`ensure_sct_database`); we could not reproduce the validation of sct's own "
              "transitive-closure table, so sct walks `concept_isa` recursively there and its "
              "hierarchy times are slower than with a real `sct` build.  Its id counts are "
              "shown only when they differ from ours (they agree on every shape it "
              "evaluates).  The last column repeats the medians quoted in issue 4.", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    import sys

    sys.stdout.write(main(sys.argv[1:]))
