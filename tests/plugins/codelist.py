"""Pytest fixtures for the codelist area (loaded from tests/conftest.py).

- ``sct_codelist``: path of an sct-written SNOMED CT codelist (tests/data/codelist-sct).
- ``make_codelist(body, **meta)``: a parsed Codelist with complete front matter (SNOMED CT
  unless ``terminology=`` is given) and the given body lines; ``path=`` names its file.
"""

from __future__ import annotations

from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parent.parent / "data"


@pytest.fixture(scope="session")
def sct_codelist() -> Path:
    return DATA / "codelist-sct" / "asthma-diagnosis.codelist"


@pytest.fixture
def make_codelist():
    from codelists.codelist.fileformat import dumps, parse
    from codelists.codelist.template import new_codelist

    def make(body: str = "", *, path: str | None = None, **meta):
        cl = new_codelist(path or "test.codelist", terminology=meta.pop("terminology",
                                                                       "snomedct"),
                          today="2026-01-01")
        cl.meta.update(meta)
        return parse(dumps(cl) + body, path=path)

    return make
