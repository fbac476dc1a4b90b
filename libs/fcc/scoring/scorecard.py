"""Explainable customer risk scorecard: factor rows -> capped group sums -> score and tier."""

from __future__ import annotations

from datetime import date, timedelta
from functools import reduce

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql.window import Window

from fcc.core.settings.scoring import ScoringSettings

FACTOR_COLUMNS = ["customer_id", "factor", "group", "value", "points"]
TIERS = ("low", "medium", "high", "very_high")  # every value tier_of gives


def _factor(
    df: DataFrame, factor: str | Column, group: str, value: Column, points: Column
) -> DataFrame:
    factor_col = F.lit(factor) if isinstance(factor, str) else factor
    return df.select(
        "customer_id",
        factor_col.alias("factor"),
        F.lit(group).alias("group"),
        value.cast("string").alias("value"),
        points.cast("double").alias("points"),
    )


def _empty(df: DataFrame) -> DataFrame:
    return _factor(df.limit(0), "none", "none", F.lit(None), F.lit(0.0))


def _factors(df: DataFrame, rules: list[tuple[Column, str, str, Column, Column]]) -> DataFrame:
    """Factor rows of every (condition, factor, group, value, points) that a row of df meets.

    One pass over df: each rule is a conditional struct, not a filtered copy of df, so the
    plan reads the table once (a filter per rule would make a scan per rule).
    """
    candidates = F.array(
        *[
            F.when(
                condition,
                F.struct(
                    F.lit(factor).alias("factor"),
                    F.lit(group).alias("group"),
                    value.cast("string").alias("value"),
                    points.cast("double").alias("points"),
                ),
            )
            for condition, factor, group, value, points in rules
        ]
    )
    return (
        df.select("customer_id", F.explode(candidates).alias("_f"))
        .where(F.col("_f").isNotNull())
        .select("customer_id", *[F.col(f"_f.{c}").alias(c) for c in FACTOR_COLUMNS[1:]])
    )


def kyc_factors(
    customers: DataFrame, s: ScoringSettings, high_risk_countries: list[str], as_of: date
) -> DataFrame:
    """Residence / nationality risk, PEP, segment, occupation and tenure points."""
    k = s.kyc
    risky = [c.upper() for c in high_risk_countries] or ["__none__"]
    segment_map = (
        F.create_map(*[F.lit(x) for kv in k.segment_points.items() for x in kv])
        if k.segment_points
        else None
    )
    occupations = [o.lower() for o in k.high_risk_occupations] or ["__none__"]
    tenure_days = F.datediff(F.lit(as_of), F.to_date("onboarded_at"))
    rules = [
        (
            F.upper("residence_country").isin(risky),
            "high_risk_residence",
            "kyc",
            F.col("residence_country"),
            F.lit(k.high_risk_residence_points),
        ),
        (
            F.upper("nationality").isin(risky),
            "high_risk_nationality",
            "kyc",
            F.col("nationality"),
            F.lit(k.high_risk_nationality_points),
        ),
        (F.col("is_pep"), "pep", "kyc", F.lit("true"), F.lit(k.pep_points)),
        (
            F.lower(F.trim("occupation")).isin(occupations),
            "high_risk_occupation",
            "kyc",
            F.col("occupation"),
            F.lit(k.high_risk_occupation_points),
        ),
        (
            tenure_days < k.new_customer_days,
            "new_customer",
            "kyc",
            tenure_days,
            F.lit(k.new_customer_points),
        ),
    ]
    if segment_map is not None:
        seg_points = F.coalesce(segment_map[F.col("segment")], F.lit(0.0))
        rules.append((seg_points > 0, "segment", "kyc", F.col("segment"), seg_points))
    return _factors(customers, rules)


def behaviour_factors(features: DataFrame, s: ScoringSettings) -> DataFrame:
    """Points for each configured feature above its threshold."""
    missing = [b.feature for b in s.behaviour if b.feature not in features.columns]
    if missing:
        raise ValueError(f"scoring.behaviour references unknown gold.features columns: {missing}")
    if not s.behaviour:
        return _empty(features)
    return _factors(
        features,
        [
            (
                F.col(b.feature).cast("double") > b.above,
                b.feature,
                "behaviour",
                F.round(F.col(b.feature).cast("double"), 4),
                F.lit(b.points),
            )
            for b in s.behaviour
        ],
    )


