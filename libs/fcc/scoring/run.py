"""The scoring step: read D's inputs, build factors, write gold.risk_scores for D."""

from __future__ import annotations

import logging
from datetime import date
from functools import reduce

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from fcc.core.lakehouse import Lakehouse
from fcc.core.observe import counted
from fcc.core.settings import AppConfig
from fcc.core.tables import gold, gold_features, silver
from fcc.core.tables.extra_graph import FLOW_COMMUNITIES
from fcc.scoring.scorecard import (
    TIERS,
    alert_history_factors,
    behaviour_factors,
    cluster_factors,
    community_factors,
    exposure_factors,
    kyc_factors,
    rule_hit_factors,
    score_customers,
    screening_factors,
)

log = logging.getLogger(__name__)


def high_risk_countries(cfg: AppConfig) -> list[str]:
    """Every country on the configured high-risk jurisdiction lists (conf/features.yaml)."""
    lists = getattr(cfg.features, "high_risk_lists", []) or []
    return sorted({c for lst in lists for c in lst.countries})


def previous_scores(lakehouse: Lakehouse, as_of: date) -> DataFrame:
    """Scores of the latest scored date before D (in the plan: no job of its own)."""
    scores = lakehouse.read(gold.RISK_SCORES).where(F.col("as_of") < F.lit(as_of))
    latest = scores.agg(F.max("as_of").alias("_latest"))
    return scores.join(F.broadcast(latest), F.col("as_of") == F.col("_latest")).drop("_latest")


def risk_scores(lakehouse: Lakehouse, cfg: AppConfig, as_of: date) -> DataFrame:
    """D's scores of every customer from D's inputs (the plan only: no job, nothing written)."""
    s = cfg.scoring
    on_d = F.col("as_of") == F.lit(as_of)
    customers = lakehouse.read(silver.CUSTOMERS)
    rule_hits = lakehouse.read(gold.RULE_HITS).where(on_d)
    screening = lakehouse.read(gold.SCREENING_HITS).where(on_d)
    flagged = rule_hits.select("customer_id").unionByName(
        screening.where(F.col("status") == "open").select("customer_id")
    )
    factors = reduce(
        DataFrame.unionByName,
        [
            kyc_factors(customers, s, high_risk_countries(cfg), as_of),
            behaviour_factors(lakehouse.read(gold_features.FEATURES).where(on_d), s),
            exposure_factors(lakehouse.read(gold.EXPOSURE).where(on_d), s),
            screening_factors(screening, s),
            rule_hit_factors(rule_hits, s),
            alert_history_factors(lakehouse.read(gold.ALERTS), s, as_of),
            cluster_factors(lakehouse.read(gold.ENTITY_CLUSTERS).where(on_d), flagged, s),
            community_factors(lakehouse.read(FLOW_COMMUNITIES).where(on_d), flagged, s),
        ],
    )
    return score_customers(customers, factors, s, as_of, previous_scores(lakehouse, as_of))


def run_scoring(
    spark: SparkSession, lakehouse: Lakehouse, cfg: AppConfig, as_of: date, run_id: str
) -> dict:
    scores = risk_scores(lakehouse, cfg, as_of)
    # the tier counts are gathered by the write itself (no second read of what was written)
    scores, counts = counted(
        scores,
        changed=F.sum(F.col("tier_changed").cast("long")),
        **{f"tier_{t}": F.sum((F.col("tier") == t).cast("long")) for t in TIERS},
    )
    lakehouse.replace_where(gold.RISK_SCORES, scores, as_of=as_of)
    got = counts.get()
    tiers = {t: got[f"tier_{t}"] for t in TIERS if got[f"tier_{t}"]}
    changed = got["changed"]
    log.info(
        "scoring: %d customers, tiers %s, %d tier changes", sum(tiers.values()), tiers, changed
    )
    return {
        "customers_scored": sum(tiers.values()),
        "tier_changes": changed,
        **{f"tier_{k}": v for k, v in tiers.items()},
    }
