"""RF2 releases as published: finding their files in a zip or folder and reading rows.

A release is a zip (possibly holding several packages, like the UK Clinical Edition) or
a folder.  Files are recognised by their RF2 names (``sct2_Concept_Snapshot_INT_...``,
``der2_cRefset_LanguageUKCLSnapshot-en_GB1000000_...``); Snapshot files are used when
present, Full files otherwise (the importer keeps the latest row per id).
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from codelists.errors import ImportFailedError

CONCEPT_HEADER = ["id", "effectiveTime", "active", "moduleId", "definitionStatusId"]
DESCRIPTION_HEADER = ["id", "effectiveTime", "active", "moduleId", "conceptId",
                      "languageCode", "typeId", "term", "caseSignificanceId"]
RELATIONSHIP_HEADER = ["id", "effectiveTime", "active", "moduleId", "sourceId",
                       "destinationId", "relationshipGroup", "typeId",
                       "characteristicTypeId", "modifierId"]
CONCRETE_HEADER = ["id", "effectiveTime", "active", "moduleId", "sourceId", "value",
                   "relationshipGroup", "typeId", "characteristicTypeId", "modifierId"]
IDENTIFIER_HEADER = ["identifierSchemeId", "alternateIdentifier", "effectiveTime", "active",
                     "moduleId", "referencedComponentId"]
REFSET_COMMON = ["id", "effectiveTime", "active", "moduleId", "refsetId",
                 "referencedComponentId"]

#: content kind -> the header its file must have (None: a refset, header varies)
HEADERS: dict[str, list[str] | None] = {
    "concept": CONCEPT_HEADER,
    "description": DESCRIPTION_HEADER,
    "text_definition": DESCRIPTION_HEADER,
    "relationship": RELATIONSHIP_HEADER,
    "concrete_value": CONCRETE_HEADER,
    "identifier": IDENTIFIER_HEADER,
    "refset": None,
}
CORE_KINDS = ("concept", "description", "relationship")

_KINDS = {
    "Concept": "concept",
    "Description": "description",
    "TextDefinition": "text_definition",
    "Relationship": "relationship",
    "RelationshipConcreteValues": "concrete_value",
    "StatedRelationship": "stated_relationship",
    "Identifier": "identifier",
}
_TYPE = re.compile(r"(Snapshot|Full|Delta)")
_DATE = re.compile(r"(\d{8})")
_PACKAGE_DATE = re.compile(r"_(\d{8})T")


@dataclass(frozen=True)
class ReleaseFile:
    """One RF2 file of a release."""

    name: str  # member name in the zip, or path relative to the folder
    kind: str  # concept, description, text_definition, relationship, concrete_value, refset, ...
    release_type: str  # Snapshot, Full or Delta
    date: str  # yyyymmdd from the file name
    package: str  # the top folder it sits in ("" when none)
    size: int

    @property
    def basename(self) -> str:
        return self.name.rsplit("/", 1)[-1]


def classify(name: str) -> tuple[str, str, str] | None:
    """(kind, release type, date) for an RF2 file name, or None when it is not one."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    if not base.endswith(".txt") or base.startswith("."):
        return None
    parts = base[:-4].split("_")
    if len(parts) < 3 or parts[0] not in ("sct2", "der2", "xsct2", "xder2"):
        return None
    found = _TYPE.search("_".join(parts[2:3])) or _TYPE.search(base)
    if found is None:
        return None
    date = _DATE.search(parts[-1])
    if parts[0].endswith("der2") or "Refset" in parts[1]:
        kind = "refset"
    else:
        kind = _KINDS.get(parts[1], "other")
    return kind, found.group(1), date.group(1) if date else ""


