"""Terminology stores: one SQLite file per terminology release.

A store is *built* into a temporary file beside its destination and renamed into place
only when complete, so a failed or interrupted import never leaves a half-built store and
never touches the previous one.  It is *opened* read-only for queries.  Every store has a
``metadata`` table (key/value) naming its terminology, edition, release date, source files
and checksums, schema version, tool version and build time.
"""

from __future__ import annotations

import datetime as _dt
import os
import sqlite3

from codelists.errors import ImportFailedError, StoreNotFoundError, StoreSchemaError

#: ``typing.TYPE_CHECKING`` without importing typing.  Opening a store for a query is on
#: the command line's start-up path: it imports neither pathlib nor json (about 5 ms of a
#: fresh process together); ``Store.path`` and ``StoreMetadata.sources`` are made on use.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable
    from pathlib import Path

#: schema version per terminology; bump when a store's tables change incompatibly.
SCHEMA_VERSIONS: dict[str, int] = {}


def register_schema(terminology: str, version: int) -> None:
    """Declare the current schema version of a terminology's stores."""
    SCHEMA_VERSIONS[terminology] = version


def tool_version() -> str:
    try:
        from importlib.metadata import version

        return version("codelists")
    except Exception:  # pragma: no cover - only when run from a bare checkout
        return "0+unknown"


def file_checksum(path: Path, algorithm: str = "sha256") -> str:
    import hashlib

    digest = hashlib.new(algorithm)
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class StoreMetadata:
    """What a store's ``metadata`` table holds.  A plain class (not a dataclass: opening
    a store is on the command line's start-up path, see codelists.records)."""

    FIELDS = ("terminology", "edition", "release_date", "sources", "schema_version",
              "tool_version", "build_time", "extra")

    def __init__(self, terminology: str, edition: str = "", release_date: str = "",
                 sources: list[dict] | str | None = None, schema_version: int = 0,
                 tool_version: str = "", build_time: str = "",
                 extra: dict[str, str] | None = None) -> None:
        self.terminology = terminology
        self.edition = edition
        self.release_date = release_date
        self.sources = [] if sources is None else sources
        self.schema_version = schema_version
        self.tool_version = tool_version
        self.build_time = build_time
        self.extra = {} if extra is None else extra

    @property
    def sources(self) -> list[dict]:
        """The source files, ``[{"path", "sha256"}]`` (read from the store on first use)."""
        if isinstance(self._sources, str):
            import json

            self._sources = json.loads(self._sources or "[]")
        return self._sources

    @sources.setter
    def sources(self, value: list[dict] | str) -> None:
        self._sources = value  # a list, or the JSON text of one (read on first use)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return all(getattr(self, f) == getattr(other, f) for f in self.FIELDS)

    __hash__ = None  # mutable

    def __repr__(self) -> str:
        inner = ", ".join(f"{f}={getattr(self, f)!r}" for f in self.FIELDS)
        return f"StoreMetadata({inner})"

    def rows(self) -> list[tuple[str, str]]:
        import json

        rows = [
            ("terminology", self.terminology),
            ("edition", self.edition),
            ("release_date", self.release_date),
            ("sources", json.dumps(self.sources)),
            ("schema_version", str(self.schema_version)),
            ("tool_version", self.tool_version),
            ("build_time", self.build_time),
        ]
        rows.extend((k, str(v)) for k, v in self.extra.items())
        return rows

    @classmethod
    def from_rows(cls, rows: Iterable[tuple[str, str]]) -> StoreMetadata:
        data = dict(rows)
        known = {"terminology", "edition", "release_date", "sources", "schema_version",
                 "tool_version", "build_time"}
        return cls(
            terminology=data.get("terminology", ""),
            edition=data.get("edition", ""),
            release_date=data.get("release_date", ""),
            sources=data.get("sources") or "[]",
            schema_version=int(data.get("schema_version") or 0),
            tool_version=data.get("tool_version", ""),
            build_time=data.get("build_time", ""),
            extra={k: v for k, v in data.items() if k not in known},
        )

    def as_dict(self) -> dict:
        return {
            "terminology": self.terminology,
            "edition": self.edition,
            "release_date": self.release_date,
            "sources": self.sources,
            "schema_version": self.schema_version,
            "tool_version": self.tool_version,
            "build_time": self.build_time,
            **self.extra,
        }