def exposure_factors(exposure: DataFrame, s: ScoringSettings) -> DataFrame:
    """Highest-scoring exposure per category (direct full points, indirect multiplied)."""
    e = s.exposure
    if not e.category_points:
        return _empty(exposure)
    points_map = F.create_map(*[F.lit(x) for kv in e.category_points.items() for x in kv])
    scored = (
        exposure.where(F.col("exposure_usd") >= F.lit(e.min_exposure_usd))
        .withColumn("base", points_map[F.col("category")])
        .where(F.col("base").isNotNull())
        .withColumn(
            "pts",
            F.when(F.col("direct"), F.col("base")).otherwise(F.col("base") * e.indirect_multiplier),
        )
        .groupBy("customer_id", "category")
        .agg(
            F.max("pts").alias("pts"),
            F.min("min_hops").alias("hops"),
            F.sum("exposure_usd").alias("usd"),
        )
    )
    value = F.concat(
        F.lit("hops="), F.col("hops"), F.lit(" usd="), F.round("usd", 2).cast("string")
    )
    return _factor(
        scored, F.concat(F.lit("exposure_"), F.col("category")), "exposure", value, F.col("pts")
    )


def screening_factors(hits: DataFrame, s: ScoringSettings) -> DataFrame:
    open_hits = (
        hits.where(F.col("status") == "open")
        .groupBy("customer_id")
        .agg(F.count("*").alias("n"), F.max("score").alias("best"))
    )
    return _factor(
        open_hits,
        "open_screening_hits",
        "screening",
        F.concat(F.col("n"), F.lit(" hit(s), best "), F.round("best", 3)),
        F.lit(s.screening.open_hit_points),
    )


def rule_hit_factors(hits: DataFrame, s: ScoringSettings) -> DataFrame:
    pts_map = F.create_map(*[F.lit(x) for kv in s.rule_hits.severity_points.items() for x in kv])
    scored = hits.withColumn("pts", F.coalesce(pts_map[F.col("severity")], F.lit(0.0)))
    return _factor(
        scored,
        F.concat(F.lit("rule_"), F.col("rule_id")),
        "rule_hits",
        F.concat_ws(":", "typology", "severity"),
        F.col("pts"),
    )


def alert_history_factors(alerts: DataFrame, s: ScoringSettings, as_of: date) -> DataFrame:
    """Alerts opened in the lookback window before D; true positives weigh more."""
    h = s.alert_history
    start = as_of - timedelta(days=h.lookback_days)
    window = alerts.where(
        (F.col("opened_as_of") >= F.lit(start)) & (F.col("opened_as_of") < F.lit(as_of))
    )
    tp = F.col("disposition").isin("true_positive", "sar_filed")
    per_customer = window.groupBy("customer_id").agg(
        F.count("*").alias("n"), F.sum(F.when(tp, 1).otherwise(0)).alias("tp")
    )
    return reduce(
        DataFrame.unionByName,
        [
            _factor(
                per_customer,
                "prior_alerts",
                "alert_history",
                F.col("n"),
                F.col("n") * h.points_per_alert,
            ),
            _factor(
                per_customer.where(F.col("tp") > 0),
                "prior_true_positive",
                "alert_history",
                F.col("tp"),
                F.lit(h.true_positive_points),
            ),
        ],
    )


def cluster_factors(clusters: DataFrame, flagged: DataFrame, s: ScoringSettings) -> DataFrame:
    """Large entity clusters, and clusters where another member is flagged on D."""
    c = s.cluster
    flagged_clusters = (
        clusters.join(flagged.select("customer_id").distinct(), "customer_id")
        .groupBy("cluster_id")
        .agg(F.collect_set("customer_id").alias("flagged_members"))
    )
    others = F.size(
        F.array_remove(
            F.coalesce("flagged_members", F.array().cast("array<string>")), F.col("customer_id")
        )
    )
    big = F.col("cluster_size") >= c.min_size
    return _factors(
        clusters.join(flagged_clusters, "cluster_id", "left"),
        [
            (big, "cluster_size", "cluster", F.col("cluster_size"), F.lit(c.size_points)),
            (
                big & (others > 0),
                "cluster_member_flagged",
                "cluster",
                others,
                F.lit(c.flagged_member_points),
            ),
        ],
    )


