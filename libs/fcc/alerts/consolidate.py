"""Hits -> one alert per customer and case type, with suppression inside a window."""

from __future__ import annotations

from datetime import date, timedelta
from functools import reduce

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql.window import Window

from fcc.core.settings.alerts import AlertsSettings

SEVERITY_RANK = {"low": 1, "medium": 2, "high": 3, "critical": 4}
HIT_FIELDS = ["hit_id", "source", "rule_id", "rule_version", "typology", "severity", "evidence"]


def _map(d: dict) -> Column:
    return F.create_map(*[F.lit(x) for kv in d.items() for x in kv])


def _rank(col: str | Column) -> Column:
    return F.coalesce(_map(SEVERITY_RANK)[col if isinstance(col, Column) else F.col(col)], F.lit(0))


def hits_from_rules(rule_hits: DataFrame, s: AlertsSettings) -> DataFrame:
    case = (
        F.coalesce(_map(s.case_type_by_typology)[F.col("typology")], F.lit(s.default_case_type))
        if s.case_type_by_typology
        else F.lit(s.default_case_type)
    )
    return rule_hits.select(
        "customer_id",
        case.alias("case_type"),
        "hit_id",
        F.col("producer").alias("source"),
        "rule_id",
        "rule_version",
        "typology",
        "severity",
        "evidence",
    )


def hits_from_screening(screening_hits: DataFrame) -> DataFrame:
    """Open name and address hits; exact address matches are critical, name matches high."""
    open_hits = screening_hits.where(F.col("status") == "open")
    evidence = F.to_json(
        F.struct(
            "entry_id",
            "list_name",
            "list_version",
            "entity_type",
            "matched_list_name",
            "name_score",
            "dob_score",
            "country_score",
            "score",
            "threshold",
        )
    )
    return open_hits.select(
        "customer_id",
        F.lit("sanctions").alias("case_type"),
        "hit_id",
        F.lit("screening").alias("source"),
        F.concat(F.lit("screening_"), F.col("match_type")).alias("rule_id"),
        F.coalesce(F.col("list_version"), F.lit("")).alias("rule_version"),
        F.lit("sanctions_match").alias("typology"),
        F.when(F.col("match_type") == "address", "critical").otherwise("high").alias("severity"),
        evidence.alias("evidence"),
    )


def hits_from_exposure(exposure: DataFrame, s: AlertsSettings, as_of: date) -> DataFrame:
    e = s.exposure_case
    rows = exposure.where(F.col("category").isin(e.categories or ["__none__"]))
    rows = rows.where(F.col("exposure_usd") >= F.lit(e.min_exposure_usd))
    if e.direct_only:
        rows = rows.where(F.col("direct"))
    hit_id = F.sha2(
        F.concat_ws(
            "|", F.lit(str(as_of)), "customer_id", F.lit("exposure"), "category", "direction"
        ),
        256,
    )
    evidence = F.to_json(
        F.struct("category", "direction", "min_hops", "exposure_usd", "example_path")
    )
    return rows.select(
        "customer_id",
        F.lit("exposure").alias("case_type"),
        hit_id.alias("hit_id"),
        F.lit("graph").alias("source"),
        F.concat(F.lit("exposure_"), F.col("category")).alias("rule_id"),
        F.lit("1").alias("rule_version"),
        F.when(F.col("direct"), "exposure_direct").otherwise("exposure_indirect").alias("typology"),
        F.lit(e.severity).alias("severity"),
        evidence.alias("evidence"),
    )


def consolidate_hits(hits: DataFrame) -> DataFrame:
    """One candidate per (customer, case type): all hits, top severity, typologies, fingerprint."""
    rank_to_sev = F.element_at(F.array(*[F.lit(k) for k in SEVERITY_RANK]), F.col("top_rank"))
    return (
        hits.dropDuplicates(["customer_id", "case_type", "hit_id"])
        .groupBy("customer_id", "case_type")
        .agg(
            F.array_sort(F.collect_list(F.struct(*HIT_FIELDS))).alias("hits"),
            F.max(_rank("severity")).alias("top_rank"),
            F.array_sort(F.collect_set("typology")).alias("typologies"),
            F.sha2(
                F.concat_ws(
                    ",", F.array_sort(F.collect_set(F.concat_ws(":", "rule_id", "rule_version")))
                ),
                256,
            ).alias("hit_fingerprint"),
        )
        .withColumn("severity", rank_to_sev)
    )


