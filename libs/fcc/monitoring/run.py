"""The monitoring step: KRIs with control limits, data quality and PSI drift into ops.metrics."""

from __future__ import annotations

import json
import logging
import math
from collections import defaultdict
from datetime import date, timedelta
from functools import reduce
from typing import NamedTuple

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from fcc.core.lakehouse import Lakehouse
from fcc.core.settings import AppConfig
from fcc.core.tables import gold, gold_features, ops
from fcc.monitoring.psi import (
    bin_count_columns,
    bin_count_names,
    bin_edges_many,
    psi_of_shares_or_none,
    shares_of,
)

log = logging.getLogger(__name__)

Metric = tuple  # (family, subject, metric, value, threshold, breach, detail)


def control_limits(history: list[int], days: int, sigma: float) -> tuple[float, float, float]:
    """Mean and mean -/+ sigma * sd of daily counts, zero-filled over `days` days."""
    counts = list(history) + [0] * max(0, days - len(history))
    mean = sum(counts) / len(counts)
    sd = math.sqrt(sum((c - mean) ** 2 for c in counts) / max(1, len(counts) - 1))
    return mean, max(0.0, mean - sigma * sd), mean + sigma * sd


def _rule_volume_counts(rule_hits: DataFrame, as_of: date, cfg: AppConfig) -> DataFrame:
    """Hits per rule and day of the control window (COUNTS rows: key rule, day, a hits)."""
    start = as_of - timedelta(days=cfg.monitoring.kri.control_window_days)
    return (
        rule_hits.where((F.col("as_of") >= F.lit(start)) & (F.col("as_of") <= F.lit(as_of)))
        .groupBy("rule_id", "as_of")
        .count()
        .select(
            F.lit("rule").alias("part"),
            F.col("rule_id").alias("key"),
            F.col("as_of").alias("day"),
            F.col("count").alias("a"),
            F.lit(None).cast("long").alias("b"),
        )
    )


def _rule_volume_rows(daily: list, as_of: date, cfg: AppConfig) -> list[Metric]:
    k = cfg.monitoring.kri
    history_days = {r.day for r in daily if r.day < as_of}
    by_rule: dict[str, dict[date, int]] = {}
    for r in daily:
        by_rule.setdefault(r.key, {})[r.day] = r.a
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


def rule_volume_kris(rule_hits: DataFrame, as_of: date, cfg: AppConfig) -> list[Metric]:
    """Hits per rule on D against the control band of the previous days."""
    return _rule_volume_rows(_rule_volume_counts(rule_hits, as_of, cfg).collect(), as_of, cfg)


def _alerts_opened_counts(alerts: DataFrame, as_of: date) -> DataFrame:
    """Alerts opened on D per case type (COUNTS rows: key case type, a alerts)."""
    return (
        alerts.where(F.col("opened_as_of") == F.lit(as_of))
        .groupBy("case_type")
        .count()
        .select(
            F.lit("alerts").alias("part"),
            F.col("case_type").alias("key"),
            F.lit(None).cast("date").alias("day"),
            F.col("count").alias("a"),
            F.lit(None).cast("long").alias("b"),
        )
    )


def _alerts_opened_rows(rows: list) -> list[Metric]:
    return [
        ("kri", r.key, "alerts_opened", float(r.a), None, False, "{}")
        for r in sorted(rows, key=lambda r: r.key)
    ]


def _quarantine_counts(dq: DataFrame, as_of: date) -> DataFrame:
    """Rows read and quarantined on D per source (COUNTS rows: key source, a read, b q)."""
    return (
        dq.where((F.col("as_of") == F.lit(as_of)) & (F.col("check") == "reconciliation"))
        .groupBy("source")
        .agg(F.sum("rows_read").alias("a"), F.sum("rows_quarantined").alias("b"))
        .select(
            F.lit("dq").alias("part"),
            F.col("source").alias("key"),
            F.lit(None).cast("date").alias("day"),
            F.col("a").cast("long").alias("a"),
            F.col("b").cast("long").alias("b"),
        )
    )


def _quarantine_rows(rows: list, cfg: AppConfig) -> list[Metric]:
    limit = cfg.monitoring.kri.max_quarantine_rate
    out = []
    for r in sorted(rows, key=lambda r: r.key):
        rate = (r.b or 0) / r.a if r.a else 0.0
        out.append(
            (
                "dq",
                r.key,
                "quarantine_rate",
                rate,
                limit,
                rate > limit,
                json.dumps({"rows_read": r.a, "rows_quarantined": r.b}),
            )
        )
    return out


def quarantine_kris(dq: DataFrame, as_of: date, cfg: AppConfig) -> list[Metric]:
    return _quarantine_rows(_quarantine_counts(dq, as_of).collect(), cfg)


