"""Edition layouts: a UK Clinical Edition zip of Snapshot packages, UK Drug and Monolith
folder names, and an interrupted import."""

from __future__ import annotations

import hashlib
import zipfile

import pytest

from codelists.terminology.snomedct.importer import import_release
from codelists.terminology.snomedct.terminology import SnomedTerminology
from codelists.terminology.store import read_metadata

INT = "SnomedCT_InternationalRF2_PRODUCTION_20250101T120000Z"
UKCL = "SnomedCT_UKClinicalRF2_PRODUCTION_20250301T000001Z"
UK_CONCEPT = 1003002  # made up, valid (see benchmarks.synthetic_rf2.sctid)
UK_MODULE = 999000011000000103
COMMON = "id\teffectiveTime\tactive\tmoduleId\trefsetId\treferencedComponentId"


def uk_package() -> dict[str, str]:
    t = "Snapshot/Terminology"
    return {
        f"{t}/sct2_Concept_UKCLSnapshot_GB1000000_20250301.txt":
            "id\teffectiveTime\tactive\tmoduleId\tdefinitionStatusId\r\n"
            f"{UK_CONCEPT}\t20250301\t1\t{UK_MODULE}\t900000000000074008\r\n"
            # a newer row for an International concept wins; an older one does not
            f"3723001\t20250301\t1\t{UK_MODULE}\t900000000000073002\r\n"
            f"69896004\t20000101\t0\t{UK_MODULE}\t900000000000074008\r\n",
        f"{t}/sct2_Description_UKCLSnapshot-en_GB1000000_20250301.txt":
            "id\teffectiveTime\tactive\tmoduleId\tconceptId\tlanguageCode\ttypeId\tterm\t"
            "caseSignificanceId\r\n"
            f"9001019\t20250301\t1\t{UK_MODULE}\t{UK_CONCEPT}\ten\t900000000000003001\t"
            "Arthritis of knuckle (disorder)\t900000000000448009\r\n"
            f"9002014\t20250301\t1\t{UK_MODULE}\t{UK_CONCEPT}\ten\t900000000000013009\t"
            "Knuckle arthritis\t900000000000448009\r\n",
        f"{t}/sct2_Relationship_UKCLSnapshot_GB1000000_20250301.txt":
            "id\teffectiveTime\tactive\tmoduleId\tsourceId\tdestinationId\trelationshipGroup\t"
            "typeId\tcharacteristicTypeId\tmodifierId\r\n"
            f"9003028\t20250301\t1\t{UK_MODULE}\t{UK_CONCEPT}\t3723001\t0\t116680003\t"
            "900000000000011006\t900000000000451002\r\n",
        "Snapshot/Refset/Language/der2_cRefset_LanguageUKCLSnapshot-en_GB1000000_20250301.txt":
            f"{COMMON}\tacceptabilityId\r\n"
            f"a1\t20250301\t1\t{UK_MODULE}\t999001261000000100\t9002014\t900000000000548007\r\n",
    }


@pytest.fixture(scope="module")
def uk_zip(tmp_path_factory, snomed_small_release):
    path = tmp_path_factory.mktemp("uk") / "uk_sct2cl_40.0.0_20250301000001Z.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for file in sorted(snomed_small_release.rglob("*.txt")):
            zf.write(file, f"{INT}/{file.relative_to(snomed_small_release).as_posix()}")
        for name, text in uk_package().items():
            zf.writestr(f"{UKCL}/{name}", text)
    return path


def test_uk_clinical_snapshot_zip_with_two_packages(uk_zip, tmp_path):
    store = import_release(uk_zip, tmp_path / "uk.db")
    meta = read_metadata(store)
    assert (meta.edition, meta.release_date, meta.extra["release_type"]) == (
        "uk-clinical", "20250301", "Snapshot")
    with SnomedTerminology.open(store) as t:
        assert t.parents(str(UK_CONCEPT)) == ["3723001"]
        assert str(UK_CONCEPT) in t.descendants("404684003")
        assert t.lookup(str(UK_CONCEPT)).term == "Knuckle arthritis"  # UK clinical refset
        assert t.preferred_term(str(UK_CONCEPT), "en-US") == "Arthritis of knuckle"
        assert t.lookup("3723001").term == "Arthritis"  # International content intact
        rows = dict(t.conn.execute("SELECT id, module_id FROM concepts WHERE id IN "
                                   "(3723001, 69896004)").fetchall())
        assert rows == {3723001: UK_MODULE, 69896004: 900000000000207008}
        assert t.lookup("69896004").active


@pytest.mark.parametrize("package, edition", [
    ("SnomedCT_UKDrugRF2_PRODUCTION_20250301T000001Z", "uk-drug"),
    ("SnomedCT_MonolithRF2_PRODUCTION_20250301T000001Z", "uk-monolith"),
])
def test_uk_edition_names_from_package_folders(tmp_path, snomed_small_release, package,
                                               edition):
    import shutil

    shutil.copytree(snomed_small_release, tmp_path / "rel" / package)
    store = import_release(tmp_path / "rel")
    assert store.name == f"snomedct-{edition}-20250301.db"
    assert read_metadata(store).edition == edition


def test_an_interrupted_import_leaves_nothing_behind(tmp_path, snomed_small_release):
    dest = tmp_path / "stores" / "s.db"
    import_release(snomed_small_release, dest)
    before = hashlib.sha256(dest.read_bytes()).hexdigest()

    def interrupt(event):
        if event.stage == "closure":
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        import_release(snomed_small_release, dest, progress=interrupt)
    assert hashlib.sha256(dest.read_bytes()).hexdigest() == before
    assert [p.name for p in dest.parent.iterdir()] == ["s.db"]
