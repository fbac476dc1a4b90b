"""Tables owned by the graph domain beside the gold contracts."""

from pyspark.sql import types as T

from fcc.core.tables._spec import TableSpec, col, schema

S, I, D, DT = T.StringType(), T.IntegerType(), T.DoubleType(), T.DateType()

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

FLOW_COMMUNITIES = TableSpec(
    "gold",
    "flow_communities",
    schema(
        col("as_of", DT, "business date", False),
        col("customer_id", S, "customer", False),
        col(
            "community_id",
            S,
            "label-propagation community, named by its smallest member customer id",
            False,
        ),
        col("community_size", I, "customers in the community"),
        col("counterparties", I, "distinct customers the customer paid or was paid by"),
        col("pagerank", D, "PageRank over the directed payment graph (money flows to rank)"),
        col("pagerank_rank", I, "1 = the member with the highest PageRank in the community"),
    ),
    "Communities of customers who pay each other (label propagation), with PageRank.",
    partition_by=("as_of",),
    keys=("as_of", "customer_id"),
    owner="graph",
)

ALL = [GRAPH_HUBS, FLOW_COMMUNITIES]
