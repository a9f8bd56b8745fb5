"""ECL evaluation: the Hermes-style named shapes on the synthetic SNOMED CT releases.

Each shape is evaluated with ``codelists.ecl.evaluate(expression, store)`` (parse cached,
ids returned as a Python frozenset) several times; the table gives the median.  The
concepts each shape uses are chosen from the store itself (the largest subtree, one of
about 100k and one of about 1k descendants, a deep leaf, the largest simple refset...).
For the hierarchy shapes the "SQLite floor" column is the time to fetch the same ids
with one bare query, i.e. the cost of moving that many ids into Python at all.
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
                return path
            except Exception:  # not current: fall through to our own import
                continue
    from codelists.terminology.snomedct.importer import import_release

    return import_release(ensure_release(size), DATA / f"ecl-snomed-{size}.db")


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

    store = Store.open(ensure_store(size))
    concepts = choose_concepts(store.conn)
    lines = [f"### {size} concepts", "",
             "| shape | expression | ids | median | SQLite floor | sct (quoted in issue) |",
             "|---|---|---:|---:|---:|---:|"]
    for name, expression in shapes(concepts):
        count = len(evaluate(expression, store).ids)
        ms = median_ms(lambda e=expression: evaluate(e, store), repeat)
        floor = floor_ms(store.conn, expression, repeat)
        floor_text = f"{floor:.1f} ms" if floor is not None else ""
        lines.append(f"| {name} | `{expression}` | {count:,} | {ms:.1f} ms | {floor_text} | "
                     f"{SCT_QUOTED.get(name, '')} |")
    store.close()
    return lines + [""]


def main(argv: list[str]) -> str:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default=None, help="comma-separated: 20k, 370k, 840k "
                        "(default: 370k, and 840k when a store of it was already built)")
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args(argv)
    lines = ["## ECL (`codelists.ecl.evaluate`)", "",
             "Named shapes as in Hermes; each expression is compiled to one SQLite query over "
             "the store's closure, relationship and refset tables, and the ids come back as a "
             f"Python frozenset. Median of {args.repeat} runs after one warm-up.", ""]
    sizes = args.sizes.split(",") if args.sizes else ["370k"] + (
        ["840k"] if (DATA / "store-840k.db").is_file() else [])
    for size in sizes:
        lines += bench_size(size.strip(), args.repeat)
    lines += ["sct-py (the `sct` engine's binding) reads a `snomed.db` that only the `sct` "
              "command-line tool can build; that tool is not installable here and the binding "
              "has no importer, so the sct column repeats the medians quoted in issue 4 "
              "rather than a side-by-side run.", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    import sys

    sys.stdout.write(main(sys.argv[1:]))
