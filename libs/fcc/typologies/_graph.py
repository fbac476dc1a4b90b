"""Detectors over the money-flow graph: round-tripping cycles, scatter-gather, peel chains.

Nodes are customers (their customer_id) and external counterparties (`ext:<counterparty_id>`:
a hashed bank account or a chain address). Edges come from silver.transactions: an internal
transfer is one customer -> customer edge (its `out` leg), an external payment is customer ->
counterparty (out) or counterparty -> customer (in). Trades are conversions inside one account
and are not edges.
"""

from __future__ import annotations

from datetime import date, timedelta

from pyspark.sql import DataFrame, Window
from pyspark.sql import functions as F

from fcc.core.observe import counted
from fcc.core.settings.typologies import CycleSettings, PeelChainSettings, ScatterGatherSettings
from fcc.typologies._common import (
    EXTERNAL,
    amount_level,
    best_per_customer,
    day_end,
    day_start,
    in_days,
    is_customer_node,
    to_hits,
    usd,
    window_json,
)

_OWN_ID_TYPES = ("bank_account", "withdrawal_address")


def flow_edges(txns: DataFrame, identifiers: DataFrame | None = None) -> DataFrame:
    """Directed money edges (src, dst, ts, usd, txn_id, leg) between customers and counterparties.

    `leg` is the direction of the row the edge comes from: `out` when src reported it, `in`
    when dst did. A wire between two customers shows up from both sides, once per leg.

    With identifiers, a counterparty bank account or address registered to exactly one other
    customer is that customer (a wire to a fellow customer's bank account is a customer-to-
    customer edge, whichever leg the data shows), and payments to or from the customer's own
    registered accounts are dropped: moving money between one's own accounts is not passing it
    through somebody else.
    """
    rows = txns.where((F.col("rail") != "trade") & F.col("counterparty_id").isNotNull())
    internal = F.col("counterparty_type") == "customer"
    owner = F.lit(None).cast("string")
    if identifiers is not None:
        accounts = (
            identifiers.where(F.col("id_type").isin(*_OWN_ID_TYPES))
            .select(
                F.col("customer_id").alias("_owner"), F.col("id_value").alias("counterparty_id")
            )
            .distinct()
        )
        own = accounts.select(
            F.col("_owner").alias("customer_id"), "counterparty_id", F.lit(True).alias("_own")
        )
        single = (
            accounts.groupBy("counterparty_id")
            .agg(F.count("*").alias("_n"), F.min("_owner").alias("_owner"))
            .where(F.col("_n") == 1)
            .drop("_n")
        )
        rows = (
            rows.join(own, ["customer_id", "counterparty_id"], "left")
            .where(F.col("_own").isNull())
            .join(single, "counterparty_id", "left")
        )
        owner = F.when(~internal, F.col("_owner"))
    other = (
        F.when(internal, F.col("counterparty_id"))
        .when(owner.isNotNull(), owner)
        .otherwise(F.concat(F.lit(EXTERNAL), F.col("counterparty_id")))
    )
    # internal transfers carry both legs: keep the sender's
    rows = rows.where(~internal | (F.col("direction") == "out"))
    out = F.col("direction") == "out"
    return rows.select(
        F.when(out, F.col("customer_id")).otherwise(other).alias("src"),
        F.when(out, other).otherwise(F.col("customer_id")).alias("dst"),
        F.col("event_ts").alias("ts"),
        usd().alias("usd"),
        F.col("txn_id"),
        F.col("direction").alias("leg"),
    )


# --- round-tripping cycles -----------------------------------------------------------------


def _best_open_paths(paths: DataFrame, k: int) -> DataFrame:
    """At most k open paths per current node: the best retention, then the earliest last hop."""
    w = Window.partitionBy("cur").orderBy(
        (F.col("last_usd") / F.col("first_usd")).desc(), F.col("t_last"), F.col("path")
    )
    return (
        paths.withColumn("_rank", F.row_number().over(w)).where(F.col("_rank") <= k).drop("_rank")
    )


