"""Import BNF codes (NHSBSA 'BNF Code Information' table) and the BNF <-> dm+d map.

The BNF code table has one row per presentation with every level's name and code
(chapter, section, paragraph, subparagraph, chemical substance, product, presentation);
the levels become a hierarchy.  The NHSBSA 'BNF SNOMED mapping' workbook (xlsx) or its
CSV export links BNF presentation codes to dm+d VMP/VMPP/AMP/AMPP ids: read into the BNF
store as BNF -> dm+d maps, and into a dm+d store as dm+d -> BNF maps.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from pathlib import Path

from codelists.errors import ImportFailedError
from codelists.terminology.codesystem_writer import (
    CodeSystemWriter,
    ReleaseFiles,
    build_release_store,
)

SYSTEM = "bnf"
LEVELS = ("Chapter", "Section", "Paragraph", "Subparagraph", "Chemical Substance",
          "Product", "Presentation")
MAP_COLUMNS = {"type": "VMP / VMPP/ AMP / AMPP", "bnf": "BNF Code", "dmd": "SNOMED Code",
               "name": "DM+D: Product Description"}


def _columns(header: list[str]) -> dict[str, tuple[int, int]]:
    """Level -> (name column, code column) in a BNF Code Information header."""
    lowered = [h.strip().lower() for h in header]
    found = {}
    for level in LEVELS:
        name, code = f"bnf {level.lower()}", f"bnf {level.lower()} code"
        if name in lowered and code in lowered:
            found[level] = (lowered.index(name), lowered.index(code))
    return found


def write_code_table(files: ReleaseFiles, name: str, writer: CodeSystemWriter) -> None:
    rows = csv.reader(io.StringIO(files.text(name)))
    header = next(rows, [])
    columns = _columns(header)
    if "Presentation" not in columns or "Chapter" not in columns:
        raise ImportFailedError("not a BNF Code Information table (expected columns "
                                "'BNF Chapter', 'BNF Chapter Code', ... 'BNF Presentation "
                                "Code')", path=files.label(name), line=1)
    for line, row in enumerate(rows, start=2):
        parent = None
        for level in LEVELS:
            if level not in columns:
                continue
            name_i, code_i = columns[level]
            if code_i >= len(row):
                raise ImportFailedError("row shorter than the header", path=files.label(name),
                                        line=line)
            code = row[code_i].strip()
            if not code or code == parent:
                continue
            writer.add_code(code, row[name_i].strip(), kind=level.lower())
            if parent:
                writer.add_edge(parent, code)
            parent = code


def _map_rows(files: ReleaseFiles, name: str):
    if name.lower().endswith(".xlsx"):
        import openpyxl

        book = openpyxl.load_workbook(io.BytesIO(files.read(name)), read_only=True)
        rows = ([("" if v is None else str(v)) for v in row]
                for row in book.worksheets[0].iter_rows(values_only=True))
    else:
        rows = csv.reader(io.StringIO(files.text(name)))
    header = [h.strip() for h in next(rows, [])]
    missing = [c for c in MAP_COLUMNS.values() if c not in header]
    if missing:
        raise ImportFailedError(f"BNF map without columns {', '.join(missing)}",
                                path=files.label(name), line=1)
    index = {k: header.index(v) for k, v in MAP_COLUMNS.items()}
    for row in rows:
        if len(row) > max(index.values()) and row[index["bnf"]].strip():
            yield {k: row[i].strip() for k, i in index.items()}


def read_bnf_snomed_map(files: ReleaseFiles, writer: CodeSystemWriter, *, source: str) -> int:
    """Add the BNF <-> dm+d rows of a mapping workbook found among ``files``."""
    name = files.find(r"bnf.*snomed.*map.*\.(xlsx|csv)$")
    if name is None:
        return 0
    count = 0
    origin = files.basename(name)
    for row in _map_rows(files, name):
        if source == "dmd":
            writer.add_map(row["dmd"], "bnf", row["bnf"], relation=row["type"], origin=origin)
        else:
            writer.add_map(row["bnf"], "dmd", row["dmd"], relation=row["type"], origin=origin)
        count += 1
    return count


def import_release(path: str | Path, destination: str | Path | None = None,
                   progress=None, **options) -> Path:
    """Import a BNF code table (CSV, zipped or in a folder) and any BNF map beside it."""
    path = Path(path)
    files = ReleaseFiles(path)
    try:
        table = files.find(r"\.csv$") if path.is_file() and not files._zip else None
        table = table or files.find(r"bnf.*code.*\.csv$") or files.find(r"^(?!.*snomed).*\.csv$")
        if table is None:
            raise ImportFailedError("no BNF Code Information CSV here", path=path,
                                    hint="download it from the NHSBSA (BNF code information)")

        def populate(writer):
            write_code_table(files, table, writer)
            read_bnf_snomed_map(files, writer, source="bnf")
            m = re.search(r"(\d{4})(\d{2})(\d{2})", files.basename(table))
            return {"edition": "BNF (NHSBSA)",
                    "release_date": f"{m.group(1)}-{m.group(2)}-{m.group(3)}" if m else ""}

        return build_release_store(SYSTEM, path, destination, populate, progress)
    finally:
        files.close()


def looks_like_release(path: Path) -> bool:
    """True for a BNF Code Information CSV (or a folder/zip holding one)."""
    try:
        files = ReleaseFiles(Path(path))
    except Exception:
        return False
    try:
        for name in files.find_all(r"\.csv$")[:3]:
            head = files.read(name)[:2000].decode("latin-1").splitlines()[:1]
            if head and "BNF Presentation Code" in head[0]:
                return True
        return False
    except (OSError, EOFError, zipfile.BadZipFile):
        return False
    finally:
        files.close()
