"""Import CTV3 (Read Codes version 3): the NHS release files or OpenSAFELY's CSV extracts.

See README.md beside this file for both layouts.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from codelists.errors import ImportFailedError
from codelists.terminology.codesystem_writer import (
    CodeSystemWriter,
    ReleaseFiles,
    build_release_store,
    trud_release,
)
from codelists.terminology.crossmap import read_release_maps

SYSTEM = "ctv3"
V3_FILES = ("Concept.v3", "Descrip.v3", "Terms.v3", "V3hier.v3")
STATUS = {"C": "current", "E": "extinct", "O": "optional", "R": "redundant"}


def _rows(files: ReleaseFiles, name: str, width: int):
    for line_no, line in enumerate(files.text(name).splitlines(), start=1):
        if not line.strip():
            continue
        fields = line.split("|")
        if len(fields) < width:
            raise ImportFailedError(f"expected {width} fields separated by |, found "
                                    f"{len(fields)}", path=files.label(name), line=line_no,
                                    hint="is this the NHS CTV3 release file?")
        yield fields


def write_v3(files: ReleaseFiles, names: dict[str, str], writer: CodeSystemWriter) -> None:
    terms = {}
    for f in _rows(files, names["Terms.v3"], 3):
        longest = next((t for t in (f[4] if len(f) > 4 else "", f[3] if len(f) > 3 else "",
                                    f[2]) if t.strip()), "")
        terms[f[0]] = (longest.strip(), f[1] == "C")
    descriptions: dict[str, list[tuple[str, str]]] = {}
    for f in _rows(files, names["Descrip.v3"], 3):
        descriptions.setdefault(f[0], []).append((f[1], f[2]))
    for f in _rows(files, names["Concept.v3"], 2):
        code, status = f[0], f[1]
        descs = descriptions.get(code, [])
        preferred_id = next((t for t, ty in descs if ty == "P"), None)
        preferred = terms.get(preferred_id, ("", True))[0] if preferred_id else ""
        writer.add_code(code, preferred or code, kind=STATUS.get(status, status),
                        active=status == "C", description_id=preferred_id)
        for term_id, type_ in descs:
            term, active = terms.get(term_id, ("", True))
            if type_ != "P" and term:
                writer.add_description(code, term, "synonym", active=active,
                                       description_id=term_id)
        if len(f) > 3 and f[3].strip():
            writer.add_attribute(code, "subject_type", None, f[3].strip())
    for f in _rows(files, names["V3hier.v3"], 2):
        writer.add_edge(f[1], f[0])


def write_csv_extract(files: ReleaseFiles, dictionary: str, hierarchy: str | None,
                      writer: CodeSystemWriter) -> None:
    reader = csv.DictReader(io.StringIO(files.text(dictionary, "utf-8-sig")))
    if not {"CTV3Code", "Description"} <= set(reader.fieldnames or []):
        raise ImportFailedError("expected columns CTV3Code,Description",
                                path=files.label(dictionary), line=1)
    for row in reader:
        writer.add_code(row["CTV3Code"], row["Description"])
    if hierarchy:
        reader = csv.DictReader(io.StringIO(files.text(hierarchy, "utf-8-sig")))
        for row in reader:
            if row.get("ChildToParentDistance", "1").strip() == "1":
                writer.add_edge(row["ParentCTV3Code"], row["ChildCTV3Code"])


def import_release(path: str | Path, destination: str | Path | None = None,
                   progress=None, **options) -> Path:
    """Import a CTV3 release zip/folder (V3/*.v3) or the ctv3_dictionary.csv extract."""
    path = Path(path)
    files = ReleaseFiles(path)
    try:
        names = {n: files.find(rf"^{re.escape(n)}$") for n in V3_FILES}
        dictionary = files.find(r"^ctv3_dictionary\.csv(\.gz)?$")
        hierarchy = files.find(r"^ctv3_hierarchy\.csv(\.gz)?$")
        if all(names.values()):
            def populate(writer):
                write_v3(files, names, writer)
                read_release_maps(files, writer, SYSTEM)
                return trud_release(path, "CTV3")
        elif dictionary:
            def populate(writer):
                write_csv_extract(files, dictionary, hierarchy, writer)
                return {"edition": "CTV3 (OpenSAFELY extract)"}
        else:
            missing = [n for n, found in names.items() if not found]
            raise ImportFailedError(f"no CTV3 release files here (missing {', '.join(missing)})",
                                    path=path, hint="pass nhs_readctv3_*.zip or its folder")
        return build_release_store(SYSTEM, path, destination, populate, progress)
    finally:
        files.close()


def looks_like_release(path: Path) -> bool:
    """True for a folder or zip holding the V3 files or the ctv3_dictionary extract."""
    return ReleaseFiles.probe(path, lambda files: files.find(r"^Concept\.v3$")
                              or files.find(r"^ctv3_dictionary\.csv"))
