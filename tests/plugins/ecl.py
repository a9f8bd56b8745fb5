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


#: identifier schemes and rows added to a copy of snomed-small for ``ecl_identifiers``:
#: 900000000000453004 |Identifier scheme| under the model component, 705114005 |LOINC Code
#: System| (synonym "LOINC") under it, and one scheme held only by the Identifier file
#: (1005003 "Local lab codes", synonym "LAB"; not under |Identifier scheme|)
IDENTIFIER_CONCEPTS = [(900000000000453004, 900000000000441003, "Identifier scheme"),
                       (705114005, 900000000000453004, "LOINC Code System"),
                       (1005003, 900000000000441003, "Local lab codes")]
IDENTIFIER_SYNONYMS = [(705114005, "LOINC"), (1005003, "LAB")]
#: (alternateIdentifier, active, scheme, component)
IDENTIFIER_ROWS = [("2345-7", 1, 705114005, 195967001), ("718-7", 1, 705114005, 3723001),
                   ("54486-6", 1, 705114005, 928000), ("9999-9", 0, 705114005, 64572001),
                   ("718-7", 1, 1005003, 69896004)]


@pytest.fixture(scope="session")
def ecl_identifiers(snomed_small_release, tmp_path_factory):
    """(Store, Substrate) over a copy of snomed-small with identifier scheme concepts and
    an Identifier file (IDENTIFIER_ROWS)."""
    import shutil

    from codelists.ecl import Substrate
    from codelists.terminology.snomedct.importer import import_release
    from codelists.terminology.store import Store

    folder = tmp_path_factory.mktemp("snomed-identifiers") / "release"
    shutil.copytree(snomed_small_release, folder)
    term = folder / "Snapshot" / "Terminology"
    core, date = 900000000000207008, 20250101

    def append(name: str, rows) -> None:
        with open(term / name, "a", encoding="utf-8", newline="") as fh:
            fh.writelines("\t".join(map(str, r)) + "\r\n" for r in rows)

    append("sct2_Concept_Snapshot_INT_20250101.txt",
           [(c, date, 1, core, 900000000000074008) for c, _, _ in IDENTIFIER_CONCEPTS])
    terms = [(c, 900000000000003001, f"{t} (core metadata concept)")
             for c, _, t in IDENTIFIER_CONCEPTS]
    terms += [(c, 900000000000013009, t) for c, _, t in IDENTIFIER_CONCEPTS]
    terms += [(c, 900000000000013009, t) for c, t in IDENTIFIER_SYNONYMS]
    append("sct2_Description_Snapshot-en_INT_20250101.txt",
           [(9100000 + 10 * i, date, 1, core, c, "en", kind, text, 900000000000448009)
            for i, (c, kind, text) in enumerate(terms)])
    append("sct2_Relationship_Snapshot_INT_20250101.txt",
           [(9200000 + 10 * i, date, 1, core, c, parent, 0, 116680003, 900000000000011006,
             900000000000451002) for i, (c, parent, _) in enumerate(IDENTIFIER_CONCEPTS)])
    with open(term / "sct2_Identifier_Snapshot_INT_20250101.txt", "w", encoding="utf-8",
              newline="") as fh:
        fh.write("identifierSchemeId\talternateIdentifier\teffectiveTime\tactive\tmoduleId\t"
                 "referencedComponentId\r\n")
        fh.writelines(f"{scheme}\t{code}\t{date}\t{active}\t{core}\t{c}\r\n"
                      for code, active, scheme, c in IDENTIFIER_ROWS)
    store = Store.open(import_release(folder, folder.parent / "identifiers.db"))
    yield store, Substrate.from_rf2(folder)
    store.close()
