"""The engines a frequency check runs on: DuckDB in-process (default) or Apache Spark.

The analysis itself (:mod:`codelists.frequency.analysis`) is written once against Ibis
table expressions.  This module owns only what differs between back ends: connecting,
reading files, registering small in-memory tables and materialising an intermediate
result.  It is the one place (with :mod:`codelists.frequency.inputs`) that touches DuckDB
or Spark.

Why not ``Table.cache()`` and ``ibis.memtable``: with the locked sqlglot (30.x), Ibis 12
renders ``DROP ... IF EXISTS`` without a name for in-memory tables on DuckDB, and the
PySpark back end does not register memtables before ``cache()``; so both are done here
directly through each engine's own API.
"""

from __future__ import annotations

import itertools
import os
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa

from codelists.errors import InputFileError, UsageError

ENGINES = ("duckdb", "spark")
_counter = itertools.count(1)

#: Spark settings for a local session started by us (tests, a laptop): no UI, no network.
LOCAL_SPARK_CONF = {
    "spark.ui.enabled": "false",
    "spark.sql.shuffle.partitions": "4",
    "spark.driver.host": "127.0.0.1",
    "spark.driver.bindAddress": "127.0.0.1",
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.ansi.enabled": "false",
}


def _name(prefix: str) -> str:
    return f"codelists_{prefix}_{os.getpid()}_{next(_counter)}"


@dataclass
class Engine:
    """An Ibis connection plus the few engine-specific operations the analysis needs."""

    name: str
    con: Any  # an Ibis backend
    _temporary: list[str] = field(default_factory=list)

    # -- files ---------------------------------------------------------------------
    def read_file(self, path: str | Path, *, delimiter: str | None = None):
        """An Ibis table over a CSV, TSV or Parquet file (text files: every column text)."""
        path = Path(path)
        if not path.exists():
            raise InputFileError("file not found", path=path)
        kind = file_kind(path)
        if self.name == "duckdb":
            return self._duckdb_read(path, kind, delimiter)
        return self._spark_read(path, kind, delimiter)

    def _duckdb_read(self, path: Path, kind: str, delimiter: str | None):
        name = _name("file")
        raw = self.con.con
        literal = str(path / "**" / "*.parquet" if path.is_dir() else path).replace("'", "''")
        if kind == "parquet":
            source = f"read_parquet('{literal}')"
        else:
            sep = delimiter or ("\t" if kind == "tsv" else ",")
            sep = sep.replace("'", "''")
            source = (f"read_csv('{literal}', header=true, all_varchar=true, delim='{sep}', "
                      "quote='\"')")
        try:
            raw.execute(f'CREATE TEMP VIEW "{name}" AS SELECT * FROM {source}')
        except Exception as exc:  # duckdb raises many types for unreadable files
            raise InputFileError(f"cannot read {kind} file: {exc}", path=path) from exc
        self._temporary.append(("VIEW", name))
        return self.con.table(name)

    def _spark_read(self, path: Path, kind: str, delimiter: str | None):
        session = self.con._session
        name = _name("file")
        try:
            if kind == "parquet":
                df = session.read.parquet(str(path))
            else:
                sep = delimiter or ("\t" if kind == "tsv" else ",")
                df = session.read.csv(str(path), header=True, sep=sep, inferSchema=False)
        except Exception as exc:
            raise InputFileError(f"cannot read {kind} file: {exc}", path=path) from exc
        df.createOrReplaceTempView(name)
        self._temporary.append(("SPARKVIEW", name))
        return self.con.table(name)

    def table(self, name: str):
        """An existing table (DuckDB database table or Spark catalog table) by name."""
        try:
            return self.con.table(name)
        except Exception as exc:
            raise UsageError(f"no table {name!r} in the {self.name} database",
                             hint="check the name with your database tool") from exc

    # -- small tables and intermediates --------------------------------------------
    def register(self, prefix: str, table: pa.Table):
        """Load a small Arrow table (codes, a cohort built in Python) into the engine."""
        name = _name(prefix)
        if self.name == "duckdb":
            raw = self.con.con
            raw.register(f"{name}_arrow", table)
            raw.execute(f'CREATE TEMP TABLE "{name}" AS SELECT * FROM "{name}_arrow"')
            raw.unregister(f"{name}_arrow")
            self._temporary.append(("TABLE", name))
        else:
            self.con._session.createDataFrame(table).createOrReplaceTempView(name)
            self._temporary.append(("SPARKVIEW", name))
        return self.con.table(name)

    def materialise(self, prefix: str, expr):
        """Compute an Ibis expression once and keep it as a temporary table."""
        name = _name(prefix)
        sql = self.con.compile(expr)
        if self.name == "duckdb":
            self.con.con.execute(f'CREATE TEMP TABLE "{name}" AS {sql}')
            self._temporary.append(("TABLE", name))
        else:
            df = self.con._session.sql(sql).cache()
            df.count()
            df.createOrReplaceTempView(name)
            self._temporary.append(("SPARKCACHE", name))
        return self.con.table(name)

    def to_rows(self, expr) -> list[dict[str, Any]]:
        """Execute an expression and return plain Python rows (small results only)."""
        return self.con.to_pyarrow(expr).to_pylist()

    def release(self) -> None:
        """Drop every temporary table and view this engine created."""
        while self._temporary:
            kind, name = self._temporary.pop()
            if kind in ("TABLE", "VIEW"):
                self.con.con.execute(f'DROP {kind} IF EXISTS "{name}"')
            else:
                session = self.con._session
                if kind == "SPARKCACHE":
                    session.catalog.uncacheTable(name)
                session.catalog.dropTempView(name)


