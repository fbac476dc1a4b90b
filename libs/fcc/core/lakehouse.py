"""Delta I/O at the edges: every read and write of a registered table goes through here."""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from delta.tables import DeltaTable
from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F

from fcc.core.tables import TableSpec, table

log = logging.getLogger(__name__)


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
        return DeltaTable.isDeltaTable(self.spark, self.path(t))

    def ensure(self, t: TableSpec | str) -> None:
        """Create the table empty, with its schema and partitioning, when it is missing."""
        spec = self._spec(t)
        if self.exists(spec):
            return
        builder = DeltaTable.createIfNotExists(self.spark).location(self.path(spec))
        builder = builder.addColumns(spec.schema)
        if spec.partition_by:
            builder = builder.partitionedBy(*spec.partition_by)
        builder.execute()

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
        """Current Delta version, or None when the table does not exist yet."""
        spec = self._spec(t)
        if not self.exists(spec):
            return None
        row = DeltaTable.forPath(self.spark, self.path(spec)).history(1).select("version").first()
        return int(row[0]) if row else None

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

        Every row of df must satisfy the predicate; Delta rejects the write otherwise.
        """
        spec = self._spec(t)
        self._prepare_write(spec)
        if not equals:
            raise ValueError("replace_where needs at least one column=value")
        predicate = " AND ".join(f"{k} = {_sql_literal(v)}" for k, v in equals.items())
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
    ) -> dict[str, int]:
        """MERGE df into the table on its keys; returns inserted / updated row counts."""
        spec = self._spec(t)
        self._prepare_write(spec)
        keys = keys or spec.keys
        if not keys:
            raise ValueError(f"{spec.qualified}: no merge keys declared")
        cond = " AND ".join(f"t.`{k}` <=> s.`{k}`" for k in keys)
        target = DeltaTable.forPath(self.spark, self.path(spec))
        merger = target.alias("t").merge(conform(df, spec).alias("s"), cond)
        if update:
            merger = merger.whenMatchedUpdateAll(condition=update_condition)
        merger.whenNotMatchedInsertAll().execute()
        metrics = (target.history(1).select("operationMetrics").first() or [{}])[0] or {}
        return {
            "inserted": int(metrics.get("numTargetRowsInserted", 0)),
            "updated": int(metrics.get("numTargetRowsUpdated", 0)),
        }
