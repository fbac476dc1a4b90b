"""Detectors over one customer's own flows in silver.transactions.

Every detector takes the canonical transactions (already bounded to its lookback or wider),
the as-of date D and its settings, and returns hits in the common shape. A pattern is reported
on the day it gains a transaction (some transaction of the pattern is on D), so a pattern that
stops growing is not reported again night after night.
"""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta

from pyspark.sql import Column, DataFrame, GroupedData, Window
from pyspark.sql import functions as F

from fcc.core.settings.features import CountryRiskList
from fcc.core.settings.typologies import (
    DormantSettings,
    FanSettings,
    GatherScatterSettings,
    HighRiskJurisdictionSettings,
    PassThroughSettings,
    RapidConversionSettings,
    StructuringSettings,
)
from fcc.typologies._common import (
    SEVERITY_RANK,
    best_per_customer,
    day_end,
    day_start,
    in_days,
    of_candidates,
    ordered_ids,
    segment_levels,
    to_hits,
    turnover_level,
    usd,
    window_json,
    with_segment,
)

_MICROS_PER_HOUR = 3_600_000_000


def _not_trade() -> Column:
    """Money movements, not the two legs of a conversion inside one account."""
    return F.col("rail") != "trade"


def _on_day(as_of: date, column: str = "event_date") -> Column:
    return F.col(column) == F.lit(as_of)


def _turnover_evidence(percentile: float, days: int) -> list[Column]:
    """Evidence fields of a turnover_level threshold: the level and how it is taken."""
    return [
        F.round("_turnover_level", 2).alias("turnover_level_usd"),
        F.lit(percentile).alias("turnover_percentile"),
        F.lit(days).alias("turnover_days"),
    ]


def _log10_multiple(value: Column, level: Column) -> Column:
    """log10(value / level), 0 when the level is not positive (a score bonus for size)."""
    return F.when(level > 0, F.log10(value / level)).otherwise(F.lit(0.0))


# --- structuring -------------------------------------------------------------------------


def detect_structuring(
    txns: DataFrame,
    as_of: date,
    s: StructuringSettings,
    max_ids: int,
    clusters: DataFrame | None = None,
) -> DataFrame:
    """Several cash-like fiat credits just below the reporting threshold within N days.

    Credits of customers that gold.entity_clusters puts in one cluster of at most
    `pool_max_cluster_size` customers are pooled, so smurfing spread over accounts that share
    identifiers is counted together; a larger cluster is not one actor and is not pooled.
    """
    low = s.band_low * s.reporting_threshold_usd
    high = s.band_high * s.reporting_threshold_usd
    banded = txns.where(
        in_days(as_of, s.window_days)
        & (F.col("direction") == "in")
        & (F.col("asset_class") == "fiat")
        & F.col("rail").isin(s.rails)
        & usd().between(low, high)
    )
    if clusters is not None and s.use_entity_clusters:
        keys = clusters.where(F.col("cluster_size") <= s.pool_max_cluster_size).select(
            "customer_id", F.col("cluster_id").cast("string").alias("_cluster")
        )
        banded = banded.join(keys, "customer_id", "left")
        banded = banded.withColumn("_group", F.coalesce("_cluster", "customer_id"))
    else:
        banded = banded.withColumn("_group", F.col("customer_id"))
    groups = (
        banded.groupBy("_group")
        .agg(
            F.count("*").alias("n"),
            F.sum(usd()).alias("total_usd"),
            F.countDistinct("account_id").alias("accounts"),
            F.countDistinct("customer_id").alias("customers"),
            F.max("event_date").alias("last_date"),
            F.sort_array(F.collect_list(F.round(usd(), 2))).alias("amounts_usd"),
            ordered_ids("event_ts", "txn_id", max_ids).alias("txn_ids"),
        )
        .where((F.col("n") >= s.min_count) & _on_day(as_of, "last_date"))
    )
    members = banded.select("_group", "customer_id").distinct()
    hits = members.join(groups, "_group")
    evidence = F.struct(
        F.col("n").alias("credits_in_band"),
        F.lit(s.min_count).alias("min_credits"),
        F.struct(F.lit(low).alias("from_usd"), F.lit(high).alias("to_usd")).alias("band"),
        F.lit(s.reporting_threshold_usd).alias("reporting_threshold_usd"),
        F.round("total_usd", 2).alias("total_usd"),
        F.col("amounts_usd"),
        F.col("accounts"),
        F.col("customers").alias("customers_pooled"),
        window_json(as_of - timedelta(days=s.window_days - 1), as_of, days=s.window_days).alias(
            "window"
        ),
    )
    score = F.lit(s.score) + 10 * (F.col("n") - s.min_count) + 10 * (F.col("customers") - 1)
    return to_hits(hits, s, "structuring", evidence, F.col("txn_ids"), score=score)


