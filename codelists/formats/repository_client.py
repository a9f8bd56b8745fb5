"""Fetching a study's codelists from an OpenCodelists-compatible repository.

Works against OpenCodelists itself and against our own site (which serves the same
URLs): :func:`pull` downloads every list of ``codelists.txt`` as CSV -- and as
``.codelist`` where the server offers one -- and writes the manifest;
:func:`upstream_changes` asks the server's ``/api/v1/check/`` which lists changed.
Every file is written atomically; the manifest last, so an interrupted pull leaves the
previous manifest in place.
"""

from __future__ import annotations

import datetime
import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from codelists.codelist.fileformat import write_atomic
from codelists.errors import RemoteError
from codelists.formats import study

USER_AGENT = "codelists (codelist pull)"
TIMEOUT = 60
OPENCODELISTS = "https://www.opencodelists.org"


def base_url(explicit: str | None = None) -> str:
    """The repository to pull from: ``--from``, ``CODELISTS_REPOSITORY_URL``, the project
    config's ``[repository] url``, else OpenCodelists."""
    import os

    from codelists.terminology.locate import read_config

    if explicit:
        return explicit.rstrip("/")
    if os.environ.get("CODELISTS_REPOSITORY_URL"):
        return os.environ["CODELISTS_REPOSITORY_URL"].rstrip("/")
    _, config = read_config()
    url = (config.get("repository") or {}).get("url") if config else None
    return str(url).rstrip("/") if url else OPENCODELISTS


def _request(url: str, data: dict | None = None) -> tuple[bytes, str]:
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    request = urllib.request.Request(url, data=body, headers={"User-Agent": USER_AGENT})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            return response.read(), response.headers.get("Content-Type", "")
    except urllib.error.HTTPError as exc:
        raise RemoteError(f"{url} answered {exc.code} {exc.reason}",
                          hint="check the codelist id in codelists.txt and that you may "
                               "see it") from exc
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise RemoteError(f"cannot reach {url}: {reason}",
                          hint="check --from (or CODELISTS_REPOSITORY_URL) and the "
                               "network") from exc


def fetch_csv(base_url: str, entry: study.StudyLine) -> bytes:
    """A list's ``download.csv``; anything but CSV (a draft's page, an error) is refused."""
    url = entry.url(base_url) + "download.csv"
    content, content_type = _request(url)
    if content_type.split(";")[0].strip() != "text/csv":
        raise RemoteError(f"{url} did not return CSV ({content_type or 'no type'})",
                          hint="the version may be a draft or not exist")
    return content


def fetch_codelist(base_url: str, entry: study.StudyLine) -> bytes | None:
    """The version as a ``.codelist`` file, or None when the server offers none."""
    url = entry.url(base_url) + "download.codelist"
    try:
        content, content_type = _request(url)
    except RemoteError:
        return None
    return content if content_type.startswith("text/plain") else None


@dataclass
class PullResult:
    written: list[str] = field(default_factory=list)  # CSV files
    codelist_files: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    manifest: dict = field(default_factory=dict)


def pull(folder: str | Path, base_url: str, *, with_codelist: bool = True,
         now: datetime.datetime | None = None) -> PullResult:
    """Download every list of ``folder/codelists.txt`` and write the manifest.

    Everything is downloaded before anything is written, so a list that fails to
    download leaves the folder as it was.
    """
    folder = Path(folder)
    entries = study.read_lines(folder)
    previous = study.read_manifest(folder)
    fetched = []
    for entry in entries:
        content = fetch_csv(base_url, entry)
        moment = now or datetime.datetime.now(tz=datetime.UTC)
        text = fetch_codelist(base_url, entry) if with_codelist else None
        fetched.append((entry, content, moment, text))
    result = PullResult()
    files: dict[str, dict] = {}
    for entry, content, moment, text in fetched:
        write_atomic(folder / entry.filename, content)
        result.written.append(entry.filename)
        files[entry.filename] = {"id": entry.id, "url": entry.url(base_url),
                                 "downloaded_at": f"{moment}Z",
                                 "sha": study.content_sha(content)}
        if text is not None:
            name = entry.filename[:-4] + ".codelist"
            write_atomic(folder / name, text)
            result.codelist_files.append(name)
    for stale in sorted(set(p.name for p in folder.glob("*.csv")) - set(files)):
        (folder / stale).unlink()
        result.removed.append(stale)
    write_atomic(folder / study.MANIFEST_FILE, study.manifest_text(files, previous))
    result.manifest = json.loads((folder / study.MANIFEST_FILE).read_text(encoding="utf-8"))
    return result


@dataclass(frozen=True)
class UpstreamReport:
    ok: bool
    error: str = ""
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()

    def as_dict(self) -> dict:
        return {"ok": self.ok, "error": self.error, "added": list(self.added),
                "removed": list(self.removed), "changed": list(self.changed)}


def upstream_changes(folder: str | Path, base_url: str) -> UpstreamReport:
    """What the repository's ``/api/v1/check/`` says about this folder's lists."""
    folder = Path(folder)
    lines_path = folder / study.CODELISTS_FILE
    study.read_lines(folder)  # a bad codelists.txt is reported here, with its line
    manifest_path = folder / study.MANIFEST_FILE
    if not manifest_path.is_file():
        raise RemoteError("no codelists.json here", hint="run `codelist pull` first")
    content, _ = _request(f"{base_url.rstrip('/')}/api/v1/check/", {
        "codelists": lines_path.read_text(encoding="utf-8"),
        "manifest": manifest_path.read_text(encoding="utf-8")})
    try:
        answer = json.loads(content)
    except json.JSONDecodeError as exc:
        raise RemoteError(f"{base_url} /api/v1/check/ did not answer JSON",
                          hint="is this an OpenCodelists-compatible repository?") from exc
    if answer.get("status") == "ok":
        return UpstreamReport(True)
    data = answer.get("data") or {}
    return UpstreamReport(False, str(data.get("error", "")),
                          tuple(sorted(data.get("added", []))),
                          tuple(sorted(data.get("removed", []))),
                          tuple(data.get("changed", [])))
