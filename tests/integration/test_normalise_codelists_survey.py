"""Every real codelist in ../shared/data/codelists: which codes each system recognises.

For each file and each code column we detect the coding system from the codes' shapes
(the column header settles shapes several systems share), then count the codes that are
well formed, those a spreadsheet damaged that normalisation repairs, those it refuses,
and, where we have a store of real codes for the system, those present in it:

* ICD-10 and OPCS-4: every code NHS hospitals used in 2012-2024 (HES code usage, ../shared);
  a three-character category counts as present when one of its subcodes is;
* SNOMED CT: the SNOMED CT Global Patient Set (26,158 concepts, ../shared).

The table is written to docs/reference/coding-systems.md; this test checks the doc is
current (run with CODELISTS_REGENERATE_DOCS=1 to rewrite it).
"""

from __future__ import annotations

import csv
import os
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

import pytest

from codelists.terminology.dictionary.importer import import_release as import_dictionary
from codelists.terminology.normalise import detect_system, normalise_codes
from codelists.terminology.registry import open_terminology

pytestmark = pytest.mark.slow  # builds three reference stores from 160k real rows

DOC = Path(__file__).resolve().parents[2] / "docs/reference/coding-systems.md"
MARK_START = "<!-- survey:start -->"
MARK_END = "<!-- survey:end -->"
CODE_HEADERS = {"code", "opcs4code", "ctv3id", "readcode", "medcode", "icd10code", "dmd_id",
                "bnf_code", "id", "ctv3code", "vpid", "snomed_id", "icd10_code", "icd_code"}


@dataclass
class ColumnReport:
    file: str
    column: str
    system: str
    codes: int
    valid: int
    repaired: int
    refused: int
    present: int | None
    examples: tuple[str, ...] = ()


def read_table(path: Path) -> tuple[list[str], list[list[str]]]:
    text = path.read_text(encoding="utf-8-sig", errors="replace")
    rows = list(csv.reader(text.splitlines()))
    return [h.strip() for h in rows[0]], rows[1:]


def code_columns(header: list[str]) -> list[int]:
    return [i for i, h in enumerate(header) if h.strip().lower() in CODE_HEADERS]


@pytest.fixture(scope="module")
def reference_stores(shared, tmp_path_factory):
    """Stores of real codes: HES ICD-10 and OPCS-4 usage, the SNOMED CT GP subset."""
    folder = tmp_path_factory.mktemp("survey")
    usage = shared / "data/frequencies/nhs-hes-code-usage"
    specs = {
        "icd10": (usage / "icd10_usage.csv.gz", "icd10_code", "description"),
        "opcs4": (usage / "opcs4_usage.csv.gz", "opcs4_code", "description"),
        "snomedct": (shared / "data/terminologies/snomed-gps/snomed-gps-20200731.csv",
                     "code", "term"),
    }
    stores = {}
    for system, (path, code, term) in specs.items():
        # the HES files carry a few 'NULL' codes: skipped, counted in the metadata
        built = import_dictionary(path, folder / f"{system}.db", system=system,
                                  code_column=code, term_column=term, skip_invalid=True)
        stores[system] = open_terminology(built)
    yield stores
    for store in stores.values():
        store.close()


def present(store, code: str) -> bool:
    return store.conn.execute(
        "SELECT 1 FROM codes WHERE code = ? OR (code > ? AND code < ?) LIMIT 1",
        (code, code + ".", code + "/")).fetchone() is not None


def survey(root: Path, stores) -> list[ColumnReport]:
    reports = []
    for path in sorted(root.rglob("*.csv")):
        header, rows = read_table(path)
        for i in code_columns(header):
            raws = [r[i] for r in rows if i < len(r) and r[i].strip()]
            if not raws:
                continue
            system = detect_system(raws, header=header[i]) or "ambiguous"
            if system == "ambiguous":
                reports.append(ColumnReport(str(path.relative_to(root)), header[i], system,
                                            len(raws), 0, 0, 0, None))
                continue
            results = normalise_codes(system, raws)
            ok = [r for r in results if r.code is not None and r.problem is None]
            store = stores.get(system)
            reports.append(ColumnReport(
                file=str(path.relative_to(root)), column=header[i], system=system,
                codes=len(raws), valid=len(ok),
                repaired=sum(1 for r in ok if r.repaired),
                refused=len(results) - len(ok),
                present=sum(1 for r in ok if present(store, r.code)) if store else None,
                examples=tuple(sorted({r.raw for r in results if r.repaired or r.problem})[:3]),
            ))
    return reports