METADATA_DDL = "CREATE TABLE metadata (key TEXT PRIMARY KEY, value TEXT NOT NULL)"


def build_store(
    destination: str | Path,
    metadata: StoreMetadata,
    schema_sql: str,
    populate: Callable[[sqlite3.Connection], None],
) -> Path:
    """Build a store atomically.

    Creates ``schema_sql`` in a temporary file beside ``destination``, calls
    ``populate(conn)`` to fill it, writes ``metadata`` and renames the file into place.
    On any failure the temporary file is removed and ``destination`` is left as it was.
    ``populate`` may update ``metadata`` (e.g. release date) before it returns.
    """
    import contextlib
    from pathlib import Path

    destination = Path(destination)
    destination.parent.mkdir(parents=True, exist_ok=True)
    tmp = destination.with_name(f".{destination.name}.{os.getpid()}.building")
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()
    conn = sqlite3.connect(tmp, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode = OFF")
        conn.execute("PRAGMA synchronous = OFF")
        # sorts for index builds spill to temporary files beyond the cache, so memory
        # stays bounded (about 0.3 GB of page cache; 0.5 GB cost as much CPU and 115 MB
        # more peak RSS on the 370k release) however large the release
        conn.execute("PRAGMA temp_store = FILE")
        conn.execute("PRAGMA cache_size = -300000")
        conn.execute("PRAGMA page_size = 8192")
        conn.execute(METADATA_DDL)
        conn.executescript(schema_sql)
        conn.execute("BEGIN")
        populate(conn)
        metadata.tool_version = metadata.tool_version or tool_version()
        metadata.build_time = metadata.build_time or _dt.datetime.now(_dt.UTC).isoformat(
            timespec="seconds"
        )
        if not metadata.schema_version:
            metadata.schema_version = SCHEMA_VERSIONS.get(metadata.terminology, 1)
        conn.execute("DELETE FROM metadata")
        conn.executemany("INSERT INTO metadata VALUES (?, ?)", metadata.rows())
        conn.execute("COMMIT")
        conn.execute("ANALYZE")
        conn.close()
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, destination)
    except BaseException as exc:
        with contextlib.suppress(Exception):
            conn.close()
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        if isinstance(exc, ImportFailedError | KeyboardInterrupt):
            raise
        if isinstance(exc, sqlite3.Error):
            raise ImportFailedError(
                f"building the store failed: {exc}", path=destination,
                hint="the previous store (if any) is untouched; check the release files",
            ) from exc
        raise
    return destination


def insert_rows(
    conn: sqlite3.Connection,
    table: str,
    rows: Iterable[tuple],
    *,
    width: int,
    columns: Iterable[str] | None = None,
    verb: str = "INSERT",
    suffix: str = "",
    per_statement: int = 100,
) -> None:
    """Insert many rows of ``width`` values fast: ``per_statement`` rows per INSERT
    (one multi-row VALUES list), which costs SQLite and Python far less per row than
    one statement per row.  ``suffix`` follows the VALUES (an ``ON CONFLICT`` clause)."""
    from itertools import chain, islice

    names = f" ({', '.join(columns)})" if columns else ""
    one = "(" + ", ".join("?" * width) + ")"
    batch_sql = f"{verb} INTO {table}{names} VALUES " + ", ".join([one] * per_statement) \
        + suffix
    iterator = iter(rows)
    flatten = chain.from_iterable
    while True:
        batch = list(islice(iterator, per_statement * 200))
        full = len(batch) - len(batch) % per_statement
        if full:
            conn.executemany(batch_sql, (
                tuple(flatten(batch[i:i + per_statement])) for i in range(0, full, per_statement)
            ))
        if full < len(batch):
            conn.executemany(f"{verb} INTO {table}{names} VALUES {one}{suffix}", batch[full:])
        if len(batch) < per_statement * 200:
            return


