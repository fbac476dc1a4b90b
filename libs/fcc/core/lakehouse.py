"""Delta I/O at the edges: every read and write of a registered table goes through here."""

from __future__ import annotations

import json
import logging
import re
import threading
from datetime import date
from typing import Any

from delta.tables import DeltaTable
from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F

from fcc.core.tables import TableSpec, table

log = logging.getLogger(__name__)
_COMMIT_FILE = re.compile(r"[0-9]{20}\.json")
# One table creation at a time in this driver: a second thread would otherwise find the first
# one's commit-less `_delta_log` mid-creation and remove it as an interrupted creation's leftover.
_CREATING = threading.Lock()


class SchemaMismatch(ValueError):
    """A DataFrame does not carry the columns a registered table requires."""


def conform(df: DataFrame, spec: TableSpec) -> DataFrame:
    """Select the table's columns in order, cast to its types; a missing column is an error."""
    missing = [f.name for f in spec.schema.fields if f.name not in df.columns]
    if missing:
        raise SchemaMismatch(f"{spec.qualified}: DataFrame lacks columns {missing}")
    return df.select([F.col(f.name).cast(f.dataType).alias(f.name) for f in spec.schema.fields])


def _sql_literal(value: Any) -> str:
    if isinstance(value, date):
        return f"DATE'{value.isoformat()}'"
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    return str(value)


def _equals_sql(column: str, value: Any) -> str:
    if isinstance(value, tuple | list):
        return f"{column} IN ({', '.join(_sql_literal(v) for v in value)})"
    return f"{column} = {_sql_literal(value)}"


