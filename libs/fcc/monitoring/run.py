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
from fcc.monitoring.psi import bin_count_columns, bin_edges_many, psi_of_shares_or_none, shares_of

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
    daily = (
        rule_hits.where((F.col("as_of") >= F.lit(start)) & (F.col("as_of") <= F.lit(as_of)))
        .groupBy("rule_id", "as_of")
        .count()
        .collect()
    )
    history_days = {r.as_of for r in daily if r.as_of < as_of}
    by_rule: dict[str, dict[date, int]] = {}
    for r in daily:
        by_rule.setdefault(r.rule_id, {})[r.as_of] = r["count"]
    out = []
    for rule, per_day in sorted(by_rule.items()):
        today = per_day.get(as_of, 0)
        if len(history_days) < k.min_history_days:
            out.append(
                (
                    "kri",
                    rule,
                    "hits",
                    float(today),
                    None,
                    False,
                    json.dumps(
                        {"note": f"{len(history_days)} days of history; no control limit yet"}
                    ),
                )
            )
            continue
        past = [per_day.get(d, 0) for d in sorted(history_days)]
        mean, low, high = control_limits(past, len(history_days), k.sigma)
        out.append(
            (
                "kri",
                rule,
                "hits",
                float(today),
                high,
                not (low <= today <= high),
                json.dumps(
                    {"mean": round(mean, 3), "lower": round(low, 3), "upper": round(high, 3)}
                ),
            )
        )
    return out


def quarantine_kris(dq: DataFrame, as_of: date, cfg: AppConfig) -> list[Metric]:
    rows = (
        dq.where((F.col("as_of") == F.lit(as_of)) & (F.col("check") == "reconciliation"))
        .groupBy("source")
        .agg(F.sum("rows_read").alias("read"), F.sum("rows_quarantined").alias("q"))
        .collect()
    )
    limit = cfg.monitoring.kri.max_quarantine_rate
    out = []
    for r in sorted(rows, key=lambda r: r.source):
        rate = (r.q or 0) / r.read if r.read else 0.0
        out.append(
            (
                "dq",
                r.source,
                "quarantine_rate",
                rate,
                limit,
                rate > limit,
                json.dumps({"rows_read": r.read, "rows_quarantined": r.q}),
            )
        )
    return out


def _baseline_date(table: DataFrame, as_of: date, days: int) -> date | None:
    """The latest as_of on or before D - days, else the latest before D (one aggregate)."""
    target = as_of - timedelta(days=days)
    before = table.where(F.col("as_of") < F.lit(as_of))
    row = before.agg(
        F.max(F.when(F.col("as_of") <= F.lit(target), F.col("as_of"))).alias("on_target"),
        F.max("as_of").alias("latest"),
    ).first()
    return row.on_target or row.latest


def _drift_row(column: str, value: float | None, base_date: date, d) -> Metric:
    status = (
        None
        if value is None
        else ("shift" if value > d.shift else "watch" if value >= d.watch else "stable")
    )
    return (
        "drift",
        column,
        "psi",
        value,
        d.shift,
        bool(value is not None and value > d.shift),
        json.dumps({"baseline": str(base_date), "status": status}),
    )


def _no_baseline(column: str, d) -> Metric:
    return ("drift", column, "psi", None, d.shift, False, json.dumps({"note": "no baseline yet"}))


def _null_rate_rows(
    rates: dict, columns: list[str], as_of: date, base_date: date | None, cfg: AppConfig, name: str
) -> list[Metric]:
    if as_of not in rates:
        return []
    limit = cfg.monitoring.kri.max_null_rate_increase
    out = []
    for c in columns:
        now = rates[as_of][c]
        base = rates[base_date][c] if base_date in rates else None
        breach = base is not None and now is not None and now - base > limit
        out.append(
            (
                "dq",
                f"{name}.{c}",
                "null_rate",
                now,
                None if base is None else base + limit,
                bool(breach),
                json.dumps(
                    {"baseline": str(base_date) if base_date else None, "baseline_rate": base}
                ),
            )
        )
    return out


