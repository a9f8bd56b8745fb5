"""Import the CDC ICD-10-CM tabular list (XML) into a generic code-system store.

The source is the CDC ``icd10cm-tabular-<year>.xml`` (also shipped, renamed
``icd10c-tabular-<Month>-<day>-<year>.xml``, inside the PyPI package
``simple-icd-10-cm``; with no path given we import that one).  See README.md beside
this file for the layout.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

from codelists.errors import ImportFailedError, InputFileError
from codelists.terminology.codesystem import CodeSystemWriter, build_codesystem_store

SYSTEM = "icd10cm"
#: a PATH naming the installed package imports its copy of the release
PACKAGED_NAMES = ("simple-icd-10-cm", "simple_icd_10_cm", "packaged")
NOTE_TYPES = ("includes", "inclusionTerm", "excludes1", "excludes2", "codeFirst",
              "codeAlso", "useAdditionalCode", "notes", "sevenChrNote")
_MONTHS = {m: i for i, m in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august",
     "september", "october", "november", "december"], start=1)}


def installed_release() -> Path:
    """The tabular XML inside the installed ``simple-icd-10-cm`` package."""
    import importlib.util

    # found without importing it: importing simple_icd_10_cm parses the whole release
    spec = importlib.util.find_spec("simple_icd_10_cm")
    if spec is None or not spec.submodule_search_locations:  # pragma: no cover
        raise ImportFailedError("the simple-icd-10-cm package is not installed",
                                hint="pip install simple-icd-10-cm, or pass the CDC XML")
    return find_tabular(Path(list(spec.submodule_search_locations)[0]) / "data")


def find_tabular(path: Path) -> Path:
    """The tabular XML in ``path`` (a file, or a folder holding one)."""
    if path.is_file():
        return path
    if path.is_dir():
        found = sorted(path.glob("icd10c*tabular*.xml")) or sorted(path.glob("*abular*.xml"))
        if found:
            return found[-1]
    raise InputFileError("no ICD-10-CM tabular XML here", path=path,
                         hint="pass the CDC icd10cm-tabular-YYYY.xml file or its folder")


def find_code_list(tabular: Path) -> Path | None:
    """A list of valid codes beside the XML (the code-list / order file), if any."""
    found = sorted(tabular.parent.glob("code-list-*.txt"))
    return found[-1] if found else None


def release_date_from_name(name: str, version: str) -> str:
    """``icd10c-tabular-April-1-2026.xml`` -> ``2026-04-01``; else the fiscal year start."""
    m = re.search(r"([A-Za-z]+)-(\d{1,2})-(\d{4})", name)
    if m and m.group(1).lower() in _MONTHS:
        return f"{m.group(3)}-{_MONTHS[m.group(1).lower()]:02d}-{int(m.group(2)):02d}"
    if version.isdigit():
        return f"{int(version) - 1}-10-01"  # FY starts 1 October of the previous year
    return ""


def _text(node: ET.Element | None) -> str:
    return " ".join("".join(node.itertext()).split()) if node is not None else ""


class TabularReader:
    """Walks the tabular XML and writes codes, terms, notes and hierarchy."""

    def __init__(self, writer: CodeSystemWriter, valid: set[str] | None):
        self.w = writer
        self.valid = valid  # undotted codes the code list allows (7th-character filter)

    def chapter(self, node: ET.Element) -> None:
        code = _text(node.find("name"))
        self.w.add_code(code, _text(node.find("desc")), kind="chapter")
        self._notes(code, node)
        for section in node.findall("section"):
            self.section(section, code)

    def section(self, node: ET.Element, chapter: str) -> None:
        sid = node.get("id", "")
        code = sid if "-" in sid else f"{sid}-{sid}"
        desc = re.sub(r"\s*\([A-Z0-9.\-]+\)\s*$", "", _text(node.find("desc")))
        self.w.add_code(code, desc, kind="block")
        self.w.add_edge(chapter, code)
        self._notes(code, node)
        for diag in node.findall("diag"):
            self.diag(diag, code, None)

    def diag(self, node: ET.Element, parent: str, seven: dict[str, str] | None) -> None:
        code = _text(node.find("name"))
        desc = _text(node.find("desc"))
        kind = "category" if "." not in code else "subcategory"
        self.w.add_code(code, desc, kind=kind)
        self.w.add_edge(parent, code)
        for inclusion in node.findall("inclusionTerm/note"):
            self.w.add_description(code, _text(inclusion), "inclusion")
        self._notes(code, node)
        own = self._seven(code, node)
        seven = own or seven
        children = node.findall("diag")
        for child in children:
            self.diag(child, code, seven)
        if not children and seven:
            self.extend(code, desc, seven)

    def _seven(self, code: str, node: ET.Element) -> dict[str, str] | None:
        definition = node.find("sevenChrDef")
        if definition is None:
            return None
        chars = {e.get("char", ""): _text(e) for e in definition.findall("extension")}
        for char, text in chars.items():
            self.w.add_note(code, "sevenChrDef", f"{char}: {text}")
        return chars

    def extend(self, code: str, desc: str, seven: dict[str, str]) -> None:
        """Seventh-character extensions of a leaf: S52.521 -> S52.521A, T07 -> T07.XXXA."""
        stem = code if "." in code else code + "."
        stem = stem.ljust(7, "X")
        for char, text in seven.items():
            extended = stem + char
            if self.valid is not None and extended.replace(".", "") not in self.valid:
                continue
            self.w.add_code(extended, f"{desc}, {text}", kind="extension")
            self.w.add_edge(code, extended)

    def _notes(self, code: str, node: ET.Element) -> None:
        for type_ in NOTE_TYPES:
            if type_ == "inclusionTerm":
                continue
            for element in node.findall(type_):
                for note in element.findall("note"):
                    self.w.add_note(code, type_, _text(note))


def read_code_list(path: Path) -> set[str]:
    with open(path, encoding="utf-8") as fh:
        return {line.strip() for line in fh if line.strip()}


def import_release(path: str | Path | None = None, destination: str | Path | None = None,
                   progress=None, **options) -> Path:
    """Import the ICD-10-CM tabular XML at ``path``.

    ``path`` None (or ``"simple-icd-10-cm"``) imports the copy in the installed package.
    """
    packaged = path is None or (str(path) in PACKAGED_NAMES and not Path(path).exists())
    tabular = installed_release() if packaged else find_tabular(Path(path))
    code_list = find_code_list(tabular)
    try:
        root = ET.parse(tabular).getroot()
    except ET.ParseError as exc:
        line = exc.position[0] if exc.position else None
        raise ImportFailedError(f"not well-formed XML: {exc}", path=tabular, line=line,
                                hint="pass the CDC tabular XML as published") from exc
    if root.tag != "ICD10CM.tabular":
        raise ImportFailedError(f"root element is <{root.tag}>, not <ICD10CM.tabular>",
                                path=tabular, hint="this is not the ICD-10-CM tabular list")
    version = _text(root.find("version"))
    release_date = release_date_from_name(tabular.name, version)
    if destination is None:
        from codelists.terminology.locate import data_dir

        destination = data_dir() / f"icd10cm-{release_date or version}.db"
    valid = read_code_list(code_list) if code_list else None

    def populate(writer: CodeSystemWriter) -> dict:
        reader = TabularReader(writer, valid)
        chapters = root.findall("chapter")
        if not chapters:
            raise ImportFailedError("no <chapter> elements", path=tabular)
        for chapter in chapters:
            reader.chapter(chapter)
        return {}

    sources = [tabular] + ([code_list] if code_list else [])
    return build_codesystem_store(
        SYSTEM, destination, sources=sources, populate=populate,
        edition=f"ICD-10-CM FY{version} (CDC)", release_date=release_date,
        extra={"version": version}, progress=progress,
    )


def looks_like_release(path: Path) -> bool:
    """True for the CDC tabular XML (or a folder holding it)."""
    try:
        tabular = find_tabular(Path(path))
    except InputFileError:
        return False
    with open(tabular, "rb") as fh:
        return b"<ICD10CM.tabular" in fh.read(4096)
