"""Opening stores: schema version checks, locating stores."""

from __future__ import annotations

import shutil
import sqlite3

import pytest

from codelists.errors import StoreNotFoundError, StoreSchemaError
from codelists.terminology.locate import list_stores, locate_store
from codelists.terminology.snomedct.importer import import_release
from codelists.terminology.snomedct.terminology import SnomedTerminology
from codelists.terminology.store import Store


def test_an_incompatible_schema_version_is_a_clear_error(snomed_small_store, tmp_path):
    copy = shutil.copy(snomed_small_store, tmp_path / "old.db")
    conn = sqlite3.connect(copy)
    conn.execute("UPDATE metadata SET value = '0' WHERE key = 'schema_version'")
    conn.commit()
    conn.close()
    with pytest.raises(StoreSchemaError, match="schema version 0"):
        SnomedTerminology.open(copy)


def test_not_a_store(tmp_path):
    bogus = tmp_path / "bogus.db"
    bogus.write_bytes(b"hello")
    with pytest.raises(StoreSchemaError):
        Store.open(bogus)
    with pytest.raises(StoreNotFoundError):
        Store.open(tmp_path / "missing.db")


def test_stores_are_read_only(snomed_small_store):
    with SnomedTerminology.open(snomed_small_store) as t, pytest.raises(sqlite3.Error):
        t.conn.execute("DELETE FROM concepts")


def test_default_destination_is_the_data_directory(snomed_small_release, tmp_path,
                                                   monkeypatch):
    monkeypatch.setenv("CODELISTS_DATA_DIR", str(tmp_path / "data"))
    store = import_release(snomed_small_release)
    assert store == tmp_path / "data" / "snomedct-international-20250101.db"
    assert [s.path for s in list_stores()] == [store]
    assert locate_store(terminology="snomedct") == store
    monkeypatch.setenv("CODELISTS_DB", "/elsewhere.db")
    assert str(locate_store()) == "/elsewhere.db"


def test_project_config_names_the_store(tmp_path, snomed_small_store, monkeypatch):
    project = tmp_path / "project"
    (project / "sub").mkdir(parents=True)
    (project / "codelists.toml").write_text(
        f'[stores]\nsnomedct = "{snomed_small_store}"\ndefault = "snomedct"\n')
    assert locate_store(start=project / "sub") == snomed_small_store
    assert locate_store(terminology="snomedct", start=project) == snomed_small_store
    assert locate_store("explicit.db", start=project).name == "explicit.db"
