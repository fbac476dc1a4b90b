"""Detectors over gold tables: labelled-address exposure and profile / peer mismatch."""

from __future__ import annotations

from datetime import date, timedelta

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from fcc.core.settings.typologies import ExposureSettings, ProfileSettings
from fcc.typologies._common import (
    SEVERITY_RANK,
    in_days,
    ordered_ids,
    segment_levels,
    to_hits,
    usd,
)

_RANK_TO_SEVERITY = {v: k for k, v in SEVERITY_RANK.items()}


def _severity_of(rank_col: str):
    """Map a severity rank column back to its name."""
    pairs = [x for k, v in _RANK_TO_SEVERITY.items() for x in (F.lit(k), F.lit(v))]
    return F.element_at(F.create_map(*pairs), F.col(rank_col))


def _onchain_flow(txns: DataFrame, as_of: date, days: int) -> DataFrame:
    """Per customer and direction: USD moved on-chain with a known counterparty in the days to D."""
    return (
        txns.where(
            (F.col("rail") == "onchain")
            & F.col("counterparty_id").isNotNull()
            & in_days(as_of, days)
        )
        .groupBy("customer_id", "direction")
        .agg(F.sum(usd()).alias("onchain_usd"))
    )


def detect_exposure(
    exposure: DataFrame,
    txns: DataFrame,
    as_of: date,
    s: ExposureSettings,
    max_ids: int,
    lookback_days: int = 90,
    flow_days: int = 365,
) -> DataFrame:
    """Direct and indirect exposure to labelled addresses (sanctioned, mixer, darknet ...).

    Any direct exposure of at least direct_min_usd counts; indirect exposure counts when its
    hop-decayed USD is at least indirect_min_share of what the customer moved on-chain in that
    direction over flow_days (the exposure's own lookback): the share of the customer's funds
    that traces back, whatever the money scale. One hit per customer and kind (direct /
    indirect) listing every category and direction; severity is the worst category's (one level
    lower for indirect). Transaction ids are the customer's on-chain transfers with an address on
    the exposure path.
    """
    if not s.categories:
        return exposure.limit(0).transform(
            lambda df: to_hits(df, s, "exposure_direct", F.struct(F.lit(1).alias("x")), F.array())
        )
    spark = exposure.sparkSession
    ranks = spark.createDataFrame(
        [(c, SEVERITY_RANK[sev]) for c, sev in s.categories.items()], "category string, rank int"
    )
    rows = (
        exposure.where(F.col("as_of") == F.lit(as_of))
        .join(F.broadcast(ranks), "category")
        .join(_onchain_flow(txns, as_of, flow_days), ["customer_id", "direction"], "left")
    )
    direct = F.coalesce(F.col("direct"), F.col("min_hops") == 1)
    share = F.try_divide(usd("exposure_usd"), F.col("onchain_usd"))
    rows = (
        rows.withColumn("_direct", direct)
        .withColumn("_share", share)
        .where(
            (F.col("_direct") & (usd("exposure_usd") >= s.direct_min_usd))
            | (
                ~F.col("_direct")
                & (F.col("min_hops") <= s.indirect_max_hops)
                & (F.col("_share") >= s.indirect_min_share)
            )
        )
    )
    rows = rows.withColumn(
        "rank",
        F.when(F.col("_direct"), F.col("rank")).otherwise(F.greatest(F.col("rank") - 1, F.lit(1))),
    ).where(F.col("_direct") | (F.col("rank") >= SEVERITY_RANK[s.indirect_min_severity]))
    addresses = rows.select(
        "customer_id",
        "_direct",
        F.explode(
            F.array_union(
                F.coalesce("labelled_addresses", F.array().cast("array<string>")),
                F.coalesce("example_path", F.array().cast("array<string>")),
            )
        ).alias("counterparty_id"),
    ).distinct()
    onchain = txns.where((F.col("rail") == "onchain") & in_days(as_of, lookback_days)).select(
        "customer_id", "counterparty_id", "event_ts", "txn_id"
    )
    ids = (
        addresses.join(onchain, ["customer_id", "counterparty_id"])
        .groupBy("customer_id", "_direct")
        .agg(ordered_ids("event_ts", "txn_id", max_ids).alias("txn_ids"))
    )
    agg = (
        rows.groupBy("customer_id", "_direct")
        .agg(
            F.max("rank").alias("rank"),
            F.sum(usd("exposure_usd")).alias("exposure_usd"),
            F.min("min_hops").alias("min_hops"),
            F.sort_array(
                F.collect_list(
                    F.struct(
                        F.col("category"),
                        F.col("direction"),
                        F.col("min_hops"),
                        F.round(usd("exposure_usd"), 2).alias("exposure_usd"),
                        F.round("_share", 4).alias("share_of_onchain_flow"),
                        F.col("example_path"),
                        F.slice("labelled_addresses", 1, max_ids).alias("labelled_addresses"),
                    )
                )
            ).alias("exposures"),
        )
        .join(ids, ["customer_id", "_direct"], "left")
    )
    evidence = F.struct(
        F.when(F.col("_direct"), "direct").otherwise("indirect").alias("kind"),
        F.col("exposures"),
        F.round("exposure_usd", 2).alias("exposure_usd"),
        F.when(F.col("_direct"), F.lit(s.direct_min_usd)).alias("min_usd"),
        F.when(~F.col("_direct"), F.lit(s.indirect_min_share)).alias("min_share"),
        F.when(~F.col("_direct"), F.lit(flow_days)).alias("flow_days"),
        F.col("min_hops"),
        F.lit(s.indirect_max_hops).alias("max_hops"),
    )
    score = F.lit(s.score) + 10 * (F.col("rank") - 2) - 5 * (F.col("min_hops") - 1)
    txn_ids = F.coalesce(F.col("txn_ids"), F.array().cast("array<string>"))
    severity = _severity_of("rank")
    direct_hits = to_hits(
        agg.where("_direct"),
        s,
        "exposure_direct",
        evidence,
        txn_ids,
        score=score,
        severity=severity,
        typology=F.lit(s.direct_typology),
    )
    indirect_hits = to_hits(
        agg.where(~F.col("_direct")),
        s,
        "exposure_indirect",
        evidence,
        txn_ids,
        score=score,
        severity=severity,
        typology=F.lit(s.indirect_typology),
    )
    return direct_hits.unionByName(indirect_hits)


