"""The nightly typologies step: rules and detectors for D -> gold.rule_hits."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, fields, replace
from datetime import date, timedelta
from typing import Any

from pyspark import StorageLevel
from pyspark.sql import DataFrame, SparkSession, Window
from pyspark.sql import functions as F

from fcc.core.lakehouse import Lakehouse
from fcc.core.settings import AppConfig
from fcc.core.settings.features import CountryRiskList
from fcc.core.settings.typologies import (
    Detector,
    ExposureSettings,
    ProfileSettings,
    TypologiesSettings,
)
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


def profile_volume_sql(s: ProfileSettings, columns: list[str]) -> str:
    """The profile detector's volume expression, checked like a rule expression."""
    sql, errors = compile_expression(
        s.volume_expression, {}, columns, "conf/typologies.yaml: detector profile"
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


@dataclass(frozen=True)
class DetectorInputs:
    """The tables the coded detectors read, already read (each detector picks its own dates).

    clusters, exposure and features may span several as-of dates: a detector keeps the rows of
    the night it runs for. A table a detector does not need may be None.
    """

    txns: DataFrame
    customers: DataFrame
    identifiers: DataFrame | None = None
    clusters: DataFrame | None = None
    chain_edges: DataFrame | None = None
    exposure: DataFrame | None = None
    features: DataFrame | None = None

    def until(self, as_of: date, days: int) -> DetectorInputs:
        """The same inputs with the transactions a run on as_of reads: the `days` before it and as_of."""
        txns = self.txns.where(
            F.col("event_date").between(F.lit(as_of - timedelta(days=days)), F.lit(as_of))
        )
        return replace(self, txns=txns)

    def unpersist(self) -> None:
        """Release the tables kept in memory."""
        for f in fields(self):
            df = getattr(self, f.name)
            if df is not None:
                df.unpersist()


def _on(df: DataFrame, as_of: date) -> DataFrame:
    return df.where(F.col("as_of") == F.lit(as_of))


Run = Callable[[DetectorInputs, date, Any, AppConfig], DataFrame]

# Every coded detector (a section of conf/typologies.yaml), in the order the nightly step runs them
_DETECTORS: dict[str, Run] = {
    "structuring": lambda i, d, s, cfg: _flows.detect_structuring(
        i.txns, d, s, cfg.typologies.max_txn_ids, _on(i.clusters, d)
    ),
    "pass_through": lambda i, d, s, cfg: _flows.detect_pass_through(
        i.txns, d, s, cfg.typologies.max_txn_ids
    ),
    "fan_in": lambda i, d, s, cfg: _flows.detect_fan(
        i.txns, d, s, "in", cfg.typologies.max_txn_ids, i.customers
    ),
    "fan_out": lambda i, d, s, cfg: _flows.detect_fan(
        i.txns, d, s, "out", cfg.typologies.max_txn_ids, i.customers
    ),
    "gather_scatter": lambda i, d, s, cfg: _flows.detect_gather_scatter(
        i.txns, d, s, cfg.typologies.max_txn_ids
    ),
    "scatter_gather": lambda i, d, s, cfg: _graph.detect_scatter_gather(
        i.txns, d, s, cfg.typologies.max_txn_ids, i.identifiers
    ),
    "cycle": lambda i, d, s, cfg: _graph.detect_cycles(
        i.txns, d, s, cfg.typologies.max_txn_ids, i.identifiers
    ),
    "peel_chain": lambda i, d, s, cfg: _graph.detect_peel_chains(
        i.txns, i.chain_edges, d, s, cfg.typologies.max_txn_ids
    ),
    "dormant": lambda i, d, s, cfg: _flows.detect_dormant(
        i.txns, d, s, cfg.typologies.max_txn_ids, i.customers
    ),
    "high_risk_jurisdiction": lambda i, d, s, cfg: _flows.detect_high_risk_jurisdiction(
        i.txns, d, s, jurisdiction_lists(cfg), cfg.typologies.max_txn_ids
    ),
    "exposure": lambda i, d, s, cfg: _gold.detect_exposure(
        i.exposure,
        i.txns,
        d,
        s,
        cfg.typologies.max_txn_ids,
        flow_days=cfg.graph.exposure.lookback_days,
    ),
    "rapid_conversion": lambda i, d, s, cfg: _flows.detect_rapid_conversion(
        i.txns, d, s, cfg.typologies.max_txn_ids
    ),
    "profile": lambda i, d, s, cfg: _gold.detect_profile_mismatch(
        i.features, i.customers, d, s, profile_volume_sql(s, feature_columns())
    ),
}
DETECTORS = tuple(_DETECTORS)

# the inputs beyond transactions and customers each detector reads (DetectorInputs fields)
_EXTRA_INPUTS = {
    "structuring": "clusters",
    "scatter_gather": "identifiers",
    "cycle": "identifiers",
    "peel_chain": "chain_edges",
    "exposure": "exposure",
    "profile": "features",
}


def typology_tags(s: Detector) -> list[str]:
    """The typology tags a detector writes to gold.rule_hits (exposure: direct and indirect)."""
    if isinstance(s, ExposureSettings):
        return sorted({s.direct_typology, s.indirect_typology})
    return [s.typology]


def detect_one(
    cfg: AppConfig, name: str, s: Detector, as_of: date, inputs: DetectorInputs
) -> DataFrame:
    """Hits of one coded detector with the settings `s` on as_of over already-read inputs,
    its excluded segments dropped (lazy; no writes)."""
    if name not in _DETECTORS:
        raise KeyError(f"unknown detector {name!r}; known: {', '.join(DETECTORS)}")
    hits = _DETECTORS[name](inputs, as_of, s, cfg)
    return _without_segments(hits, inputs.customers, s.exclude_segments).select(*HIT_COLUMNS)


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
    rules = load_rules(s.rule_sets, s.segments, feature_columns())
    feats_today = features.where(F.col("as_of") == F.lit(as_of))
    check_types(rules, feats_today)
    inputs = DetectorInputs(txns, customers, identifiers, clusters, chain_edges, exposure, features)
    hits = empty_hits(spark)
    ruled = apply_rules(feats_today, rules)
    if ruled is not None:
        hits = hits.unionByName(ruled.select(*HIT_COLUMNS).localCheckpoint())
    for name in DETECTORS:
        if not getattr(s, name).enabled:
            log.info("typologies: %s disabled", name)
            continue
        # each detector's few hits are computed by their own plan and kept in memory: one
        # plan over every detector cost more to analyse and optimise than the detectors
        # did to run (docs/performance.md)
        hits = hits.unionByName(
            detect_one(cfg, name, getattr(s, name), as_of, inputs).localCheckpoint()
        )
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


def _transactions(lakehouse: Lakehouse, first: date, last: date) -> DataFrame:
    """silver.transactions of first..last without the columns no detector reads, kept in memory."""
    txns = lakehouse.read(silver.TRANSACTIONS).where(
        F.col("event_date").between(F.lit(first), F.lit(last))
    )
    return txns.drop(*_UNUSED_COLUMNS).persist(StorageLevel.MEMORY_AND_DISK)


def flow_frame(lakehouse: Lakehouse, as_of: date, cfg: AppConfig) -> DataFrame:
    """The transactions every detector projects from: the lookback read once, kept in memory.

    Each detector filters and reshapes this one frame; it is scanned from Delta once, by the
    first detector that runs, and read from memory by the others.
    """
    days = lookback_days(cfg.typologies, cfg.graph.exposure.lookback_days)
    return _transactions(lakehouse, as_of - timedelta(days=days), as_of)


def read_inputs(
    lakehouse: Lakehouse, name: str, first: date, last: date, days: int
) -> DetectorInputs:
    """What detector `name` reads on the nights first..last, each table read once and kept in
    memory: the transactions from `days` before first to last, the customers and its own table
    (gold tables: their rows of first..last). Release with `unpersist`."""
    extra = _EXTRA_INPUTS.get(name)
    tables = {
        "identifiers": lambda: lakehouse.read(silver.IDENTIFIERS),
        "chain_edges": lambda: lakehouse.read(silver.CHAIN_EDGES),
        "clusters": lambda: _dated(lakehouse.read(gold.ENTITY_CLUSTERS), first, last),
        "exposure": lambda: _dated(lakehouse.read(gold.EXPOSURE), first, last),
        "features": lambda: _dated(lakehouse.read(gold_features.FEATURES), first, last),
    }
    own = {extra: tables[extra]().persist(StorageLevel.MEMORY_AND_DISK)} if extra else {}
    return DetectorInputs(
        txns=_transactions(lakehouse, first - timedelta(days=days), last),
        customers=lakehouse.read(silver.CUSTOMERS).persist(StorageLevel.MEMORY_AND_DISK),
        **own,
    )


def _dated(df: DataFrame, first: date, last: date) -> DataFrame:
    return df.where(F.col("as_of").between(F.lit(first), F.lit(last)))


@contextmanager
def detected(
    spark: SparkSession, lakehouse: Lakehouse, cfg: AppConfig, as_of: date
) -> Iterator[DataFrame]:
    """D's hits of every rule and detector over the stored inputs, not written; the inputs read
    once stay in memory while the caller uses the hits."""
    txns = flow_frame(lakehouse, as_of, cfg)
    # several detectors and the segment exclusions join the customers: read them once too
    customers = lakehouse.read(silver.CUSTOMERS).persist(StorageLevel.MEMORY_AND_DISK)
    try:
        yield detect_all(
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
    finally:
        txns.unpersist()
        customers.unpersist()


def run_typologies(
    spark: SparkSession, lakehouse: Lakehouse, cfg: AppConfig, as_of: date, run_id: str
) -> dict[str, int]:
    """Write gold.rule_hits for D (this producer's slice only); returns hit counts."""
    started = time.monotonic()
    with detected(spark, lakehouse, cfg, as_of) as hits:
        lakehouse.replace_where(gold.RULE_HITS, hits, as_of=as_of, producer=PRODUCER)
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
