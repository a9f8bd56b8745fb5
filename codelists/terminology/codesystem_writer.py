"""Writing a generic code-system store: the row writer, the closure, the atomic build,
and finding a release's files in a folder, a zip or a single file.

The schema and the reader are in :mod:`codelists.terminology.codesystem`.
"""

from __future__ import annotations

import gzip
import re
import sqlite3
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from codelists.errors import InputFileError


@dataclass(frozen=True)
class ImportEvent:
    """Progress of an import, for the CLI's progress bar."""

    stage: str
    done: int
    total: int
    message: str = ""


class CodeSystemWriter:
    """Fills a generic store inside :func:`codelists.terminology.store.build_store`.

    Rows are buffered and written in batches; :meth:`finish` writes the closure, the
    indexes and the full-text index.
    """

    def __init__(self, conn: sqlite3.Connection, system: str):
        self.conn = conn
        self.system = system
        self._seq = 0
        self._codes: list[tuple] = []
        self._descriptions: list[tuple] = []
        self._edges: set[tuple[str, str]] = set()
        self._notes: list[tuple] = []
        self._attributes: list[tuple] = []
        self._aliases: dict[str, tuple] = {}
        self._maps: list[tuple] = []
        self.known: dict[str, str] = {}  # code -> preferred term

    def add_code(self, code: str, term: str, *, kind: str = "", active: bool = True,
                 synonyms: Iterable[str] = (), description_id: str | None = None) -> None:
        if code in self.known:
            return
        self._seq += 1
        self.known[code] = term
        self._codes.append((code, term, kind, int(active), self._seq))
        self._descriptions.append((code, term, "preferred", int(active), description_id))
        for synonym in synonyms:
            self.add_description(code, synonym, "synonym")

    def add_description(self, code: str, term: str, type_: str, *, active: bool = True,
                        description_id: str | None = None) -> None:
        self._descriptions.append((code, term, type_, int(active), description_id))

    def add_edge(self, parent: str, child: str) -> None:
        if parent != child:
            self._edges.add((parent, child))

    def add_note(self, code: str, type_: str, text: str) -> None:
        self._notes.append((code, type_, text, len(self._notes)))

    def add_attribute(self, code: str, name: str, value: str | None,
                      value_code: str | None = None, group: int = 0) -> None:
        self._attributes.append((code, name, value, value_code, group))

    def add_alias(self, alias: str, code: str, reason: str) -> None:
        if alias != code:
            self._aliases.setdefault(alias, (alias, code, reason))

    def add_map(self, source_code: str, target_system: str, target_code: str, *,
                group: int | None = None, priority: int | None = None, rule: str | None = None,
                advice: str | None = None, relation: str | None = None, active: bool = True,
                origin: str = "") -> None:
        self._maps.append((source_code, target_system, target_code, group, priority, rule,
                           advice, relation, int(active), origin))

    def finish(self) -> dict[str, int]:
        """Write everything; returns row counts for the import summary."""
        c = self.conn
        c.executemany("INSERT INTO codes VALUES (?,?,?,?,?)", self._codes)
        # shortest term first: rowid order is search order (first_matches)
        ordered = sorted(self._descriptions, key=lambda d: len(d[1]))
        c.executemany("INSERT INTO descriptions (code, term, type, active, description_id) "
                      "VALUES (?,?,?,?,?)", ordered)
        edges = sorted((p, ch) for p, ch in self._edges if p in self.known and ch in self.known)
        c.executemany("INSERT INTO hierarchy VALUES (?,?)", edges)
        c.executemany("INSERT INTO notes VALUES (?,?,?,?)", self._notes)
        c.executemany("INSERT INTO attributes VALUES (?,?,?,?,?)", self._attributes)
        c.executemany("INSERT INTO aliases VALUES (?,?,?)",
                      [a for a in self._aliases.values() if a[0] not in self.known])
        c.executemany("INSERT INTO maps VALUES (?,?,?,?,?,?,?,?,?,?)", self._maps)
        closure = transitive_closure(edges)
        c.executemany("INSERT INTO closure VALUES (?,?)", closure)
        from codelists.terminology.codesystem import INDEX_SQL

        for statement in INDEX_SQL.strip().split(";"):
            if statement.strip():
                c.execute(statement)
        c.execute("INSERT INTO descriptions_fts(descriptions_fts) VALUES ('rebuild')")
        return {"codes": len(self._codes), "descriptions": len(self._descriptions),
                "hierarchy_edges": len(edges), "closure_rows": len(closure),
                "notes": len(self._notes), "maps": len(self._maps)}


