"""A small synthetic CPRD GOLD-style extract with a known answer, shipped with the package
so the frequency tutorial runs in an empty folder: ``breathless.codelist`` (16 made-up
medcodes tagged by uncertainty), ``events.csv`` (``patid,medcode,eventdate``, dates
``DD/MM/YYYY``, some codes damaged as spreadsheets damage them) and ``cohort.csv`` (200
patients with an ``index_date``).  The same files are the test scenario in
tests/data/frequency-scenario (whose README gives the answers)."""

from __future__ import annotations

import shutil
from pathlib import Path

FILES = ("breathless.codelist", "events.csv", "cohort.csv")


def copy_example(folder: str | Path) -> list[Path]:
    """Copy the example files into ``folder`` (created if needed); existing files with the
    same names are left alone and reported by the caller."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    here = Path(__file__).resolve().parent
    written = []
    for name in FILES:
        target = folder / name
        if not target.exists():
            shutil.copyfile(here / name, target)
            written.append(target)
    return written
