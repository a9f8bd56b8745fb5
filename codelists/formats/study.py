"""An OpenSAFELY study's ``codelists/`` folder: ``codelists.txt`` and ``codelists.json``.

``codelists.txt`` names one codelist version a line, ``owner/slug/version`` or
``user/USERNAME/slug/version`` (``#`` starts a comment).  Each list is downloaded to
``owner-slug.csv`` (``user-USERNAME-slug.csv``) and recorded in the manifest
``codelists.json`` with its id, URL, download time and the SHA-1 of its content with
line endings normalised -- the same rules as the ``opensafely codelists`` command, so
a folder written by either passes the other's ``check``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from codelists.errors import InputFileError

CODELISTS_FILE = "codelists.txt"
MANIFEST_FILE = "codelists.json"


@dataclass(frozen=True)
class StudyLine:
    """One line of ``codelists.txt``."""

    id: str  # owner/slug/version or user/name/slug/version
    codelist: str  # the id without its version
    version: str
    line: int

    @property
    def filename(self) -> str:
        return self.codelist.replace("/", "-") + ".csv"

    def url(self, base_url: str) -> str:
        return f"{base_url.rstrip('/')}/codelist/{self.id}/"


def parse_line(text: str, *, path=None, line: int = 0) -> StudyLine | None:
    """A line of ``codelists.txt`` (None for blanks and comments)."""
    text = text.strip().rstrip("/")
    if not text or text.startswith("#"):
        return None
    tokens = text.split("/")
    if len(tokens) not in (3, 4) or (len(tokens) == 4 and tokens[0] != "user") \
            or not all(tokens):
        raise InputFileError(
            f"{text!r} is not owner/codelist/version or user/USERNAME/codelist/version",
            path=path, line=line, hint="copy the codelist's id from its repository page")
    return StudyLine(text, "/".join(tokens[:-1]), tokens[-1], line)


def parse_lines(text: str, *, path=None) -> list[StudyLine]:
    """Every codelist of a ``codelists.txt``; a list named twice is an error."""
    found: dict[str, StudyLine] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        entry = parse_line(raw, path=path, line=number)
        if entry is None:
            continue
        earlier = found.get(entry.codelist)
        if earlier is not None:
            what = "repeats" if earlier.version == entry.version else \
                f"conflicts with version {earlier.version} on"
            raise InputFileError(f"{entry.id} {what} line {earlier.line}", path=path,
                                 line=number, hint="keep one version of each codelist")
        found[entry.codelist] = entry
    return list(found.values())


def read_lines(folder: str | Path) -> list[StudyLine]:
    path = Path(folder) / CODELISTS_FILE
    if not path.is_file():
        raise InputFileError("no codelists.txt here", path=path,
                             hint="list one owner/codelist/version a line in codelists.txt")
    return parse_lines(path.read_text(encoding="utf-8"), path=path)


def content_sha(content: bytes) -> str:
    """SHA-1 of a download with its line endings normalised (the manifest's ``sha``)."""
    from codelists.codelist.lock import content_hash

    return content_hash(content)


def read_manifest(folder: str | Path) -> dict:
    """The folder's manifest (``{"files": {}}`` when there is none yet)."""
    from codelists.codelist.lock import read_manifest as read

    return read(Path(folder) / MANIFEST_FILE)


def manifest_text(entries: dict[str, dict], previous: dict) -> str:
    """The manifest for downloaded files; an unchanged file keeps its earlier date."""
    files = {}
    for name, entry in entries.items():
        old = previous.get("files", {}).get(name)
        if old and old.get("sha") == entry["sha"] and old.get("downloaded_at"):
            entry = {**entry, "downloaded_at": old["downloaded_at"]}
        files[name] = entry
    return json.dumps({"files": files}, indent=2)
