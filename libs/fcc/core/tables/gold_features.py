"""Gold feature tables (owned by the features domain)."""

from pyspark.sql import types as T

from fcc.core.tables._spec import USD, TableSpec, col, schema

S, L, D, DT = T.StringType(), T.LongType(), T.DoubleType(), T.DateType()

CUSTOMER_DAILY = TableSpec(
    "gold",
    "customer_daily",
    schema(
        col("customer_id", S, "customer", False),
        col("event_date", DT, "UTC day", False),
        col("in_count", L, "incoming transactions"),
        col("in_usd", USD, "incoming USD"),
        col("out_count", L, "outgoing transactions"),
        col("out_usd", USD, "outgoing USD"),
    ),
    "One row per customer and active day.",
    partition_by=("event_date",),
    keys=("customer_id", "event_date"),
    owner="features",
)

FEATURES = TableSpec(
    "gold",
    "features",
    schema(
        col("as_of", DT, "business date", False),
        col("customer_id", S, "customer", False),
        col("segment", S, "customer segment"),
    ),
    "Rolling-window features per customer as of D.",
    partition_by=("as_of",),
    keys=("as_of", "customer_id"),
    owner="features",
)

ALL = [CUSTOMER_DAILY, FEATURES]