def file_kind(path: Path) -> str:
    suffixes = [s.lower() for s in path.suffixes]
    if ".parquet" in suffixes or ".pq" in suffixes or path.is_dir():
        return "parquet"
    if ".tsv" in suffixes or ".tab" in suffixes or ".txt" in suffixes:
        return "tsv"
    if ".csv" in suffixes:
        return "csv"
    raise InputFileError("cannot tell the file type from its name", path=path,
                         hint="name it .csv, .tsv/.txt or .parquet")


def connect(engine: str = "duckdb", *, database: str | Path | None = None,
            spark_session: Any = None, threads: int | None = None,
            memory_limit: str | None = None) -> Engine:
    """Open an engine: ``duckdb`` (in-process; ``database`` a .duckdb file or memory)
    or ``spark`` (the given SparkSession, else a local one)."""
    import ibis

    if engine == "duckdb":
        con = ibis.duckdb.connect(str(database) if database else ":memory:",
                                  read_only=bool(database))
        if threads:
            con.con.execute(f"SET threads = {int(threads)}")
        if memory_limit:
            con.con.execute(f"SET memory_limit = '{memory_limit}'")
        return Engine("duckdb", con)
    if engine == "spark":
        # pyspark 4.3 warns on every pandas 3 conversion; the results are checked by tests
        warnings.filterwarnings("ignore", message="PySpark does not yet fully support",
                                category=FutureWarning)
        session = spark_session or local_spark_session()
        return Engine("spark", ibis.pyspark.connect(session))
    raise UsageError(f"unknown engine {engine!r}", hint=f"choose one of: {', '.join(ENGINES)}")


def local_spark_session(master: str = "local[2]", conf: dict[str, str] | None = None):
    """The active SparkSession, or a new local one configured for one machine."""
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:  # pragma: no cover - pyspark is a dependency
        raise UsageError("the spark engine needs pyspark") from exc
    active = SparkSession.getActiveSession()
    if active is not None:
        return active
    builder = SparkSession.builder.master(master).appName("codelists-frequency")
    for key, value in {**LOCAL_SPARK_CONF, **(conf or {})}.items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session
