"""Every command finds stores one way, for every coding system and every name of it."""

import sqlite3
from pathlib import Path

import pytest

from codelists.codelist.systems import SYSTEMS
from codelists.errors import StoreNotFoundError
from codelists.terminology.locate import data_dir, locate_store, system_id


def fake_store(path: Path, system: str) -> Path:
    """A file with a store's metadata table (what locate reads), nothing else."""
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE metadata (key TEXT PRIMARY KEY, value TEXT)")
    conn.executemany("INSERT INTO metadata VALUES (?, ?)",
                     [("terminology", system), ("release_date", "2024-01-01")])
    conn.commit()
    conn.close()
    return path


def names(system) -> list[str]:
    return [system.id, system.name, system.name.upper(), *system.aliases]


@pytest.mark.parametrize("system", sorted(SYSTEMS), ids=str)
def test_every_name_of_every_system_finds_its_installed_store(system):
    stores = {s: fake_store(data_dir() / f"{s}.db", s) for s in SYSTEMS}
    for name in names(SYSTEMS[system]):
        assert system_id(name) == system
        assert locate_store(terminology=name) == stores[system], name


@pytest.mark.parametrize("system", sorted(SYSTEMS), ids=str)
def test_project_config_keys_may_use_any_name(system, tmp_path):
    store = fake_store(tmp_path / "stores" / "x.db", system)
    (tmp_path / "codelists.toml").write_text(
        f'[stores]\n"{SYSTEMS[system].name}" = "stores/x.db"\n', encoding="utf-8")
    assert locate_store(terminology=system, start=tmp_path) == store.resolve()


def test_codelists_db_of_another_system_is_passed_over(monkeypatch):
    snomed = fake_store(data_dir() / "snomed.db", "snomedct")
    medcode = fake_store(data_dir() / "medcode.db", "cprd_medcode")
    monkeypatch.setenv("CODELISTS_DB", str(snomed))
    assert locate_store(terminology="CPRD medcode") == medcode
    assert locate_store(terminology="snomedct") == snomed
    assert locate_store() == snomed


def test_a_missing_system_names_what_was_looked_for():
    fake_store(data_dir() / "snomed.db", "snomedct")
    with pytest.raises(StoreNotFoundError, match="no cprd_medcode terminology store"):
        locate_store(terminology="CPRD medcode")


def test_an_unknown_name_is_kept_as_given():
    assert system_id("my-local-dictionary") == "my-local-dictionary"
    assert system_id(None) is None


def test_the_text_of_the_located_store_is_the_located_path(monkeypatch, tmp_path):
    """locate_store_text (the command line's, without pathlib) answers as locate_store
    does, by every rule of the precedence: --db, CODELISTS_DB, codelists.toml, data dir."""
    from codelists.terminology.locate import locate_store_text

    def same(*args, **kwargs) -> str:
        text = locate_store_text(*args, **kwargs)
        assert isinstance(text, str) and Path(text) == locate_store(*args, **kwargs)
        return text

    assert same("x/y.db") == "x/y.db"
    snomed = fake_store(data_dir() / "snomed.db", "snomedct")
    medcode = fake_store(data_dir() / "medcode.db", "cprd_medcode")
    assert same(terminology="medcode") == str(medcode)  # the data directory
    monkeypatch.setenv("CODELISTS_DB", str(snomed))
    assert same(terminology="snomedct") == str(snomed)
    assert same(terminology="CPRD medcode") == str(medcode)  # passed over
    monkeypatch.delenv("CODELISTS_DB")
    project = fake_store(tmp_path / "stores" / "p.db", "snomedct")
    (tmp_path / "codelists.toml").write_text('[stores]\nsnomedct = "stores/p.db"\n',
                                             encoding="utf-8")
    assert same(terminology="SNOMED CT", start=tmp_path) == str(project.resolve())
    with pytest.raises(StoreNotFoundError, match="no icd10 terminology store"):
        locate_store_text(terminology="icd10")