def transitive_closure(edges: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """Every (ancestor, descendant) pair of a parent->child edge list (a DAG)."""
    parents: dict[str, list[str]] = {}
    for parent, child in edges:
        parents.setdefault(child, []).append(parent)
    memo: dict[str, frozenset[str]] = {}

    def ancestors_of(code: str) -> frozenset[str]:
        if code in memo:
            return memo[code]
        found: set[str] = set()
        stack = [code]
        seen = {code}
        while stack:
            node = stack.pop()
            for p in parents.get(node, ()):
                if p not in seen:
                    seen.add(p)
                    found.add(p)
                    stack.append(p)
        memo[code] = frozenset(found)
        return memo[code]

    pairs = []
    for child in parents:
        pairs.extend((a, child) for a in ancestors_of(child))
    pairs.sort()
    return pairs


def build_codesystem_store(
    system: str,
    destination: str | Path,
    *,
    sources: list[Path],
    populate,
    edition: str = "",
    release_date: str = "",
    extra: dict[str, str] | None = None,
    progress=None,
) -> Path:
    """Build a generic store atomically: ``populate(writer)`` adds the release's rows.

    ``populate`` may return a dict of metadata updates (e.g. a release date read from
    inside the files); the writer's row counts land in the metadata too.
    """
    from codelists.terminology.store import StoreMetadata, build_store, file_checksum

    metadata = StoreMetadata(
        terminology=system, edition=edition, release_date=release_date,
        sources=[{"path": p.name, "sha256": file_checksum(p)} for p in sources if p.is_file()],
        extra=dict(extra or {}),
    )

    def report(stage: str, done: int) -> None:
        if progress is not None:
            progress(ImportEvent(stage, done, 3))

    def fill(conn: sqlite3.Connection) -> None:
        writer = CodeSystemWriter(conn, system)
        report("reading the release", 0)
        updates = populate(writer) or {}
        report("writing codes, closure and index", 1)
        for key, value in updates.items():
            if key in ("edition", "release_date"):
                setattr(metadata, key, value)
            else:
                metadata.extra[key] = str(value)
        counts = writer.finish()
        metadata.extra.update({k: str(v) for k, v in counts.items()})
        report("done", 3)

    from codelists.terminology.codesystem import SCHEMA_SQL

    return build_store(destination, metadata, SCHEMA_SQL, fill)


class ReleaseFiles:
    """Files of a release, found by name in a folder, a zip, or one plain file."""

    def __init__(self, path: Path):
        self.path = path
        self._zip = zipfile.ZipFile(path) if path.is_file() and zipfile.is_zipfile(path) else None
        self._base = path if path.is_dir() else path.parent
        if self._zip is not None:
            self.names = [n for n in self._zip.namelist() if not n.endswith("/")]
        elif path.is_dir():
            self.names = [str(p.relative_to(path)) for p in sorted(path.rglob("*"))
                          if p.is_file()]
        elif path.is_file():
            self.names = [path.name]
        else:
            raise InputFileError("no such release file or folder", path=path,
                                 hint="pass the release zip as published, or its folder")

    @staticmethod
    def basename(name: str) -> str:
        return name.replace("\\", "/").rsplit("/", 1)[-1]

    def find_all(self, pattern: str) -> list[str]:
        regex = re.compile(pattern, re.IGNORECASE)
        return [n for n in self.names if regex.search(self.basename(n))]

    def find(self, pattern: str) -> str | None:
        found = self.find_all(pattern)
        return found[0] if found else None

    def read(self, name: str) -> bytes:
        data = self._zip.read(name) if self._zip else (self._base / name).read_bytes()
        return gzip.decompress(data) if name.endswith(".gz") else data

    def text(self, name: str, encoding: str = "latin-1") -> str:
        data = self.read(name)
        if encoding == "latin-1" and data.startswith(b"\xef\xbb\xbf"):
            return data[3:].decode("utf-8")
        return data.decode(encoding)

    def label(self, name: str) -> str:
        return f"{self.path}!{name}" if self._zip else str(self._base / name)

    def close(self) -> None:
        if self._zip:
            self._zip.close()

    @classmethod
    def probe(cls, path: Path, test) -> bool:
        """``test(files)`` on a release, False when it is not one we can open (detection)."""
        try:
            files = cls(Path(path))
        except Exception:
            return False
        try:
            return bool(test(files))
        finally:
            files.close()


#: NHS TRUD release names: ..._<version>_<YYYYMMDD>..., e.g. nhs_dmd_10.1.0_20240909000001
TRUD_STAMP = re.compile(r"_(\d+\.\d+\.\d+)_(\d{4})(\d{2})(\d{2})")


def trud_release(path: Path, label: str) -> dict:
    """Edition and release date from a TRUD release name (just the label when absent)."""
    m = TRUD_STAMP.search(Path(path).name)
    if not m:
        return {"edition": label}
    return {"edition": f"{label} {m.group(1)}",
            "release_date": f"{m.group(2)}-{m.group(3)}-{m.group(4)}"}


def build_release_store(system: str, path: Path, destination: str | Path | None, populate,
                        progress=None) -> Path:
    """Build ``system``'s store from the release at ``path`` (default destination: the data
    directory, named after the system and the release file)."""
    if destination is None:
        from codelists.terminology.locate import data_dir

        destination = data_dir() / f"{system}-{Path(path).stem}.db"
    return build_codesystem_store(system, destination, sources=[path], populate=populate,
                                  progress=progress)
