"""The nightly typologies step: rules and detectors for D -> gold.rule_hits."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import date, timedelta

from pyspark import StorageLevel
from pyspark.sql import DataFrame, SparkSession, Window
from pyspark.sql import functions as F

from fcc.core.lakehouse import Lakehouse
from fcc.core.settings import AppConfig
from fcc.core.settings.features import CountryRiskList
from fcc.core.settings.typologies import TypologiesSettings
from fcc.core.tables import gold, gold_features, silver
from fcc.typologies import _flows, _gold, _graph
from fcc.typologies._common import HIT_COLUMNS, empty_hits
from fcc.typologies.rules import (
    RuleValidationError,
    apply_rules,
    check_types,
    compile_expression,
    feature_columns,
    load_rules,
)

log = logging.getLogger(__name__)
PRODUCER = "typologies"


def lookback_days(s: TypologiesSettings, exposure_days: int = 90) -> int:
    """Days of silver.transactions (ending on D) the enabled detectors need at most.

    exposure_days: the exposure's lookback (conf/graph.yaml), over which the exposure detector
    sums each customer's on-chain flow.
    """
    needs = [
        s.structuring.window_days,
        s.pass_through.window_hours // 24
        + 2
        + s.pass_through.history_gap_days
        + s.pass_through.history_days,
        s.pass_through.turnover_days,
        s.fan_in.window_days + s.fan_in.history_days,
        s.fan_out.window_days + s.fan_out.history_days,
        s.gather_scatter.window_days + s.gather_scatter.history_days,
        s.scatter_gather.window_days,
        s.cycle.window_days,
        s.peel_chain.lookback_days,
        s.dormant.max_lookback_days + 1,
        s.dormant.turnover_days,
        s.high_risk_jurisdiction.window_days,
        s.rapid_conversion.window_hours // 24 + 2,
        s.rapid_conversion.turnover_days,
        90,  # exposure: transactions that touch an exposure path
        exposure_days,  # exposure: the customer's on-chain flow the indirect share is taken of
    ]
    return max(needs)


def jurisdiction_lists(cfg: AppConfig) -> list[CountryRiskList]:
    """conf/features.yaml high_risk_lists when set (one list for every step), else our own."""
    return list(cfg.features.high_risk_lists) or list(cfg.typologies.high_risk_jurisdiction.lists)


def profile_volume_sql(s: TypologiesSettings, columns: list[str]) -> str:
    """The profile detector's volume expression, checked like a rule expression."""
    sql, errors = compile_expression(
        s.profile.volume_expression, {}, columns, "conf/typologies.yaml: detector profile"
    )
    if errors:
        raise RuleValidationError("invalid typology settings:\n  " + "\n  ".join(errors))
    return sql


def finalize_hits(hits: DataFrame, as_of: date) -> DataFrame:
    """Add as_of, producer and the deterministic hit_id; one row per (customer, rule, version)."""
    key = F.concat_ws("|", F.lit(as_of.isoformat()), "customer_id", "rule_id", "rule_version")
    w = Window.partitionBy("customer_id", "rule_id", "rule_version").orderBy(
        F.col("score").desc_nulls_last(), F.col("evidence")
    )
    return (
        hits.select(*HIT_COLUMNS)
        .withColumn("_rn", F.row_number().over(w))
        .where("_rn = 1")
        .select(
            F.lit(as_of).alias("as_of"),
            F.sha2(key, 256).alias("hit_id"),
            "customer_id",
            F.lit(PRODUCER).alias("producer"),
            "rule_id",
            "rule_version",
            "typology",
            "severity",
            F.round("score", 2).alias("score"),
            "evidence",
            "txn_ids",
        )
    )