def detect_cycles(
    txns: DataFrame,
    as_of: date,
    s: CycleSettings,
    max_ids: int,
    identifiers: DataFrame | None = None,
) -> DataFrame:
    """Money leaving a customer and returning through 1 to max_length-1 intermediaries.

    Hops are ordered in time within window_days, each carries min_hop_ratio..max_hop_ratio of
    the previous one, the return is at least min_return_ratio of the first hop, and the closing
    hop is on D. The first hop is at least the window's min_amount_percentile payment (no
    fixed amount: the pattern's own consistency is the signal). Enumeration is bounded: after
    each hop only the max_paths_per_node open paths with the best retention (last hop / first
    hop) are followed from each node. Every customer on the cycle gets a hit (origin or
    intermediary) with the ordered path.
    """
    window_start = day_start(as_of) - timedelta(days=s.window_days - 1)
    rows = txns.where(in_days(as_of, s.window_days))
    edges = flow_edges(rows, identifiers if s.exclude_own_accounts else None)
    edges = edges.where(F.col("usd") > 0).cache()
    hop = lambda e: F.struct(  # noqa: E731
        e["txn_id"].alias("txn_id"),
        e["ts"].alias("ts"),
        F.round(e["usd"], 2).alias("usd"),
        e["src"].alias("src"),
        e["dst"].alias("dst"),
    )
    floor = amount_level(edges, s.min_amount_percentile)
    paths = (
        edges.crossJoin(floor).where(
            is_customer_node(F.col("src"))
            & (F.col("usd") >= F.col("_amount_level"))
            & (F.col("ts") >= F.lit(window_start))
        )
    ).select(
        F.col("src").alias("origin"),
        F.array("src", "dst").alias("path"),
        F.array(hop(edges)).alias("hops"),
        F.col("dst").alias("cur"),
        F.col("ts").alias("t0"),
        F.col("ts").alias("t_last"),
        F.col("usd").alias("first_usd"),
        F.col("usd").alias("last_usd"),
    )
    found = []
    end = day_end(as_of)
    e = edges.select([F.col(c).alias(f"e_{c}") for c in edges.columns])
    e_hop = F.struct(
        F.col("e_txn_id").alias("txn_id"),
        F.col("e_ts").alias("ts"),
        F.round("e_usd", 2).alias("usd"),
        F.col("e_src").alias("src"),
        F.col("e_dst").alias("dst"),
    )
    for length in range(2, s.max_length + 1):
        step = paths.join(e, F.col("cur") == F.col("e_src")).where(
            (F.col("e_ts") > F.col("t_last"))
            & (F.col("e_ts") <= F.col("t0") + F.expr(f"INTERVAL {s.window_days} DAYS"))
            & (F.col("e_usd") >= s.min_hop_ratio * F.col("last_usd"))
            & (F.col("e_usd") <= s.max_hop_ratio * F.col("last_usd"))
        )
        extended = step.select(
            "origin",
            F.concat("path", F.array("e_dst")).alias("path"),
            F.concat("hops", F.array(e_hop)).alias("hops"),
            F.col("e_dst").alias("cur"),
            "t0",
            F.col("e_ts").alias("t_last"),
            "first_usd",
            F.col("e_usd").alias("last_usd"),
        )
        # each hop's paths are computed once and kept: the next hop, and the cycles closed at
        # this length, read them instead of re-planning every earlier hop
        extended, reached = counted(extended, rows=F.count(F.lit(1)))
        extended = extended.localCheckpoint()
        if length >= s.min_length:
            found.append(
                extended.where(
                    (F.col("cur") == F.col("origin"))
                    & (F.col("t_last") >= F.lit(day_start(as_of)))
                    & (F.col("t_last") < F.lit(end))
                    & (F.col("last_usd") >= s.min_return_ratio * F.col("first_usd"))
                )
            )
        # continue only along simple paths (no node twice), the best-retaining few per node
        paths = _best_open_paths(
            extended.where(~F.array_contains(F.slice("path", 1, F.size("path") - 1), F.col("cur"))),
            s.max_paths_per_node,
        )
        if reached.get()["rows"] == 0:  # no path got this far: none can go further
            break
    if not found:
        return (
            edges.limit(0)
            .select(F.col("src").alias("customer_id"))
            .transform(lambda df: to_hits(df, s, "cycle", F.struct(F.lit(1).alias("x")), F.array()))
        )
    cycles = found[0]
    for more in found[1:]:
        cycles = cycles.unionByName(more)
    cycles = cycles.withColumn("return_ratio", F.col("last_usd") / F.col("first_usd"))
    members = cycles.select(
        "*",
        F.explode(F.array_distinct(F.slice("path", 1, F.size("path") - 1))).alias("customer_id"),
    ).where(is_customer_node(F.col("customer_id")))
    members = members.withColumn(
        "role", F.when(F.col("customer_id") == F.col("origin"), "origin").otherwise("intermediary")
    )
    counts = members.groupBy("customer_id").agg(F.count("*").alias("cycles_found"))
    best = best_per_customer(
        members, F.col("role").asc(), F.col("return_ratio").desc(), F.size("path"), F.col("t0")
    ).join(counts, "customer_id")
    evidence = F.struct(
        F.col("role"),
        F.col("origin"),
        F.col("path"),
        F.col("hops"),
        (F.size("path") - 1).alias("length"),
        F.round("first_usd", 2).alias("first_hop_usd"),
        F.round("last_usd", 2).alias("returned_usd"),
        F.round("return_ratio", 4).alias("return_ratio"),
        F.lit(s.min_return_ratio).alias("min_return_ratio"),
        F.lit(s.min_hop_ratio).alias("min_hop_ratio"),
        F.round((F.unix_timestamp("t_last") - F.unix_timestamp("t0")) / 3600.0, 2).alias("hours"),
        F.col("cycles_found"),
        window_json(as_of - timedelta(days=s.window_days - 1), as_of, days=s.window_days).alias(
            "window"
        ),
    )
    txn_ids = F.slice(F.transform("hops", lambda h: h["txn_id"]), 1, max_ids)
    score = (
        F.lit(s.score)
        + 20 * F.col("return_ratio")
        + F.when(F.col("role") == "origin", 10).otherwise(0)
    )
    return to_hits(best, s, "cycle", evidence, txn_ids, score=score)


