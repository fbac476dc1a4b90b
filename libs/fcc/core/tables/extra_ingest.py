"""Tables owned by the ingest domain."""

from pyspark.sql import types as T

from fcc.core.tables._spec import TableSpec, col, schema

LATE_DATES = TableSpec(
    "ops",
    "late_dates",
    schema(
        col("as_of", T.DateType(), "business date of the ingest run", False),
        col("source", T.StringType(), "bronze source table", False),
        col("batch_id", T.StringType(), "batch that carried the late rows", False),
        col("event_date", T.DateType(), "event date before as_of that received new rows", False),
        col("rows", T.LongType(), "silver rows inserted for that event date"),
        col("run_id", T.StringType(), "ingest run"),
    ),
    "Event dates before D that ingest of D inserted rows into (downstream steps recompute them).",
    partition_by=("as_of",),
    keys=("as_of", "source", "batch_id", "event_date"),
    owner="ingest",
)

ALL = [LATE_DATES]