# --- rapid pass-through ------------------------------------------------------------------


def _history_blocks(
    rows: DataFrame, base_end: date, history_days: int, block_days: int
) -> GroupedData:
    """Rows of the history_days ending on base_end, grouped by customer and block_days-long block."""
    base = rows.where(
        F.col("event_date").between(
            F.lit(base_end - timedelta(days=history_days - 1)), F.lit(base_end)
        )
    )
    block = F.floor(F.datediff(F.lit(base_end), F.col("event_date")) / block_days)
    return base.groupBy("customer_id", block.alias("_block"))


def _passed_through_history(txns: DataFrame, as_of: date, s: PassThroughSettings) -> DataFrame:
    """Per customer: the most USD passed through (min of in and out) in one span of its history.

    Spans are measured as on D (from an inflow to the last outflow within window_hours), over
    the history_days that end history_gap_days before the window's first day.
    """
    block_days = max(1, math.ceil(s.window_hours / 24))
    base_end = as_of - timedelta(days=block_days + s.history_gap_days)
    base_from = day_start(base_end - timedelta(days=s.history_days - 1))
    base = txns.where(
        (F.col("event_ts") >= F.lit(base_from)) & (F.col("event_ts") < F.lit(day_end(base_end)))
    )
    passed = F.least(F.col("in_usd"), F.col("out_usd"))
    return (
        _pass_through_spans(base, base_from, s)
        .groupBy("customer_id")
        .agg(F.max(passed).alias("history_max_passed_usd"))
    )


def _micros(ts: str = "event_ts") -> Column:
    return F.unix_micros(F.col(ts))


def _pass_through_spans(
    rows: DataFrame, anchor_from: datetime, s: PassThroughSettings
) -> DataFrame:
    """One row per inflow from anchor_from on: the flows of the span it opens.

    The span runs from the inflow to the last outflow within window_hours after it. Inflows,
    outflows and trade purchases are summed over that span (running sums per customer, so a
    customer with many inflows costs no self-join), earlier money movements are left out.
    """
    moves = rows.select(
        "customer_id",
        "event_ts",
        F.when(_not_trade() & (F.col("direction") == "in"), usd()).otherwise(0.0).alias("_in"),
        F.when(_not_trade() & (F.col("direction") == "out"), usd()).otherwise(0.0).alias("_out"),
        F.when(~_not_trade() & (F.col("direction") == "in"), usd()).otherwise(0.0).alias("_buy"),
        (_not_trade() & (F.col("direction") == "out")).alias("_is_out"),
        (_not_trade() & (F.col("direction") == "in")).alias("_is_in"),
    )
    by_time = Window.partitionBy("customer_id").orderBy(_micros())
    upto = by_time.rangeBetween(Window.unboundedPreceding, Window.currentRow)
    before = by_time.rangeBetween(Window.unboundedPreceding, -1)
    ahead = by_time.rangeBetween(Window.currentRow, s.window_hours * _MICROS_PER_HOUR)
    sums = ("_in", "_out", "_buy")
    running = moves.select(
        "customer_id",
        "event_ts",
        "_is_in",
        F.max(F.when(F.col("_is_out"), F.col("event_ts"))).over(ahead).alias("last_out_ts"),
        *[F.coalesce(F.sum(c).over(before), F.lit(0.0)).alias(f"{c}_before") for c in sums],
        *[F.sum(c).over(upto).alias(f"{c}_upto") for c in sums],
    )
    at_time = running.groupBy("customer_id", F.col("event_ts").alias("last_out_ts")).agg(
        *[F.max(f"{c}_upto").alias(f"{c}_at_last_out") for c in sums]
    )
    anchors = running.where(F.col("_is_in") & (F.col("event_ts") >= F.lit(anchor_from)))
    return anchors.join(at_time, ["customer_id", "last_out_ts"]).select(
        "customer_id",
        F.col("event_ts").alias("first_in_ts"),
        "last_out_ts",
        (F.col("_in_at_last_out") - F.col("_in_before")).alias("in_usd"),
        (F.col("_out_at_last_out") - F.col("_out_before")).alias("out_usd"),
        (F.col("_buy_at_last_out") - F.col("_buy_before")).alias("trade_usd"),
    )


