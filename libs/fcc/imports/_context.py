"""The state of one import and the write helpers every import path shares."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F

from fcc.core.lakehouse import Lakehouse
from fcc.core.tables import TableSpec
from fcc.imports._fields import utc_wall_to_instant
from fcc.imports.mapping import Mapping

OUT = "__o_"  # prefix of mapped target columns
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
EPOCH_ISO = "1970-01-01T00:00:00+00:00"


@dataclass
class ImportContext:
    """What every stage of one import needs."""

    spark: SparkSession
    lakehouse: Lakehouse
    kind: str
    path: str
    mapping_path: str
    mapping: Mapping
    batch_id: str
    now: datetime
    session_tz: str
    redact_raw: bool = False

    @property
    def source(self) -> str:
        return f"import:{self.kind}"

    @property
    def run_id(self) -> str:
        return f"import:{self.batch_id}"

    def instant(self, utc_wall: Column) -> Column:
        """UTC wall-clock TIMESTAMP_NTZ (or date) -> TIMESTAMP."""
        return utc_wall_to_instant(utc_wall.cast("timestamp_ntz"), self.session_tz)

    def landed_at(self, event_wall: Column | None) -> Column:
        """landed_at per the mapping: the event instant, the import time or a fixed instant.

        `event` (the default) lands each row at its own event time, so a nightly run for D
        ingests exactly the history up to D, as a live feed would have delivered it.
        """
        setting = self.mapping.landed_at
        if setting == "now":
            return F.lit(self.now)
        if setting != "event":
            fixed = datetime.fromisoformat(setting.replace("Z", "+00:00"))
            return F.lit(fixed if fixed.tzinfo else fixed.replace(tzinfo=UTC))
        if event_wall is None:
            return F.lit(EPOCH)
        return F.coalesce(self.instant(event_wall), F.lit(EPOCH))


def write_batch(ctx: ImportContext, spec: TableSpec, rows: DataFrame) -> int:
    """Replace this batch's rows of a bronze table (a rerun of the import replaces, never adds)."""
    rows = rows.withColumn("batch_id", F.lit(ctx.batch_id))
    n = rows.count()
    ctx.lakehouse.replace_where(spec, rows, batch_id=ctx.batch_id)
    return n


def other_batches(ctx: ImportContext, spec: TableSpec) -> DataFrame:
    """Rows of a bronze table landed by other batches (what this import must not repeat)."""
    return ctx.lakehouse.read(spec).where(
        F.col("batch_id").isNull() | (F.col("batch_id") != ctx.batch_id)
    )
