"""Import an RF2 release (zip or folder) into a SNOMED CT store.

``import_release(path)`` reads the release's Snapshot files (or its Full files, keeping
the latest row per id, when it has no Snapshot), fills the store's tables, builds the
indexes, preferred terms, the IS-A closure and the full-text index, and moves the store
into place only when all of that succeeded (:func:`codelists.terminology.store.build_store`).
"""

from __future__ import annotations

import json
import sqlite3
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from codelists.terminology.locate import data_dir
from codelists.terminology.snomedct import SCHEMA_VERSION, SYSTEM, derived
from codelists.terminology.snomedct.closure import fill_closure
from codelists.terminology.snomedct.idsets import add_id_sets
from codelists.terminology.snomedct.refsets import MEMBER_TABLES, pattern_for
from codelists.terminology.snomedct.rf2 import HEADERS, Release, ReleaseFile, RowReader
from codelists.terminology.store import (
    StoreMetadata,
    build_store,
    file_checksum,
    insert_rows,
)


@dataclass(frozen=True)
class ImportEvent:
    """Progress of an import: ``done`` of ``total`` work units, in ``stage``.

    A ``stage`` of ``"warning"`` carries a ``message`` about something skipped.
    """

    stage: str
    done: int
    total: int
    message: str = ""


ProgressCallback = Callable[[ImportEvent], None]

#: post-processing stages and their weight relative to reading all files
STAGES = [("indexes", 0.15), ("preferred terms", 0.1), ("closure", 0.2),
          ("search index", 0.25)]


def schema_sql() -> str:
    return resources.files("codelists.terminology.snomedct").joinpath("schema.sql").read_text(
        encoding="utf-8")


def looks_like_release(path: str | Path) -> bool:
    """True when ``path`` is a zip or folder holding RF2 concept files (for detection)."""
    path = Path(path)
    try:
        if path.is_dir():
            return any(p.name.startswith(("sct2_Concept_", "xsct2_Concept_"))
                       for p in path.rglob("*.txt"))
        if path.is_file() and zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                return any("sct2_Concept_" in n for n in archive.namelist())
    except (OSError, zipfile.BadZipFile):
        return False
    return False


def default_destination(edition: str, release_date: str) -> Path:
    return data_dir() / f"{SYSTEM}-{edition}-{release_date or 'undated'}.db"


def import_release(path: str | Path, destination: str | Path | None = None, *,
                   progress: ProgressCallback | None = None) -> Path:
    """Import an RF2 release zip or folder; returns the path of the new store."""
    path = Path(path)
    with Release.open(path) as release:
        files = release.chosen()
        edition = release.edition()
        date = release.release_date(files)
        metadata = StoreMetadata(
            terminology=SYSTEM, edition=edition, release_date=date,
            sources=_sources(release, files), schema_version=SCHEMA_VERSION,
            extra={"release_type": files[0].release_type,
                   "packages": json.dumps(release.packages())},
        )
        target = Path(destination) if destination else default_destination(edition, date)
        loader = Loader(release, files, metadata, progress)
        return build_store(target, metadata, schema_sql(), loader.populate)


def _sources(release: Release, files: list[ReleaseFile]) -> list[dict]:
    if release.source.is_file():
        return [{"path": release.source.name, "sha256": file_checksum(release.source)}]
    return [{"path": f.name, "sha256": file_checksum(release.source / f.name)}
            for f in files if f.kind in HEADERS]


# -- converting rows -------------------------------------------------------------------
def _concept(p):
    return (int(p[0]), int(p[1]), int(p[2]), int(p[3]), int(p[4]))


def _description(p):
    return (int(p[0]), int(p[1]), int(p[2]), int(p[3]), int(p[4]), p[5], int(p[6]), p[7],
            int(p[8]))


def _relationship(p):
    return (int(p[0]), int(p[1]), int(p[2]), int(p[3]), int(p[4]), int(p[5]), int(p[6]),
            int(p[7]), int(p[8]), int(p[9]))


def _identifier(p):
    # identifierSchemeId, alternateIdentifier, effectiveTime, active, moduleId, component
    return (int(p[0]), p[1], int(p[2]), int(p[3]), int(p[4]), int(p[5]))


