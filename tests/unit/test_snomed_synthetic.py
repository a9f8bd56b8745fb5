"""The synthetic RF2 generator writes valid, deterministic releases."""

from __future__ import annotations

from benchmarks.synthetic_rf2 import Generator, is_valid_sctid, sctid, verhoeff_check


def test_verhoeff_against_real_sctids():
    for real in (138875005, 404684003, 195967001, 999001261000000100, 900000000000508004):
        assert is_valid_sctid(real)
    assert not is_valid_sctid(195967002)
    assert verhoeff_check("236") == 3


def test_generated_ids_are_valid():
    assert all(is_valid_sctid(sctid(n, p)) for n in range(100, 400) for p in ("00", "01", "02"))


def test_small_generation_is_deterministic_and_well_formed(tmp_path):
    first, second = Generator(800), Generator(800)
    first.build()
    second.build()
    assert first.concepts == second.concepts
    assert len(first.concepts) == 800
    first.write(tmp_path / "a")
    second.write(tmp_path / "b")
    for path in (tmp_path / "a").rglob("*.txt"):
        twin = tmp_path / "b" / path.relative_to(tmp_path / "a")
        assert path.read_bytes() == twin.read_bytes()
    ids = [cid for cid, *_ in first.concepts]
    assert len(set(ids)) == len(ids) and all(is_valid_sctid(i) for i in ids)


def test_a_generated_release_imports(tmp_path):
    from codelists.terminology.snomedct.importer import import_release
    from codelists.terminology.snomedct.terminology import SnomedTerminology

    generator = Generator(600)
    generator.build()
    generator.write(tmp_path / "rel")
    store = import_release(tmp_path / "rel", tmp_path / "syn.db")
    with SnomedTerminology.open(store) as t:
        assert len(t.children("138875005")) == 19
        assert t.count_descendants("138875005") > 450
        assert t.conn.execute("SELECT count(*) FROM refset_extended_map").fetchone()[0] > 0
        assert t.conn.execute("SELECT count(*) FROM concrete_values").fetchone()[0] > 0
