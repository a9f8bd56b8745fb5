"""Study manifests: ``lock`` records content hashes, ``check`` finds drift.

The manifest is OpenSAFELY's ``codelists.json``: ``{"files": {NAME: {"id", "url",
"downloaded_at", "sha"}}}`` where ``sha`` is the SHA-1 of the file's lines joined by
``\\n`` (line endings normalised, no final newline), so a checkout with CRLF or LF
line ends hashes the same.  Names are relative to the manifest's folder.  ``lock``
keeps the ``id``, ``url`` and ``downloaded_at`` of entries it already has; for a
``.codelist`` file the id is its front-matter ``id`` and every local file it includes
is locked too.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
from pathlib import Path
from typing import Any

from codelists.codelist.fileformat import write_atomic
from codelists.errors import InputFileError, Problem

SUFFIXES = (".codelist", ".csv")


def content_hash(data: bytes) -> str:
    """SHA-1 of line-ending-normalised content, as OpenSAFELY computes it: the bytes split
    at ``\n``, ``\r\n`` and ``\r`` only (not at the other line breaks a decoded string
    knows, such as U+2028 in a term) and joined by ``\n``."""
    return hashlib.sha1(b"\n".join(data.splitlines())).hexdigest()


def file_hash(path: str | Path) -> str:
    try:
        return content_hash(Path(path).read_bytes())
    except FileNotFoundError:
        raise InputFileError("no such file", path=path, hint="check the path") from None


def read_manifest(path: str | Path) -> dict[str, Any]:
    path = Path(path)
    if not path.exists():
        return {"files": {}}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise InputFileError(f"the manifest is not valid JSON: {exc.msg}", path=path,
                             line=exc.lineno, hint="fix it, or delete it and lock again") from exc
    if not isinstance(data, dict) or not isinstance(data.get("files"), dict):
        raise InputFileError("the manifest has no `files` object", path=path,
                             hint="delete it and run `codelist lock` again")
    return data


def _collect(paths: list[Path]) -> list[Path]:
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(p for p in path.rglob("*") if p.suffix in SUFFIXES)
        elif path.exists():
            found.append(path)
        else:
            raise InputFileError("no such file or folder", path=path, hint="check the path")
    extra = []
    for path in found:
        if path.suffix == ".codelist":
            from codelists.codelist.compose import include_paths
            from codelists.codelist.fileformat import load

            extra += include_paths(load(path))
    unique: dict[Path, None] = {}
    for path in [*found, *extra]:
        unique.setdefault(path.resolve(), None)
    return list(unique)


def _name(path: Path, folder: Path) -> str:
    try:
        return path.relative_to(folder.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def _codelist_id(path: Path) -> str | None:
    if path.suffix != ".codelist":
        return None
    from codelists.codelist.fileformat import load

    cl = load(path)
    version = cl.meta.get("version")
    return f"{cl.id}/{version}" if version is not None else cl.id


def lock(paths: list[str | Path], manifest: str | Path, *, now: str | None = None) -> dict:
    """Write (atomically) a manifest of the files under ``paths``; returns it."""
    manifest = Path(manifest)
    folder = manifest.parent.resolve()
    old = read_manifest(manifest)["files"]
    files: dict[str, Any] = {}
    stamp = now or _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%fZ")
    for path in _collect([Path(p) for p in paths]):
        if path == manifest.resolve():
            continue
        name = _name(path, folder)
        entry = dict(old.get(name, {}))
        entry.setdefault("id", _codelist_id(path) or Path(name).stem)
        entry.setdefault("url", None)
        sha = file_hash(path)
        if entry.get("sha") != sha:
            entry["downloaded_at"] = stamp  # new or changed since the last lock
        entry["sha"] = sha
        files[name] = entry
    data = {"files": dict(sorted(files.items()))}
    write_atomic(manifest, json.dumps(data, indent=2) + "\n")
    return data


def check(manifest: str | Path, *, paths: list[str | Path] | None = None) -> list[Problem]:
    """Problems: files missing or changed since they were locked, and (when ``paths`` are
    given) files there that the manifest does not list."""
    manifest = Path(manifest)
    if not manifest.exists():
        raise InputFileError("no manifest", path=manifest,
                             hint="run `codelist lock` to write one")
    folder = manifest.parent
    files = read_manifest(manifest)["files"]
    problems = []
    for name, entry in files.items():
        path = folder / name
        if not path.exists():
            problems.append(Problem("missing", "error", f"{name} is locked but missing",
                                    str(path), hint="restore it, or lock again"))
        elif file_hash(path) != entry.get("sha"):
            problems.append(Problem("drift", "error", f"{name} changed since it was locked",
                                    str(path), hint="review the change, then `codelist lock`"))
    problems += _check_requested(folder, files)
    if paths:
        listed = {(folder / n).resolve() for n in files}
        companions = _pulled_companions(folder, files)
        for path in _collect([Path(p) for p in paths]):
            if path not in listed and path != manifest.resolve() and path not in companions:
                problems.append(Problem("unlocked", "error",
                                        f"{_name(path, folder)} is not in the manifest",
                                        str(path), hint="run `codelist lock`"))
    return problems


def _pulled_companions(folder: Path, files: dict[str, Any]) -> set[Path]:
    """``X.codelist`` beside a downloaded ``X.csv``: the same list in our format, written
    by `codelist pull` and kept out of the manifest (OpenSAFELY's manifest lists CSVs)."""
    return {(folder / name).with_suffix(".codelist").resolve()
            for name, entry in files.items() if name.endswith(".csv") and entry.get("url")}


def _check_requested(folder: Path, files: dict[str, Any]) -> list[Problem]:
    """OpenSAFELY's ``codelists.txt`` beside the manifest: every codelist it asks for is
    locked, and every downloaded (``url``) entry is still asked for."""
    requested_file = folder / "codelists.txt"
    if not requested_file.exists():
        return []
    requested = {line.strip().rstrip("/") for line in
                 requested_file.read_text(encoding="utf-8").splitlines()
                 if line.strip() and not line.strip().startswith("#")}
    downloaded = {str(e.get("id", "")).rstrip("/") for e in files.values() if e.get("url")}
    locked = {str(e.get("id", "")).rstrip("/") for e in files.values()}
    problems = [Problem("not-locked", "error", f"{ident} is in codelists.txt but not in the "
                        "manifest", str(requested_file), hint="download and lock it")
                for ident in sorted(requested - locked)]
    problems += [Problem("not-requested", "error", f"{ident} is locked but no longer in "
                         "codelists.txt", str(requested_file),
                         hint="remove its file and lock again")
                 for ident in sorted(downloaded - requested)]
    return problems
