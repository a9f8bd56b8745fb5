"""The central survey: EVERY real file under ../shared/data/codelists is imported by
`codelist import`'s library path, written as a .codelist, read back and exported as CSV;
the exported code set must equal the set an independent reader computes from the source
file (simple per-collection logic written here, not the importer's), or the file is a
documented refusal of a non-codelist with a message that names what it is.

The independent reader knows each collection the way a researcher does: which column
holds the codes (by the collection's documentation), and the codes' written forms.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest

from codelists.codelist.fileformat import dumps, parse
from codelists.errors import InputFileError, UserError
from codelists.formats import export, import_all
from codelists.formats.table import to_codelist
from tests.conftest import SHARED as SHARED_ROOT

ROOT = SHARED_ROOT / "data" / "codelists"
SKIP_NAMES = {"LICENSE", "LICENSE.md", "README.md"}

#: non-codelists: file -> words the refusal must contain
REFUSED = {
    "caliber-chronological-map/dictionary.csv": "index of codelist files",
    "caliber-chronological-map/phenotype_categories_mapping.csv": "no column holds codes",
    "opensafely-post-covid-vaccinated/codelists/codelists.json": "OpenSAFELY codelists.json",
    "opensafely-post-covid-vaccinated/codelists/codelists.txt": "OpenSAFELY codelists.txt",
    "opensafely-risk-factors-research/codelists/codelists.txt": "OpenSAFELY codelists.txt",
}
#: codelists that need a choice only the user can make: file -> (refusal words, options)
NEEDS_OPTIONS = {
    # consultation-type lookup codes (0 = unknown): no coding system of ours
    "pdc-cprd/CPRD/other/GP_consultations/consultationsG.txt":
        ("fits no one coding system", {"system": "dictionary"}),
    # three sheets; SMI holds EMIS-style Read codes (E110-1) that are no Read v2 code
    "pdc-cprd/HES/admission_causes/HES_admission_causes.xlsx":
        ("3 sheets with data", {"sheet": "SMI", "system": "dictionary", "skip_invalid": True}),
}
#: pdc-cprd: the column a researcher uses as the code (CPRD's own ids)
PDC_COLUMNS = {
    "ALLDIABETESCODES.txt": "medcodeGold", "diabTestsA.txt": "MedCodeId",
    "diabTestsG.txt": "medcode", "anxietyAurum.txt": "medcodeid",
    # the medcode column's first row is a placeholder 0 (no medcode): the Read column is
    # the one whose every cell is a code
    "anxietyGold.txt": "readcode",
    "depressionAurum.txt": "MedCodeId", "depressionGold.txt": "medcode",
    "AurumCharlson.txt": "medcodeid", "AurumElixhauser.txt": "medcodeid",
    "GoldCharlson.txt": "medcode", "GoldElixhauser.txt": "medcode",
    "antidepressants.txt": "productcode", "anxiA.txt": "ProdCodeId", "anxiG.txt": "prodcode",
    "opioidCodesA.txt": "ProdCodeId", "opioidCodesG.txt": "prodcode",
    "zdrugsA.txt": "ProdCodeId", "zdrugsG.txt": "prodcode",
    "consultationsA.txt": "Code", "consultationsG.txt": "Code",
    "antihypertensives_codelist_Gold.dta": "prodcode",
    "statins_codelist_Gold.dta": "prodcode", "HES_admission_causes.xlsx": "Read code",
}
#: pdc-cprd: the term column (None: the file has none)
PDC_TERMS = {
    "ALLDIABETESCODES.txt": "readterm", "diabTestsA.txt": "Term", "diabTestsG.txt": "desc",
    "anxietyAurum.txt": "term", "anxietyGold.txt": "desc", "depressionAurum.txt": "Term",
    "depressionGold.txt": "desc", "AurumCharlson.txt": "term", "AurumElixhauser.txt": "term",
    "GoldCharlson.txt": "readterm", "GoldElixhauser.txt": "readterm",
    "antidepressants.txt": "productname", "anxiA.txt": "Term.from.EMIS",
    "anxiG.txt": "productname", "opioidCodesA.txt": "Term.from.EMIS",
    "opioidCodesG.txt": "productname", "zdrugsA.txt": "Term.from.EMIS",
    "zdrugsG.txt": "productname", "consultationsA.txt": "ConsultationType",
    "consultationsG.txt": "ConsultationType", "antihypertensives_codelist_Gold.dta": None,
    "statins_codelist_Gold.dta": None, "HES_admission_causes.xlsx": "Term",
}
OPENSAFELY_TERMS = ("term", "nm", "dmd_name", "ctv3preferredtermdesc", "description", "name",
                    "readterm/ctv3preferredtermdesc")
CALIBER_TERMS = ("readcodedescr", "icd10codedescr", "opcs4codedescr", "readterm", "icd_term")
OPENSAFELY_COLUMNS = ("code", "dmd_id", "ctv3id", "ctv3code", "icd10_code")
OHDSI_VOCABULARIES = {"SNOMED", "ICD10CM", "ICD10", "RxNorm", "LOINC", "ICD10PCS", "CPT4",
                      "HCPCS", "ICD9CM", "ATC"}


def all_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file() and p.name not in SKIP_NAMES
                  and p.suffix.lower() != ".md")


def rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


FILES = all_files(ROOT)


# -- the independent reader ----------------------------------------------------------------
def _text(path: Path) -> str:
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252")


def _rows(path: Path, delimiter: str) -> list[dict[str, str]]:
    text = _text(path).replace("\r\n", "\n").replace("\r", "\n")
    return list(csv.DictReader(io.StringIO(text), delimiter=delimiter))


def _key(code: str) -> str:
    """A system-independent comparison key: ICD-style codes undotted, numbers unfloated."""
    code = code.strip().strip('"')
    if re.fullmatch(r"[0-9]+\.0", code):
        code = code[:-2]
    if re.fullmatch(r"[A-Z][0-9]{2}\.?[0-9X]{0,2}", code):
        code = code.replace(".", "")
    return code


def _read_key(code: str) -> str:
    """CALIBER's seven-character Read codes; those a spreadsheet turned into numbers
    (``2126200.0``, ``6627`` for ``6627.00``) restored."""
    code = code.strip()
    if re.fullmatch(r"[0-9]+\.0", code):
        code = code[:-2]
    if re.fullmatch(r"[0-9]{4}", code):
        return code + ".00"
    return code


def _ctv3_key(code: str) -> str:
    """CTV3 codes are five characters; trailing dots lost in a spreadsheet are restored."""
    return code.strip().ljust(5, ".")


def _words(text) -> str:
    return " ".join(str(text or "").split())


def _terms(rows, column: str, term: str | None, key) -> dict[str, str]:
    found: dict[str, str] = {}
    for r in rows:
        if r[column].strip() and r[column].strip() not in ("NA", "."):
            found.setdefault(key(r[column]), _words(r[term]) if term else "")
    return found


def expected(path: Path) -> list[dict[str, str]]:
    """code key -> term of each codelist in a real file (one dict per codelist)."""
    collection = rel(path).split("/")[0]
    if collection.startswith("opensafely"):
        rows = _rows(path, ",")
        header = [h.lower() for h in rows[0]]
        column = "id" if {"type", "id"} <= set(header) else "snomed_id" if \
            "obj_type" in header else "Code" if header[:2] == ["description", "code"] else \
            next(h for h in rows[0] if h.lower() in OPENSAFELY_COLUMNS)
        term = next((h for h in rows[0] if h.lower() in OPENSAFELY_TERMS), None)
        ctv3 = column.lower().startswith("ctv3")
        return [_terms(rows, column, term, _ctv3_key if ctv3 else _key)]
    if collection == "caliber-chronological-map":
        rows = _rows(path, ",")
        column = next(h for h in rows[0] if h.lower() in
                      ("readcode", "icd10code", "opcs4code", "icd_code"))
        term = next(h for h in rows[0] if h.lower() in CALIBER_TERMS)
        read = column.lower() == "readcode"
        return [_terms(rows, column, term, _read_key if read else _key)]
    if collection == "pdc-cprd":
        return [_pdc(path)]
    if collection == "ohdsi-concept-sets":
        data = json.loads(path.read_text())
        if "ConceptSets" in data:
            return [_atlas(c["expression"]["items"]) for c in data["ConceptSets"]]
        return [_atlas(data["items"])]
    raise AssertionError(f"no independent reader for {path}")


def _pdc(path: Path) -> dict[str, str]:
    column, term = PDC_COLUMNS[path.name], PDC_TERMS[path.name]
    if path.suffix == ".dta":
        import pandas as pd

        return {str(int(v)): "" for v in pd.read_stata(path)[column].dropna()}
    if path.suffix == ".xlsx":
        from openpyxl import load_workbook

        sheet = load_workbook(path, read_only=True)["SMI"]
        return {str(r[0]): _words(r[1]) for r in list(sheet.iter_rows(values_only=True))[1:]
                if r[0] and re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9.-]*", str(r[0]))}
    return _terms(_rows(path, "\t"), column, term, _key)


def _atlas(items: list[dict]) -> dict[str, str]:
    vocabularies = {i["concept"]["VOCABULARY_ID"] for i in items}
    by_id = len(vocabularies) != 1 or not vocabularies <= OHDSI_VOCABULARIES
    field = "CONCEPT_ID" if by_id else "CONCEPT_CODE"
    return {_key(str(i["concept"][field])): _words(i["concept"]["CONCEPT_NAME"])
            for i in items if not i.get("isExcluded")}


# -- the survey ----------------------------------------------------------------------------
def _exported(imported, tmp_path: Path) -> dict[str, str]:
    codelist = to_codelist(imported, path=tmp_path / "x.codelist", today="2026-01-01")
    again = parse(dumps(codelist))
    text = export(again, "csv")
    return {_key(r["code"]): r["term"] for r in csv.DictReader(io.StringIO(text))}


def test_the_survey_covers_every_collection():
    collections = {rel(p).split("/")[0] for p in FILES}
    assert {"pdc-cprd", "ohdsi-concept-sets", "caliber-chronological-map",
            "opensafely-post-covid-vaccinated", "opensafely-risk-factors-research"} <= collections
    assert len(FILES) >= 340


@pytest.mark.parametrize("path", FILES, ids=[rel(p) for p in FILES])
def test_real_file_imports_exactly_or_is_refused_precisely(path, tmp_path):
    name = rel(path)
    if name in REFUSED:
        with pytest.raises(UserError) as caught:
            import_all(path)
        assert REFUSED[name] in caught.value.message
        assert "Traceback" not in str(caught.value)
        return
    options = {}
    if name in NEEDS_OPTIONS:
        words, options = NEEDS_OPTIONS[name]
        with pytest.raises(InputFileError) as caught:
            import_all(path)
        assert words in caught.value.message
    found = import_all(path, **options)
    wanted = expected(path)
    assert len(found) == len(wanted)
    for imported, terms in zip(found, wanted, strict=True):
        exported = _exported(imported, tmp_path)
        assert set(exported) == {_key(k) for k in terms}  # the exact code set
        assert exported == {_key(k): t for k, t in terms.items()}  # and every term