@dataclass
class Release:
    """A release zip or folder, its RF2 files, and how to open them."""

    source: Path
    files: list[ReleaseFile]
    _zip: zipfile.ZipFile | None = field(default=None, repr=False)

    @classmethod
    def open(cls, path: str | Path) -> Release:
        path = Path(path)
        if path.is_dir():
            return cls(path, _folder_files(path))
        if not path.is_file():
            raise ImportFailedError("no such file or folder", path=path,
                                    hint="pass an RF2 release zip or its unzipped folder")
        try:
            archive = zipfile.ZipFile(path)
        except zipfile.BadZipFile as exc:
            raise ImportFailedError(
                f"not a zip file or a damaged one ({exc})", path=path,
                hint="pass an RF2 release zip as downloaded (re-download it if truncated)",
            ) from exc
        except OSError as exc:
            raise ImportFailedError(f"cannot read the release: {exc}", path=path) from exc
        files = []
        for info in archive.infolist():
            found = classify(info.filename)
            if found and not info.is_dir():
                files.append(ReleaseFile(info.filename, *found, _package(info.filename),
                                         info.file_size))
        return cls(path, files, archive)

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()

    def __enter__(self) -> Release:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def label(self, f: ReleaseFile) -> str:
        """How errors name a file: ``release.zip!member`` or the file's path."""
        if self._zip is not None:
            return f"{self.source}!{f.name}"
        return str(self.source / f.name)

    def open_binary(self, f: ReleaseFile):
        if self._zip is not None:
            try:
                return self._zip.open(f.name)
            except (zipfile.BadZipFile, OSError, zlib.error, EOFError) as exc:
                raise ImportFailedError(f"cannot read this file from the zip: {exc}",
                                        path=self.label(f),
                                        hint="the zip looks damaged or truncated; "
                                        "re-download it") from exc
        return open(self.source / f.name, "rb")

    # -- choosing files -------------------------------------------------------------
    def release_type(self) -> str:
        """Snapshot when the release has Snapshot core files, else Full."""
        types = {f.release_type for f in self.files if f.kind == "concept"}
        if "Snapshot" in types:
            return "Snapshot"
        if "Full" in types:
            return "Full"
        if "Delta" in types:
            raise ImportFailedError(
                "this release has only Delta files", path=self.source,
                hint="import a Snapshot or Full release; Deltas need the release before them",
            )
        raise self._missing(["concept"])

    def chosen(self) -> list[ReleaseFile]:
        """The files of the chosen release type, after checking the core ones exist."""
        kind = self.release_type()
        chosen = [f for f in self.files if f.release_type == kind]
        missing = [k for k in CORE_KINDS if not any(f.kind == k for f in chosen)]
        if missing:
            raise self._missing(missing)
        return chosen

    def _missing(self, kinds: list[str]) -> ImportFailedError:
        names = {"concept": "sct2_Concept_*", "description": "sct2_Description_*",
                 "relationship": "sct2_Relationship_*"}
        wanted = ", ".join(names[k] for k in kinds)
        return ImportFailedError(
            f"not a complete SNOMED CT RF2 release: missing core files {wanted} "
            "(Snapshot or Full)", path=self.source,
            hint="pass the release zip as published, or the folder it unzips to",
        )

    def packages(self) -> list[str]:
        return sorted({f.package for f in self.files if f.package})

    def edition(self) -> str:
        return edition_name(self.packages(), self.files)

    def release_date(self, files: list[ReleaseFile]) -> str:
        dates = [f.date for f in files if f.date]
        dates += [m.group(1) for p in self.packages() if (m := _PACKAGE_DATE.search(p))]
        return max(dates) if dates else ""


def _package(name: str) -> str:
    parts = name.replace("\\", "/").split("/")
    return parts[0] if len(parts) > 1 else ""


def _folder_files(folder: Path) -> list[ReleaseFile]:
    files = []
    for path in sorted(folder.rglob("*.txt")):
        found = classify(path.name)
        if found:
            rel = path.relative_to(folder).as_posix()
            package = _package(rel)
            if package in ("Snapshot", "Full", "Delta"):
                package = folder.name
            files.append(ReleaseFile(rel, *found, package, path.stat().st_size))
    return files