def detect_pass_through(
    txns: DataFrame,
    as_of: date,
    s: PassThroughSettings,
    max_ids: int,
) -> DataFrame:
    """Funds in and (almost all of them) out again within N hours, no trading in between.

    Every inflow opens a span: the money movements from it to the last outflow within
    window_hours. A span whose last outflow is on D is judged: out / in within the ratio band,
    little trading, an inflow well above what the customer passed through in its own history (a
    payment intermediary doing its usual business stays quiet) and at least the
    turnover_percentile of what the active customers moved in turnover_days (no fixed amount).
    The strongest span per customer is reported.
    """
    end = day_end(as_of)
    anchor_from = day_start(as_of) - timedelta(hours=s.window_hours)
    rows = txns.where((F.col("event_ts") >= F.lit(anchor_from)) & (F.col("event_ts") < F.lit(end)))
    spans = _pass_through_spans(rows, anchor_from, s).where(
        F.col("last_out_ts") >= F.lit(day_start(as_of))
    )
    level = turnover_level(txns, as_of, s.turnover_days, s.turnover_percentile)
    ratio = F.col("out_usd") / F.col("in_usd")
    shaped = spans.crossJoin(F.broadcast(level)).where(
        (F.col("in_usd") >= F.col("_turnover_level"))
        & ratio.between(s.min_out_ratio, s.max_out_ratio)
        & (F.col("trade_usd") <= s.max_trade_ratio * F.col("in_usd"))
    )
    if s.history_days > 0:
        # kept in memory: it picks the customers whose history is measured, then meets it
        shaped = shaped.localCheckpoint()
        history = _passed_through_history(of_candidates(txns, shaped), as_of, s)
        shaped = shaped.join(history, "customer_id", "left")
    else:
        shaped = shaped.withColumn("history_max_passed_usd", F.lit(None).cast("double"))
    shaped = shaped.fillna({"history_max_passed_usd": 0.0})
    qualifying = shaped.where(
        F.col("in_usd") >= s.history_multiplier * F.col("history_max_passed_usd")
    )
    best = best_per_customer(qualifying, F.col("in_usd").desc(), F.col("first_in_ts").asc())
    ids = (
        rows.where(_not_trade())
        .join(best.select("customer_id", "first_in_ts", "last_out_ts"), "customer_id")
        .where(F.col("event_ts").between(F.col("first_in_ts"), F.col("last_out_ts")))
        .groupBy("customer_id")
        .agg(ordered_ids("event_ts", "txn_id", max_ids).alias("txn_ids"))
    )
    hits = best.join(ids, "customer_id")
    hours = (F.unix_timestamp("last_out_ts") - F.unix_timestamp("first_in_ts")) / 3600.0
    evidence = F.struct(
        F.round("in_usd", 2).alias("in_usd"),
        F.round("out_usd", 2).alias("out_usd"),
        F.round(ratio, 4).alias("out_in_ratio"),
        F.lit(s.min_out_ratio).alias("min_out_ratio"),
        F.round(F.col("in_usd") - F.col("out_usd"), 2).alias("left_behind_usd"),
        *_turnover_evidence(s.turnover_percentile, s.turnover_days),
        F.round("trade_usd", 2).alias("trade_usd"),
        F.round(hours, 2).alias("hours_in_to_last_out"),
        F.round("history_max_passed_usd", 2).alias("history_max_passed_usd"),
        F.lit(s.history_multiplier).alias("history_multiplier"),
        F.lit(s.history_days).alias("history_days"),
        F.lit(s.history_gap_days).alias("history_gap_days"),
        F.col("first_in_ts"),
        F.col("last_out_ts"),
        F.struct(
            F.col("first_in_ts").cast("string").alias("from"),
            F.lit(s.window_hours).alias("hours"),
        ).alias("window"),
    )
    score = F.lit(s.score) + 20 * (1 - F.abs(1 - ratio) * 10)
    return to_hits(hits, s, "pass_through", evidence, F.col("txn_ids"), score=score)


