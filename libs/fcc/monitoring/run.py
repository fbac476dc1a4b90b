"""The monitoring step: KRIs with control limits, data quality and PSI drift into ops.metrics."""

from __future__ import annotations

import json
import logging
import math
from datetime import date, timedelta

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from fcc.core.lakehouse import Lakehouse
from fcc.core.settings import AppConfig
from fcc.core.tables import gold, gold_features, ops
from fcc.monitoring.psi import psi

log = logging.getLogger(__name__)

Metric = tuple  # (family, subject, metric, value, threshold, breach, detail)


def control_limits(history: list[int], days: int, sigma: float) -> tuple[float, float, float]:
    """Mean and mean -/+ sigma * sd of daily counts, zero-filled over `days` days."""
    counts = list(history) + [0] * max(0, days - len(history))
    mean = sum(counts) / len(counts)
    sd = math.sqrt(sum((c - mean) ** 2 for c in counts) / max(1, len(counts) - 1))
    return mean, max(0.0, mean - sigma * sd), mean + sigma * sd


def rule_volume_kris(rule_hits: DataFrame, as_of: date, cfg: AppConfig) -> list[Metric]:
    """Hits per rule on D against the control band of the previous days."""
    k = cfg.monitoring.kri
    start = as_of - timedelta(days=k.control_window_days)
    daily = (rule_hits.where((F.col("as_of") >= F.lit(start)) & (F.col("as_of") <= F.lit(as_of)))
             .groupBy("rule_id", "as_of").count().collect())
    history_days = {r.as_of for r in daily if r.as_of < as_of}
    by_rule: dict[str, dict[date, int]] = {}
    for r in daily:
        by_rule.setdefault(r.rule_id, {})[r.as_of] = r["count"]
    out = []
    for rule, per_day in sorted(by_rule.items()):
        today = per_day.get(as_of, 0)
        if len(history_days) < k.min_history_days:
            out.append(("kri", rule, "hits", float(today), None, False,
                        json.dumps({"note": f"{len(history_days)} days of history; no control limit yet"})))
            continue
        past = [per_day.get(d, 0) for d in sorted(history_days)]
        mean, low, high = control_limits(past, len(history_days), k.sigma)
        out.append(("kri", rule, "hits", float(today), high, not (low <= today <= high),
                    json.dumps({"mean": round(mean, 3), "lower": round(low, 3), "upper": round(high, 3)})))
    return out


def quarantine_kris(dq: DataFrame, as_of: date, cfg: AppConfig) -> list[Metric]:
    rows = (dq.where((F.col("as_of") == F.lit(as_of)) & (F.col("check") == "reconciliation"))
            .groupBy("source").agg(F.sum("rows_read").alias("read"), F.sum("rows_quarantined").alias("q")).collect())
    limit = cfg.monitoring.kri.max_quarantine_rate
    out = []
    for r in sorted(rows, key=lambda r: r.source):
        rate = (r.q or 0) / r.read if r.read else 0.0
        out.append(("dq", r.source, "quarantine_rate", rate, limit, rate > limit,
                    json.dumps({"rows_read": r.read, "rows_quarantined": r.q})))
    return out


def _baseline_date(table: DataFrame, as_of: date, days: int) -> date | None:
    target = as_of - timedelta(days=days)
    row = table.where(F.col("as_of") <= F.lit(target)).agg(F.max("as_of")).first()
    if row[0] is None:
        row = table.where(F.col("as_of") < F.lit(as_of)).agg(F.max("as_of")).first()
    return row[0]


def drift_metrics(table: DataFrame, columns: list[str], as_of: date, cfg: AppConfig, name: str) -> list[Metric]:
    d = cfg.monitoring.drift
    base_date = _baseline_date(table, as_of, d.baseline_days)
    out = []
    for column in columns:
        if column not in table.columns:
            raise ValueError(f"monitoring.drift.features: {column!r} is not a column of {name}")
        if base_date is None:
            out.append(("drift", column, "psi", None, d.shift, False, json.dumps({"note": "no baseline yet"})))
            continue
        base = table.where(F.col("as_of") == F.lit(base_date)).select(F.col(column).cast("double").alias(column))
        now = table.where(F.col("as_of") == F.lit(as_of)).select(F.col(column).cast("double").alias(column))
        value = psi(base, now, column, d.bins)
        status = None if value is None else ("shift" if value > d.shift else "watch" if value >= d.watch else "stable")
        out.append(("drift", column, "psi", value, d.shift, bool(value is not None and value > d.shift),
                    json.dumps({"baseline": str(base_date), "status": status})))
    return out


def run_monitoring(spark: SparkSession, lakehouse: Lakehouse, cfg: AppConfig, as_of: date, run_id: str) -> dict:
    metrics: list[Metric] = []
    metrics += rule_volume_kris(lakehouse.read(gold.RULE_HITS), as_of, cfg)
    alerts_today = lakehouse.read(gold.ALERTS).where(F.col("opened_as_of") == F.lit(as_of))
    for r in alerts_today.groupBy("case_type").count().collect():
        metrics.append(("kri", r.case_type, "alerts_opened", float(r["count"]), None, False, "{}"))
    metrics += quarantine_kris(lakehouse.read(ops.DQ_RESULTS), as_of, cfg)
    metrics += drift_metrics(lakehouse.read(gold.RISK_SCORES), ["score"], as_of, cfg, "gold.risk_scores")
    metrics += drift_metrics(lakehouse.read(gold_features.FEATURES), cfg.monitoring.drift.features, as_of, cfg,
                             "gold.features")
    rows = [(as_of, run_id, *m) for m in metrics]
    df = spark.createDataFrame(rows, ops.METRICS.schema) if rows else spark.createDataFrame([], ops.METRICS.schema)
    for family in ("kri", "dq", "drift"):
        lakehouse.replace_where(ops.METRICS, df.where(F.col("family") == family), as_of=as_of, family=family)
    breaches = sum(1 for m in metrics if m[5])
    log.info("monitoring: %d metrics, %d breaches", len(metrics), breaches)
    return {"metrics": len(metrics), "breaches": breaches}