def detect_all(
    spark: SparkSession,
    cfg: AppConfig,
    as_of: date,
    txns: DataFrame,
    customers: DataFrame,
    identifiers: DataFrame,
    clusters: DataFrame,
    chain_edges: DataFrame,
    exposure: DataFrame,
    features: DataFrame,
) -> DataFrame:
    """Every enabled rule and detector over already-read inputs (no writes; each detector's
    hits are computed when it is added, the union stays lazy)."""
    s = cfg.typologies
    n = s.max_txn_ids
    columns = feature_columns()
    rules = load_rules(s.rule_sets, s.segments, columns)
    feats_today = features.where(F.col("as_of") == F.lit(as_of))
    check_types(rules, feats_today)
    steps: list[tuple[str, bool, Callable[[], DataFrame | None]]] = [
        ("rules", True, lambda: apply_rules(feats_today, rules)),
        (
            "structuring",
            s.structuring.enabled,
            lambda: _flows.detect_structuring(
                txns, as_of, s.structuring, n, clusters.where(F.col("as_of") == F.lit(as_of))
            ),
        ),
        (
            "pass_through",
            s.pass_through.enabled,
            lambda: _flows.detect_pass_through(txns, as_of, s.pass_through, n),
        ),
        (
            "fan_in",
            s.fan_in.enabled,
            lambda: _flows.detect_fan(txns, as_of, s.fan_in, "in", n, customers),
        ),
        (
            "fan_out",
            s.fan_out.enabled,
            lambda: _flows.detect_fan(txns, as_of, s.fan_out, "out", n, customers),
        ),
        (
            "gather_scatter",
            s.gather_scatter.enabled,
            lambda: _flows.detect_gather_scatter(txns, as_of, s.gather_scatter, n),
        ),
        (
            "scatter_gather",
            s.scatter_gather.enabled,
            lambda: _graph.detect_scatter_gather(txns, as_of, s.scatter_gather, n, identifiers),
        ),
        (
            "cycle",
            s.cycle.enabled,
            lambda: _graph.detect_cycles(txns, as_of, s.cycle, n, identifiers),
        ),
        (
            "peel_chain",
            s.peel_chain.enabled,
            lambda: _graph.detect_peel_chains(txns, chain_edges, as_of, s.peel_chain, n),
        ),
        (
            "dormant",
            s.dormant.enabled,
            lambda: _flows.detect_dormant(txns, as_of, s.dormant, n, customers),
        ),
        (
            "high_risk_jurisdiction",
            s.high_risk_jurisdiction.enabled,
            lambda: _flows.detect_high_risk_jurisdiction(
                txns, as_of, s.high_risk_jurisdiction, jurisdiction_lists(cfg), n
            ),
        ),
        (
            "exposure",
            s.exposure.enabled,
            lambda: _gold.detect_exposure(
                exposure, txns, as_of, s.exposure, n, flow_days=cfg.graph.exposure.lookback_days
            ),
        ),
        (
            "rapid_conversion",
            s.rapid_conversion.enabled,
            lambda: _flows.detect_rapid_conversion(txns, as_of, s.rapid_conversion, n),
        ),
        (
            "profile",
            s.profile.enabled,
            lambda: _gold.detect_profile_mismatch(
                features, customers, as_of, s.profile, profile_volume_sql(s, columns)
            ),
        ),
    ]
    hits = empty_hits(spark)
    for name, enabled, build in steps:
        if not enabled:
            log.info("typologies: %s disabled", name)
            continue
        part = build()
        if part is not None:
            excluded = getattr(getattr(s, name, None), "exclude_segments", None)
            part = _without_segments(part, customers, excluded).select(*HIT_COLUMNS)
            # each detector's few hits are computed by their own plan and kept in memory: one
            # plan over every detector cost more to analyse and optimise than the detectors
            # did to run (docs/performance.md)
            hits = hits.unionByName(part.localCheckpoint())
    return finalize_hits(hits, as_of)


def _without_segments(hits: DataFrame, customers: DataFrame, segments: list[str] | None):
    """Drop hits on customers of the excluded segments (a customer without one is kept)."""
    if not segments:
        return hits
    seg = customers.select("customer_id", F.col("segment").alias("_segment"))
    return hits.join(seg, "customer_id", "left").where(
        F.col("_segment").isNull() | ~F.col("_segment").isin(segments)
    )


# silver.transactions columns no detector reads (kept out of the flow frame)
_UNUSED_COLUMNS = ("batch_id", "ingested_at", "tx_hash")


def flow_frame(lakehouse: Lakehouse, as_of: date, cfg: AppConfig) -> DataFrame:
    """The transactions every detector projects from: the lookback read once, kept in memory.

    Each detector filters and reshapes this one frame; it is scanned from Delta once, by the
    first detector that runs, and read from memory by the others.
    """
    days = lookback_days(cfg.typologies, cfg.graph.exposure.lookback_days)
    txns = lakehouse.read(silver.TRANSACTIONS).where(
        F.col("event_date").between(F.lit(as_of - timedelta(days=days)), F.lit(as_of))
    )
    return txns.drop(*_UNUSED_COLUMNS).persist(StorageLevel.MEMORY_AND_DISK)


def run_typologies(
    spark: SparkSession, lakehouse: Lakehouse, cfg: AppConfig, as_of: date, run_id: str
) -> dict[str, int]:
    """Write gold.rule_hits for D (this producer's slice only); returns hit counts."""
    started = time.monotonic()
    txns = flow_frame(lakehouse, as_of, cfg)
    # several detectors and the segment exclusions join the customers: read them once too
    customers = lakehouse.read(silver.CUSTOMERS).persist(StorageLevel.MEMORY_AND_DISK)
    try:
        hits = detect_all(
            spark,
            cfg,
            as_of,
            txns=txns,
            customers=customers,
            identifiers=lakehouse.read(silver.IDENTIFIERS),
            clusters=lakehouse.read(gold.ENTITY_CLUSTERS),
            chain_edges=lakehouse.read(silver.CHAIN_EDGES),
            exposure=lakehouse.read(gold.EXPOSURE),
            features=lakehouse.read(gold_features.FEATURES).where(F.col("as_of") == F.lit(as_of)),
        )
        lakehouse.replace_where(gold.RULE_HITS, hits, as_of=as_of, producer=PRODUCER)
    finally:
        txns.unpersist()
        customers.unpersist()
    written = (
        lakehouse.read(gold.RULE_HITS)
        .where((F.col("as_of") == F.lit(as_of)) & (F.col("producer") == PRODUCER))
        .groupBy("typology")
        .count()
        .collect()
    )
    counts = {f"hits_{r['typology']}": int(r["count"]) for r in written}
    counts["rows_out"] = sum(counts.values())
    log.info(
        "typologies run_id=%s as_of=%s rows_out=%d seconds=%.1f",
        run_id,
        as_of,
        counts["rows_out"],
        time.monotonic() - started,
    )
    return counts
