"""Benchmarks of the ICD-10-CM store (the demo terminology).

Shapes:

- ``import``: import the CDC tabular XML shipped in ``simple-icd-10-cm`` (98k codes
  with seventh-character extensions, 111k descriptions, closure, FTS5 index) into a new
  store; median of 3 runs.  Target: at most 30 s.
- ``search``: full-text search with prefix matching (``Terminology.search``,
  limit 50) for 300 queries: 200 single words and 100 two-word prefixes (the first
  four letters of the second word) drawn deterministically from the store's own terms;
  p50 and p95 (target: p50 under 5 ms); and 10 very common words (50 queries), p50.
- ``lookup``: ``lookup`` of 2,000 codes written undotted (normalised first); p50.
- ``regex``: ``search_regex`` of ``fracture.*femur`` over every description; median of 3.
- ``descendants``: ``descendants`` of every chapter and block; p50.
"""

from __future__ import annotations

import random
import statistics
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"


COMMON = ["fracture", "encounter", "initial encounter", "left", "injury", "diabetes",
          "pain", "unspecified", "chronic", "neoplasm"]


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def bench_import(runs: int = 3) -> tuple[list[float], list[float], Path]:
    """Wall-clock and CPU seconds per import (CPU shows the work on a shared machine)."""
    from codelists.terminology.icd10cm.importer import import_release

    DATA.mkdir(parents=True, exist_ok=True)
    target = DATA / "icd10cm.db"
    wall, cpu = [], []
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        import_release(None, target)
        wall.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    return wall, cpu, target


def queries(terminology, count_words: int = 200, count_pairs: int = 100) -> list[str]:
    rng = random.Random(20260401)
    words = sorted({w.lower() for _, term, _, _ in terminology.iter_descriptions()
                    for w in term.replace(",", " ").split() if len(w) > 3 and w.isalpha()})
    single = rng.sample(words, count_words)
    pairs = [f"{rng.choice(words)} {rng.choice(words)[:4]}" for _ in range(count_pairs)]
    return single + pairs


def timed(calls) -> list[float]:
    out = []
    for call in calls:
        started = time.perf_counter()
        call()
        out.append(time.perf_counter() - started)
    return out


def main(argv: list[str]) -> str:
    from codelists.terminology.registry import open_terminology

    import_times, import_cpu, store = bench_import()
    with open_terminology(store) as t:
        qs = queries(t)
        t.search("warmup")
        search = timed([lambda q=q: t.search(q, limit=50) for q in qs])
        common = timed([lambda q=q: t.search(q, limit=50) for q in COMMON * 5])
        codes = [c.replace(".", "") for c in t.all_codes() if "." in c]
        sample = random.Random(7).sample(codes, 2000)
        lookup = timed([lambda c=c: t.lookup(c) for c in sample])
        regex = timed([lambda: t.search_regex(r"fracture.*femur", limit=None)] * 3)
        tops = [c for c in t.all_codes() if t.lookup(c).kind in ("chapter", "block")]
        descend = timed([lambda c=c: t.descendants(c) for c in tops])
        counts = (t.count(), sum(1 for _ in t.iter_descriptions()))
    rows = [
        ("import (98k codes, closure, FTS5), wall clock", f"{statistics.median(import_times):.1f} s",
         "≤ 30 s"),
        ("import, CPU time of the process", f"{statistics.median(import_cpu):.1f} s", ""),
        ("search p50 (300 queries, limit 50)", _ms(statistics.median(search)), "< 5 ms"),
        ("search p95", _ms(_percentile(search, 0.95)), ""),
        ("search p50, common words (fracture, encounter, left, ...)",
         _ms(statistics.median(common)), ""),
        ("lookup p50 (undotted codes)", _ms(statistics.median(lookup)), ""),
        ("regex `fracture.*femur` over every description",
         _ms(statistics.median(regex)), ""),
        (f"descendants p50 ({len(tops)} chapters and blocks)",
         _ms(statistics.median(descend)), ""),
    ]
    lines = ["## ICD-10-CM (demo terminology)", "",
             f"Store: {counts[0]:,} codes, {counts[1]:,} descriptions, from the CDC tabular "
             "XML in `simple-icd-10-cm` (`benchmarks/bench_icd10cm.py`).", "",
             "| shape | median | target |", "|---|---:|---|"]
    lines += [f"| {a} | {b} | {c} |" for a, b, c in rows]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(main([]))
