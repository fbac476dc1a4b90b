"""Direct and indirect exposure of customers to labelled chain addresses.

Seeds are each customer's on-chain counterparties: a deposit's sender ("in": funds came from)
and a withdrawal's receiver ("out": funds went to), with the USD the customer moved through
them. The trail follows external transfers (silver.chain_edges) backwards for "in" and
forwards for "out", one hop per round of DataFrame joins, up to `max_hops`.

Amount weighting: at an address A the traced USD t(A) is split over A's counterparties in
proportion to the USD A exchanged with each (share = usd(A, B) / total usd of A in that
direction), so t(B) = sum over A of t(A) x share(A, B). A labelled address of a risk category
reached at hop n contributes

    exposure_usd = t(address) x hop_decay ** (n - 1)

(hop 1 = the customer's own counterparty, full weight). The trail stops at labelled addresses
(funds are attributed there), at hubs (addresses labelled exchange / payment processor, i.e.
hot wallets, or with more than `degree_cap` distinct counterparties), at addresses already
reached for the same customer and direction, and when less than `min_traced_usd` is carried.
So the traced USD of one customer and direction never exceeds what the customer moved.
Chain transfers are not ordered in time against the customer's own transaction (a known
simplification of vendor-style tracing).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from fcc.core.settings.graph import ExposureSettings

KEY = ["customer_id", "direction", "chain", "address"]


@dataclass(frozen=True)
class ExposureResult:
    rows: DataFrame  # gold.exposure rows without as_of
    frontiers: list[DataFrame]  # per hop: the addresses reached (cached when first computed)
    cached: list[DataFrame]  # the frontiers and the address info; call release() after writing

    def release(self) -> None:
        """Drop the cached frontiers."""
        for frame in self.cached:
            frame.unpersist()


def exposure_seeds(transactions: DataFrame, settings: ExposureSettings, as_of: date) -> DataFrame:
    """(customer_id, direction, chain, address, traced, path): the customer's on-chain counterparties."""
    start = as_of - timedelta(days=settings.lookback_days - 1)
    return (
        transactions.where(F.col("rail") == "onchain")
        .where(F.col("event_date").between(F.lit(start), F.lit(as_of)))
        .where(F.col("counterparty_id").isNotNull() & F.col("direction").isin("in", "out"))
        .groupBy("customer_id", "direction", "chain", F.col("counterparty_id").alias("address"))
        .agg(F.sum(F.col("amount_usd").cast("double")).alias("traced"))
        .withColumn("path", F.array("address"))
    )


def address_info(labels: DataFrame, edges: DataFrame, settings: ExposureSettings) -> DataFrame:
    """(chain, address, risk_categories, terminal): labelled and hub addresses only."""
    by_address = labels.groupBy("chain", "address").agg(
        F.collect_set("category").alias("categories")
    )
    degree = (
        edges.select(
            "chain", F.col("from_address").alias("address"), F.col("to_address").alias("other")
        )
        .unionByName(
            edges.select(
                "chain", F.col("to_address").alias("address"), F.col("from_address").alias("other")
            )
        )
        .groupBy("chain", "address")
        .agg(F.count_distinct("other").alias("degree"))
        .where(F.col("degree") > settings.degree_cap)
    )
    risk = F.array_intersect(
        F.coalesce("categories", F.array().cast("array<string>")),
        _strings(settings.risk_categories),
    )
    hub = F.arrays_overlap(
        F.coalesce("categories", F.array().cast("array<string>")), _strings(settings.hub_categories)
    )
    return by_address.join(degree, ["chain", "address"], "full").select(
        "chain",
        "address",
        risk.alias("risk_categories"),
        # labelled (any category) or hub: funds are attributed here, the trail goes no further
        (
            F.col("categories").isNotNull()
            | F.col("degree").isNotNull()
            | F.coalesce(hub, F.lit(False))
        ).alias("terminal"),
    )


def _strings(values: list[str]) -> Column:
    return (
        F.array(*[F.lit(v) for v in values]).cast("array<string>")
        if values
        else F.array().cast("array<string>")
    )


def _recent(edges: DataFrame, as_of: date, lookback_days: int) -> DataFrame:
    """Chain transfers of the lookback window ending with D."""
    start = F.lit(as_of - timedelta(days=lookback_days - 1)).cast("timestamp")
    end = F.lit(as_of + timedelta(days=1)).cast("timestamp")
    return edges.where((F.col("event_ts") >= start) & (F.col("event_ts") < end))


