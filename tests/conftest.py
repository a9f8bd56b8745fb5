"""Shared test fixtures.

Real public data is read from CODELISTS_SHARED (default ../shared beside the checkout);
it is never copied into the repository.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings as _hypothesis_settings

pytest_plugins = [
    "tests.plugins.snomed",
    "tests.plugins.terminologies",
    "tests.plugins.ecl",
    "tests.plugins.codelist",
    "tests.plugins.method",
    "tests.plugins.suggest",
    "tests.plugins.frequency",
    "tests.plugins.web",
]

# CI explores the same examples on every run (derandomized), so a run's verdict does not
# depend on luck; developers' runs keep exploring new random examples.
_hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    _hypothesis_settings.load_profile("ci")

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("CODELISTS_SHARED", ROOT.parent / "shared")).resolve()
TEST_DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="session")
def shared() -> Path:
    """The shared folder of real public data (fails loudly when absent: CI has it)."""
    assert SHARED.is_dir(), f"CODELISTS_SHARED={SHARED} is not a folder"
    return SHARED


@pytest.fixture(scope="session")
def test_data() -> Path:
    return TEST_DATA


@pytest.fixture(autouse=True)
def _isolated_data_dir(tmp_path_factory, monkeypatch):
    """Never read or write the user's real data directory or config from a test."""
    monkeypatch.setenv("CODELISTS_DATA_DIR", str(tmp_path_factory.mktemp("data-dir")))
    monkeypatch.delenv("CODELISTS_DB", raising=False)
    monkeypatch.delenv("CODELISTS_REGISTRY", raising=False)
