"""A lakehouse pinned to the table versions a run read, writing into a scratch root.

Used by `fcc replay`: every read returns the recorded version (or the replay's own output
once a step has written it), every write goes to scratch, so the original tables are untouched.
"""

from __future__ import annotations

from pyspark.sql import DataFrame, SparkSession

from fcc.core.lakehouse import Lakehouse
from fcc.core.tables import TableSpec


class PinnedLakehouse(Lakehouse):
    def __init__(self, spark: SparkSession, root: str, pinned: dict[str, int], scratch_root: str):
        super().__init__(spark, root)
        self.pinned = dict(pinned)
        self.scratch = Lakehouse(spark, scratch_root)
        self.materialised: set[str] = set()

    def _prepare_write(self, spec: TableSpec) -> None:
        """Before the first write of a table, start its scratch copy from the pinned version."""
        if spec.qualified in self.materialised:
            return
        version = self.pinned.get(spec.qualified)
        if version is not None:
            source = Lakehouse.read(self, spec, version=version)
            writer = source.write.format("delta").mode("overwrite")
            if spec.partition_by:
                writer = writer.partitionBy(*spec.partition_by)
            writer.save(self.scratch.path(spec))
        else:
            self.scratch.ensure(spec)
        self.materialised.add(spec.qualified)

    def path(self, t: TableSpec | str) -> str:
        spec = self._spec(t)
        return (
            self.scratch.path(spec) if spec.qualified in self.materialised else super().path(spec)
        )

    def exists(self, t: TableSpec | str) -> bool:
        spec = self._spec(t)
        if spec.qualified in self.materialised:
            return True
        return spec.qualified in self.pinned

    def ensure(self, t: TableSpec | str) -> None:
        spec = self._spec(t)
        if not self.exists(spec):
            self._prepare_write(spec)

    def read(self, t: TableSpec | str, version: int | None = None) -> DataFrame:
        spec = self._spec(t)
        if spec.qualified in self.materialised:
            return self.scratch.read(spec, version=version)
        if spec.qualified not in self.pinned:
            self._prepare_write(spec)  # did not exist when the run started: an empty scratch table
            return self.scratch.read(spec)
        return (
            self.spark.read.format("delta")
            .option("versionAsOf", self.pinned[spec.qualified])
            .load(Lakehouse.path(self, spec))
        )

    def version(self, t: TableSpec | str) -> int | None:
        spec = self._spec(t)
        if spec.qualified in self.materialised:
            return self.scratch.version(spec)
        return self.pinned.get(spec.qualified)
