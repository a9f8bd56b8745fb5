"""A bad release gives an error naming the file and line, and never touches the
previous store."""

from __future__ import annotations

import hashlib
import shutil
import zipfile

import pytest

from codelists.errors import ImportFailedError
from codelists.terminology.snomedct.importer import import_release
from tests.plugins.snomed import uk_clinical_zip

CONCEPT = "Snapshot/Terminology/sct2_Concept_Snapshot_INT_20250101.txt"
DESCRIPTION = "Snapshot/Terminology/sct2_Description_Snapshot-en_INT_20250101.txt"


@pytest.fixture
def release(tmp_path, snomed_small_release):
    """A writable copy of the small release."""
    return shutil.copytree(snomed_small_release, tmp_path / "release")


def append(path, line):
    with open(path, "a", encoding="utf-8", newline="") as fh:
        fh.write(line + "\r\n")


def lines(path):
    return path.read_text(encoding="utf-8").count("\n")


def test_malformed_id_names_file_and_line(release, tmp_path):
    path = release / CONCEPT
    append(path, "12x45\t20250101\t1\t900000000000207008\t900000000000074008")
    with pytest.raises(ImportFailedError) as caught:
        import_release(release, tmp_path / "out.db")
    assert caught.value.path.endswith("sct2_Concept_Snapshot_INT_20250101.txt")
    assert caught.value.line == lines(path)
    assert "malformed row" in caught.value.message


def test_wrong_column_count_names_file_and_line(release, tmp_path):
    path = release / DESCRIPTION
    text = path.read_bytes().decode("utf-8").split("\r\n")
    text[3] = text[3].rsplit("\t", 1)[0]  # drop the last column of line 4
    path.write_text("\r\n".join(text), encoding="utf-8", newline="")
    with pytest.raises(ImportFailedError) as caught:
        import_release(release, tmp_path / "out.db")
    assert caught.value.line == 4
    assert "expected 9 tab-separated columns, found 8" in caught.value.message
    assert "sct2_Description_Snapshot" in str(caught.value)


def test_wrong_header_is_line_one(release, tmp_path):
    path = release / CONCEPT
    body = path.read_bytes().decode("utf-8").split("\r\n", 1)[1]
    path.write_text("code\tterm\r\n" + body, encoding="utf-8", newline="")
    with pytest.raises(ImportFailedError) as caught:
        import_release(release, tmp_path / "out.db")
    assert caught.value.line == 1
    assert "unexpected header" in caught.value.message


def test_missing_core_files(release, tmp_path):
    (release / DESCRIPTION).unlink()
    (release / "Snapshot/Terminology/sct2_Relationship_Snapshot_INT_20250101.txt").unlink()
    with pytest.raises(ImportFailedError) as caught:
        import_release(release, tmp_path / "out.db")
    assert "sct2_Description_*" in caught.value.message
    assert "sct2_Relationship_*" in caught.value.message


def test_a_wrong_file(tmp_path):
    wrong = tmp_path / "codes.csv"
    wrong.write_text("code,term\n123,x\n")
    with pytest.raises(ImportFailedError) as caught:
        import_release(wrong, tmp_path / "out.db")
    assert caught.value.path == str(wrong)
    assert "not a zip file" in caught.value.message


def test_a_folder_without_rf2_files(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(ImportFailedError, match="missing core files"):
        import_release(tmp_path / "empty", tmp_path / "out.db")


def test_a_truncated_zip(shared, tmp_path):
    data = uk_clinical_zip(shared).read_bytes()
    cut = tmp_path / "cut.zip"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(ImportFailedError) as caught:
        import_release(cut, tmp_path / "out.db")
    assert caught.value.path == str(cut)


def test_a_damaged_member_names_the_member(tmp_path, snomed_small_release):
    archive = tmp_path / "release.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(snomed_small_release.rglob("*.txt")):
            zf.write(path, path.relative_to(snomed_small_release).as_posix())
    with zipfile.ZipFile(archive) as zf:
        info = zf.getinfo(DESCRIPTION)
    raw = bytearray(archive.read_bytes())
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    for i in range(start + 40, start + 60):
        raw[i] ^= 0xFF
    archive.write_bytes(bytes(raw))
    with pytest.raises(ImportFailedError) as caught:
        import_release(archive, tmp_path / "out.db")
    assert caught.value.path.endswith("!" + DESCRIPTION)


def test_a_failed_import_leaves_the_previous_store_untouched(release, tmp_path,
                                                             snomed_small_release):
    dest = tmp_path / "stores" / "snomed.db"
    import_release(snomed_small_release, dest)
    before = hashlib.sha256(dest.read_bytes()).hexdigest()
    append(release / CONCEPT, "not\ta\tconcept\trow\tat all")
    with pytest.raises(ImportFailedError):
        import_release(release, dest)
    assert hashlib.sha256(dest.read_bytes()).hexdigest() == before
    assert sorted(p.name for p in dest.parent.iterdir()) == ["snomed.db"]


def test_only_delta_files(tmp_path, snomed_small_release):
    delta = tmp_path / "delta"
    for path in snomed_small_release.rglob("*.txt"):
        target = delta / path.relative_to(snomed_small_release).as_posix().replace(
            "Snapshot", "Delta")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, target)
    with pytest.raises(ImportFailedError, match="only Delta files"):
        import_release(delta, tmp_path / "out.db")
