"""Import Read Codes version 2 (the NHS 'Unified' release) into a generic store.

Files (see README.md): ``V2/Unified/Corev2.all`` (one row per five-character code with
its preferred term) and ``V2/Unified/Keyv2.all`` (one row per search key of each term,
with the two-character term code), plus, when present, the NHS Data Migration map
``rcsctmap2_uk_<date>.txt`` (Read v2 -> SNOMED CT).  Read v2 has no hierarchy file:
the hierarchy is the code itself (``H330.`` -> ``H33..`` -> ``H3...`` -> ``H....``).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from codelists.errors import ImportFailedError
from codelists.terminology.codesystem_writer import (
    CodeSystemWriter,
    ReleaseFiles,
    build_release_store,
    trud_release,
)
from codelists.terminology.crossmap import read_release_maps

SYSTEM = "readv2"
CORE_COLUMNS = ("read_code", "term_30", "term_60", "term_198", "icd9_code", "icd9_code_def",
                "icd9_cm_code", "icd9_cm_code_def", "opcs_42_code", "opcs_code_def",
                "specialty_flag", "status_flag", "language_code")
KEY_COLUMNS = ("term_key", "uniquifier", "term_30", "term_60", "term_198", "term_code",
               "language_code", "read_code", "status_flag")


def read_parent(code: str) -> str | None:
    """``H330.`` -> ``H33..``; ``H....`` -> None (a chapter)."""
    stem = code.rstrip(".")
    if len(stem) <= 1:
        return None
    return stem[:-1].ljust(5, ".")


def _longest(row: dict) -> str:
    return next((row[k].strip() for k in ("term_198", "term_60", "term_30") if row.get(k, "").strip()), "")


def _csv(files: ReleaseFiles, name: str, columns: tuple[str, ...]):
    reader = csv.reader(io.StringIO(files.text(name)))
    for line, fields in enumerate(reader, start=1):
        if not fields:
            continue
        if len(fields) < len(columns) - 2:
            raise ImportFailedError(f"expected {len(columns)} comma-separated fields, found "
                                    f"{len(fields)}", path=files.label(name), line=line,
                                    hint="is this the Read v2 Unified release file?")
        yield dict(zip(columns, fields, strict=False))


def write_release(files: ReleaseFiles, core: str, key: str | None,
                  writer: CodeSystemWriter) -> None:
    codes = []
    for row in _csv(files, core, CORE_COLUMNS):
        code = row["read_code"].strip()
        writer.add_code(code, _longest(row), kind=_kind(code), description_id=code + "00")
        writer.add_alias(code + "00", code, "term code 00")
        for name in ("icd9_code", "icd9_cm_code", "opcs_42_code", "specialty_flag"):
            if row.get(name, "").strip():
                writer.add_attribute(code, name, row[name].strip())
        codes.append(code)
    seen = set()
    if key:
        for row in _csv(files, key, KEY_COLUMNS):
            code, term_code = row["read_code"].strip(), row["term_code"].strip()
            if (code, term_code) in seen or term_code == "00":
                continue
            seen.add((code, term_code))
            writer.add_description(code, _longest(row), "synonym",
                                   description_id=code + term_code)
            writer.add_alias(code + term_code, code, f"term code {term_code}")
    for code in codes:
        parent = read_parent(code)
        if parent:
            writer.add_edge(parent, code)


def _kind(code: str) -> str:
    depth = len(code.rstrip("."))
    return "chapter" if depth == 1 else f"level {depth}"


def import_release(path: str | Path, destination: str | Path | None = None,
                   progress=None, **options) -> Path:
    """Import a Read v2 release zip or folder (``V2/Unified/Corev2.all`` ...)."""
    path = Path(path)
    files = ReleaseFiles(path)
    try:
        core = files.find(r"^corev2\.all$")
        key = files.find(r"^keyv2\.all$")
        if core is None:
            raise ImportFailedError("no V2/Unified/Corev2.all here", path=path,
                                    hint="pass the nhs_readv2_*.zip release or its folder")

        def populate(writer):
            write_release(files, core, key, writer)
            read_release_maps(files, writer, SYSTEM)
            return trud_release(path, "Read v2")

        return build_release_store(SYSTEM, path, destination, populate, progress)
    finally:
        files.close()


def looks_like_release(path: Path) -> bool:
    """True for a folder or zip holding V2/Unified/Corev2.all."""
    return ReleaseFiles.probe(path, lambda files: files.find(r"^corev2\.all$"))