# --- fan-in / fan-out / gather-scatter -------------------------------------------------------


def _baseline(rows: DataFrame, as_of: date, window_days: int, history_days: int) -> DataFrame:
    """Per customer: the most counterparties seen in any window-sized block of the baseline."""
    base_end = as_of - timedelta(days=window_days)
    return (
        _history_blocks(rows, base_end, history_days, window_days)
        .agg(F.countDistinct("counterparty_id").alias("n"))
        .groupBy("customer_id")
        .agg(F.max("n").alias("history_max"))
    )


def _peer_levels(counts: DataFrame, customers: DataFrame | None, s: FanSettings) -> DataFrame:
    """The segment's percentiles of window counterparty counts and USD totals (null: too few peers)."""
    if customers is None:
        return counts.withColumns(
            {
                "segment": F.lit(None).cast("string"),
                "peer_count_level": F.lit(None).cast("double"),
                "peer_total_level": F.lit(None).cast("double"),
            }
        )
    with_seg = with_segment(counts, customers)
    wanted = {
        "peer_count_level": ("n", s.peer_percentile),
        "peer_total_level": ("total_usd", s.total_peer_percentile),
    }
    levels = segment_levels(with_seg, wanted, s.min_peers, pooled=False)
    return with_seg.join(levels, "segment", "left")


def detect_fan(
    txns: DataFrame,
    as_of: date,
    s: FanSettings,
    direction: str,
    max_ids: int,
    customers: DataFrame | None = None,
) -> DataFrame:
    """Distinct counterparties in a window far above the customer's own history and peers.

    direction "in" is fan-in (a funnel), "out" is fan-out. Counterparties already paid (or
    paid by) in the baseline do not count as new: payroll and regular suppliers stay quiet.
    Every threshold is relative: the customer's busiest baseline window, the segment's
    percentile of window counts and of window USD totals; only min_counterparties is fixed
    (the fewest parties that make a fan).
    """
    rows = txns.where(
        _not_trade() & (F.col("direction") == direction) & F.col("counterparty_id").isNotNull()
    )
    current = rows.where(in_days(as_of, s.window_days))
    counts = current.groupBy("customer_id").agg(
        F.countDistinct("counterparty_id").alias("n"),
        F.sum(usd()).alias("total_usd"),
        F.max("event_date").alias("last_date"),
        ordered_ids("event_ts", "txn_id", max_ids).alias("txn_ids"),
    )
    # kept in memory: it picks the customers whose history is measured, then meets it
    fanned = (
        _peer_levels(counts, customers, s)
        .where(
            (F.col("n") >= s.min_counterparties)
            & (F.col("peer_count_level").isNull() | (F.col("n") >= F.col("peer_count_level")))
            & (
                F.col("peer_total_level").isNull()
                | (F.col("total_usd") >= F.col("peer_total_level"))
            )
            & _on_day(as_of, "last_date")
        )
        .localCheckpoint()
    )
    own = of_candidates(rows, fanned)
    history = _baseline(own, as_of, s.window_days, s.history_days)
    seen = (
        own.where(F.col("event_date") < F.lit(as_of - timedelta(days=s.window_days - 1)))
        .select("customer_id", "counterparty_id")
        .distinct()
        .withColumn("_seen", F.lit(1))
    )
    new = (
        of_candidates(current, fanned)
        .select("customer_id", "counterparty_id")
        .distinct()
        .join(seen, ["customer_id", "counterparty_id"], "left")
        .groupBy("customer_id")
        .agg(F.sum(F.when(F.col("_seen").isNull(), 1).otherwise(0)).alias("new_n"))
    )
    stats = (
        fanned.join(history, "customer_id", "left")
        .join(new, "customer_id", "left")
        .fillna({"history_max": 0, "new_n": 0})
    )
    new_share = F.col("new_n") / F.col("n")
    history_floor = F.greatest(F.col("history_max"), F.lit(1))
    hits = stats.where(
        (F.col("n") >= s.history_multiplier * history_floor) & (new_share >= s.min_new_share)
    )
    evidence = F.struct(
        F.col("n").alias("distinct_counterparties"),
        F.lit(s.min_counterparties).alias("min_counterparties"),
        F.col("history_max").alias("history_max_per_window"),
        F.lit(s.history_multiplier).alias("history_multiplier"),
        F.round(new_share, 4).alias("new_counterparty_share"),
        F.lit(s.min_new_share).alias("min_new_share"),
        F.col("segment"),
        F.col("peer_count_level").alias("segment_count_level"),
        F.lit(s.peer_percentile).alias("peer_percentile"),
        F.round("total_usd", 2).alias("total_usd"),
        F.round("peer_total_level", 2).alias("segment_total_level"),
        F.lit(s.total_peer_percentile).alias("total_peer_percentile"),
        window_json(as_of - timedelta(days=s.window_days - 1), as_of, days=s.window_days).alias(
            "window"
        ),
    )
    score = F.lit(s.score) + 5 * (F.col("n") / history_floor - s.history_multiplier)
    rule_id = "fan_in" if direction == "in" else "fan_out"
    return to_hits(hits, s, rule_id, evidence, F.col("txn_ids"), score=score)


