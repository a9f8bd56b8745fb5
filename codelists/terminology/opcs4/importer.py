"""Import OPCS-4 (NHS England 'CodesAndTitles' data file) into a generic store.

The release's codes-and-titles file is tab separated with two fields, code and title;
codes are three-character categories (``K40``) and dotted four-character subcategories
(``K40.1``; an undotted ``K401`` is read the same).  Chapters are the codes' first
letters, with the titles in :data:`CHAPTERS`.
"""

from __future__ import annotations

import re
from pathlib import Path

from codelists.errors import ImportFailedError
from codelists.terminology.codesystem_writer import (
    CodeSystemWriter,
    ReleaseFiles,
    build_release_store,
)
from codelists.terminology.normalise import normalise_code

SYSTEM = "opcs4"
CHAPTERS = {
    "A": "Nervous system", "B": "Endocrine system and breast", "C": "Eye", "D": "Ear",
    "E": "Respiratory tract", "F": "Mouth", "G": "Upper digestive tract",
    "H": "Lower digestive tract", "J": "Other abdominal organs - principally digestive",
    "K": "Heart", "L": "Arteries and veins", "M": "Urinary", "N": "Male genital organs",
    "P": "Lower female genital tract", "Q": "Upper female genital tract",
    "R": "Female genital tract associated with pregnancy, childbirth and the puerperium",
    "S": "Skin", "T": "Soft tissue", "U": "Diagnostic imaging, testing and rehabilitation",
    "V": "Bones and joints of skull and spine", "W": "Other bones and joints",
    "X": "Miscellaneous operations", "Y": "Subsidiary classification of methods of operation",
    "Z": "Subsidiary classification of sites of operation",
}


def write_codes(files: ReleaseFiles, name: str, writer: CodeSystemWriter) -> None:
    rows = []
    for line, text in enumerate(files.text(name).splitlines(), start=1):
        if not text.strip():
            continue
        fields = text.split("\t")
        if len(fields) < 2:
            raise ImportFailedError("expected code<TAB>title", path=files.label(name),
                                    line=line, hint="is this the OPCS-4 CodesAndTitles file?")
        result = normalise_code(SYSTEM, fields[0])
        if result.code is None:
            if line == 1:
                continue  # a header row
            raise ImportFailedError(f"bad OPCS-4 code {fields[0]!r}: {result.problem}",
                                    path=files.label(name), line=line)
        rows.append((result.code, fields[1].strip()))
    for letter in sorted({code[0] for code, _ in rows}):
        writer.add_code(letter, CHAPTERS.get(letter, f"Chapter {letter}"), kind="chapter")
    for code, title in rows:
        writer.add_code(code, title, kind="subcategory" if "." in code else "category")
        writer.add_edge(code.split(".")[0] if "." in code else code[0], code)


def import_release(path: str | Path, destination: str | Path | None = None,
                   progress=None, **options) -> Path:
    """Import an OPCS-4 release zip, folder or CodesAndTitles file."""
    path = Path(path)
    files = ReleaseFiles(path)
    try:
        name = files.find(r"codes\s*and\s*titles.*\.txt$")
        if name is None:
            raise ImportFailedError("no OPCS-4 CodesAndTitles file here", path=path,
                                    hint="pass the OPCS-4 data files zip or folder")

        def populate(writer):
            write_codes(files, name, writer)
            m = re.search(r"OPCS[-\s]*4\.?(\d+)", files.basename(name), re.IGNORECASE)
            return {"edition": f"OPCS-4.{m.group(1)}" if m else "OPCS-4"}

        return build_release_store(SYSTEM, path, destination, populate, progress)
    finally:
        files.close()


def looks_like_release(path: Path) -> bool:
    def opcs_codes_file(files) -> bool:
        name = files.find(r"codes\s*and\s*titles.*\.txt$")
        return name is not None and "opcs" in name.lower()

    return ReleaseFiles.probe(path, opcs_codes_file)
