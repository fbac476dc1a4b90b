"""Flow communities: customers tied by strong payment links, ranked by PageRank.

The graph is the customer-to-customer part of the money-flow graph over the lookback: internal
transfers, and wires or withdrawals to an account registered to exactly one other customer
(`fcc.typologies.flow_edges` resolves those). A pair is a strong link when it is a relationship
or when it matters to one side, both relative to the customers' own flows:

- repeated: `min_payments` or more payments between the two, either way;
- material: one direction carried at least `min_flow_share` (half) of the payer's money out,
  or of the payee's money in, over the lookback (all counterparties, outside ones included):
  the other customer is that customer's main counterparty.

A one-off small payment to a stranger is neither, and random one-offs across a population would
otherwise join into one giant group. A customer with strong links to more than
`max_counterparties` customers is a hub (payroll, a merchant) and is left out with its links;
it would join everybody it pays.

A community is a connected component of the strong links (`connected_components`: stable ids,
scipy on the driver for small graphs, GraphFrames above), named by its smallest member customer
id. Label propagation was not used: GraphX's is synchronous and a vertex does not count its own
label, so two customers who only pay each other, or a collector and its mules (a star), swap
labels every round and never share one.

PageRank (GraphFrames, fixed rounds) runs over the directed strong links: money flows to rank,
so the member a community's payments end at (a collector) ranks first in it.

The scoring step turns this into guilt-by-association factors with D's flags (rule hits and
open screening hits); the graph step runs before those, so it only writes the groups.
"""

from __future__ import annotations

from datetime import date, timedelta

from graphframes import GraphFrame
from pyspark.sql import DataFrame, Window
from pyspark.sql import functions as F

from fcc.core.settings.graph import CommunitySettings, ComponentsSettings
from fcc.graph.components import connected_components
from fcc.typologies import flow_edges


def strong_payment_links(
    transactions: DataFrame,
    identifiers: DataFrame,
    customers: DataFrame,
    settings: CommunitySettings,
    as_of: date,
) -> DataFrame:
    """Directed (src, dst) customer pairs whose payments in the lookback are a strong link
    (repeated or material, see the module doc), hubs left out."""
    start = as_of - timedelta(days=settings.lookback_days - 1)
    window = transactions.where(F.col("event_date").between(F.lit(start), F.lit(as_of))).where(
        F.col("rail") != "trade"
    )
    # each customer's own money out and in over the lookback, every counterparty
    totals = window.groupBy("customer_id").agg(
        F.sum(F.when(F.col("direction") == "out", F.col("amount_usd"))).cast("double").alias("out"),
        F.sum(F.when(F.col("direction") == "in", F.col("amount_usd"))).cast("double").alias("in"),
    )
    known = customers.select("customer_id").distinct()
    # a payment between two customers may show up from both sides (one row per leg): count the
    # side that reported more of them, never both
    per_leg = (
        flow_edges(window, identifiers)
        .where((F.col("usd") > 0) & (F.col("src") != F.col("dst")))
        .join(known.withColumnRenamed("customer_id", "src"), "src", "left_semi")
        .join(known.withColumnRenamed("customer_id", "dst"), "dst", "left_semi")
        .groupBy("src", "dst", "leg")
        .agg(F.count("*").alias("payments"), F.sum("usd").alias("usd"))
    )
    pairs = per_leg.groupBy("src", "dst").agg(
        F.max("payments").alias("payments"), F.max("usd").alias("usd")
    )
    either_way = Window.partitionBy(F.least("src", "dst"), F.greatest("src", "dst"))
    strong = (
        pairs.join(totals.select(F.col("customer_id").alias("src"), "out"), "src", "left")
        .join(totals.select(F.col("customer_id").alias("dst"), "in"), "dst", "left")
        .withColumn("either_way", F.sum("payments").over(either_way))
        .where(
            (F.col("either_way") >= settings.min_payments)
            | (F.col("usd") >= settings.min_flow_share * F.col("out"))
            | (F.col("usd") >= settings.min_flow_share * F.col("in"))
        )
        .select("src", "dst")
    )
    return _without_hubs(strong, settings.max_counterparties)


def _undirected(links: DataFrame) -> DataFrame:
    """(customer_id, other) both ways, once per pair and side."""
    return (
        links.select(F.col("src").alias("customer_id"), F.col("dst").alias("other"))
        .unionByName(links.select(F.col("dst").alias("customer_id"), F.col("src").alias("other")))
        .distinct()
    )


def _without_hubs(links: DataFrame, max_counterparties: int) -> DataFrame:
    hubs = (
        _undirected(links)
        .groupBy("customer_id")
        .agg(F.count("*").alias("n"))
        .where(F.col("n") > max_counterparties)
    )
    return links.join(hubs.select(F.col("customer_id").alias("src")), "src", "left_anti").join(
        hubs.select(F.col("customer_id").alias("dst")), "dst", "left_anti"
    )


def flow_communities(
    links: DataFrame, settings: CommunitySettings, components: ComponentsSettings
) -> tuple[DataFrame, DataFrame]:
    """The rows of gold.flow_communities (without as_of) for every customer with a strong link (`links`: src, dst customer ids),
    and the component labels under them, which the caller unpersists after the write.

    `counterparties` counts the customer's strongly linked customers; `pagerank_rank` 1 is the
    member with the highest PageRank in its community (ties: smallest customer id).
    """
    undirected = _undirected(links)
    members = (
        undirected.groupBy("customer_id")
        .agg(F.count("*").cast("int").alias("counterparties"))
        .withColumn("id", F.xxhash64("customer_id"))
    )
    edges = links.select(F.xxhash64("src").alias("src"), F.xxhash64("dst").alias("dst"))
    labels = connected_components(members.select("id"), edges, components)
    ranks = (
        GraphFrame(members.select("id"), edges)
        .pageRank(
            resetProbability=settings.pagerank_reset_probability,
            maxIter=settings.pagerank_iterations,
        )
        .vertices.select("id", F.col("pagerank").cast("double").alias("pagerank"))
    )
    community = Window.partitionBy("component")
    rows = (
        members.join(labels, "id")
        .join(ranks, "id")
        .select(
            "customer_id",
            F.min("customer_id").over(community).alias("community_id"),
            F.count("*").over(community).cast("int").alias("community_size"),
            "counterparties",
            "pagerank",
            F.row_number()
            .over(community.orderBy(F.col("pagerank").desc(), "customer_id"))
            .cast("int")
            .alias("pagerank_rank"),
        )
    )
    return rows, labels
