"""gold.features: rolling calendar-day windows ending at D, computed from gold.customer_daily."""

from __future__ import annotations

from datetime import date, timedelta

from pyspark.sql import Column, DataFrame, Window
from pyspark.sql import functions as F
from pyspark.sql import types as T

from fcc.core.settings.features import FeaturesSettings
from fcc.core.tables import USD
from fcc.core.tables.gold_features import (
    CUSTOMER_DAILY,
    DAILY_ADDITIVE,
    FEATURE_WINDOWS,
    FEATURES,
    LABEL_CATEGORIES,
)
from fcc.features.daily import usd_from_micros, usd_micros, usd_sum

VELOCITY_DAYS = 7
EXPECTED_DAYS = 30
_DAILY_USD = {f.name for f in CUSTOMER_DAILY.schema.fields if isinstance(f.dataType, T.DecimalType)}


def _sum_in_micros(value: Column, name: str) -> Column:
    """Sum of a customer_daily column, USD amounts kept as micro-dollar longs for a later sum."""
    return F.sum(usd_micros(value)) if name in _DAILY_USD else F.sum(value)


def _sum_of_micros(value: Column, name: str) -> Column:
    """Sum of a _sum_in_micros column, USD amounts back in decimal(24,6)."""
    return usd_from_micros(F.sum(value)) if name in _DAILY_USD else F.sum(value)


def daily_span(as_of: date, settings: FeaturesSettings) -> tuple[date, date]:
    """First and last customer_daily day the windows of D read (windows and velocity baseline)."""
    back = max(
        max(settings.windows_days), VELOCITY_DAYS + settings.velocity_baseline_days, EXPECTED_DAYS
    )
    return as_of - timedelta(days=back - 1), as_of


def prev_active_days(daily: DataFrame, as_of: date, settings: FeaturesSettings) -> DataFrame:
    """(customer_id, prev_active_date): latest active day before D within the dormancy lookback."""
    start = as_of - timedelta(days=settings.dormancy_lookback_days)
    return (
        daily.where(F.col("event_date").between(F.lit(start), F.lit(as_of - timedelta(days=1))))
        .groupBy("customer_id")
        .agg(F.max("event_date").alias("prev_active_date"))
    )


def _age(as_of: date) -> Column:
    return F.datediff(F.lit(as_of), F.col("event_date"))


def _ratio(num: Column, den: Column) -> Column:
    return F.when(den != 0, num.cast("double") / den.cast("double"))


def _turnover(suffix: str = "") -> Column:
    c = {k: F.col(f"{k}{suffix}") for k in ("in_usd", "out_usd", "in_trade_usd", "out_trade_usd")}
    return c["in_usd"] + c["out_usd"] - c["in_trade_usd"] - c["out_trade_usd"]


def _turnover_count() -> Column:
    return (
        F.col("in_count") + F.col("out_count") - F.col("in_trade_count") - F.col("out_trade_count")
    )


def _bucket_edges(settings: FeaturesSettings) -> list[int]:
    """Every age (days before D) at which some window or baseline ends, ascending; 1 is D alone."""
    baseline_end = VELOCITY_DAYS + settings.velocity_baseline_days
    return sorted({1, *settings.windows_days, VELOCITY_DAYS, EXPECTED_DAYS, baseline_end})


def _per_age_bucket(daily: DataFrame, as_of: date, settings: FeaturesSettings) -> DataFrame:
    """Customer_daily summed per customer and age bucket (the smallest window edge above age).

    Every window is a union of whole buckets, so the windows are then sums over a handful of
    bucket rows per customer instead of conditional sums over every daily row. USD amounts stay
    in micro-dollar longs until the window sums.
    """
    age = _age(as_of)
    edges = _bucket_edges(settings)
    bucket = F.when(age < edges[0], edges[0])
    for edge in edges[1:]:
        bucket = bucket.when(age < edge, edge)
    return (
        daily.where((age >= 0) & (age < edges[-1]))
        .withColumn("_bucket", bucket)
        .groupBy("customer_id", "_bucket")
        .agg(
            *[_sum_in_micros(F.col(c), c).alias(c) for c in DAILY_ADDITIVE],
            F.count(F.lit(1)).alias("_active_days"),
            F.max("max_in_usd").alias("max_in_usd"),
            F.max("max_out_usd").alias("max_out_usd"),
            F.sum(usd_micros(_turnover())).alias("_turnover_micros"),
            F.sum(_turnover_count()).alias("_turnover_count"),
        )
    )