def detect_profile_mismatch(
    features: DataFrame,
    customers: DataFrame,
    as_of: date,
    s: ProfileSettings,
    volume_sql: str,
) -> DataFrame:
    """30-day volume far above the declared expected monthly volume, or far above the segment.

    Either needs a volume of at least the segment's min_volume_percentile among its customers
    with some volume (no fixed amount). A peer hit needs both a multiple of the segment median
    (material) and a place in the segment's top tail (rare), so a wide segment does not flood
    analysts.

    volume_sql is the validated, parameter-free form of s.volume_expression.
    """
    feats = features.where(F.col("as_of") == F.lit(as_of)).select(
        "customer_id", "segment", F.expr(volume_sql).cast("double").alias("volume_usd")
    )
    declared = customers.select(
        "customer_id", usd("expected_monthly_volume_usd").alias("declared_usd")
    )
    peers = feats.groupBy("segment").agg(
        F.count("*").alias("peers"),
        F.percentile_approx("volume_usd", 0.5).cast("double").alias("segment_median"),
        F.percentile_approx("volume_usd", s.peer_min_percentile)
        .cast("double")
        .alias("segment_top"),
    )
    # customers without a segment are one more group, "unknown"
    floor_segment = F.coalesce("segment", F.lit("unknown"))
    floors = segment_levels(
        feats.where(F.col("volume_usd") > 0).withColumn("segment", floor_segment),
        {"segment_floor": ("volume_usd", s.min_volume_percentile)},
        s.min_peers,
    ).withColumnRenamed("segment", "_floor_segment")
    stats = (
        feats.join(declared, "customer_id", "left")
        .join(peers, "segment", "left")
        .withColumn("_floor_segment", floor_segment)
        .join(floors, "_floor_segment", "left")
    )
    window = F.struct(
        F.lit((as_of - timedelta(days=29)).isoformat()).alias("from"),
        F.lit(as_of.isoformat()).alias("to"),
        F.lit(30).alias("days"),
    )
    base = F.col("volume_usd") >= F.col("segment_floor")
    declared_hit = stats.where(
        base
        & (F.col("declared_usd") > 0)
        & (F.col("volume_usd") >= s.declared_multiplier * F.col("declared_usd"))
    )
    peer_hit = stats.where(
        base
        & (F.col("peers") >= s.min_peers)
        & (F.col("segment_median") > 0)
        & (F.col("volume_usd") >= s.peer_multiplier * F.col("segment_median"))
        & (F.col("volume_usd") >= F.col("segment_top"))
    )
    floor_evidence = [
        F.round("segment_floor", 2).alias("segment_floor_usd"),
        F.lit(s.min_volume_percentile).alias("min_volume_percentile"),
    ]
    evidence_declared = F.struct(
        F.round("volume_usd", 2).alias("volume_usd"),
        F.lit(s.volume_expression).alias("volume_expression"),
        F.round("declared_usd", 2).alias("declared_monthly_usd"),
        F.round(F.col("volume_usd") / F.col("declared_usd"), 2).alias("multiple_of_declared"),
        F.lit(s.declared_multiplier).alias("declared_multiplier"),
        *floor_evidence,
        window.alias("window"),
    )
    evidence_peer = F.struct(
        F.round("volume_usd", 2).alias("volume_usd"),
        F.lit(s.volume_expression).alias("volume_expression"),
        F.col("segment"),
        F.col("peers"),
        F.round("segment_median", 2).alias("segment_median_usd"),
        F.round(F.col("volume_usd") / F.col("segment_median"), 2).alias("multiple_of_median"),
        F.lit(s.peer_multiplier).alias("peer_multiplier"),
        F.round("segment_top", 2).alias("segment_percentile_usd"),
        F.lit(s.peer_min_percentile).alias("peer_min_percentile"),
        *floor_evidence,
        window.alias("window"),
    )
    none = F.array().cast("array<string>")
    score_d = F.lit(s.score) + 5 * F.log2(
        F.col("volume_usd") / (s.declared_multiplier * F.col("declared_usd"))
    )
    score_p = F.lit(s.score) + 5 * F.log2(
        F.col("volume_usd") / (s.peer_multiplier * F.col("segment_median"))
    )
    return to_hits(
        declared_hit, s, "profile_declared_volume", evidence_declared, none, score=score_d
    ).unionByName(to_hits(peer_hit, s, "profile_peer_volume", evidence_peer, none, score=score_p))
