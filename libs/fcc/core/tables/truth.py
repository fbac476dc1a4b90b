"""Truth: the generator's ground truth (or imported investigation outcomes)."""

from pyspark.sql import types as T

from fcc.core.tables._spec import TableSpec, col, schema

S, TS, B = T.StringType(), T.TimestampType(), T.BooleanType()

TYPOLOGY_INSTANCES = TableSpec(
    "truth",
    "typology_instances",
    schema(
        col("instance_id", S, "planted instance id", False),
        col("typology", S, "typology tag (structuring, fan_in, cycle, ...)", False),
        col("customer_ids", T.ArrayType(S), "customers taking part"),
        col("txn_ids", T.ArrayType(S), "bronze-source-prefixed transaction ids (canonical txn_id)"),
        col("start_ts", TS, "first event, UTC"),
        col("end_ts", TS, "last event, UTC"),
        col("detail", S, "JSON of parameters used"),
    ),
    "Every planted typology instance.",
    keys=("instance_id",),
)

CUSTOMER_LABELS = TableSpec(
    "truth",
    "customer_labels",
    schema(
        col("customer_id", S, "customer", False),
        col("is_suspicious", B, "true if the customer takes part in any planted typology", False),
        col("typologies", T.ArrayType(S), "typology tags"),
        col("lookalike", S, "legitimate look-alike kind, if any (payroll, market_maker ...)"),
    ),
    "Per-customer ground truth for precision and recall.",
    keys=("customer_id",),
)

ALL = [TYPOLOGY_INSTANCES, CUSTOMER_LABELS]