def _window_sums(daily: DataFrame, as_of: date, settings: FeaturesSettings) -> DataFrame:
    """Per customer: window sums/maxima of the additive daily columns plus velocity baselines."""
    buckets = _per_age_bucket(daily, as_of, settings)
    upto = F.col("_bucket")  # the bucket holds the ages below this edge, from the previous edge on
    aggs: list[Column] = []
    for w in settings.windows_days:
        inside = upto <= w
        aggs += [
            _sum_of_micros(F.when(inside, F.col(c)), c).alias(f"{c}_{w}d") for c in DAILY_ADDITIVE
        ]
        aggs += [
            F.coalesce(F.sum(F.when(inside, F.col("_active_days"))), F.lit(0)).alias(
                f"active_days_{w}d"
            ),
            F.max(F.when(inside, F.col("max_in_usd"))).alias(f"max_in_usd_{w}d"),
            F.max(F.when(inside, F.col("max_out_usd"))).alias(f"max_out_usd_{w}d"),
        ]
    recent = upto <= VELOCITY_DAYS
    baseline = (upto > VELOCITY_DAYS) & (upto <= VELOCITY_DAYS + settings.velocity_baseline_days)
    aggs += [
        usd_from_micros(F.sum(F.when(recent, F.col("_turnover_micros")))).alias("_recent_usd"),
        F.sum(F.when(recent, F.col("_turnover_count"))).alias("_recent_count"),
        usd_from_micros(F.sum(F.when(baseline, F.col("_turnover_micros")))).alias("_baseline_usd"),
        F.sum(F.when(baseline, F.col("_turnover_count"))).alias("_baseline_count"),
        usd_from_micros(F.sum(F.when(upto <= EXPECTED_DAYS, F.col("_turnover_micros")))).alias(
            "_turnover_expected"
        ),
        F.max(F.when(upto == 1, True)).alias("_active_on_d"),
    ]
    return buckets.groupBy("customer_id").agg(*aggs)


def _concentration(daily: DataFrame, as_of: date, settings: FeaturesSettings) -> DataFrame:
    """Per customer: exact distinct counterparties, top share and HHI per direction and window.

    The daily cpty_in / cpty_out lists are exploded over the window, summed per counterparty,
    then shares are taken over the window's USD with a known counterparty.
    """
    age = _age(as_of)
    longest = max(settings.windows_days)
    entries = (
        daily.where(age < longest)
        .select(
            "customer_id",
            age.alias("_age"),
            F.explode(
                F.concat(
                    F.transform(
                        "cpty_in", lambda e: F.struct(F.lit("in").alias("d"), e.alias("e"))
                    ),
                    F.transform(
                        "cpty_out", lambda e: F.struct(F.lit("out").alias("d"), e.alias("e"))
                    ),
                )
            ).alias("x"),
        )
        .select("customer_id", "_age", "x.d", "x.e.counterparty_id", "x.e.usd", "x.e.count")
    )
    per_cpty = entries.groupBy("customer_id", "d", "counterparty_id").agg(
        *[
            usd_sum(F.when(F.col("_age") < w, F.col("usd"))).alias(f"u{w}")
            for w in settings.windows_days
        ],
        *[
            F.sum(F.when(F.col("_age") < w, F.col("count"))).alias(f"n{w}")
            for w in settings.windows_days
        ],
    )
    totals = Window.partitionBy("customer_id", "d")
    with_share = per_cpty.select(
        "customer_id",
        "d",
        *[F.col(f"n{w}") for w in settings.windows_days],
        *[
            _ratio(F.col(f"u{w}"), F.sum(f"u{w}").over(totals)).alias(f"s{w}")
            for w in settings.windows_days
        ],
    )
    aggs: list[Column] = []
    for d in ("in", "out"):
        is_d = F.col("d") == d
        for w in settings.windows_days:
            aggs += [
                F.count(F.when(is_d & (F.col(f"n{w}") > 0), True)).alias(f"distinct_cpty_{d}_{w}d"),
                F.max(F.when(is_d, F.col(f"s{w}"))).alias(f"cpty_{d}_top_share_{w}d"),
                F.sum(F.when(is_d, F.col(f"s{w}") * F.col(f"s{w}"))).alias(f"cpty_{d}_hhi_{w}d"),
            ]
    return with_share.groupBy("customer_id").agg(*aggs)


def _exposure(exposure: DataFrame | None) -> DataFrame | None:
    """Per customer: exposure_usd of one gold.exposure snapshot pivoted by category and direction."""
    if exposure is None:
        return None
    aggs = [
        F.sum(
            F.when((F.col("category") == cat) & (F.col("direction") == d), F.col("exposure_usd"))
        ).alias(f"exposure_{cat}_{d}_usd")
        for cat in LABEL_CATEGORIES
        for d in ("in", "out")
    ]
    return exposure.groupBy("customer_id").agg(*aggs)


