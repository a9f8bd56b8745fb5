"""Pytest fixtures for the terminologies area (loaded from tests/conftest.py).

Stores are built once per session from real releases (or our synthetic ones under
tests/data/) into a temporary folder; tests open them read-only.
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