def detect_gather_scatter(
    txns: DataFrame, as_of: date, s: GatherScatterSettings, max_ids: int
) -> DataFrame:
    """A collector: many senders in, then most of it out to several receivers within days."""
    rows = txns.where(_not_trade() & F.col("counterparty_id").isNotNull())
    current = rows.where(in_days(as_of, s.window_days))
    ins = current.where(F.col("direction") == "in")
    first_in = ins.groupBy("customer_id").agg(
        F.min("event_ts").alias("first_in_ts"),
        F.countDistinct("counterparty_id").alias("senders"),
        F.sum(usd()).alias("in_usd"),
    )
    outs = (
        current.where(F.col("direction") == "out")
        .join(first_in.select("customer_id", "first_in_ts"), "customer_id")
        .where(F.col("event_ts") >= F.col("first_in_ts"))
    )
    out_agg = outs.groupBy("customer_id").agg(
        F.countDistinct("counterparty_id").alias("receivers"),
        F.sum(usd()).alias("out_usd"),
        F.max("event_date").alias("last_out_date"),
    )
    ratio = F.col("out_usd") / F.col("in_usd")
    # kept in memory: it picks the customers whose history is measured, then meets it
    shaped = (
        first_in.join(out_agg, "customer_id")
        .where(
            (F.col("senders") >= s.min_senders)
            & (F.col("receivers") >= s.min_receivers)
            & (ratio >= s.min_out_ratio)
            & _on_day(as_of, "last_out_date")
        )
        .localCheckpoint()
    )
    ids = (
        of_candidates(ins.unionByName(outs.drop("first_in_ts")), shaped)
        .groupBy("customer_id")
        .agg(ordered_ids("event_ts", "txn_id", max_ids).alias("txn_ids"))
    )
    history = _baseline(
        of_candidates(rows.where(F.col("direction") == "in"), shaped),
        as_of,
        s.window_days,
        s.history_days,
    )
    stats = (
        shaped.join(history, "customer_id", "left")
        .fillna({"history_max": 0})
        .join(ids, "customer_id")
    )
    history_floor = F.greatest(F.col("history_max"), F.lit(1))
    hits = stats.where(F.col("senders") >= s.history_multiplier * history_floor)
    evidence = F.struct(
        F.col("senders"),
        F.lit(s.min_senders).alias("min_senders"),
        F.col("receivers"),
        F.lit(s.min_receivers).alias("min_receivers"),
        F.round("in_usd", 2).alias("in_usd"),
        F.round("out_usd", 2).alias("out_usd_after_first_in"),
        F.round(ratio, 4).alias("out_in_ratio"),
        F.lit(s.min_out_ratio).alias("min_out_ratio"),
        F.col("history_max").alias("history_max_senders_per_window"),
        F.lit(s.history_multiplier).alias("history_multiplier"),
        window_json(as_of - timedelta(days=s.window_days - 1), as_of, days=s.window_days).alias(
            "window"
        ),
    )
    score = (
        F.lit(s.score)
        + 2 * (F.col("senders") - s.min_senders)
        + 2 * (F.col("receivers") - s.min_receivers)
    )
    return to_hits(hits, s, "gather_scatter", evidence, F.col("txn_ids"), score=score)