def table_metrics(
    table: DataFrame,
    drift_columns: list[str],
    null_columns: list[str],
    as_of: date,
    cfg: AppConfig,
    name: str,
) -> tuple[list[Metric], list[Metric]]:
    """(null-rate KRIs, PSI drift) of one table for D in three jobs whatever the columns:
    the baseline date, the baseline's bin edges, one aggregate of D and the baseline."""
    d = cfg.monitoring.drift
    for column in drift_columns:
        if column not in table.columns:
            raise ValueError(f"monitoring.drift.features: {column!r} is not a column of {name}")
    null_columns = [c for c in null_columns if c in table.columns]
    if not drift_columns and not null_columns:
        return [], []
    base_date = _baseline_date(table, as_of, d.baseline_days)
    dates = [as_of] if base_date is None else [as_of, base_date]
    rows = table.where(F.col("as_of").isin(*dates))
    edges: dict[str, list[float]] = {}
    if base_date is not None and drift_columns:
        base = rows.where(F.col("as_of") == F.lit(base_date)).select(
            *[F.col(c).cast("double").alias(c) for c in drift_columns]
        )
        edges = bin_edges_many(base, drift_columns, d.bins)
    got = {
        r.as_of: r
        for r in rows.select(
            "as_of",
            *[F.col(c).alias(f"n#{c}") for c in null_columns],
            *[F.col(c).cast("double").alias(c) for c in edges],
        )
        .groupBy("as_of")
        .agg(
            F.count("*").alias("_rows"),
            *[
                F.avg(F.col(f"n#{c}").isNull().cast("double")).alias(f"null#{c}")
                for c in null_columns
            ],
            *bin_count_columns(edges),
        )
        .collect()
    }
    rates = {k: {c: r[f"null#{c}"] for c in null_columns} for k, r in got.items()}
    null_rows = (
        _null_rate_rows(rates, null_columns, as_of, base_date, cfg, name) if null_columns else []
    )
    drift = []
    for column in drift_columns:
        if base_date is None:
            drift.append(_no_baseline(column, d))
            continue
        e = edges[column]
        expected = shares_of(got[base_date], column, e) if base_date in got else [0.0]
        actual = shares_of(got[as_of], column, e) if as_of in got else [0.0]
        drift.append(_drift_row(column, psi_of_shares_or_none(expected, actual), base_date, d))
    return null_rows, drift


def drift_metrics(
    table: DataFrame, columns: list[str], as_of: date, cfg: AppConfig, name: str
) -> list[Metric]:
    """PSI of each column on D against the baseline date (see table_metrics)."""
    return table_metrics(table, columns, [], as_of, cfg, name)[1]


def late_arrival_kris(late: DataFrame, as_of: date) -> list[Metric]:
    """Rows that landed on D for earlier event dates, per source (ops.late_dates), informational."""
    rows = (
        late.where(F.col("as_of") == F.lit(as_of))
        .groupBy("source")
        .agg(
            F.sum("rows").alias("rows"),
            F.countDistinct("event_date").alias("dates"),
            F.min("event_date").alias("oldest"),
        )
        .collect()
    )
    return [
        (
            "dq",
            r.source,
            "late_rows",
            float(r.rows or 0),
            None,
            False,
            json.dumps({"event_dates": r.dates, "max_days_late": (as_of - r.oldest).days}),
        )
        for r in sorted(rows, key=lambda r: r.source)
    ]


def null_rate_kris(
    table: DataFrame, columns: list[str], as_of: date, cfg: AppConfig, name: str
) -> list[Metric]:
    """Share of nulls per watched column on D; a rise above the baseline's by more than the limit is a breach."""
    return table_metrics(table, [], columns, as_of, cfg, name)[0]


def _validation(
    spark: SparkSession, lakehouse: Lakehouse, cfg: AppConfig, as_of: date, run_id: str
) -> int:
    """Validate D against the labels when they exist (family 'validation'); returns subjects."""
    from fcc.governance import validate

    v = cfg.monitoring.validation
    if not v.nightly or not lakehouse.exists(v.labels_table):
        return 0
    return len(validate(spark, lakehouse, cfg, as_of, run_id=run_id).table)


def run_monitoring(
    spark: SparkSession, lakehouse: Lakehouse, cfg: AppConfig, as_of: date, run_id: str
) -> dict:
    metrics: list[Metric] = []
    metrics += rule_volume_kris(lakehouse.read(gold.RULE_HITS), as_of, cfg)
    alerts_today = lakehouse.read(gold.ALERTS).where(F.col("opened_as_of") == F.lit(as_of))
    for r in alerts_today.groupBy("case_type").count().collect():
        metrics.append(("kri", r.case_type, "alerts_opened", float(r["count"]), None, False, "{}"))
    metrics += quarantine_kris(lakehouse.read(ops.DQ_RESULTS), as_of, cfg)
    if lakehouse.exists("ops.late_dates"):
        metrics += late_arrival_kris(lakehouse.read("ops.late_dates"), as_of)
    watched = cfg.monitoring.drift.features
    null_rates, feature_drift = table_metrics(
        lakehouse.read(gold_features.FEATURES), watched, watched, as_of, cfg, "gold.features"
    )
    metrics += null_rates
    metrics += drift_metrics(
        lakehouse.read(gold.RISK_SCORES), ["score"], as_of, cfg, "gold.risk_scores"
    )
    metrics += feature_drift
    rows = [(as_of, run_id, *m) for m in metrics]
    df = (
        spark.createDataFrame(rows, ops.METRICS.schema)
        if rows
        else spark.createDataFrame([], ops.METRICS.schema)
    )
    # one commit for the step's families (validation rows are written by fcc.governance)
    lakehouse.replace_where(ops.METRICS, df, as_of=as_of, family=("kri", "dq", "drift"))
    breaches = sum(1 for m in metrics if m[5])
    validated = _validation(spark, lakehouse, cfg, as_of, run_id)
    log.info(
        "monitoring: %d metrics, %d breaches, %d validated subjects",
        len(metrics),
        breaches,
        validated,
    )
    return {"metrics": len(metrics), "breaches": breaches, "validated_subjects": validated}