def _baseline_dates(table: DataFrame, as_of: date, days: int) -> DataFrame:
    """One row: the latest as_of on or before D - days, and the latest before D."""
    target = as_of - timedelta(days=days)
    before = table.where(F.col("as_of") < F.lit(as_of))
    return before.agg(
        F.max(F.when(F.col("as_of") <= F.lit(target), F.col("as_of"))).alias("on_target"),
        F.max("as_of").alias("latest"),
    )


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


class Watched(NamedTuple):
    """A table whose columns' drift (PSI) and null rates are measured on D."""

    table: DataFrame
    drift_columns: list[str]
    null_columns: list[str]
    name: str


def table_metrics(
    table: DataFrame,
    drift_columns: list[str],
    null_columns: list[str],
    as_of: date,
    cfg: AppConfig,
    name: str,
) -> tuple[list[Metric], list[Metric]]:
    """(null-rate KRIs, PSI drift) of one table for D (see tables_metrics)."""
    return tables_metrics([Watched(table, drift_columns, null_columns, name)], as_of, cfg)[0]


def tables_metrics(
    watched: list[Watched], as_of: date, cfg: AppConfig
) -> list[tuple[list[Metric], list[Metric]]]:
    """(null-rate KRIs, PSI drift) of each table for D, whatever the tables and columns in one
    query for every table's baseline date, one bin-edge pass per table with drift columns
    (the baseline's quantiles), and one query for the aggregates of D and the baselines."""
    d = cfg.monitoring.drift
    todo: dict[int, Watched] = {}
    for i, w in enumerate(watched):
        for column in w.drift_columns:
            if column not in w.table.columns:
                raise ValueError(
                    f"monitoring.drift.features: {column!r} is not a column of {w.name}"
                )
        null_columns = [c for c in w.null_columns if c in w.table.columns]
        if w.drift_columns or null_columns:
            todo[i] = w._replace(null_columns=null_columns)
    out: list[tuple[list[Metric], list[Metric]]] = [([], []) for _ in watched]
    if not todo:
        return out
    base_rows = reduce(
        DataFrame.unionByName,
        [
            _baseline_dates(w.table, as_of, d.baseline_days).select(F.lit(i).alias("t"), "*")
            for i, w in todo.items()
        ],
    ).collect()
    base_dates = {r.t: r.on_target or r.latest for r in base_rows}
    aggregates, edges = [], {}
    for i, w in todo.items():
        base_date = base_dates.get(i)
        dates = [as_of] if base_date is None else [as_of, base_date]
        rows = w.table.where(F.col("as_of").isin(*dates))
        edges[i] = {}
        if base_date is not None and w.drift_columns:
            base = rows.where(F.col("as_of") == F.lit(base_date)).select(
                *[F.col(c).cast("double").alias(c) for c in w.drift_columns]
            )
            edges[i] = bin_edges_many(base, w.drift_columns, d.bins)
        values = [
            F.count("*").alias("_rows"),
            *[
                F.avg(F.col(f"n#{c}").isNull().cast("double")).alias(f"null#{c}")
                for c in w.null_columns
            ],
            *bin_count_columns(edges[i]),
        ]
        names = ["_rows", *[f"null#{c}" for c in w.null_columns], *bin_count_names(edges[i])]
        aggregates.append(
            rows.select(
                "as_of",
                *[F.col(c).alias(f"n#{c}") for c in w.null_columns],
                *[F.col(c).cast("double").alias(c) for c in edges[i]],
            )
            .groupBy("as_of")
            .agg(*values)
            # one value type, so that the tables' aggregates are rows of one query
            .select(
                F.lit(i).alias("t"),
                "as_of",
                F.create_map(
                    *[x for n in names for x in (F.lit(n), F.col(f"`{n}`").cast("double"))]
                ).alias("v"),
            )
        )
    got: dict[int, dict[date, dict]] = {i: {} for i in todo}
    for r in reduce(DataFrame.unionByName, aggregates).collect():
        got[r.t][r.as_of] = r.v
    for i, w in todo.items():
        base_date, values = base_dates.get(i), got[i]
        rates = {k: {c: v[f"null#{c}"] for c in w.null_columns} for k, v in values.items()}
        null_rows = (
            _null_rate_rows(rates, w.null_columns, as_of, base_date, cfg, w.name)
            if w.null_columns
            else []
        )
        drift = []
        for column in w.drift_columns:
            if base_date is None:
                drift.append(_no_baseline(column, d))
                continue
            e = edges[i][column]
            expected = shares_of(values[base_date], column, e) if base_date in values else [0.0]
            actual = shares_of(values[as_of], column, e) if as_of in values else [0.0]
            drift.append(_drift_row(column, psi_of_shares_or_none(expected, actual), base_date, d))
        out[i] = (null_rows, drift)
    return out