# --- dormant reactivation ------------------------------------------------------------------


def detect_dormant(
    txns: DataFrame,
    as_of: date,
    s: DormantSettings,
    max_ids: int,
    customers: DataFrame | None = None,
) -> DataFrame:
    """Large flows on D after months without any activity of the holder (or since onboarding).

    Large: at least the turnover_percentile of what the active customers moved in turnover_days
    (no fixed amount). Credits another customer makes into the account
    (s.third_party_credit_rails) are not the holder's activity and do not end the dormancy; they
    still count in the flows on D.
    """
    today = (
        txns.where(_on_day(as_of) & _not_trade())
        .groupBy("customer_id")
        .agg(
            F.sum(usd()).alias("usd_on_day"),
            F.count("*").alias("txns_on_day"),
            ordered_ids("event_ts", "txn_id", max_ids).alias("txn_ids"),
        )
    )
    third_party_credit = (F.col("direction") == "in") & F.col("rail").isin(
        s.third_party_credit_rails or [""]
    )
    before = (
        txns.where(
            (F.col("event_date") < F.lit(as_of))
            & (F.col("event_date") >= F.lit(as_of - timedelta(days=s.max_lookback_days)))
            & ~third_party_credit
        )
        .groupBy("customer_id")
        .agg(F.max("event_date").alias("previous_activity"))
    )
    stats = today.join(before, "customer_id", "left")
    if customers is not None:
        onboard = customers.select("customer_id", F.to_date("onboarded_at").alias("onboarded"))
        stats = stats.join(onboard, "customer_id", "left")
    else:
        stats = stats.withColumn("onboarded", F.lit(None).cast("date"))
    # no activity inside the lookback: dormant since onboarding (or longer)
    stats = stats.withColumn("_reference", F.coalesce("previous_activity", "onboarded"))
    level = turnover_level(txns, as_of, s.turnover_days, s.turnover_percentile)
    stats = stats.crossJoin(F.broadcast(level))
    gap = F.datediff(F.lit(as_of), F.col("_reference"))
    level = F.col("_turnover_level")
    hits = stats.where((gap >= s.dormant_days) & (F.col("usd_on_day") >= level))
    evidence = F.struct(
        F.col("previous_activity"),
        F.col("onboarded"),
        gap.alias("days_dormant"),
        F.lit(s.dormant_days).alias("min_days_dormant"),
        F.round("usd_on_day", 2).alias("usd_on_day"),
        *_turnover_evidence(s.turnover_percentile, s.turnover_days),
        F.col("txns_on_day"),
        window_json(as_of, as_of, days=1).alias("window"),
    )
    score = F.lit(s.score) + 10 * _log10_multiple(F.col("usd_on_day"), level)
    return to_hits(hits, s, "dormant_reactivation", evidence, F.col("txn_ids"), score=score)


# --- high-risk jurisdictions ------------------------------------------------------------------


