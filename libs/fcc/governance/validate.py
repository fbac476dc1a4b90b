"""Validation of alerts and rule hits against labelled outcomes (ops.metrics family 'validation')."""

from __future__ import annotations

import json
import logging
import math
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import pandas as pd
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from fcc.core.lakehouse import Lakehouse
from fcc.core.settings import AppConfig
from fcc.core.tables import gold, ops
from fcc.governance._confusion import confusion_table
from fcc.governance._truth import (
    load_instances,
    load_labels,
    visible_between,
    windowed_truth,
)

log = logging.getLogger(__name__)

FAMILY = "validation"
_METRICS = [
    "alerts",
    "customers",
    "tp",
    "fp",
    "fn",
    "tn",
    "precision",
    "recall",
    "f1",
    "type_i_error",
    "type_ii_error",
    "precision_any",
    "conversion",
]


@dataclass
class Validation:
    """Validation of one as-of date: the metrics table and the typology coverage matrix."""

    as_of: date
    labels: str
    window: tuple[date, date]
    table: pd.DataFrame
    coverage: pd.DataFrame = field(default_factory=pd.DataFrame)
    notes: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        head = (
            f"Validation as of {self.as_of} against {self.labels}, alerts and hits of "
            f"{self.window[0]}..{self.window[1]} (customer level)"
        )
        parts = [head, format_table(self.table)]
        if not self.coverage.empty:
            parts += [
                "Typology coverage (planted instances caught / planted):",
                self.coverage.to_string(),
            ]
        parts += [f"note: {n}" for n in self.notes]
        return "\n\n".join(parts)


def format_table(table: pd.DataFrame) -> str:
    """The metrics table as fixed-width text; undefined rates print as '-'."""
    if table.empty:
        return "(no alerts, hits or labels in the window)"
    shown = table.copy()
    rates = ("precision", "recall", "f1", "type_i_error", "type_ii_error", "precision_any")
    for c in (*rates, "conversion"):
        if c in shown:
            shown[c] = shown[c].map(lambda v: "-" if v is None or pd.isna(v) else f"{v:.3f}")
    return shown.to_string(index=False)


def alerts_in_window(alerts: DataFrame, start: date, end: date) -> DataFrame:
    """Alerts open at some point of [start, end]: opened by `end`, last seen on or after `start`."""
    return alerts.where(
        (F.col("opened_as_of") <= F.lit(end)) & (F.col("last_seen_as_of") >= F.lit(start))
    )


def hits_in_window(hits: DataFrame, start: date, end: date) -> DataFrame:
    return hits.where((F.col("as_of") >= F.lit(start)) & (F.col("as_of") <= F.lit(end)))


def validation_flags(alerts: DataFrame, hits: DataFrame) -> DataFrame:
    """scope, subject, customer_id: one row per alert (overall) and per hit (rule, typology)."""
    overall = alerts.select(
        F.lit("overall").alias("scope"), F.lit("all_alerts").alias("subject"), "customer_id"
    )
    return overall.unionByName(hit_flags(hits))


def hit_flags(hits: DataFrame) -> DataFrame:
    """scope, subject, customer_id: one row per hit by rule and by typology."""
    by_rule = hits.select(
        F.lit("rule").alias("scope"), F.col("rule_id").alias("subject"), "customer_id"
    )
    by_typology = hits.select(
        F.lit("typology").alias("scope"), F.col("typology").alias("subject"), "customer_id"
    )
    return by_rule.unionByName(by_typology)


def typology_hit_table(
    lakehouse: Lakehouse, cfg: AppConfig, start: date, end: date, hits: DataFrame | None = None
) -> pd.DataFrame:
    """Confusion metrics of rule hits alone in [start, end] against the generator's truth: per
    typology, per rule and overall (any hit), with instance timing. `hits` defaults to
    gold.rule_hits; pass hits computed but not written to score them the same way."""
    if hits is None:
        hits = lakehouse.read(gold.RULE_HITS)
    hits = hits_in_window(hits, start, end)
    flags = hits.select(
        F.lit("overall").alias("scope"), F.lit("any_hit").alias("subject"), "customer_id"
    ).unionByName(hit_flags(hits))
    truth = windowed_truth(load_labels(lakehouse, cfg), load_instances(lakehouse, cfg), start, end)
    return confusion_table(flags, truth, always=(("overall", "any_hit"),))