def drift_metrics(
    table: DataFrame, columns: list[str], as_of: date, cfg: AppConfig, name: str
) -> list[Metric]:
    """PSI of each column on D against the baseline date (see table_metrics)."""
    return table_metrics(table, columns, [], as_of, cfg, name)[1]


def _late_counts(late: DataFrame, as_of: date) -> DataFrame:
    """Late rows landed on D per source (COUNTS rows: key source, a rows, b event dates, day
    the oldest event date)."""
    return (
        late.where(F.col("as_of") == F.lit(as_of))
        .groupBy("source")
        .agg(
            F.sum("rows").alias("a"),
            F.countDistinct("event_date").alias("b"),
            F.min("event_date").alias("day"),
        )
        .select(
            F.lit("late").alias("part"),
            F.col("source").alias("key"),
            "day",
            F.col("a").cast("long").alias("a"),
            F.col("b").cast("long").alias("b"),
        )
    )


def _late_rows(rows: list, as_of: date) -> list[Metric]:
    return [
        (
            "dq",
            r.key,
            "late_rows",
            float(r.a or 0),
            None,
            False,
            json.dumps({"event_dates": r.b, "max_days_late": (as_of - r.day).days}),
        )
        for r in sorted(rows, key=lambda r: r.key)
    ]


def late_arrival_kris(late: DataFrame, as_of: date) -> list[Metric]:
    """Rows that landed on D for earlier event dates, per source (ops.late_dates), informational."""
    return _late_rows(_late_counts(late, as_of).collect(), as_of)


def null_rate_kris(
    table: DataFrame, columns: list[str], as_of: date, cfg: AppConfig, name: str
) -> list[Metric]:
    """Share of nulls per watched column on D; a rise above the baseline's by more than the limit is a breach."""
    return table_metrics(table, [], columns, as_of, cfg, name)[0]


def _validation(
    spark: SparkSession,
    lakehouse: Lakehouse,
    cfg: AppConfig,
    as_of: date,
    run_id: str,
    scored_in_run: bool = False,
) -> int:
    """Validate D against the labels when they exist (family 'validation'); returns subjects."""
    from fcc.governance import validate

    v = cfg.monitoring.validation
    if not v.nightly or not lakehouse.exists(v.labels_table):
        return 0
    result = validate(spark, lakehouse, cfg, as_of, run_id=run_id, scored_now=scored_in_run)
    return len(result.table)


def run_monitoring(
    spark: SparkSession,
    lakehouse: Lakehouse,
    cfg: AppConfig,
    as_of: date,
    run_id: str,
    scored_in_run: bool = False,
) -> dict:
    """KRIs, drift and validation of D. `scored_in_run`: this run's typologies step scored D
    (the ledger records it only when the run ends), so validation counts D as a scored night."""
    # the small aggregates of the KRIs, over four tables, as one query
    parts = [
        _rule_volume_counts(lakehouse.read(gold.RULE_HITS), as_of, cfg),
        _alerts_opened_counts(lakehouse.read(gold.ALERTS), as_of),
        _quarantine_counts(lakehouse.read(ops.DQ_RESULTS), as_of),
    ]
    late = lakehouse.exists("ops.late_dates")
    if late:
        parts.append(_late_counts(lakehouse.read("ops.late_dates"), as_of))
    counts = defaultdict(list)
    for r in reduce(DataFrame.unionByName, parts).collect():
        counts[r.part].append(r)
    metrics: list[Metric] = []
    metrics += _rule_volume_rows(counts["rule"], as_of, cfg)
    metrics += _alerts_opened_rows(counts["alerts"])
    metrics += _quarantine_rows(counts["dq"], cfg)
    if late:
        metrics += _late_rows(counts["late"], as_of)
    watched = cfg.monitoring.drift.features
    (null_rates, feature_drift), (_, score_drift) = tables_metrics(
        [
            Watched(lakehouse.read(gold_features.FEATURES), watched, watched, "gold.features"),
            Watched(lakehouse.read(gold.RISK_SCORES), ["score"], [], "gold.risk_scores"),
        ],
        as_of,
        cfg,
    )
    metrics += null_rates
    metrics += score_drift
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
    validated = _validation(spark, lakehouse, cfg, as_of, run_id, scored_in_run)
    log.info(
        "monitoring: %d metrics, %d breaches, %d validated subjects",
        len(metrics),
        breaches,
        validated,
    )
    return {"metrics": len(metrics), "breaches": breaches, "validated_subjects": validated}