def detect_high_risk_jurisdiction(
    txns: DataFrame,
    as_of: date,
    s: HighRiskJurisdictionSettings,
    lists: list[CountryRiskList],
    max_ids: int,
) -> DataFrame:
    """Flows to or from listed countries summed over a window, reported when one is on D.

    The window's listed USD must reach the turnover_percentile of what the active customers moved
    in the same window (no fixed amount): a small regular remittance stays quiet.
    """
    spark = txns.sparkSession
    pairs = [
        (c.upper(), lst.name, SEVERITY_RANK[s.severity_by_list.get(lst.name, s.severity)])
        for lst in lists
        for c in lst.countries
    ]
    if not pairs:
        return (
            txns.limit(0)
            .select("customer_id")
            .transform(
                lambda df: to_hits(
                    df, s, "high_risk_jurisdiction", F.struct(F.lit(1).alias("x")), F.array()
                )
            )
        )
    listed = spark.createDataFrame(pairs, "country string, list_name string, rank int")
    listed = listed.groupBy("country").agg(
        F.sort_array(F.collect_set("list_name")).alias("lists"), F.max("rank").alias("rank")
    )
    rows = txns.where(in_days(as_of, s.window_days) & F.col("counterparty_country").isNotNull())
    rows = rows.join(F.broadcast(listed), F.upper("counterparty_country") == F.col("country"))
    agg = rows.groupBy("customer_id").agg(
        F.sum(usd()).alias("listed_usd"),
        F.sum(F.when(F.col("direction") == "in", usd()).otherwise(0.0)).alias("in_usd"),
        F.sum(F.when(F.col("direction") == "out", usd()).otherwise(0.0)).alias("out_usd"),
        F.count("*").alias("txns"),
        F.sort_array(F.collect_set("country")).alias("countries"),
        F.sort_array(F.array_distinct(F.flatten(F.collect_list("lists")))).alias("lists"),
        F.max("rank").alias("rank"),
        F.max("event_date").alias("last_date"),
        ordered_ids("event_ts", "txn_id", max_ids).alias("txn_ids"),
    )
    level = turnover_level(txns, as_of, s.window_days, s.turnover_percentile)
    hits = agg.crossJoin(F.broadcast(level)).where(
        (F.col("listed_usd") >= F.col("_turnover_level")) & _on_day(as_of, "last_date")
    )
    severity = F.element_at(
        F.create_map(*[x for k, v in SEVERITY_RANK.items() for x in (F.lit(v), F.lit(k))]),
        F.col("rank"),
    )
    evidence = F.struct(
        F.col("countries"),
        F.col("lists"),
        F.round("listed_usd", 2).alias("listed_usd"),
        F.round("in_usd", 2).alias("in_usd"),
        F.round("out_usd", 2).alias("out_usd"),
        *_turnover_evidence(s.turnover_percentile, s.window_days),
        F.col("txns"),
        window_json(as_of - timedelta(days=s.window_days - 1), as_of, days=s.window_days).alias(
            "window"
        ),
    )
    score = F.lit(s.score) + 10 * (F.col("rank") - SEVERITY_RANK[s.severity])
    return to_hits(
        hits,
        s,
        "high_risk_jurisdiction",
        evidence,
        F.col("txn_ids"),
        score=score,
        severity=severity,
    )


# --- rapid conversion ---------------------------------------------------------------------------


