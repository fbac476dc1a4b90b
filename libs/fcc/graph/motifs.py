"""Round trips and scatter-gather as GraphFrames motifs over the money-flow graph.

The same shapes as the coded detectors (`fcc.typologies._graph.detect_cycles` and
`detect_scatter_gather`), with the same settings, written as `GraphFrame.find` patterns whose
edge filters order the hops in time and keep the amounts consistent:

- round trip of n hops: `(v0)-[e0]->(v1); ...; (v{n-1})-[e{n-1}]->(v0)`, each hop after the
  previous one and carrying min_hop_ratio..max_hop_ratio of it, the whole trip within the
  window, the return at least min_return_ratio of the first hop, which is at least the
  window's min_amount_percentile payment, and the closing hop on D; the nodes distinct;
- scatter-gather: `(a)-[e1]->(b); (b)-[e2]->(c)` with the forwarding leg after the scattered one
  and min_hop_ratio..max_hop_ratio of it, grouped by (a, c): at least min_intermediaries
  distinct b, the last leg on D.

A motif enumerates every match, where the coded detectors bound their search (the best open
paths per node, the closest legs per intermediary). bench/bench_motifs.py compares the two on
planted data; docs/typologies.md says which one the nightly step runs per shape and why.
"""

from __future__ import annotations

from datetime import date

from graphframes import GraphFrame
from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from fcc.core.settings.typologies import CycleSettings, ScatterGatherSettings
from fcc.typologies import flow_edges
from fcc.typologies._common import amount_level, day_end, day_start, in_days, is_customer_node

MOTIF_COLUMNS = ("customer_id", "role", "members", "txn_ids")


def flow_graph(edges: DataFrame) -> GraphFrame:
    """GraphFrame of flow edges (src, dst, ts, usd, txn_id); vertices are their end points."""
    ends = edges.select(F.col("src").alias("id")).union(edges.select(F.col("dst").alias("id")))
    return GraphFrame(ends.distinct(), edges)


def _window_edges(
    txns: DataFrame, as_of: date, days: int, identifiers: DataFrame | None
) -> DataFrame:
    return flow_edges(txns.where(in_days(as_of, days)), identifiers).where(F.col("usd") > 0)


def _on_day(ts: Column, as_of: date) -> Column:
    return (ts >= F.lit(day_start(as_of))) & (ts < F.lit(day_end(as_of)))


def _in_ratio(later: Column, earlier: Column, low: float, high: float) -> Column:
    return (later >= low * earlier) & (later <= high * earlier)


def round_trip_motifs(
    txns: DataFrame,
    as_of: date,
    s: CycleSettings,
    identifiers: DataFrame | None = None,
    max_hops: int = 4,
) -> DataFrame:
    """Customers on round trips of min_length..min(max_length, max_hops) hops closing on D:
    MOTIF_COLUMNS, role `origin` or `intermediary`, one row per (trip, customer)."""
    edges = _window_edges(
        txns, as_of, s.window_days, identifiers if s.exclude_own_accounts else None
    )
    graph = flow_graph(edges)
    floor = amount_level(edges, s.min_amount_percentile)
    found = []
    for n in range(s.min_length, min(s.max_length, max_hops) + 1):
        pattern = "; ".join(f"(v{i})-[e{i}]->(v{(i + 1) % n})" for i in range(n))
        e = [F.col(f"e{i}") for i in range(n)]
        v = [F.col(f"v{i}.id") for i in range(n)]
        cond = (
            is_customer_node(v[0])
            & (e[0]["usd"] >= F.col("_amount_level"))
            & _on_day(e[-1]["ts"], as_of)
            & (e[-1]["ts"] <= e[0]["ts"] + F.expr(f"INTERVAL {s.window_days} DAYS"))
            & (e[-1]["usd"] >= s.min_return_ratio * e[0]["usd"])
        )
        for i in range(1, n):
            cond &= e[i]["ts"] > e[i - 1]["ts"]
            cond &= _in_ratio(e[i]["usd"], e[i - 1]["usd"], s.min_hop_ratio, s.max_hop_ratio)
        cond &= F.size(F.array_distinct(F.array(*v))) == n
        trips = graph.find(pattern).crossJoin(floor).where(cond)
        found.append(
            trips.select(
                F.col("v0.id").alias("origin"),
                F.array(*v).alias("members"),
                F.array(*[x["txn_id"] for x in e]).alias("txn_ids"),
            )
        )
    trips = found[0]
    for more in found[1:]:
        trips = trips.unionByName(more)
    members = trips.select("*", F.explode("members").alias("customer_id"))
    members = members.where(is_customer_node(F.col("customer_id")))
    role = F.when(F.col("customer_id") == F.col("origin"), "origin").otherwise("intermediary")
    return members.select("customer_id", role.alias("role"), "members", "txn_ids")


def scatter_gather_motifs(
    txns: DataFrame,
    as_of: date,
    s: ScatterGatherSettings,
    identifiers: DataFrame | None = None,
) -> DataFrame:
    """Customers on scatter-gather patterns whose last leg is on D: MOTIF_COLUMNS, role
    `source`, `intermediary` or `sink`, one row per (pattern, customer)."""
    edges = _window_edges(txns, as_of, s.window_days, identifiers)
    floor = amount_level(edges, s.min_amount_percentile)
    legs = (
        flow_graph(edges)
        .find("(a)-[e1]->(b); (b)-[e2]->(c)")
        .crossJoin(floor)
        .where(
            (F.col("e1.usd") >= F.col("_amount_level"))
            & (F.col("e2.ts") > F.col("e1.ts"))
            & (F.col("a.id") != F.col("c.id"))
            & _in_ratio(F.col("e2.usd"), F.col("e1.usd"), s.min_hop_ratio, s.max_hop_ratio)
        )
    )
    patterns = (
        legs.groupBy(F.col("a.id").alias("source"), F.col("c.id").alias("sink"))
        .agg(
            F.collect_set("b.id").alias("mids"),
            F.max("e2.ts").alias("last_ts"),
            F.flatten(F.collect_list(F.array("e1.txn_id", "e2.txn_id"))).alias("txn_ids"),
        )
        .where(
            (F.size("mids") >= s.min_intermediaries) & (F.col("last_ts") >= F.lit(day_start(as_of)))
        )
        .withColumn("members", F.concat(F.array("source"), "mids", F.array("sink")))
    )
    members = patterns.select("*", F.explode("members").alias("customer_id"))
    members = members.where(is_customer_node(F.col("customer_id")))
    role = (
        F.when(F.col("customer_id") == F.col("source"), "source")
        .when(F.col("customer_id") == F.col("sink"), "sink")
        .otherwise("intermediary")
    )
    return members.select("customer_id", role.alias("role"), "members", "txn_ids")