_EDITIONS = [
    ("Monolith", "uk-monolith"),
    ("UKClinical", "uk-clinical"),
    ("UKDrug", "uk-drug"),
    ("UKEdition", "uk-edition"),
    ("International", "international"),
]


def edition_name(packages: list[str], files: list[ReleaseFile]) -> str:
    """A short edition label from the package folder names (or the files' namespaces)."""
    joined = " ".join(packages)
    labels = [label for key, label in _EDITIONS if key in joined]
    if "uk-clinical" in labels and "uk-drug" in labels:
        return "uk-clinical-drug"
    if labels:
        return labels[0]
    namespaces = sorted({f.basename[:-4].split("_")[-2] for f in files
                         if f.kind == "concept" and f.basename.count("_") >= 3})
    if namespaces == ["INT"]:
        return "international"
    return "-".join(n.lower() for n in namespaces) or "unknown"


# -- reading rows --------------------------------------------------------------------
ProgressFn = Callable[[int], None]


class RowReader:
    """Rows of one RF2 file as lists of strings, checking the header and column count.

    ``line`` is the current line number, for errors raised while converting a row.
    """

    def __init__(self, release: Release, f: ReleaseFile, expected: list[str] | None,
                 on_bytes: ProgressFn | None = None):
        self.release = release
        self.file = f
        self.label = release.label(f)
        self.expected = expected
        self.on_bytes = on_bytes
        self.line = 0
        self.header: list[str] = []
        self._raw = release.open_binary(f)
        self._text = io.TextIOWrapper(self._raw, encoding="utf-8", newline="")
        self.skipped_reason = self._read_header()

    def _read_header(self) -> str | None:
        first = self._guard(self._text.readline)
        self.line = 1
        if not first.strip():
            return "empty file"
        header = first.rstrip("\r\n").lstrip("\ufeff").split("\t")
        if len(header) == 1 and self.file.kind not in CORE_KINDS:
            return f"not an RF2 table (first line {first.strip()[:40]!r})"
        self.header = header
        if self.expected is not None and header != self.expected:
            raise self.error(
                f"unexpected header for a {self.file.kind} file: {header[:12]}",
                hint=f"an RF2 {self.file.kind} file starts with: {chr(9).join(self.expected)}",
            )
        if self.expected is None and header[:6] != REFSET_COMMON:
            raise self.error("unexpected header for a reference set file",
                             hint="an RF2 refset file starts with: " + " ".join(REFSET_COMMON))
        return None

    def error(self, message: str, *, hint: str | None = None) -> ImportFailedError:
        return ImportFailedError(message, path=self.label, line=self.line or None,
                                 hint=hint or "fix or replace this file; the previous store "
                                 "(if any) is untouched")

    def _guard(self, fn):
        try:
            return fn()
        except UnicodeDecodeError as exc:
            raise self.error(f"not UTF-8 text ({exc.reason})") from exc
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
            raise self.error(f"the file is damaged or truncated ({exc})",
                             hint="re-download the release zip") from exc

    def __iter__(self) -> Iterator[list[str]]:
        if self.skipped_reason:
            return
        width = len(self.header)
        text = self._text
        raw = self._raw
        report = self.on_bytes
        line = 1
        try:
            for row in text:
                line += 1
                parts = row.rstrip("\r\n").split("\t")
                if len(parts) != width:
                    if not row.strip():
                        continue
                    self.line = line
                    raise self.error(f"expected {width} tab-separated columns, found "
                                     f"{len(parts)}")
                if report is not None and not line & 0xFFFF:
                    report(raw.tell())
                self.line = line
                yield parts
        except UnicodeDecodeError as exc:
            self.line = line
            raise self.error(f"not UTF-8 text ({exc.reason})") from exc
        except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
            self.line = line
            raise self.error(f"the file is damaged or truncated ({exc})",
                             hint="re-download the release zip") from exc
        self.line = line
        if report is not None:
            report(self.file.size)

    def close(self) -> None:
        self._text.close()