def conversion_table(
    alerts: DataFrame, truth: DataFrame, case_dispositions: list[str]
) -> pd.DataFrame:
    """scope, subject, conversion: share of alerts whose disposition (the alert's own or the
    customer's investigation outcome) is a case; None when no disposition is recorded at all."""
    cases = [d.lower() for d in case_dispositions]
    a = alerts.join(
        truth.select("customer_id", F.col("disposition").alias("_label_disp")),
        "customer_id",
        "left",
    ).select(
        "alert_id",
        "typologies",
        F.transform("hits", lambda h: h["rule_id"]).alias("_rules"),
        F.lower("disposition").alias("_d"),
        F.col("_label_disp").alias("_l"),
    )
    converted = F.coalesce(F.col("_d").isin(*cases), F.lit(False)) | F.coalesce(
        F.col("_l").isin(*cases), F.lit(False)
    )
    reviewed = F.col("_d").isNotNull() | F.col("_l").isNotNull()
    a = a.select("alert_id", "typologies", "_rules", converted.alias("_c"), reviewed.alias("_r"))
    scoped = (
        a.select(
            F.lit("overall").alias("scope"),
            F.lit("all_alerts").alias("subject"),
            "alert_id",
            "_c",
            "_r",
        )
        .unionByName(
            a.select(
                F.lit("rule").alias("scope"),
                F.explode(F.array_distinct("_rules")).alias("subject"),
                "alert_id",
                "_c",
                "_r",
            )
        )
        .unionByName(
            a.select(
                F.lit("typology").alias("scope"),
                F.explode(F.array_distinct("typologies")).alias("subject"),
                "alert_id",
                "_c",
                "_r",
            )
        )
    )
    rows = (
        scoped.groupBy("scope", "subject")
        .agg(
            F.count("*").alias("n"),
            F.sum(F.col("_c").cast("long")).alias("c"),
            F.max("_r").alias("r"),
        )
        .collect()
    )
    return pd.DataFrame(
        [
            {
                "scope": r["scope"],
                "subject": r["subject"],
                "conversion": (r["c"] / r["n"]) if r["r"] else None,
            }
            for r in rows
        ],
        columns=["scope", "subject", "conversion"],
    )


def coverage_matrix(
    instances: DataFrame, hits: DataFrame, alerts: DataFrame, start: date, end: date
) -> pd.DataFrame:
    """Planted typology x detector: instances caught / instances visible in the window.

    An instance is caught by a rule when one of its customers has a hit of that rule on a date
    in the window no earlier than the instance's start; `any_alert` uses gold.alerts likewise.
    """
    live = instances.where(visible_between(start, end))
    planted = {
        r["typology"]: int(r["n"])
        for r in live.groupBy("typology").agg(F.countDistinct("instance_id").alias("n")).collect()
    }
    if not planted:
        return pd.DataFrame()
    by_rule = (
        live.join(hits.select("customer_id", "rule_id", "as_of"), "customer_id")
        .where(F.col("as_of") >= F.col("start_date"))
        .groupBy("typology", "rule_id")
        .agg(F.countDistinct("instance_id").alias("k"))
        .collect()
    )
    by_alert = (
        live.join(alerts.select("customer_id", "last_seen_as_of"), "customer_id")
        .where(F.col("last_seen_as_of") >= F.col("start_date"))
        .groupBy("typology")
        .agg(F.countDistinct("instance_id").alias("k"))
        .collect()
    )
    rules = sorted({r["rule_id"] for r in by_rule})
    caught = {(r["typology"], r["rule_id"]): int(r["k"]) for r in by_rule}
    any_alert = {r["typology"]: int(r["k"]) for r in by_alert}
    data = {
        t: {
            **{rid: caught.get((t, rid), 0) for rid in rules},
            "any_alert": any_alert.get(t, 0),
            "planted": n,
        }
        for t, n in sorted(planted.items())
    }
    out = pd.DataFrame.from_dict(data, orient="index", columns=[*rules, "any_alert", "planted"])
    out.index.name = "typology"
    return out


def _num(v) -> float | None:
    if v is None:
        return None
    v = float(v)
    return None if math.isnan(v) else v


def metric_rows(
    table: pd.DataFrame,
    as_of: date,
    run_id: str,
    family: str,
    cfg: AppConfig,
    detail: dict | None = None,
) -> list[tuple]:
    """ops.metrics rows of a metrics table (subject '<scope>:<subject>', one row per metric)."""
    v = cfg.monitoring.validation
    out = []
    for rec in table.to_dict("records"):
        subject = f"{rec['scope']}:{rec['subject']}"
        for m in _METRICS:
            if m not in rec:
                continue
            value = _num(rec[m])
            threshold, breach = None, False
            if m == "precision" and rec["scope"] == "rule" and v.min_precision > 0:
                threshold, breach = v.min_precision, value is not None and value < v.min_precision
            if m == "recall" and rec["scope"] in ("overall", "model") and v.min_recall > 0:
                threshold, breach = v.min_recall, value is not None and value < v.min_recall
            out.append(
                (
                    as_of,
                    run_id,
                    family,
                    subject,
                    m,
                    value,
                    threshold,
                    bool(breach),
                    json.dumps(detail or {}),
                )
            )
    return out


