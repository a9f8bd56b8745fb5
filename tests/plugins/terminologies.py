"""Pytest fixtures for the terminologies area (loaded from tests/conftest.py).

Stores are built once per session from real releases (or our synthetic ones under
tests/data/) into a temporary folder; tests open them read-only with
``codelists.terminology.registry.open_terminology(path)``:

- ``icd10cm_store`` (and ``icd10cm``, opened): the full ICD-10-CM release (~6-15 s);
- ``icd10_store``: WHO ICD-10 ClaML parser examples; ``ctv3_store``: the CTV3 excerpt;
  ``dmd_store``: dm+d 1.0.0 excerpt (``dmd_release_stores``: all three releases);
  ``readv2_store`` and ``opcs4_store``: our synthetic
  releases.
"""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def icd10cm_store(tmp_path_factory) -> Path:
    """The real ICD-10-CM release shipped in the simple-icd-10-cm package, imported."""
    from codelists.terminology.icd10cm.importer import import_release

    return import_release(None, tmp_path_factory.mktemp("icd10cm") / "icd10cm.db")


@pytest.fixture(scope="session")
def icd10cm(icd10cm_store):
    """The ICD-10-CM store opened as a Terminology."""
    from codelists.terminology.registry import open_terminology

    terminology = open_terminology(icd10cm_store)
    yield terminology
    terminology.close()


_FIXTURES = ("data", "terminologies", "opencodelists-fixtures", "coding_systems")


@pytest.fixture(scope="session")
def icd10_store(shared, tmp_path_factory) -> Path:
    """WHO ICD-10 ClaML parser examples (real excerpts: chapters II, blocks, modifiers)."""
    from codelists.terminology.icd10.importer import import_release

    source = shared.joinpath(*_FIXTURES, "icd10", "fixtures", "claml", "parser_examples.xml")
    return import_release(source, tmp_path_factory.mktemp("icd10") / "icd10.db")


@pytest.fixture(scope="session")
def ctv3_store(shared, tmp_path_factory) -> Path:
    """The real CTV3 release excerpt (asthma branch, one extinct code)."""
    from codelists.terminology.ctv3.importer import import_release

    source = shared.joinpath(*_FIXTURES, "ctv3", "fixtures", "import_resources",
                             "nhs_readctv3_25.0.0_20180401000001.zip")
    return import_release(source, tmp_path_factory.mktemp("ctv3") / "ctv3.db")


@pytest.fixture(scope="session")
def dmd_release_stores(shared, tmp_path_factory) -> dict[str, Path]:
    """The three real dm+d release excerpts, by version: 1.0.0 names 320139002 as the
    previous id of VMP 39113611000001102; 1.1.0 is 1.0.0 with its lookup file twice;
    1.2.0 no longer names the previous id."""
    from codelists.terminology.dmd.importer import import_release

    folder = shared.joinpath(*_FIXTURES, "dmd", "fixtures", "import_resources")
    tmp = tmp_path_factory.mktemp("dmd")
    return {v: import_release(folder / f"nhsbsa_dmd_{v}_20221001000001.zip", tmp / f"{v}.db")
            for v in ("1.0.0", "1.1.0", "1.2.0")}


@pytest.fixture(scope="session")
def dmd_store(dmd_release_stores) -> Path:
    """The real dm+d 1.0.0 release excerpt (salbutamol VTM, VMP, AMP, VMPP, AMPP)."""
    return dmd_release_stores["1.0.0"]


@pytest.fixture(scope="session")
def readv2_store(test_data, tmp_path_factory) -> Path:
    """The synthetic Read v2 release in tests/data/readv2-nhs-synthetic (with SNOMED maps)."""
    from codelists.terminology.readv2.importer import import_release

    return import_release(test_data / "readv2-nhs-synthetic",
                          tmp_path_factory.mktemp("readv2") / "readv2.db")


@pytest.fixture(scope="session")
def opcs4_store(test_data, tmp_path_factory) -> Path:
    """The synthetic OPCS-4 release in tests/data/opcs4-synthetic."""
    from codelists.terminology.opcs4.importer import import_release

    return import_release(test_data / "opcs4-synthetic",
                          tmp_path_factory.mktemp("opcs4") / "opcs4.db")