class Lakehouse:
    """Registered tables under one root: `<root>/<layer>/<table>`."""

    def __init__(self, spark: SparkSession, root: str):
        self.spark = spark
        self.root = root.rstrip("/")

    def _spec(self, t: TableSpec | str) -> TableSpec:
        return table(t) if isinstance(t, str) else t

    def path(self, t: TableSpec | str) -> str:
        return self._spec(t).path(self.root)

    def exists(self, t: TableSpec | str) -> bool:
        """A table exists once it has a commit file; a `_delta_log` without one is no table."""
        return self.version(t) is not None

    def ensure(self, t: TableSpec | str) -> None:
        """Create the table empty, with its schema and partitioning, when it is missing."""
        spec = self._spec(t)
        if self.version(spec) is not None:  # a commit file: the table exists
            return
        with _CREATING:
            if self.version(spec) is not None:  # another thread created it meanwhile
                return
            self._drop_uncommitted_log(spec)
            builder = DeltaTable.createIfNotExists(self.spark).location(self.path(spec))
            builder = builder.addColumns(spec.schema)
            if spec.partition_by:
                builder = builder.partitionedBy(*spec.partition_by)
            builder.execute()

    def _log_dir(self, t: TableSpec | str):
        """(Hadoop FileSystem, Path) of the table's `_delta_log` folder."""
        jvm = self.spark.sparkContext._jvm
        log_dir = jvm.org.apache.hadoop.fs.Path(f"{self.path(t)}/_delta_log")
        return log_dir.getFileSystem(self.spark.sparkContext._jsc.hadoopConfiguration()), log_dir

    def _drop_uncommitted_log(self, spec: TableSpec) -> None:
        """Remove a `_delta_log` that holds no commit: what a process killed while creating the
        table leaves behind. It is no table to any reader, but Delta refuses to create one there."""
        fs, log_dir = self._log_dir(spec)
        if fs.exists(log_dir):
            log.warning(
                "table %s: removing a _delta_log without any commit (an interrupted creation)",
                spec.qualified,
            )
            fs.delete(log_dir, True)

    def _prepare_write(self, spec: TableSpec) -> None:
        """Hook run before every write; a replay lakehouse redirects writes to scratch here."""
        self.ensure(spec)

    def versions(self) -> dict[str, int]:
        """Current Delta version of every registered table that exists."""
        from fcc.core.tables import REGISTRY

        out = {}
        for name in REGISTRY:
            version = self.version(name)
            if version is not None:
                out[name] = version
        return out

    def read(self, t: TableSpec | str, version: int | None = None) -> DataFrame:
        spec = self._spec(t)
        self.ensure(spec)
        reader = self.spark.read.format("delta")
        if version is not None:
            reader = reader.option("versionAsOf", version)
        return reader.load(self.path(spec))

    def version(self, t: TableSpec | str) -> int | None:
        """Current Delta version, or None when the table does not exist yet.

        The highest commit file `_delta_log/<version>.json` (a commit file is written atomically
        and the latest one is never cleaned up): one directory listing, no Spark job.
        """
        fs, log_dir = self._log_dir(t)
        if not fs.exists(log_dir):
            return None
        names = (s.getPath().getName() for s in fs.listStatus(log_dir))
        versions = [int(n[:-5]) for n in names if _COMMIT_FILE.fullmatch(n)]
        return max(versions) if versions else None

    def last_commit_metrics(self, t: TableSpec | str) -> dict[str, str]:
        """operationMetrics of the table's latest commit, read from its commit file (no Spark job).

        Delta records row counts of every write there (numOutputRows for a write,
        numTargetRowsInserted / Updated / Deleted for a MERGE); a step reads them right after
        its own write instead of counting the table again. {} when there is no commit.
        """
        fs, log_dir = self._log_dir(t)
        if not fs.exists(log_dir):
            return {}
        names = [s.getPath().getName() for s in fs.listStatus(log_dir)]
        commits = sorted(n for n in names if _COMMIT_FILE.fullmatch(n))
        if not commits:
            return {}
        jvm = self.spark.sparkContext._jvm
        stream = fs.open(jvm.org.apache.hadoop.fs.Path(log_dir, commits[-1]))
        reader = jvm.java.io.BufferedReader(jvm.java.io.InputStreamReader(stream, "UTF-8"))
        try:
            line = reader.readLine()
            while line is not None:
                if '"commitInfo"' in line:
                    info = json.loads(line).get("commitInfo") or {}
                    return dict(info.get("operationMetrics") or {})
                line = reader.readLine()
        finally:
            reader.close()
        return {}

    def append(self, t: TableSpec | str, df: DataFrame) -> None:
        spec = self._spec(t)
        self._prepare_write(spec)
        conform(df, spec).write.format("delta").mode("append").save(self.path(spec))

    def overwrite(self, t: TableSpec | str, df: DataFrame) -> None:
        """Replace the whole table atomically."""
        spec = self._spec(t)
        self._prepare_write(spec)
        conform(df, spec).write.format("delta").mode("overwrite").save(self.path(spec))

    def replace_where(self, t: TableSpec | str, df: DataFrame, **equals: Any) -> None:
        """Atomically replace the rows matching column == value (e.g. as_of=D) with df.

        A tuple value matches any of its values (family=("kri", "dq") is `family IN (...)`).
        Every row of df must satisfy the predicate; Delta rejects the write otherwise.
        """
        spec = self._spec(t)
        self._prepare_write(spec)
        if not equals:
            raise ValueError("replace_where needs at least one column=value")
        predicate = " AND ".join(_equals_sql(k, v) for k, v in equals.items())
        (
            conform(df, spec)
            .write.format("delta")
            .mode("overwrite")
            .option("replaceWhere", predicate)
            .save(self.path(spec))
        )

    def replace_dates(
        self, t: TableSpec | str, df: DataFrame, column: str, dates: list[date]
    ) -> None:
        """Atomically replace the rows whose `column` is in `dates` with df."""
        spec = self._spec(t)
        self._prepare_write(spec)
        if not dates:
            return
        values = ", ".join(_sql_literal(d) for d in sorted(set(dates)))
        (
            conform(df, spec)
            .write.format("delta")
            .mode("overwrite")
            .option("replaceWhere", f"{column} IN ({values})")
            .save(self.path(spec))
        )

    def merge(
        self,
        t: TableSpec | str,
        df: DataFrame,
        keys: tuple[str, ...] | None = None,
        update: bool = True,
        update_condition: str | Column | None = None,
        prune_on: str | None = None,
        delete_unmatched: str | None = None,
        metrics: bool = True,
        prune_values: list[Any] | None = None,
    ) -> dict[str, int]:
        """MERGE df into the table on its keys; returns inserted / updated / deleted row counts.

        The counts are the commit's own metrics (`last_commit_metrics`); `metrics=False`
        returns {} without reading them.

        `delete_unmatched` is a condition on target rows (alias `t`): such rows that no df row
        matches are deleted in the same commit.

        `prune_on` names a partition column: the MERGE then only reads the target partitions of
        df's values of it (collected, one per partition touched). Pass it only when no df row can
        match a target row of another partition (its key implies the partition, or the caller
        has already set such rows aside); a null value turns pruning off. `prune_values` are df's
        values of it when the caller already knows them (every one df holds): no collect then.
        """
        spec = self._spec(t)
        self._prepare_write(spec)
        keys = keys or spec.keys
        if not keys:
            raise ValueError(f"{spec.qualified}: no merge keys declared")
        source = conform(df, spec)
        cond = " AND ".join(f"t.`{k}` <=> s.`{k}`" for k in keys)
        if prune_on:
            cond += self._partition_predicate(spec, source, prune_on, prune_values)
        target = DeltaTable.forPath(self.spark, self.path(spec))
        merger = target.alias("t").merge(source.alias("s"), cond)
        if update:
            merger = merger.whenMatchedUpdateAll(condition=update_condition)
        merger = merger.whenNotMatchedInsertAll()
        if delete_unmatched:
            merger = merger.whenNotMatchedBySourceDelete(condition=delete_unmatched)
        before = self.version(spec)
        merger.execute()
        if not metrics:
            return {}
        # a MERGE that changed nothing may not commit: then the latest commit is not its own
        commit = self.last_commit_metrics(spec) if self.version(spec) != before else {}
        counts = {
            "inserted": int(commit.get("numTargetRowsInserted", 0)),
            "updated": int(commit.get("numTargetRowsUpdated", 0)),
        }
        if delete_unmatched:
            counts["deleted"] = int(commit.get("numTargetRowsDeleted", 0))
        return counts

    @staticmethod
    def _partition_predicate(
        spec: TableSpec, source: DataFrame, column: str, values: list[Any] | None = None
    ) -> str:
        """` AND t.column IN (<source's values>)`, or "" when a value is null or there is none."""
        if column not in spec.partition_by:
            raise ValueError(f"{spec.qualified}: {column} is not a partition column")
        if values is None:
            values = [r[0] for r in source.select(column).distinct().collect()]  # one per partition
        values = list(set(values))
        if not values or any(v is None for v in values):
            return ""
        listed = ", ".join(_sql_literal(v) for v in sorted(values))
        return f" AND t.`{column}` IN ({listed})"