def coverage_rows(coverage: pd.DataFrame, as_of: date, run_id: str) -> list[tuple]:
    """ops.metrics rows of the coverage matrix: share of planted instances caught per detector."""
    out = []
    for typ, rec in coverage.to_dict("index").items():
        planted = int(rec["planted"])
        for rule, k in rec.items():
            if rule == "planted":
                continue
            out.append(
                (
                    as_of,
                    run_id,
                    FAMILY,
                    f"coverage:{typ}",
                    f"caught_by:{rule}",
                    k / planted if planted else None,
                    None,
                    False,
                    json.dumps({"caught": int(k), "planted": planted}),
                )
            )
    return out


def write_metrics(
    spark: SparkSession,
    lakehouse: Lakehouse,
    rows: list[tuple],
    as_of: date,
    family: str,
    subject: str | None = None,
) -> None:
    """Replace the family's rows of D in ops.metrics (only the subject's, when given)."""
    df = spark.createDataFrame(rows, ops.METRICS.schema)
    only = {"subject": subject} if subject is not None else {}
    lakehouse.replace_where(ops.METRICS, df, as_of=as_of, family=family, **only)


def first_scored_date(lakehouse: Lakehouse, start: date, end: date) -> date | None:
    """Earliest as-of in [start, end] whose typologies step succeeded (None: no run recorded)."""
    if not lakehouse.exists(ops.RUNS):
        return None
    row = (
        lakehouse.read(ops.RUNS)
        .where(
            (F.col("step") == "typologies")
            & (F.col("status") == "succeeded")
            & F.col("as_of").between(F.lit(start), F.lit(end))
        )
        .agg(F.min("as_of").alias("first"))
        .first()
    )
    return row["first"] if row else None


def validate(
    spark: SparkSession,
    lakehouse: Lakehouse,
    cfg: AppConfig,
    as_of: date,
    labels_table: str | None = None,
    run_id: str | None = None,
    write: bool = True,
    scored_now: bool = False,
) -> Validation:
    """Validate alerts and rule hits of the lookback window ending on D against labels.

    The window starts at the first night in the lookback whose typologies step succeeded;
    `scored_now` says the calling run has just scored D (not yet in the ledger).
    """
    t0 = time.monotonic()
    v = cfg.monitoring.validation
    lookback_start = as_of - timedelta(days=v.lookback_days - 1)
    start = first_scored_date(lakehouse, lookback_start, as_of) or (
        as_of if scored_now else lookback_start
    )
    labels_name = labels_table or v.labels_table
    labels = load_labels(lakehouse, cfg, labels_table)
    instances = load_instances(lakehouse, cfg)
    notes = []
    if labels_table and labels_table != v.labels_table:
        notes.append(
            "external labels: every labelled customer counts as labelled (no instance timing)"
        )
        timing = None
    else:
        timing = instances
    truth = windowed_truth(labels, timing, start, as_of).cache()
    alerts = alerts_in_window(lakehouse.read(gold.ALERTS), start, as_of).cache()
    hits = hits_in_window(lakehouse.read(gold.RULE_HITS), start, as_of).cache()
    table = confusion_table(
        validation_flags(alerts, hits), truth, always=(("overall", "all_alerts"),)
    )
    conv = conversion_table(alerts, truth, v.case_dispositions)
    table = table.merge(conv, on=["scope", "subject"], how="left")
    table["conversion"] = (
        table["conversion"].astype(object).where(table["conversion"].notna(), None)
    )
    coverage = (
        coverage_matrix(instances, hits, alerts, start, as_of)
        if instances is not None
        else pd.DataFrame()
    )
    if instances is None:
        notes.append("no truth.typology_instances: typology coverage matrix not computed")
    if start > lookback_start:
        notes.append(
            f"typologies ran on {start}..{as_of} only (lookback starts {lookback_start}): "
            "planted instances before that are out of scope; backfill to widen the window"
        )
    excluded = truth.where(~F.col("in_scope")).count()
    if excluded:
        notes.append(f"suspicious customers planted outside the window (out of scope): {excluded}")
    result = Validation(as_of, labels_name, (start, as_of), table, coverage, notes)
    if write:
        run_id = (
            run_id or f"validate-{as_of.isoformat()}-{datetime.now().strftime('%Y%m%dT%H%M%S')}"
        )
        detail = {
            "labels": labels_name,
            "window_start": start.isoformat(),
            "window_end": as_of.isoformat(),
        }
        rows = metric_rows(table, as_of, run_id, FAMILY, cfg, detail=detail)
        rows += coverage_rows(coverage, as_of, run_id)
        write_metrics(spark, lakehouse, rows, as_of, FAMILY)
    for df in (truth, alerts, hits):
        df.unpersist()
    log.info(
        "validation as_of=%s: %d subjects, %d coverage rows in %.1fs",
        as_of,
        len(table),
        coverage.size,
        time.monotonic() - t0,
    )
    return result