def priority_columns(df: DataFrame, s: AlertsSettings) -> DataFrame:
    p = s.priority
    sev_score = F.coalesce(_map(p.severity_scores)[F.col("severity")], F.lit(0.0))
    score = F.round(
        p.severity_weight * sev_score
        + (1 - p.severity_weight) * F.coalesce("risk_score", F.lit(0.0)),
        2,
    )
    return df.withColumn("priority_score", score).withColumn(
        "priority",
        F.when(score >= p.p1, "P1")
        .when(score >= p.p2, "P2")
        .when(score >= p.p3, "P3")
        .otherwise("P4"),
    )


def plan_alerts(
    candidates: DataFrame,
    existing: DataFrame,
    risk_scores: DataFrame,
    s: AlertsSettings,
    as_of: date,
    run_id: str,
) -> tuple[DataFrame, DataFrame]:
    """Decide per candidate: update the recent alert, suppress it, or open a new one.

    Returns (rows to MERGE into gold.alerts, suppressed candidates).
    """
    since = as_of - timedelta(days=s.suppression_window_days)
    recent = (
        existing.where(
            (F.col("last_seen_as_of") >= F.lit(since)) & (F.col("opened_as_of") <= F.lit(as_of))
        )
        .withColumn(
            "_n",
            F.row_number().over(
                Window.partitionBy("customer_id", "case_type").orderBy(
                    F.col("opened_as_of").desc(), F.col("alert_id").desc()
                )
            ),
        )
        .where(F.col("_n") == 1)
        .drop("_n")
    )
    ex = recent.select([F.col(c).alias(f"ex_{c}") for c in recent.columns])
    joined = candidates.join(
        ex,
        (F.col("customer_id") == F.col("ex_customer_id"))
        & (F.col("case_type") == F.col("ex_case_type")),
        "left",
    )
    not_higher = _rank("severity") <= _rank("ex_severity")
    is_update = F.col("ex_alert_id").isNotNull() & (F.col("ex_status") == "open") & not_higher
    is_suppressed = (
        F.col("ex_alert_id").isNotNull()
        & (F.col("ex_status") == "closed")
        & not_higher
        & (F.col("hit_fingerprint") == F.col("ex_hit_fingerprint"))
    )
    decided = joined.withColumn(
        "_action", F.when(is_update, "update").when(is_suppressed, "suppress").otherwise("new")
    )
    suppressed = decided.where(F.col("_action") == "suppress").select(
        "customer_id", "case_type", "ex_alert_id"
    )
    keep = decided.where(F.col("_action") != "suppress")
    upd = F.col("_action") == "update"
    new_id = F.sha2(F.concat_ws("|", "customer_id", "case_type", F.lit(str(as_of))), 256)
    top_sev = F.when(
        upd & (_rank("ex_severity") > _rank("severity")), F.col("ex_severity")
    ).otherwise(F.col("severity"))
    rows = keep.select(
        F.when(upd, F.col("ex_alert_id")).otherwise(new_id).alias("alert_id"),
        "customer_id",
        "case_type",
        top_sev.alias("severity"),
        "typologies",
        "hits",
        "hit_fingerprint",
        F.when(upd, F.col("ex_opened_as_of")).otherwise(F.lit(as_of)).alias("opened_as_of"),
        F.lit(as_of).alias("last_seen_as_of"),
        F.lit(run_id).alias("run_id"),
        F.when(upd, F.col("ex_status")).otherwise(F.lit("open")).alias("status"),
        F.when(upd, F.col("ex_disposition")).alias("disposition"),
        F.when(upd, F.col("ex_closed_at")).alias("closed_at"),
        F.current_timestamp().alias("updated_at"),
    )
    rows = rows.join(
        risk_scores.select("customer_id", F.col("score").alias("risk_score")), "customer_id", "left"
    )
    return priority_columns(rows, s), suppressed


def union_hits(parts: list[DataFrame]) -> DataFrame:
    return reduce(DataFrame.unionByName, parts)