def render(reports: list[ColumnReport]) -> str:
    lines = ["| collection | system | files | codes | well formed | repaired | refused | "
             "present in reference |", "|---|---|---:|---:|---:|---:|---:|---:|"]
    totals: dict[tuple[str, str], Counter] = defaultdict(Counter)
    for r in reports:
        key = (r.file.split("/")[0], r.system)
        totals[key].update(files=1, codes=r.codes, valid=r.valid, repaired=r.repaired,
                           refused=r.refused)
        if r.present is not None:
            totals[key].update(present=r.present, checked=r.valid)
    for (collection, system), t in sorted(totals.items()):
        pres = f"{t['present']} / {t['checked']}" if t["checked"] else "–"
        lines.append(f"| {collection} | {system} | {t['files']} | {t['codes']} | {t['valid']} "
                     f"| {t['repaired']} | {t['refused']} | {pres} |")
    lines += ["", "Per file (columns holding codes):", "",
              "| file | column | system | codes | well formed | repaired | refused | present | "
              "examples of repaired or refused |",
              "|---|---|---|---:|---:|---:|---:|---:|---|"]
    for r in reports:
        pres = "–" if r.present is None else str(r.present)
        examples = ", ".join(f"`{e}`" for e in r.examples)
        lines.append(f"| {r.file} | {r.column} | {r.system} | {r.codes} | {r.valid} | "
                     f"{r.repaired} | {r.refused} | {pres} | {examples} |")
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def reports(shared, reference_stores):
    return survey(shared / "data/codelists", reference_stores)


def test_every_codelist_file_has_a_recognised_code_column(shared, reports):
    root = shared / "data/codelists"
    files = {str(p.relative_to(root)) for p in root.rglob("*.csv")}
    not_codelists = {f for f in files if f.endswith(("dictionary.csv",
                                                     "phenotype_categories_mapping.csv"))}
    surveyed = {r.file for r in reports}
    assert files - not_codelists == surveyed
    systems = Counter(r.system for r in reports)
    for expected in ("snomedct", "icd10", "opcs4", "ctv3", "readv2", "cprd_medcode", "dmd",
                     "bnf"):
        assert systems[expected] > 0, expected


def test_spreadsheet_damage_is_repaired_not_refused(reports):
    by_column = {(r.file, r.column): r for r in reports}
    asthma = by_column[("caliber-chronological-map/primary_care/CPRD_asthma.csv", "Readcode")]
    assert "2126200.0" in asthma.examples and asthma.refused == 0
    medcodes = [r for r in reports if r.system == "cprd_medcode"]
    assert sum(r.repaired for r in medcodes) > 1000  # float medcodes such as 719.0
    assert all(r.refused == 0 for r in medcodes)


def test_most_codes_are_well_formed_and_known(reports):
    totals = defaultdict(Counter)
    for r in reports:
        totals[r.system].update(codes=r.codes, valid=r.valid, present=r.present or 0,
                                checked=r.valid if r.present is not None else 0)
    for system, t in totals.items():
        if system != "ambiguous":
            assert t["valid"] >= 0.97 * t["codes"], (system, t)
    assert totals["icd10"]["present"] >= 0.9 * totals["icd10"]["checked"]
    assert totals["opcs4"]["present"] >= 0.9 * totals["opcs4"]["checked"]


def test_doc_table_is_current(reports):
    table = render(reports)
    text = DOC.read_text(encoding="utf-8")
    start, end = text.index(MARK_START), text.index(MARK_END)
    current = text[start + len(MARK_START):end].strip("\n") + "\n"
    if os.environ.get("CODELISTS_REGENERATE_DOCS"):
        DOC.write_text(text[:start + len(MARK_START)] + "\n" + table + text[end:],
                       encoding="utf-8")
        return
    assert current == table, ("docs/reference/coding-systems.md is stale: rerun this test "
                              "with CODELISTS_REGENERATE_DOCS=1")
