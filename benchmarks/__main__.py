"""`make bench`: run every benchmark module and assemble benchmarks/README.md.

Each area has ``benchmarks/bench_<area>.py`` with ``main(argv: list[str]) -> str``: it runs
its named shapes (generating synthetic data under benchmarks/data/ when missing) and
returns a Markdown section, which is also written to ``benchmarks/results/<area>.md``.
``python -m benchmarks AREA ...`` runs only those areas; the README is re-assembled from
every results file either way.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
HEADER = """# Benchmarks

Figures measured on the development machine (2 cores, 24 GB), medians unless stated.
Regenerate with `make bench` (all areas) or `.venv/bin/python -m benchmarks AREA`.
Benchmarks are not tests: nothing here asserts a time.

"""


def areas() -> list[str]:
    return sorted(p.stem.removeprefix("bench_") for p in HERE.glob("bench_*.py"))


def assemble() -> None:
    parts = [HEADER]
    for result in sorted((HERE / "results").glob("*.md")):
        parts.append(result.read_text(encoding="utf-8").rstrip() + "\n\n")
    (HERE / "README.md").write_text("".join(parts), encoding="utf-8")


def main(argv: list[str]) -> int:
    chosen = argv or areas()
    (HERE / "results").mkdir(exist_ok=True)
    for area in chosen:
        module = importlib.import_module(f"benchmarks.bench_{area}")
        section = module.main([])
        (HERE / "results" / f"{area}.md").write_text(section.rstrip() + "\n", encoding="utf-8")
    assemble()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