def transfer_shares(edges: DataFrame) -> DataFrame:
    """(chain, address, direction, next, share): how address A's USD splits over its counterparties.

    direction "in" follows funds backwards (A received from `next`), "out" forwards.
    """
    pairs = edges.groupBy("chain", "from_address", "to_address").agg(
        F.sum(F.coalesce(F.col("amount_usd").cast("double"), F.lit(0.0))).alias("usd")
    )
    backwards = pairs.select(
        "chain",
        F.col("to_address").alias("address"),
        F.lit("in").alias("direction"),
        F.col("from_address").alias("next"),
        "usd",
    )
    forwards = pairs.select(
        "chain",
        F.col("from_address").alias("address"),
        F.lit("out").alias("direction"),
        F.col("to_address").alias("next"),
        "usd",
    )
    both = backwards.unionByName(forwards)
    totals = both.groupBy("chain", "address", "direction").agg(
        F.sum("usd").alias("total"), F.count("*").alias("n")
    )
    return both.join(totals, ["chain", "address", "direction"]).select(
        "chain",
        "address",
        "direction",
        "next",
        F.coalesce(F.try_divide("usd", "total"), F.lit(1.0) / F.col("n")).alias("share"),
    )


def trace_exposure(
    transactions: DataFrame,
    labels: DataFrame,
    edges: DataFrame,
    settings: ExposureSettings,
    as_of: date,
) -> ExposureResult:
    """Trace every customer's counterparties up to `max_hops` and aggregate per category.

    One plan for every hop: each hop's frontier is cached when the write first computes it
    (later hops and the visited set read it again). An empty frontier gives empty later hops,
    so the loop always runs `max_hops` rounds instead of counting each frontier to stop early.
    """
    recent = _recent(edges, as_of, settings.lookback_days)
    info = address_info(labels, recent, settings).persist()
    shares = transfer_shares(recent)
    frontier = exposure_seeds(transactions, settings, as_of)
    visited: DataFrame | None = None
    hits: list[DataFrame] = []
    frontiers: list[DataFrame] = []
    for hop in range(1, settings.max_hops + 1):
        frontier = frontier.join(info, ["chain", "address"], "left").persist()
        frontiers.append(frontier)
        visited = (
            frontier.select(*KEY) if visited is None else visited.unionByName(frontier.select(*KEY))
        )
        hits.append(
            frontier.where(F.size("risk_categories") > 0).select(
                "customer_id",
                "direction",
                "address",
                "traced",
                "path",
                F.explode("risk_categories").alias("category"),
                F.lit(hop).alias("hops"),
            )
        )
        if hop == settings.max_hops:
            break
        frontier = (
            frontier.where(~F.coalesce("terminal", F.lit(False)))
            .select(*KEY, "traced", "path")
            .join(shares, ["chain", "address", "direction"])
            .select(
                "customer_id",
                "direction",
                "chain",
                F.col("next").alias("address"),
                (F.col("traced") * F.col("share")).alias("traced"),
                F.concat("path", F.array("next")).alias("path"),
            )
            .where(F.col("traced") >= settings.min_traced_usd)
            .groupBy(*KEY)
            .agg(F.sum("traced").alias("traced"), F.min("path").alias("path"))
            .join(visited, KEY, "left_anti")
        )
    reached = hits[0]
    for frame in hits[1:]:
        reached = reached.unionByName(frame)
    decayed = F.col("traced") * F.pow(F.lit(settings.hop_decay), F.col("hops") - 1)
    rows = (
        reached.groupBy("customer_id", "category", "direction")
        .agg(
            F.min("hops").cast("int").alias("min_hops"),
            F.sum(decayed).alias("exposure"),
            F.sum("traced").alias("traced_total"),
            F.min(F.struct("hops", "path")).getField("path").alias("example_path"),
            F.slice(
                F.array_sort(F.collect_set("address")), 1, settings.max_labelled_addresses
            ).alias("labelled_addresses"),
        )
        .select(
            "customer_id",
            "category",
            "direction",
            "min_hops",
            F.col("exposure").cast("decimal(24,6)").alias("exposure_usd"),
            F.col("traced_total").cast("decimal(24,6)").alias("traced_usd"),
            (F.col("min_hops") == 1).alias("direct"),
            "example_path",
            "labelled_addresses",
        )
    )
    return ExposureResult(rows=rows, frontiers=frontiers, cached=[info, *frontiers])