# --- scatter-gather -------------------------------------------------------------------------------


def detect_scatter_gather(
    txns: DataFrame,
    as_of: date,
    s: ScatterGatherSettings,
    max_ids: int,
    identifiers: DataFrame | None = None,
) -> DataFrame:
    """A source paying several intermediaries that each forward it on to one sink within days.

    No fixed amount: a scattered leg is at least the window's min_amount_percentile payment and
    each intermediary forwards min_hop_ratio..max_hop_ratio of it. Bounded on hubs: an
    intermediary's max_legs_per_intermediary closest-in-amount forwarding legs are kept.
    """
    rows = txns.where(in_days(as_of, s.window_days))
    edges = flow_edges(rows, identifiers).where(F.col("usd") > 0).cache()
    floor = amount_level(edges, s.min_amount_percentile)
    fresh = [F.col(c).alias(c) for c in edges.columns]  # new attribute ids: no self-join clash
    a = edges.crossJoin(floor).where(F.col("usd") >= F.col("_amount_level")).select(*fresh)
    a, b = a.alias("a"), edges.select(*fresh).alias("b")
    joined = a.join(b, F.col("a.dst") == F.col("b.src")).where(
        (F.col("b.ts") > F.col("a.ts"))
        & (F.col("a.src") != F.col("b.dst"))
        & (F.col("b.usd") >= s.min_hop_ratio * F.col("a.usd"))
        & (F.col("b.usd") <= s.max_hop_ratio * F.col("a.usd"))
    )
    closest = Window.partitionBy(F.col("a.dst")).orderBy(
        F.abs(F.col("b.usd") / F.col("a.usd") - 1), F.col("b.ts"), F.col("b.txn_id")
    )
    two = (
        joined.withColumn("_rank", F.row_number().over(closest))
        .where(F.col("_rank") <= s.max_legs_per_intermediary)
        .drop("_rank")
    )
    legs = two.select(
        F.col("a.src").alias("source"),
        F.col("a.dst").alias("mid"),
        F.col("b.dst").alias("sink"),
        F.struct(
            F.col("a.dst").alias("intermediary"),
            F.col("a.txn_id").alias("in_txn"),
            F.col("a.ts").alias("in_ts"),
            F.round(F.col("a.usd"), 2).alias("in_usd"),
            F.col("b.txn_id").alias("out_txn"),
            F.col("b.ts").alias("out_ts"),
            F.round(F.col("b.usd"), 2).alias("out_usd"),
        ).alias("leg"),
        F.col("b.ts").alias("out_ts"),
    )
    patterns = (
        legs.groupBy("source", "sink")
        .agg(
            F.countDistinct("mid").alias("intermediaries"),
            F.array_sort(F.collect_list("leg")).alias("legs"),
            F.collect_set("mid").alias("mids"),
            F.max("out_ts").alias("last_ts"),
            F.sum(F.col("leg.in_usd")).alias("scattered_usd"),
            F.sum(F.col("leg.out_usd")).alias("gathered_usd"),
        )
        .where(
            (F.col("intermediaries") >= s.min_intermediaries)
            & (F.col("last_ts") >= F.lit(day_start(as_of)))
        )
    )
    roles = patterns.select(
        "*",
        F.explode(
            F.array_union(
                F.array(
                    F.struct(F.col("source").alias("node"), F.lit("source").alias("role")),
                    F.struct(F.col("sink").alias("node"), F.lit("sink").alias("role")),
                ),
                F.transform(
                    "mids", lambda m: F.struct(m.alias("node"), F.lit("intermediary").alias("role"))
                ),
            )
        ).alias("member"),
    ).select("*", F.col("member.node").alias("customer_id"), F.col("member.role").alias("role"))
    roles = roles.where(is_customer_node(F.col("customer_id")))
    best = best_per_customer(roles, F.col("intermediaries").desc(), F.col("gathered_usd").desc())
    evidence = F.struct(
        F.col("role"),
        F.col("source"),
        F.col("sink"),
        F.col("intermediaries"),
        F.lit(s.min_intermediaries).alias("min_intermediaries"),
        F.round("scattered_usd", 2).alias("scattered_usd"),
        F.round("gathered_usd", 2).alias("gathered_usd"),
        F.slice("legs", 1, max_ids).alias("legs"),
        F.lit(s.min_hop_ratio).alias("min_hop_ratio"),
        window_json(as_of - timedelta(days=s.window_days - 1), as_of, days=s.window_days).alias(
            "window"
        ),
    )
    txn_ids = F.slice(
        F.flatten(F.transform("legs", lambda g: F.array(g["in_txn"], g["out_txn"]))), 1, max_ids
    )
    score = F.lit(s.score) + 5 * (F.col("intermediaries") - s.min_intermediaries)
    return to_hits(best, s, "scatter_gather", evidence, txn_ids, score=score)


