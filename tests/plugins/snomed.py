"""Pytest fixtures for the SNOMED CT area (loaded from tests/conftest.py).

Session-scoped stores built once per test run from real and hand-written releases:

- ``snomed_elbow_store``: the tennis-elbow slice (../shared/data/terminologies/
  snomedct-tennis-elbow-rf2), Snapshot files without a language refset.
- ``snomed_tennis_merged_store``: the tennis-elbow and tennis-toe slices merged into one
  later release (dated 20201015) that adds Tennis toe and its ancestors: a successor of
  the elbow store, for `codelist update`.
- ``snomed_uk_store``: the UK Clinical Edition zip of the opencodelists fixtures
  (three packages, Full files only).
- ``snomed_small_store``: tests/data/snomed-small (see its README for the tree):
  polyhierarchy, inactive concepts with history, role groups, concrete values, GB/US
  preferred terms, simple/attribute-value/association refsets, a simple map and both
  extended-map headers.

Each fixture is the Path of a built store; open it with
``SnomedTerminology.open(path)`` or ``codelists.terminology.registry.open_terminology``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from codelists.terminology.snomedct.importer import import_release

SMALL = Path(__file__).resolve().parent.parent / "data" / "snomed-small"


def elbow_release(shared: Path) -> Path:
    return shared / "data" / "terminologies" / "snomedct-tennis-elbow-rf2"


def uk_clinical_zip(shared: Path) -> Path:
    return (shared / "data" / "terminologies" / "opencodelists-fixtures" / "coding_systems"
            / "snomedct" / "fixtures" / "import_resources"
            / "uk_sct2cl_2.0.0_20230101000001Z.zip")


def elbow_csv(shared: Path, name: str = "disorder-of-elbow") -> Path:
    return (shared / "data" / "terminologies" / "opencodelists-fixtures" / "coding_systems"
            / "snomedct" / "fixtures" / f"{name}.csv")


@pytest.fixture(scope="session")
def snomed_elbow_store(shared, tmp_path_factory) -> Path:
    """A store built from the tennis-elbow RF2 slice."""
    return import_release(elbow_release(shared),
                          tmp_path_factory.mktemp("snomed-elbow") / "elbow.db")


@pytest.fixture(scope="session")
def snomed_uk_store(shared, tmp_path_factory) -> Path:
    """A store built from the real UK Clinical Edition zip (Full files, 3 packages)."""
    return import_release(uk_clinical_zip(shared),
                          tmp_path_factory.mktemp("snomed-uk") / "uk.db")


@pytest.fixture(scope="session")
def snomed_small_release() -> Path:
    return SMALL


@pytest.fixture(scope="session")
def snomed_small_store(tmp_path_factory) -> Path:
    """A store built from the hand-written release in tests/data/snomed-small."""
    return import_release(SMALL, tmp_path_factory.mktemp("snomed-small") / "small.db")


def merge_tennis_slices(shared: Path, out: Path, date: str = "20201015") -> Path:
    """The two RF2 slices as one Snapshot release (rows de-duplicated by id)."""
    folder = out / "Snapshot" / "Terminology"
    folder.mkdir(parents=True)
    sources = [shared / "data" / "terminologies" / f"snomedct-tennis-{n}-rf2" / "Snapshot"
               / "Terminology" for n in ("elbow", "toe")]
    for first in sorted(sources[0].iterdir()):
        rows: dict[str, str] = {}
        header = ""
        for source in sources:
            lines = (source / first.name).read_text(encoding="utf-8").splitlines()
            header = lines[0]
            for line in lines[1:]:
                rows.setdefault(line.split("\t", 1)[0], line)
        name = first.name.replace("20200415", date)
        (folder / name).write_text("\n".join([header, *rows.values()]) + "\n",
                                   encoding="utf-8")
    return out


@pytest.fixture(scope="session")
def snomed_tennis_merged_store(shared, tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("snomed-merged")
    return import_release(merge_tennis_slices(shared, tmp / "rf2"), tmp / "merged.db")
