"""Tables owned by the graph domain beside the gold contracts."""

from pyspark.sql import types as T

from fcc.core.tables._spec import TableSpec, col, schema

S, I, DT = T.StringType(), T.IntegerType(), T.DateType()

GRAPH_HUBS = TableSpec(
    "gold",
    "graph_hubs",
    schema(
        col("as_of", DT, "business date", False),
        col("id_type", S, "identifier type, or internal_transfer for a customer hub", False),
        col("id_value", S, "identifier value (customer id for internal_transfer)", False),
        col("customers", I, "customers sharing it (distinct counterparties for transfers)"),
        col("max_customers", I, "configured cap it exceeded"),
    ),
    "Identifiers pruned from the entity graph as hubs (office NAT, kiosks, payroll).",
    partition_by=("as_of",),
    keys=("as_of", "id_type", "id_value"),
    owner="graph",
)

ALL = [GRAPH_HUBS]