# --- peel chains --------------------------------------------------------------------------------


def detect_peel_chains(
    txns: DataFrame, chain_edges: DataFrame, as_of: date, s: PeelChainSettings, max_ids: int
) -> DataFrame:
    """From a customer withdrawal: fresh addresses each peeling a small part off, forwarding the rest.

    At every hop the largest output is the remainder (followed), the others are peels; the hop
    counts when the peel share is small, the remainder large and (optionally) its address is
    first funded by that very transfer. Reported when the chain has min_hops hops and its last
    hop is on D.
    """
    start = day_start(as_of) - timedelta(days=s.lookback_days - 1)
    end = day_end(as_of)
    # every hop joins these two: read and aggregated once, kept in memory until the last hop
    ce = chain_edges.where(
        (F.col("event_ts") >= F.lit(start)) & (F.col("event_ts") < F.lit(end))
    ).persist()
    first_funded = (
        chain_edges.where(F.col("event_ts") < F.lit(end))
        .groupBy("chain", "to_address")
        .agg(F.min("event_ts").alias("first_funded_ts"))
        .persist()
    )
    frontier = txns.where(
        (F.col("rail") == "onchain")
        & (F.col("direction") == "out")
        & F.col("counterparty_id").isNotNull()
        & (F.col("event_ts") >= F.lit(start))
        & (F.col("event_ts") < F.lit(end))
    ).select(
        "customer_id",
        F.col("txn_id").alias("withdrawal_txn"),
        F.col("chain"),
        F.col("counterparty_id").alias("addr"),
        F.col("amount").cast("double").alias("received"),
        F.col("event_ts").alias("ts"),
        F.col("event_ts").alias("withdrawal_ts"),
        F.col("amount").cast("double").alias("withdrawn"),
        F.array(F.col("counterparty_id")).alias("path"),
        F.array()
        .cast(
            "array<struct<hop:int,tx_hash:string,ts:timestamp,peeled:double,"
            "forwarded:double,peel_to:array<string>>>"
        )
        .alias("peels"),
        F.lit(0).alias("hops"),
    )
    done = []
    keys = [
        "customer_id",
        "withdrawal_txn",
        "chain",
        "addr",
        "received",
        "ts",
        "withdrawal_ts",
        "withdrawn",
        "path",
        "peels",
        "hops",
    ]
    for _ in range(s.max_hops):
        out = (
            frontier.alias("f")
            .join(
                ce.alias("c"),
                (F.col("c.chain") == F.col("f.chain"))
                & (F.col("c.from_address") == F.col("f.addr")),
            )
            .where(
                (F.col("c.event_ts") >= F.col("f.ts"))
                & (
                    F.col("c.event_ts")
                    <= F.col("f.ts") + F.expr(f"INTERVAL {s.max_hop_hours} HOURS")
                )
            )
        )
        grouped = out.groupBy(*[F.col(f"f.{k}").alias(k) for k in keys]).agg(
            F.sum(F.col("c.amount").cast("double")).alias("total_out"),
            F.max_by(
                F.struct(
                    F.col("c.to_address").alias("to"),
                    F.col("c.event_ts").alias("ts"),
                    F.col("c.tx_hash").alias("tx_hash"),
                ),
                F.col("c.amount").cast("double"),
            ).alias("rem"),
            F.max(F.col("c.amount").cast("double")).alias("rem_amount"),
            F.collect_list(
                F.struct(
                    F.col("c.to_address").alias("to"),
                    F.col("c.amount").cast("double").alias("amount"),
                )
            ).alias("outs"),
        )
        ff = first_funded.select(
            F.col("chain").alias("_chain"), F.col("to_address").alias("_to"), "first_funded_ts"
        )
        grouped = grouped.join(
            ff, (grouped["chain"] == ff["_chain"]) & (grouped["rem"]["to"] == ff["_to"]), "left"
        ).drop("_chain", "_to")
        peeled = F.col("total_out") - F.col("rem_amount")
        ok = (
            (peeled > 0)
            & (peeled <= s.max_peel_share * F.col("received"))
            & (F.col("rem_amount") >= s.min_remainder_share * F.col("received"))
            & ~F.array_contains("path", F.col("rem.to"))
        )
        if s.require_fresh:
            ok = ok & (F.col("first_funded_ts") >= F.col("rem.ts"))
        nxt = grouped.where(ok).select(
            "customer_id",
            "withdrawal_txn",
            "chain",
            F.col("rem.to").alias("addr"),
            F.col("rem_amount").alias("received"),
            F.col("rem.ts").alias("ts"),
            "withdrawal_ts",
            "withdrawn",
            F.concat("path", F.array(F.col("rem.to"))).alias("path"),
            F.concat(
                "peels",
                F.array(
                    F.struct(
                        (F.col("hops") + 1).alias("hop"),
                        F.col("rem.tx_hash").alias("tx_hash"),
                        F.col("rem.ts").alias("ts"),
                        peeled.alias("peeled"),
                        F.col("rem_amount").alias("forwarded"),
                        F.transform(
                            F.filter("outs", lambda o: o["to"] != F.col("rem.to")),
                            lambda o: o["to"],
                        ).alias("peel_to"),
                    )
                ),
            ).alias("peels"),
            (F.col("hops") + 1).alias("hops"),
        )
        nxt, reached = counted(nxt, rows=F.count(F.lit(1)))
        nxt = nxt.localCheckpoint()
        done.append(nxt.where(F.col("hops") >= s.min_hops))
        frontier = nxt
        if reached.get()["rows"] == 0:  # no chain got this far: none can go further
            break
    # every hop is checkpointed: what follows reads the checkpoints, not the chain edges
    ce.unpersist()
    first_funded.unpersist()
    if not done:
        return frontier.limit(0).transform(
            lambda df: to_hits(df, s, "peel_chain", F.struct(F.lit(1).alias("x")), F.array())
        )
    chains = done[0]
    for more in done[1:]:
        chains = chains.unionByName(more)
    chains = chains.where((F.col("ts") >= F.lit(day_start(as_of))) & (F.col("ts") < F.lit(end)))
    best = best_per_customer(chains, F.col("hops").desc(), F.col("withdrawn").desc())
    evidence = F.struct(
        F.col("withdrawal_txn"),
        F.col("chain"),
        F.col("withdrawn"),
        F.col("hops"),
        F.lit(s.min_hops).alias("min_hops"),
        F.col("path"),
        F.col("peels"),
        F.round(F.aggregate("peels", F.lit(0.0), lambda acc, p: acc + p["peeled"]), 8).alias(
            "total_peeled"
        ),
        F.lit(s.max_peel_share).alias("max_peel_share"),
        F.col("withdrawal_ts"),
        F.col("ts").alias("last_hop_ts"),
    )
    score = F.lit(s.score) + 5 * (F.col("hops") - s.min_hops)
    return to_hits(best, s, "peel_chain", evidence, F.array(F.col("withdrawal_txn")), score=score)