def _conversion(
    txns: DataFrame,
    as_of: date,
    s: RapidConversionSettings,
    max_ids: int,
    level: DataFrame,
    deposit: Column,
    bought: Column,
    withdrawal: Column,
    rule_id: str,
) -> DataFrame:
    """deposit -> trade -> withdrawal, ordered in time, anchored on the last withdrawal on D.

    level: turnover_level of the book (the deposit must reach it).
    """
    end = day_end(as_of)
    rows = txns.where(
        (F.col("event_ts") >= F.lit(day_start(as_of) - timedelta(hours=s.window_hours)))
        & (F.col("event_ts") < F.lit(end))
    )
    anchor = (
        rows.where(withdrawal & _on_day(as_of))
        .groupBy("customer_id")
        .agg(F.max("event_ts").alias("anchor_ts"))
    )
    rows = rows.join(anchor, "customer_id").where(
        (F.col("event_ts") <= F.col("anchor_ts"))
        & (F.col("event_ts") >= F.col("anchor_ts") - F.expr(f"INTERVAL {s.window_hours} HOURS"))
    )
    kind = F.when(deposit, "deposit").when(bought, "bought").when(withdrawal, "withdrawal")
    rows = rows.withColumn("_kind", kind).where(F.col("_kind").isNotNull())
    first_dep = (
        rows.where(F.col("_kind") == "deposit")
        .groupBy("customer_id")
        .agg(F.min("event_ts").alias("first_deposit_ts"))
    )
    rows = rows.join(first_dep, "customer_id").where(F.col("event_ts") >= F.col("first_deposit_ts"))
    first_buy = (
        rows.where(F.col("_kind") == "bought")
        .groupBy("customer_id")
        .agg(F.min("event_ts").alias("first_trade_ts"))
    )
    rows = rows.join(first_buy, "customer_id").where(
        (F.col("_kind") != "withdrawal") | (F.col("event_ts") >= F.col("first_trade_ts"))
    )
    agg = rows.groupBy("customer_id", "first_deposit_ts", "first_trade_ts", "anchor_ts").agg(
        F.sum(F.when(F.col("_kind") == "deposit", usd())).alias("deposit_usd"),
        F.sum(F.when(F.col("_kind") == "bought", usd())).alias("traded_usd"),
        F.sum(F.when(F.col("_kind") == "withdrawal", usd())).alias("withdrawn_usd"),
        ordered_ids("event_ts", "txn_id", max_ids).alias("txn_ids"),
    )
    hits = agg.crossJoin(F.broadcast(level)).where(
        (F.col("deposit_usd") >= F.col("_turnover_level"))
        & (F.col("traded_usd") >= s.min_ratio * F.col("deposit_usd"))
        & (F.col("withdrawn_usd") >= s.min_ratio * F.col("deposit_usd"))
    )
    hours = (F.unix_timestamp("anchor_ts") - F.unix_timestamp("first_deposit_ts")) / 3600.0
    evidence = F.struct(
        F.round("deposit_usd", 2).alias("deposit_usd"),
        *_turnover_evidence(s.turnover_percentile, s.turnover_days),
        F.round("traded_usd", 2).alias("traded_usd"),
        F.round("withdrawn_usd", 2).alias("withdrawn_usd"),
        F.round(F.col("withdrawn_usd") / F.col("deposit_usd"), 4).alias("withdrawn_ratio"),
        F.lit(s.min_ratio).alias("min_ratio"),
        F.col("first_deposit_ts"),
        F.col("first_trade_ts"),
        F.col("anchor_ts").alias("last_withdrawal_ts"),
        F.round(hours, 2).alias("hours_deposit_to_withdrawal"),
        F.lit(s.window_hours).alias("max_hours"),
    )
    score = F.lit(s.score) + 20 * (1 - hours / s.window_hours)
    return to_hits(hits, s, rule_id, evidence, F.col("txn_ids"), score=score)


def detect_rapid_conversion(
    txns: DataFrame,
    as_of: date,
    s: RapidConversionSettings,
    max_ids: int,
) -> DataFrame:
    """Fiat in -> buy crypto -> on-chain out within hours (and optionally the reverse).

    The deposit must reach the turnover_percentile of what the active customers moved in
    turnover_days (no fixed amount).
    """
    level = turnover_level(txns, as_of, s.turnover_days, s.turnover_percentile)
    fiat, crypto = F.col("asset_class") == "fiat", F.col("asset_class") != "fiat"
    is_in, is_out = F.col("direction") == "in", F.col("direction") == "out"
    trade, onchain = F.col("rail") == "trade", F.col("rail") == "onchain"
    hits = _conversion(
        txns,
        as_of,
        s,
        max_ids,
        level,
        deposit=fiat & is_in & ~trade,
        bought=trade & is_in & crypto,
        withdrawal=onchain & is_out & crypto,
        rule_id="rapid_conversion_fiat_to_crypto",
    )
    if s.include_reverse:
        reverse = _conversion(
            txns,
            as_of,
            s,
            max_ids,
            level,
            deposit=onchain & is_in & crypto,
            bought=trade & is_in & fiat,
            withdrawal=fiat & is_out & ~trade & ~onchain,
            rule_id="rapid_conversion_crypto_to_fiat",
        )
        hits = hits.unionByName(reverse)
    return hits


__all__ = [
    "best_per_customer",
    "detect_dormant",
    "detect_fan",
    "detect_gather_scatter",
    "detect_high_risk_jurisdiction",
    "detect_pass_through",
    "detect_rapid_conversion",
    "detect_structuring",
]
