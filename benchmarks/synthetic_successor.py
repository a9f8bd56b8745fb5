"""Release N+1 of a synthetic SNOMED CT release (benchmarks/synthetic_rf2.py).

    from benchmarks.synthetic_successor import ensure_successor
    path = ensure_successor("370k")   # benchmarks/data/synthetic-rf2-370k-successor/

:func:`evolve` changes a built :class:`~benchmarks.synthetic_rf2.Generator` the way a
real release changes the last one, and returns what it did (an :class:`Evolution`) so
tests can check a store's answers against it:

- **retired**: active leaf concepts made inactive, each with an inactivation reason and
  one or two historical associations (REPLACED BY, SAME AS, POSSIBLY EQUIVALENT TO) to
  active concepts of the same hierarchy;
- **added**: new concepts under active parents, with new valid SCTIDs;
- **moved**: concepts whose primary parent changes to another concept of the same
  hierarchy (always one created earlier, so the hierarchy stays acyclic);
- **renamed**: concepts whose preferred term (and FSN) changes site (``... of elbow`` ->
  ``... of knee``), the only kind of rename that leaves every other concept's
  descriptions, and their ids, as they were.

Everything else is written as in release N, with the new release date.  The same size
always gives the same files.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.synthetic_rf2 import (
    ASSOCIATIONS,
    DATA,
    REASONS,
    SITES,
    SIZES,
    Generator,
)

NEXT_DATE = "20250401"


@dataclass
class Evolution:
    """What :func:`evolve` changed, by concept id."""

    retired: dict[int, tuple[int, list[tuple[int, int]]]] = field(default_factory=dict)
    added: dict[int, list[int]] = field(default_factory=dict)
    moved: dict[int, tuple[list[int], list[int]]] = field(default_factory=dict)
    renamed: dict[int, tuple[str, str]] = field(default_factory=dict)


def _renamed(term: str, rng: random.Random) -> str | None:
    for site in SITES:
        marker = f" of {site}"
        if term.endswith(marker):
            other = rng.choice([s for s in SITES if s != site])
            return term[: -len(marker)] + f" of {other}"
    return None


def evolve(gen: Generator, *, share: float = 0.005, seed: int = 20250401,
           date: str = NEXT_DATE) -> Evolution:
    """Turn ``gen`` (built) into release N+1; ``share`` of the concepts change each way."""
    rng = random.Random(seed)
    evolution = Evolution()
    count = max(1, int(gen.size * share))
    position = {c[0]: n for n, c in enumerate(gen.concepts)}
    has_children = {p for ps in gen.parents.values() for p in ps}
    candidates = [n for n in range(gen.fixed, len(gen.concepts)) if n not in gen.inactive]
    leaves = [n for n in candidates if gen.concepts[n][0] not in has_children]

    retired = set(rng.sample(leaves, min(count, len(leaves))))
    usable = [n for n in candidates if n not in retired]
    usable_in = {}
    for n in usable:
        usable_in.setdefault(gen.concepts[n][4], []).append(n)
    for n in sorted(retired):
        pool = usable_in.get(gen.concepts[n][4]) or usable
        targets = [(rng.choice(ASSOCIATIONS), gen.concepts[rng.choice(pool)][0])
                   for _ in range(1 + (rng.random() < 0.2))]
        gen.retired[n] = (rng.choice(REASONS), targets)
        evolution.retired[gen.concepts[n][0]] = gen.retired[n]

    free = [n for n in usable if n not in retired]
    for n in rng.sample(free, min(count, len(free))):
        cid, active, term, tag, top = gen.concepts[n]
        new_term = _renamed(term, rng)
        if new_term is not None:
            gen.concepts[n] = (cid, active, new_term, tag, top)
            evolution.renamed[cid] = (term, new_term)

    for n in rng.sample(free, min(count, len(free))):
        cid, top = gen.concepts[n][0], gen.concepts[n][4]
        old = gen.parents.get(cid, [])
        earlier = [m for m in usable_in.get(top, []) if m < n
                   and gen.concepts[m][0] not in old and m not in retired]
        if not old or not earlier or cid in evolution.renamed:
            continue
        new_parent = gen.concepts[rng.choice(earlier)][0]
        gen.parents[cid] = [new_parent, *old[1:]]
        evolution.moved[cid] = (list(old), list(gen.parents[cid]))

    for _ in range(count):
        parent_n = rng.choice(free)
        _pid, _a, _t, tag, top = gen.concepts[parent_n]
        cid = gen.concept_ids.next()
        gen.parents[cid] = [gen.concepts[parent_n][0]]
        gen.concepts.append((cid, 1, gen._term(tag), tag, top))
        gen.by_hierarchy[top].append(cid)
        position[cid] = len(gen.concepts) - 1
        evolution.added[cid] = list(gen.parents[cid])

    gen.date = date
    gen.package = f"SnomedCT_SyntheticRF2_PRODUCTION_{date}T120000Z"
    return evolution


def successor(size: int, **options) -> tuple[Generator, Evolution]:
    """The generator of release N+1 for ``size`` concepts, and what changed."""
    gen = Generator(size)
    gen.build()
    return gen, evolve(gen, **options)


def write_successor(size_name: str, out: Path) -> Path:
    """Write release N+1 of ``size_name`` into ``out`` (replacing what is there)."""
    if size_name not in SIZES:
        raise ValueError(f"unknown size {size_name!r}; choose one of {', '.join(SIZES)}")
    tmp = out.with_name(out.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    gen, evolution = successor(SIZES[size_name])
    gen.write(tmp)
    (tmp / ".complete").write_text(
        f"{len(gen.concepts)} concepts; retired {len(evolution.retired)}, added "
        f"{len(evolution.added)}, moved {len(evolution.moved)}, renamed "
        f"{len(evolution.renamed)}\n")
    shutil.rmtree(out, ignore_errors=True)
    os.replace(tmp, out)
    return out


def ensure_successor(size_name: str) -> Path:
    out = DATA / f"synthetic-rf2-{size_name}-successor"
    if not (out / ".complete").is_file():
        write_successor(size_name, out)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("size", choices=sorted(SIZES))
    parser.add_argument("--out", type=Path, help="folder to write (default benchmarks/data/)")
    args = parser.parse_args(argv)
    path = write_successor(args.size, args.out) if args.out else ensure_successor(args.size)
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
