"""Terminology store benchmarks: SNOMED CT import, lookup, search and regex.

    .venv/bin/python -m benchmarks terminology          # 370k and 840k releases
    .venv/bin/python -m benchmarks.bench_terminology --sizes 20k --repeat 3

Imports run in a fresh subprocess each (wall time and peak RSS from
``resource.getrusage``); queries run on the 370k store it built (or the largest size
given).  Synthetic releases come from :mod:`benchmarks.synthetic_rf2` (written under
benchmarks/data/ when missing).  Figures are medians; nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.synthetic_rf2 import DATA, QUALIFIERS, ROOTS, SITES, SUFFIXES, ensure_release

TARGETS = {"370k": "≤ 45 s wall on a quiet machine, ≤ 1.2 GB", "840k": "≤ 180 s, ≤ 2 GB"}
LOAD_AT_START = ", ".join(f"{x:.1f}" for x in os.getloadavg())
STARTED = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())


# -- import, in a subprocess ---------------------------------------------------------
def child_import(source: str, dest: str) -> dict:
    """Run one import in this process; report seconds, peak RSS and, per stage, wall
    seconds, CPU seconds and the peak RSS reached by the end of the stage."""
    from codelists.terminology.snomedct.importer import import_release

    stages: dict[str, dict[str, float]] = {}
    state = {"stage": None, "cpu": time.process_time(), "wall": time.monotonic()}

    def close_stage() -> None:
        cpu, wall = time.process_time(), time.monotonic()
        if state["stage"] is not None:
            stage = stages.setdefault(state["stage"], {"cpu": 0.0, "wall": 0.0})
            stage["cpu"] += cpu - state["cpu"]
            stage["wall"] += wall - state["wall"]
            stage["rss_mb"] = _peak_rss_mb()
        state.update(cpu=cpu, wall=wall)

    def progress(event) -> None:
        name = "reading files" if event.stage.startswith("read") else event.stage
        if name == "warning" or name == state["stage"]:
            return
        close_stage()
        state["stage"] = name

    started = time.monotonic()
    Path(dest).unlink(missing_ok=True)
    import_release(source, dest, progress=progress)
    close_stage()  # the last stage ends with the import
    seconds = time.monotonic() - started
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {"seconds": seconds, "cpu_seconds": usage.ru_utime + usage.ru_stime,
            "max_rss_mb": _peak_rss_mb(), "stages": stages,
            "store_mb": Path(dest).stat().st_size / 2**20}


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_import(source: Path, dest: Path) -> dict:
    out = subprocess.run(
        [sys.executable, "-m", "benchmarks.bench_terminology", "--child-import",
         str(source), str(dest)], check=True, capture_output=True, text=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def bench_import(size: str, repeat: int) -> tuple[dict, Path]:
    release = ensure_release(size)
    dest = DATA / f"store-{size}.db"
    runs = [run_import(release, dest) for _ in range(repeat)]
    stages = {k: {m: statistics.median(r["stages"].get(k, {}).get(m, 0.0) for r in runs)
                  for m in ("wall", "cpu", "rss_mb")} for k in runs[0]["stages"]}
    return {"size": size, "seconds": statistics.median(r["seconds"] for r in runs),
            "cpu_seconds": statistics.median(r["cpu_seconds"] for r in runs),
            "max_rss_mb": max(r["max_rss_mb"] for r in runs), "stages": stages,
            "store_mb": runs[-1]["store_mb"], "runs": len(runs)}, dest


# -- queries ---------------------------------------------------------------------------
def timed(fn, items) -> list[float]:
    """Milliseconds per call."""
    times = []
    for item in items:
        start = time.perf_counter_ns()
        fn(item)
        times.append((time.perf_counter_ns() - start) / 1e6)
    return times


def p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def query_shapes(rng: random.Random) -> dict[str, list[str]]:
    n = 300
    return {
        "one word typed in full (`arthritis`-like)": [
            rng.choice(ROOTS) + rng.choice(SUFFIXES) for _ in range(n)],
        "two words typed in full": [
            f"{rng.choice(ROOTS)}{rng.choice(SUFFIXES)} {rng.choice(SITES)}" for _ in range(n)],
        "word + prefix (`chronic arthr`)": [
            f"{rng.choice(QUALIFIERS)} {rng.choice(ROOTS)}" for _ in range(n)],
        "short prefix (`neur`)": [rng.choice(ROOTS)[:4] for _ in range(n)],
    }


def bench_queries(store: Path) -> dict:
    from codelists.terminology.snomedct.terminology import SnomedTerminology

    rng = random.Random(42)
    results: dict = {}
    with SnomedTerminology.open(store) as t:
        ids = [str(r[0]) for r in t.conn.execute("SELECT id FROM concepts")]
        codes = [rng.choice(ids) for _ in range(20_000)]
        timed(t.lookup, codes[:2000])  # warm the page cache
        lookups = timed(t.lookup, codes)
        results["lookup"] = (statistics.median(lookups), p(lookups, 0.95))
        shapes = {}
        for name, queries in query_shapes(rng).items():
            timed(lambda q: t.search(q, limit=20), queries[:50])
            times = timed(lambda q: t.search(q, limit=20), queries)
            shapes[name] = (statistics.median(times), p(times, 0.95))
        results["search"] = shapes
        parents = [c for c in codes[:300] if t.count_descendants(c) > 0][:100] or codes[:100]
        results["descendants"] = statistics.median(
            timed(lambda c: t.descendants(c), parents))
        results["show"] = statistics.median(timed(t.show, codes[:300]))
        patterns = [r"arthr\w*itis", r"^chronic .* of knee$", r"(?:haem|hem)at", r"\bleft\b"]
        cold = timed(lambda pat: t.search_regex(pat), patterns[:1])
        warm = timed(lambda pat: t.search_regex(pat), patterns * 2)
        results["regex"] = (cold[0] / 1000, statistics.median(warm) / 1000)
        start = time.perf_counter()
        count = sum(1 for _ in t.iter_descriptions())
        results["iter_descriptions"] = (time.perf_counter() - start, count)
    return results


# -- sct-py side by side -----------------------------------------------------------------
def bench_sct(store: Path) -> dict | None:
    try:
        from sct_py import Snomed
    except ImportError:
        return None
    from benchmarks.sct_peer import ensure_sct_db

    sct_db = ensure_sct_db(store)
    rng = random.Random(42)
    results: dict = {}
    with Snomed(str(sct_db)) as sct:
        import sqlite3

        ids = [r[0] for r in sqlite3.connect(sct_db).execute("SELECT id FROM concepts")]
        codes = [rng.choice(ids) for _ in range(20_000)]
        timed(sct.concept, codes[:2000])
        times = timed(sct.concept, codes)
        results["concept"] = (statistics.median(times), p(times, 0.95))
        shapes = {}
        for name, queries in query_shapes(rng).items():
            # the question ours answers (every word a prefix): a plain query is one
            # phrase to sct-py, FTS5 operators pass through as written
            asked = [" AND ".join(w + "*" for w in q.split()) for q in queries]
            timed(lambda q: sct.search(q, limit=20), asked[:50])
            times = timed(lambda q: sct.search(q, limit=20), asked)
            shapes[name] = (statistics.median(times), p(times, 0.95))
        results["search"] = shapes
    return results


# -- report ----------------------------------------------------------------------------
def commit() -> str:
    from benchmarks.bench_ecl import commit as head

    return head()


def report(imports: list[dict], queries: dict | None, query_size: str,
           sct: dict | None = None) -> str:
    lines = ["## Terminology (SNOMED CT store)", "",
             "Synthetic RF2 Snapshot releases from `benchmarks/synthetic_rf2.py`; each import "
             "in a fresh process (peak RSS by `getrusage`), closure and both full-text "
             "indexes included.", "",
             f"Run started {STARTED}, commit {commit()}. Load average when the run started: "
             f"{LOAD_AT_START}. The machine is shared; CPU time (user + system) is the "
             "figure least disturbed by other work.", "",
             "| import | wall time | CPU time | peak RSS | store size | target |",
             "|---|---|---|---|---|---|"]
    for r in imports:
        lines.append(f"| {r['size']} concepts | {r['seconds']:.1f} s | "
                     f"{r['cpu_seconds']:.1f} s | {r['max_rss_mb']:.0f} MB | "
                     f"{r['store_mb']:.0f} MB | {TARGETS.get(r['size'], '')} |")
    for r in imports:
        lines += ["", f"By stage, {r['size']} import (median of {r['runs']}; peak RSS: the "
                  "process's peak so far at the end of the stage):", "",
                  "| stage | wall time | CPU time | peak RSS so far |", "|---|---|---|---|"]
        lines += [f"| {k} | {v['wall']:.1f} s | {v['cpu']:.1f} s | {v['rss_mb']:.0f} MB |"
                  for k, v in r["stages"].items()]
    if queries:
        lines += ["", f"Queries on the {query_size} store (median; p95 in brackets):", "",
                  "| query | time | target |", "|---|---|---|"]
        lo = queries["lookup"]
        lines.append(f"| concept lookup (`lookup`) | {lo[0]:.3f} ms ({lo[1]:.3f}) | < 0.1 ms |")
        for name, (med, p95) in queries["search"].items():
            lines.append(f"| search, limit 20: {name} | {med:.2f} ms ({p95:.2f}) | < 1 ms |")
        lines.append(f"| descendants of a concept with children | "
                     f"{queries['descendants']:.2f} ms | |")
        lines.append(f"| `show` (everything about a concept) | {queries['show']:.2f} ms | |")
        cold, warm = queries["regex"]
        lines.append(f"| regex over every active description, first call (loads terms) | "
                     f"{cold:.2f} s | < 2 s |")
        lines.append(f"| regex over every active description, later calls | {warm:.2f} s | "
                     "< 2 s |")
        secs, count = queries["iter_descriptions"]
        lines.append(f"| `iter_descriptions()` ({count:,} rows) | {secs:.2f} s | |")
    if sct:
        lines += ["", "### Side by side with sct-py", "",
                  "sct-py (Python binding of the Rust `sct` engine) reads a `snomed.db` written "
                  "by the `sct` command-line tool, which cannot be installed here; the same "
                  f"{query_size} release was written in that layout, with sct's transitive-"
                  "closure table, from our store (`benchmarks/sct_peer.py`) and queried "
                  "through sct-py (not interleaved: run after ours; the ECL section's search "
                  "rows are interleaved). Its `concept()` returns a full "
                  "record (synonyms, parents), between our `lookup` and `show`. sct-py reads "
                  "a plain query as one phrase (its words adjacent, in order) and passes FTS5 "
                  "operators through, so each query is given to it as `w1* AND w2*`: every "
                  "word a prefix, the question our search answers (the ECL section checks "
                  "that both find the same concepts).", "",
                  "| query | codelists | sct-py |", "|---|---|---|"]
        c = sct["concept"]
        lines.append(f"| lookup / `concept()` | {queries['lookup'][0]:.3f} ms | "
                     f"{c[0]:.3f} ms ({c[1]:.3f}) |")
        for name, (med, p95) in sct["search"].items():
            ours = queries["search"][name][0]
            lines.append(f"| search: {name} | {ours:.2f} ms | {med:.2f} ms ({p95:.2f}) |")
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> str:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="370k,840k")
    parser.add_argument("--repeat", type=int, default=1, help="imports per size")
    parser.add_argument("--child-import", nargs=2, metavar=("SOURCE", "DEST"))
    parser.add_argument("--no-sct", action="store_true", help="skip the sct-py comparison")
    args = parser.parse_args(argv)
    if args.child_import:
        print(json.dumps(child_import(*args.child_import)))
        return ""
    sizes = [s for s in args.sizes.split(",") if s]
    imports, stores = [], {}
    for size in sizes:
        result, store = bench_import(size, args.repeat)
        imports.append(result)
        stores[size] = store
        print(f"imported {size}: {json.dumps(result)}", file=sys.stderr)  # kept if a later
        # step fails
    query_size = "370k" if "370k" in stores else sizes[-1]
    queries = bench_queries(stores[query_size]) if stores else None
    sct = bench_sct(stores[query_size]) if stores and not args.no_sct else None
    return report(imports, queries, query_size, sct)


if __name__ == "__main__":
    text = main(sys.argv[1:])
    if text:
        print(text)
