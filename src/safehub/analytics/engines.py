"""Engines that run a metric over a snapshot: DuckDB (default) and Spark (national scale).

Both read the snapshot's Parquet files directly and run the same SQL; Spark gets it through
SQLGlot (DuckDB dialect in, Spark dialect out). Results come back as plain rows (tuples of
Python values) in the query's own order, so two engines can be compared exactly.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from safehub.analytics import snapshot
from safehub.analytics.metrics import Metric


@dataclass(frozen=True)
class Result:
    columns: tuple[str, ...]
    rows: list[tuple[Any, ...]]

    def dicts(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]


class Engine(Protocol):
    name: str

    def run(
        self, metric: Metric, *, dates: Sequence[dt.date] = (), **values: dt.date
    ) -> Result: ...

    def close(self) -> None: ...


def _connect() -> Any:
    """An in-memory DuckDB that installs and loads nothing from the network."""
    import duckdb  # noqa: PLC0415 - imported with the first engine, not with every command

    return duckdb.connect(
        ":memory:",
        config={"autoinstall_known_extensions": False, "autoload_known_extensions": False},
    )


def _read_snapshot(con: Any, manifest: snapshot.Manifest, kind: str) -> Any:
    """Each of the snapshot's tables in `con`: a VIEW over its Parquet file, or a TABLE read
    into memory from it."""
    for table in manifest.data["tables"]:
        path = str(manifest.file(table)).replace("'", "''")
        con.execute(f"CREATE {kind} {table} AS SELECT * FROM read_parquet('{path}')")  # noqa: S608 - names come from our manifest
    return con


def _normalise(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC) if value.tzinfo else value.replace(tzinfo=dt.UTC)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


class DuckDBEngine:
    """An in-memory DuckDB with one view per snapshot table (or `con`, a connection to the
    tables `kept` read). Parquet support is built in, so nothing is fetched from the network."""

    name = "duckdb"

    def __init__(
        self, manifest: snapshot.Manifest, *, threads: int | None = None, con: Any = None
    ) -> None:
        self.manifest = manifest
        self.con = _read_snapshot(_connect(), manifest, "VIEW") if con is None else con
        self.con.execute("SET TimeZone = 'UTC'")
        if threads:
            self.con.execute(f"SET threads = {int(threads)}")

    def run(self, metric: Metric, *, dates: Sequence[dt.date] = (), **values: dt.date) -> Result:
        self.con.execute("CREATE OR REPLACE TEMP TABLE series (d DATE)")
        if dates:
            self.con.executemany("INSERT INTO series VALUES (?)", [(d,) for d in dates])
        cursor = self.con.execute(metric.render(**values))
        columns = tuple(c[0] for c in cursor.description or ())
        rows = [tuple(_normalise(v) for v in row) for row in cursor.fetchall()]
        return Result(columns, rows)

    def close(self) -> None:
        self.con.close()


# The snapshots read into memory, by folder and content hash (a snapshot never changes), newest
# last: a report's metrics then scan DuckDB's own tables instead of decoding Parquet again, in
# about two thirds of the time. Two are kept: the latest and the one an edition is
# compared with. A district's snapshot is tens of megabytes; national scale runs on Spark.
_KEPT: dict[tuple[str, str], Any] = {}
_KEPT_MAX = 2
_KEPT_LOCK = threading.Lock()


def kept(manifest: snapshot.Manifest) -> DuckDBEngine:
    """An engine over the snapshot's tables, read into this process's memory the first time
    (about as long as one report's queries over the Parquet files) and kept for the next.

    Each engine is a connection of its own to the kept database (its temporary tables and
    settings are its own, and another thread may hold another); `close` closes only it.
    """
    key = (str(manifest.path), manifest.sha256)
    with _KEPT_LOCK:
        database = _KEPT.pop(key, None)
        if database is None:
            database = _read_snapshot(_connect(), manifest, "TABLE")
        _KEPT[key] = database  # newest last
        while len(_KEPT) > _KEPT_MAX:
            # Dropped, not closed: an engine another thread holds keeps the database open.
            del _KEPT[next(iter(_KEPT))]
        return DuckDBEngine(manifest, con=database.cursor())


def to_spark_sql(sql: str) -> str:
    import sqlglot  # noqa: PLC0415

    return str(sqlglot.transpile(sql, read="duckdb", write="spark")[0])


class SparkEngine:
    """PySpark in local mode. The session is passed in, so a caller (a test module, the bench)
    starts one and reuses it: starting Spark costs seconds."""

    name = "spark"

    def __init__(self, manifest: snapshot.Manifest, spark: Any) -> None:
        self.manifest = manifest
        self.spark = spark
        for table in manifest.data["tables"]:
            spark.read.parquet(str(manifest.file(table))).createOrReplaceTempView(table)

    def run(self, metric: Metric, *, dates: Sequence[dt.date] = (), **values: dt.date) -> Result:
        from pyspark.sql.types import DateType, StructField, StructType  # noqa: PLC0415

        schema = StructType([StructField("d", DateType())])
        self.spark.createDataFrame([(d,) for d in dates], schema).createOrReplaceTempView("series")
        frame = self.spark.sql(to_spark_sql(metric.render(**values)))
        columns = tuple(frame.columns)
        rows = [tuple(_normalise(v) for v in row) for row in frame.collect()]
        return Result(columns, rows)

    def close(self) -> None:
        for table in self.manifest.data["tables"]:
            self.spark.catalog.dropTempView(table)


def spark_session() -> Any:
    """A small local Spark: one core, no UI, UTC, few shuffle partitions."""
    from pyspark.sql import SparkSession  # noqa: PLC0415

    return (
        SparkSession.builder.master("local[1]")
        .appName("safehub-metrics")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.sql.ansi.enabled", "false")
        .getOrCreate()
    )