def _concrete(p):
    number, text, boolean = concrete_value(p[5])
    return (int(p[0]), int(p[1]), int(p[2]), int(p[3]), int(p[4]), p[5], number, text,
            boolean, int(p[6]), int(p[7]), int(p[8]))


def concrete_value(raw: str) -> tuple[float | None, str | None, int | None]:
    """(number, text, boolean) for an RF2 concrete value: ``#12``, ``"text"``, ``true``."""
    if raw.startswith("#"):
        return float(raw[1:]), None, None
    if raw.startswith('"') and raw.endswith('"') and len(raw) >= 2:
        return None, raw[1:-1], None
    if raw in ("true", "false"):
        return None, None, int(raw == "true")
    raise ValueError(f"unrecognised concrete value {raw!r}")


def _latest(rows: Iterable[tuple]) -> Iterable[tuple]:
    """Full files: keep the row with the latest effective time per id (the later on ties)."""
    best: dict = {}
    for row in rows:
        old = best.get(row[0])
        if old is None or row[1] >= old[1]:
            best[row[0]] = row
    return best.values()


def _active_without_flag(rows: Iterable[tuple]) -> Iterator[tuple]:
    for row in rows:
        if row[2]:
            yield row[:2] + row[3:]


class Loader:
    """Fills one store from one release (the ``populate`` step of build_store)."""

    def __init__(self, release: Release, files: list[ReleaseFile], metadata: StoreMetadata,
                 progress: ProgressCallback | None):
        self.release = release
        self.files = files
        self.metadata = metadata
        self.progress = progress
        self.full = files[0].release_type == "Full"
        self.read_total = sum(f.size for f in files if f.kind in HEADERS) or 1
        self.total = int(self.read_total * (1 + sum(w for _, w in STAGES)))
        self.done = 0
        self.warnings: list[str] = []
        self.refset_fields: dict[int, tuple[str, list[str]]] = {}

    # -- progress ----------------------------------------------------------------------
    def _emit(self, stage: str, done: int) -> None:
        if self.progress is not None:
            self.progress(ImportEvent(stage, min(done, self.total), self.total))

    def _warn(self, message: str) -> None:
        self.warnings.append(message)
        if self.progress is not None:
            self.progress(ImportEvent("warning", self.done, self.total, message))

    def _stage(self, name: str, weight: float) -> None:
        self._emit(name, self.done)
        self.done += int(self.read_total * weight)

    # -- the steps ---------------------------------------------------------------------
    def populate(self, conn: sqlite3.Connection) -> None:
        self._load(conn, "concept", "concepts", _concept, keep_inactive=True)
        self._load(conn, "description", "descriptions", _description, keep_inactive=True)
        self._load(conn, "text_definition", "descriptions", _description, keep_inactive=True)
        self._load(conn, "relationship", "relationships", _relationship)
        self._load(conn, "concrete_value", "concrete_values", _concrete)
        self._load_identifiers(conn)
        self._load_refsets(conn)
        self._stage("indexes", STAGES[0][1])
        derived.create_indexes(conn)
        derived.fill_refsets_table(conn, self.refset_fields)
        self._stage("preferred terms", STAGES[1][1])
        derived.fill_semantic_tags(conn)
        derived.fill_preferred_terms(conn)
        self._stage("closure", STAGES[2][1])
        closure_rows = fill_closure(conn)
        derived.create_closure_index(conn)
        add_id_sets(conn)
        self._stage("search index", STAGES[3][1])
        derived.build_search_index(conn)
        self._emit("done", self.total)
        self.metadata.extra.update(derived.counts(conn))
        self.metadata.extra["closure_rows"] = str(closure_rows)
        self.metadata.extra["warnings"] = json.dumps(self.warnings)

    def _rows(self, f: ReleaseFile, convert) -> Iterator[tuple]:
        reader = RowReader(self.release, f, HEADERS[f.kind],
                           on_bytes=lambda pos: self._emit(f"reading {f.basename}",
                                                           self.done + pos))
        if reader.skipped_reason:
            self._warn(f"skipped {self.release.label(f)}: {reader.skipped_reason}")
            reader.close()
            return
        if convert is None:
            convert = pattern_for(reader.header, f.name).convert
        try:
            for parts in reader:
                yield convert(parts)
        except ValueError as exc:
            raise reader.error(f"malformed row: {exc}",
                               hint="every id, time and flag must be an integer; fix or "
                               "replace this file") from exc
        except IndexError as exc:
            raise reader.error("malformed row: too few columns") from exc
        finally:
            reader.close()
            self.done += f.size
            self._emit(f"read {f.basename}", self.done)

    def _chain(self, files: list[ReleaseFile], convert) -> Iterator[tuple]:
        for f in files:
            yield from self._rows(f, convert)

    def _load(self, conn, kind: str, table: str, convert, *, keep_inactive=False) -> None:
        files = [f for f in self.files if f.kind == kind]
        if not files:
            return
        rows: Iterable[tuple] = self._chain(files, convert)
        if self.full:
            rows = _latest(rows)
        if not keep_inactive:
            rows = _active_without_flag(rows)
        columns = [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]
        suffix = ""
        if keep_inactive:  # concepts, descriptions: the latest row of an id wins
            updates = ", ".join(f"{c} = excluded.{c}" for c in columns[1:])
            suffix = (f" ON CONFLICT (id) DO UPDATE SET {updates} "
                      f"WHERE excluded.effective_time >= {table}.effective_time")
        insert_rows(conn, table, rows, width=len(columns), suffix=suffix)

    def _load_identifiers(self, conn) -> None:
        """The Identifier file(s): the latest row per (scheme, alternate identifier)."""
        files = [f for f in self.files if f.kind == "identifier"]
        if files:
            insert_rows(conn, "identifiers", self._chain(files, _identifier), width=6,
                        suffix=" ON CONFLICT (scheme_id, alternate_identifier) DO UPDATE SET "
                        "effective_time = "
                        "excluded.effective_time, active = excluded.active, module_id = "
                        "excluded.module_id, referenced_component_id = "
                        "excluded.referenced_component_id WHERE excluded.effective_time "
                        ">= identifiers.effective_time")

    def _load_refsets(self, conn) -> None:
        by_pattern: dict[tuple[str, ...], list[ReleaseFile]] = {}
        for f in (f for f in self.files if f.kind == "refset"):
            header = _peek_header(self.release, f)
            if header is None:
                if f.size:
                    self._warn(f"skipped {self.release.label(f)}: not an RF2 table")
                self.done += f.size
                continue
            other = pattern_for(header, f.name).table == "refset_other"
            # 'other' patterns are loaded file by file: each names its own pattern
            key = tuple(header[6:]) + ((f.name,) if other else ())
            by_pattern.setdefault(key, []).append(f)
        for files in by_pattern.values():
            self._load_refset_files(conn, files)
        for table in MEMBER_TABLES:  # inactive members move to their own tables
            conn.execute(f"INSERT INTO {table}_inactive SELECT * FROM {table} WHERE active = 0")
            conn.execute(f"DELETE FROM {table} WHERE active = 0")

    def _load_refset_files(self, conn, files: list[ReleaseFile]) -> None:
        header = _peek_header(self.release, files[0])
        pattern = pattern_for(header, files[0].name)
        fields = list(header[6:])
        seen: set[int] = set()

        def noted(rows):
            for row in rows:
                seen.add(row[4])
                yield row

        rows: Iterable[tuple] = self._chain(files, pattern.convert)
        if self.full:
            rows = _latest(rows)
        rows = noted(rows)
        insert_rows(conn, pattern.table, rows, width=len(pattern.insert_columns),
                    columns=pattern.insert_columns)
        for refset_id in seen:
            self.refset_fields.setdefault(refset_id, (pattern.table, fields))


def _peek_header(release: Release, f: ReleaseFile) -> list[str] | None:
    if f.size == 0:
        return None
    reader = RowReader(release, f, None)
    try:
        return None if reader.skipped_reason else reader.header
    finally:
        reader.close()