def read_only_uri(path: str | os.PathLike, *, immutable: bool = False) -> str:
    """The SQLite URI opening the file at ``path`` read-only (``?``, ``#`` and ``%`` in
    the path escaped: unescaped, they would end the path or start an escape); with
    ``immutable``, as a file nothing writes while it is open (no locking, no change
    detection: :meth:`Store.open`)."""
    text = os.fspath(path)
    for char, escaped in (("%", "%25"), ("?", "%3f"), ("#", "%23")):
        text = text.replace(char, escaped)
    return f"file:{text}?mode=ro" + ("&immutable=1" if immutable else "")


class Store:
    """A read-only connection to one terminology store."""

    def __init__(self, path: str | Path, conn: sqlite3.Connection, metadata: StoreMetadata):
        self._path = path
        self.conn = conn
        self.metadata = metadata

    @property
    def path(self) -> Path:
        from pathlib import Path

        if not isinstance(self._path, Path):
            self._path = Path(self._path)
        return self._path

    @property
    def terminology(self) -> str:
        return self.metadata.terminology

    @classmethod
    def open(cls, path: str | Path, *, terminology: str | None = None) -> Store:
        """Open a store read-only, checking it is one and its schema is current.

        The file is opened *immutable*: a store is never written in place (an import
        builds a new file and renames it over the old one, so an open store keeps
        reading the file it opened), and SQLite then skips the file locking and change
        detection it would otherwise do before every statement, a few microseconds
        that dominate a small query.

        Opening is on the command line's start-up path: it uses ``os.path`` and the text
        of the path, not pathlib (which imports ``re`` and ``urllib.parse``: ~5 ms of a
        fresh `codelist ecl expand`; tests/functional/test_cli_startup.py checks it);
        :func:`read_only_uri` is the one place the URI (and its parameters) is made."""
        path = os.fspath(path)
        if not os.path.isfile(path):
            raise StoreNotFoundError(
                "no terminology store at this path", path=path,
                hint="build one with `codelist terminology import RELEASE`",
            )
        conn = sqlite3.connect(read_only_uri(path, immutable=True), uri=True,
                               check_same_thread=False)
        try:
            rows = conn.execute("SELECT key, value FROM metadata").fetchall()
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise StoreSchemaError(
                f"not a codelists terminology store ({exc})", path=path,
                hint="rebuild it with `codelist terminology import RELEASE`",
            ) from exc
        meta = StoreMetadata.from_rows(rows)
        if terminology is not None and meta.terminology != terminology:
            conn.close()
            raise StoreSchemaError(
                f"this store holds {meta.terminology!r}, not {terminology!r}", path=path,
                hint=f"pass a {terminology} store with --db",
            )
        expected = SCHEMA_VERSIONS.get(meta.terminology)
        if expected is not None and meta.schema_version != expected:
            conn.close()
            raise StoreSchemaError(
                f"store schema version {meta.schema_version} is not the version this "
                f"codelists ({tool_version()}) reads ({expected})", path=path,
                hint="re-import the release with `codelist terminology import`",
            )
        conn.execute("PRAGMA query_only = ON")
        conn.execute("PRAGMA cache_size = -200000")
        conn.execute("PRAGMA mmap_size = 4294967296")
        conn.execute("PRAGMA temp_store = MEMORY")
        return cls(path, conn, meta)

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def read_metadata(path: str | Path) -> StoreMetadata:
    """Read a store's metadata without checking its schema version."""
    if not os.path.isfile(path):
        raise StoreNotFoundError(
            "no terminology store at this path", path=path,
            hint="build one with `codelist terminology import RELEASE`, or check --db",
        )
    try:
        conn = sqlite3.connect(read_only_uri(path), uri=True)
    except sqlite3.Error as exc:
        raise StoreNotFoundError(f"cannot open the store ({exc})", path=path) from exc
    try:
        return StoreMetadata.from_rows(conn.execute("SELECT key, value FROM metadata"))
    except sqlite3.DatabaseError as exc:
        raise StoreSchemaError(f"not a codelists terminology store ({exc})", path=path) from exc
    finally:
        conn.close()