def _derived(
    settings: FeaturesSettings, has_exposure: bool, exposure_as_of: date | None
) -> list[Column]:
    """Ratios, velocity, dormancy and exposure columns, named as in gold.features."""
    cols: list[Column] = []
    for w in settings.windows_days:
        s = f"_{w}d"
        turnover = _turnover(s)
        cols += [
            turnover.cast(USD).alias(f"turnover_usd{s}"),
            (F.col(f"in_usd{s}") - F.col(f"out_usd{s}")).cast(USD).alias(f"net_usd{s}"),
            _ratio(F.col(f"out_usd{s}"), F.col(f"in_usd{s}")).alias(f"out_in_ratio{s}"),
            _ratio(F.col(f"high_risk_in_usd{s}") + F.col(f"high_risk_out_usd{s}"), turnover).alias(
                f"high_risk_share{s}"
            ),
            _ratio(F.col(f"pass_through_usd{s}"), F.col(f"fiat_deposit_usd{s}")).alias(
                f"pass_through_ratio{s}"
            ),
        ]
    weeks = settings.velocity_baseline_days / VELOCITY_DAYS
    cols += [
        (F.col("_baseline_usd") / F.lit(weeks)).cast(USD).alias("baseline_weekly_usd"),
        (F.col("_baseline_count").cast("double") / F.lit(weeks)).alias("baseline_weekly_count"),
        # exact ratio: recent / (baseline / weeks) = recent * weeks / baseline
        _ratio(
            F.col("_recent_usd") * F.lit(settings.velocity_baseline_days),
            F.col("_baseline_usd") * F.lit(VELOCITY_DAYS),
        ).alias("velocity_usd_7d"),
        _ratio(
            F.col("_recent_count") * F.lit(settings.velocity_baseline_days),
            F.col("_baseline_count") * F.lit(VELOCITY_DAYS),
        ).alias("velocity_count_7d"),
        F.when(F.col("_active_on_d"), F.col("days_since_prev_activity"))
        .cast("int")
        .alias("reactivation_gap_days"),
        _ratio(F.col("_turnover_expected"), F.col("expected_monthly_volume_usd")).alias(
            "expected_volume_ratio_30d"
        ),
    ]
    if not has_exposure:
        cols += [
            F.lit(None).cast(USD).alias(f"exposure_{cat}_{d}_usd")
            for cat in LABEL_CATEGORIES
            for d in ("in", "out")
        ]
    cols.append(F.lit(exposure_as_of).cast("date").alias("exposure_as_of"))
    return cols


def _with_peer_stats(df: DataFrame) -> DataFrame:
    """z-score and percent rank of 30-day turnover within the customer's segment."""
    seg = Window.partitionBy("segment")
    x = F.col("_turnover_expected").cast("double")
    std = F.stddev_pop(x).over(seg)
    known = F.col("segment").isNotNull()
    return df.withColumn(
        "peer_turnover_z_30d", F.when(known & (std > 0), (x - F.avg(x).over(seg)) / std)
    ).withColumn(
        "peer_turnover_pct_30d",
        F.when(known, F.percent_rank().over(seg.orderBy(F.col("_turnover_expected").asc()))),
    )


def features_from_daily(
    daily: DataFrame,
    customers: DataFrame,
    as_of: date,
    settings: FeaturesSettings,
    prev_active: DataFrame,
    exposure: DataFrame | None = None,
    exposure_as_of: date | None = None,
    run_id: str = "",
) -> DataFrame:
    """One row per customer of `customers` with every gold.features column for as-of D.

    `daily` holds customer_daily rows of daily_span(D); `prev_active` (customer_id,
    prev_active_date) the latest active day before D within the dormancy lookback; `exposure`
    one gold.exposure snapshot (or None when the graph step has not run yet).
    """
    start, end = daily_span(as_of, settings)
    window_daily = daily.where(F.col("event_date").between(F.lit(start), F.lit(end)))
    sums = _window_sums(window_daily, as_of, settings)
    conc = _concentration(window_daily, as_of, settings)
    exp = _exposure(exposure)
    base = customers.select("customer_id", "segment", "expected_monthly_volume_usd")
    joined = (
        base.join(sums, "customer_id", "left")
        .join(conc, "customer_id", "left")
        .join(
            prev_active.select(
                "customer_id",
                F.datediff(F.lit(as_of), F.col("prev_active_date")).alias(
                    "days_since_prev_activity"
                ),
            ),
            "customer_id",
            "left",
        )
    )
    if exp is not None:
        joined = joined.join(exp, "customer_id", "left")
    zero_cols = [
        c
        for c in joined.columns
        if c.endswith(tuple(f"_{w}d" for w in settings.windows_days)) and not c.startswith("cpty_")
    ] + ["_recent_usd", "_recent_count", "_baseline_usd", "_baseline_count", "_turnover_expected"]
    if exp is not None:
        zero_cols += [c for c in exp.columns if c != "customer_id"]
    filled = (
        joined.fillna(0, subset=zero_cols)
        .fillna(False, subset=["_active_on_d"])
        .withColumn("days_since_prev_activity", F.col("days_since_prev_activity").cast("int"))
    )
    out = filled.select("*", *_derived(settings, exp is not None, exposure_as_of)).transform(
        _with_peer_stats
    )
    disabled = [w for w in FEATURE_WINDOWS if w not in settings.windows_days]
    for f in FEATURES.schema.fields:
        if f.name not in out.columns and any(f.name.endswith(f"_{w}d") for w in disabled):
            out = out.withColumn(f.name, F.lit(None).cast(f.dataType))
    return out.withColumn("as_of", F.lit(as_of)).withColumn("run_id", F.lit(run_id))
