"""Pytest fixtures for the ECL area (loaded from tests/conftest.py).

- ``ecl_examples``: every official example under ../shared/ecl/examples, as (name, text).
- ``ecl_small``: (Store, Substrate) over tests/data/snomed-small: the store built by the
  SNOMED importer (fixture ``snomed_small_store``) and the reference evaluator's substrate
  read straight from the RF2 files, so both evaluators can be compared on it.
"""

from __future__ import annotations

from pathlib import Path

import pytest


def example_files(shared: Path) -> list[Path]:
    return sorted((shared / "ecl" / "examples").glob("*/*.txt"))


@pytest.fixture(scope="session")
def ecl_examples(shared) -> list[tuple[str, str]]:
    files = example_files(shared)
    assert len(files) > 90, "the official ECL examples are missing"
    return [(f.name, f.read_text(encoding="utf-8")) for f in files]


@pytest.fixture(scope="session")
def ecl_small(snomed_small_store, snomed_small_release):
    from codelists.ecl import Substrate
    from codelists.terminology.store import Store

    store = Store.open(snomed_small_store)
    yield store, Substrate.from_rf2(snomed_small_release)
    store.close()
