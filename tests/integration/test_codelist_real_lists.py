"""Every real codelist in ../shared/data/codelists imports, and exports back to the same
set of codes with nothing lost (terms and extra columns included)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from codelists.codelist.fileformat import dumps, parse
from codelists.formats import export, import_file
from codelists.formats.table import to_codelist, untag_value
from codelists.terminology.normalise import normalise_codes
from tests.conftest import SHARED as SHARED_ROOT

SHARED = SHARED_ROOT / "data" / "codelists"  # CODELISTS_SHARED, as the `shared` fixture


def real_files(shared_root: Path) -> list[Path]:
    files = sorted(shared_root.glob("opensafely-*/codelists/*.csv"))
    files += sorted(shared_root.glob("caliber-chronological-map/*_care/*.csv"))
    return files


def _ids(paths):
    return [f"{p.parent.parent.name if p.parent.name == 'codelists' else 'caliber'}/{p.name}"
            for p in paths]


FILES = real_files(SHARED)


def test_there_are_real_files(shared):
    found = real_files(shared / "data" / "codelists")
    assert len(found) >= 161 + 31 + 77
    assert [p.name for p in found] == [p.name for p in FILES]


def _source_rows(path: Path) -> list[dict[str, str]]:
    text = path.read_bytes().decode("utf-8-sig", errors="replace")
    return list(csv.DictReader(io.StringIO(text, newline="")))


@pytest.mark.parametrize("path", FILES, ids=_ids(FILES))
def test_import_then_export_keeps_every_code(path, tmp_path):
    imported = import_file(path)
    codelist = to_codelist(imported, path=tmp_path / "x.codelist", today="2026-01-01")
    text = dumps(codelist)
    again = parse(text)  # the written .codelist reads back
    assert dumps(again) == text
    expected = set(imported.included())
    assert set(again.active_codes()) == expected
    assert len(expected) >= 1

    # the codes as the source wrote them, normalised, are exactly the codelist's codes
    code_column = _code_column(imported, path)
    source = [r[code_column].strip() for r in _source_rows(path) if r[code_column].strip()]
    normalised = {n.code or n.raw.strip() for n in normalise_codes(imported.system, source)}
    assert normalised == expected

    # exported in the source's format and read back: the same codes and terms
    target = "opencodelists" if "opensafely" in str(path) else "csv"
    out = tmp_path / f"out.{target}.csv"
    out.write_text(export(again, target), encoding="utf-8")
    back = import_file(out, format="opencodelists" if target == "opencodelists" else "delimited",
                       system=imported.system)
    assert set(back.included()) == expected
    terms: dict[str, str] = {}
    for c in imported.codes:
        terms.setdefault(c.code, " ".join(c.term.split()))
    assert {c.code: c.term for c in back.codes} == {c: terms[c] for c in expected}


def _code_column(imported, path: Path) -> str:
    header = next(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig",
                                                        errors="replace"))))
    from codelists.formats import caliber, opencodelists

    if imported.format.startswith("CALIBER"):
        return caliber._code_column([h.strip() for h in header])[0]
    return opencodelists.columns([h.strip() for h in header])[0]


@pytest.mark.parametrize("name", [
    "opensafely-risk-factors-research/codelists/opensafely-asthma-diagnosis.csv",
    "opensafely-post-covid-vaccinated/codelists/opensafely-ethnicity.csv",
    "caliber-chronological-map/primary_care/CPRD_asthma.csv",
])
def test_extra_columns_survive_as_tags(shared, name, tmp_path):
    path = shared / "data" / "codelists" / name
    imported = import_file(path)
    codelist = parse(dumps(to_codelist(imported, today="2026-01-01")))
    with_extra = [c for c in imported.codes if c.extra]
    assert with_extra, "the file has extra columns"
    for item in with_extra[:50]:
        line = codelist.line_for(item.code, "active")
        for key, value in item.extra.items():
            kept = untag_value(line.tags[_key(key)]).split(",")
            assert value.strip() in kept  # duplicates' values are merged


def _key(name: str) -> str:
    from codelists.formats.table import tag_key

    return tag_key(name)


def test_caliber_defects_are_repaired(shared):
    base = shared / "data" / "codelists" / "caliber-chronological-map" / "primary_care"
    asthma = import_file(base / "CPRD_asthma.csv")
    assert "2126200" in asthma.included()  # '2126200.0' in the file
    assert any("2126200.0" in note for note in asthma.notes)
    hypertension = import_file(base / "CPRD_hypertension.csv")
    assert "6627.00" in hypertension.included()  # '6627' in the file
    copd = import_file(base / "CPRD_COPD.csv")
    assert copd.codes[0].extra["medcode"] == "103494"  # '103494.0' in the file
    assert b"\r\n" in (base / "CPRD_COPD.csv").read_bytes()


def test_opencodelists_header_variants_detect_their_system(shared):
    base = shared / "data" / "codelists"
    cases = {
        "opensafely-post-covid-vaccinated/codelists/opensafely-antidiabetic-drugs.csv": "dmd",
        "opensafely-risk-factors-research/codelists/opensafely-asthma-diagnosis.csv": "ctv3",
        "opensafely-post-covid-vaccinated/codelists/user-RochelleKnight-ami_icd10.csv": "icd10",
    }
    for name, system in cases.items():
        assert import_file(base / name).system == system, name