def community_factors(communities: DataFrame, flagged: DataFrame, s: ScoringSettings) -> DataFrame:
    """Members of a flow community whose fellow members are largely flagged on D, and the
    member its payments flow to most (highest PageRank) in such a community.

    `flagged` holds the customers with a rule hit or an open screening hit on D (as for the
    cluster factors). The value names the community and up to `evidence_max_members` flagged
    fellow members, for the analyst to open.
    """
    c = s.community
    flagged_members = (
        communities.join(flagged.select("customer_id").distinct(), "customer_id")
        .groupBy("community_id")
        .agg(F.sort_array(F.collect_list("customer_id")).alias("flagged_members"))
    )
    others = F.array_remove(
        F.coalesce("flagged_members", F.array().cast("array<string>")), F.col("customer_id")
    )
    fellows = F.col("community_size") - 1
    fires = F.size(others) >= F.lit(c.min_flagged_share) * fellows
    evidence = F.concat(
        F.lit("community="),
        F.col("community_id"),
        F.lit(" flagged="),
        F.size(others).cast("string"),
        F.lit("/"),
        fellows.cast("string"),
        F.lit(": "),
        F.concat_ws(",", F.slice(others, 1, c.evidence_max_members)),
    )
    central = F.concat(
        F.lit("community="),
        F.col("community_id"),
        F.lit(" pagerank="),
        F.format_number("pagerank", 3),
    )
    return _factors(
        communities.where(F.col("community_size") >= c.min_size).join(
            flagged_members, "community_id", "left"
        ),
        [
            (fires, "community_flagged_share", "cluster", evidence, F.lit(c.flagged_share_points)),
            (
                fires & (F.col("pagerank_rank") == 1),
                "community_central_member",
                "cluster",
                central,
                F.lit(c.central_member_points),
            ),
        ],
    )


def tier_of(score: Column, s: ScoringSettings) -> Column:
    t = s.tiers
    return (
        F.when(score >= t.very_high, "very_high")
        .when(score >= t.high, "high")
        .when(score >= t.medium, "medium")
        .otherwise("low")
    )


def score_customers(
    customers: DataFrame,
    factors: DataFrame,
    s: ScoringSettings,
    as_of: date,
    previous: DataFrame | None = None,
) -> DataFrame:
    """Cap each group, sum to a 0-100 score, attach the tier and the previous tier."""
    caps = (
        F.create_map(*[F.lit(x) for kv in s.group_caps.items() for x in kv])
        if s.group_caps
        else None
    )
    group_sum = F.sum("points").over(Window.partitionBy("customer_id", "group"))
    scaled = factors.where(F.col("points") > 0).withColumn("group_sum", group_sum)
    if caps is not None:
        cap = F.coalesce(caps[F.col("group")], F.col("group_sum"))
        scaled = scaled.withColumn(
            "points",
            F.when(F.col("group_sum") > cap, F.col("points") * cap / F.col("group_sum")).otherwise(
                F.col("points")
            ),
        )
    factor_struct = F.struct("factor", "group", "value", F.round("points", 4).alias("points"))
    per_customer = scaled.groupBy("customer_id").agg(
        F.least(F.lit(100.0), F.round(F.sum("points"), 4)).alias("score"),
        F.array_sort(F.collect_list(factor_struct)).alias("factors"),
    )
    out = (
        customers.select("customer_id")
        .distinct()
        .join(per_customer, "customer_id", "left")
        .select(
            "customer_id",
            F.coalesce("score", F.lit(0.0)).alias("score"),
            F.coalesce("factors", F.array().cast(per_customer.schema["factors"].dataType)).alias(
                "factors"
            ),
        )
    )
    out = out.withColumn("tier", tier_of(F.col("score"), s)).withColumn("as_of", F.lit(as_of))
    if previous is None:
        return out.withColumn("previous_tier", F.lit(None).cast("string")).withColumn(
            "tier_changed", F.lit(False)
        )
    prev = previous.select("customer_id", F.col("tier").alias("previous_tier"))
    return out.join(prev, "customer_id", "left").withColumn(
        "tier_changed",
        F.col("previous_tier").isNotNull() & (F.col("previous_tier") != F.col("tier")),
    )
