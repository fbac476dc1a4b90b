"""The features step for one business date: customer_daily for the touched days, then windows."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from datetime import date, timedelta

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from fcc.core.lakehouse import Lakehouse
from fcc.core.settings import AppConfig
from fcc.core.tables import TableSpec
from fcc.core.tables.gold_features import CUSTOMER_DAILY, FEATURES
from fcc.features.daily import affected_dates, daily_from_transactions, pass_through_lookback_days
from fcc.features.windows import daily_span, features_from_daily, prev_active_days

log = logging.getLogger(__name__)


def _written_rows(lakehouse: Lakehouse, spec: TableSpec) -> int:
    """Rows written by the table's latest commit (its Delta commit metrics; no Spark job)."""
    return int(lakehouse.last_commit_metrics(spec).get("numOutputRows", 0))


def _read_days(dates: list[date], lookback: int) -> list[date]:
    """The dates plus the pass-through lookback days before each of them."""
    return sorted({d - timedelta(days=k) for d in dates for k in range(lookback + 1)})


def _exposure_snapshot(lakehouse: Lakehouse, as_of: date) -> tuple[DataFrame | None, date | None]:
    """The latest gold.exposure snapshot on or before D, when the graph step has written one."""
    if not lakehouse.exists("gold.exposure"):
        return None, None
    exposure = lakehouse.read("gold.exposure").where(F.col("as_of") <= F.lit(as_of))
    latest = exposure.agg(F.max("as_of")).first()[0]
    if latest is None:
        return None, None
    return exposure.where(F.col("as_of") == F.lit(latest)), latest


def refresh_customer_daily(
    lakehouse: Lakehouse,
    cfg: AppConfig,
    as_of: date,
    run_id: str,
    full: bool = False,
    late_dates: Iterable[date] = (),
) -> dict[str, int]:
    """Rewrite customer_daily for D and the days the late dates affect (or every day when full)."""
    settings = cfg.features
    txns = lakehouse.read("silver.transactions")
    customers = lakehouse.read("silver.customers")
    labels = lakehouse.read("silver.address_labels")
    if full:
        daily = daily_from_transactions(txns, customers, labels, settings, None, run_id)
        lakehouse.overwrite(CUSTOMER_DAILY, daily)
        # every day of the table; counting them would be one more pass over it
        return {"daily_rows": _written_rows(lakehouse, CUSTOMER_DAILY)}
    dates = affected_dates(as_of, late_dates, settings)
    read_days = _read_days(dates, pass_through_lookback_days(settings))
    txns = txns.where(F.col("event_date").isin(read_days))
    daily = daily_from_transactions(txns, customers, labels, settings, dates, run_id)
    lakehouse.replace_dates(CUSTOMER_DAILY, daily, "event_date", dates)
    return {"daily_rows": _written_rows(lakehouse, CUSTOMER_DAILY), "daily_dates": len(dates)}


def compute_features(lakehouse: Lakehouse, cfg: AppConfig, as_of: date, run_id: str) -> DataFrame:
    """gold.features rows for D from customer_daily, customers and the latest exposure snapshot."""
    settings = cfg.features
    start, end = daily_span(as_of, settings)
    daily = lakehouse.read(CUSTOMER_DAILY)
    window_daily = daily.where(F.col("event_date").between(F.lit(start), F.lit(end)))
    prev_active = prev_active_days(daily, as_of, settings)
    exposure, exposure_as_of = _exposure_snapshot(lakehouse, as_of)
    return features_from_daily(
        window_daily,
        lakehouse.read("silver.customers"),
        as_of,
        settings,
        prev_active,
        exposure,
        exposure_as_of,
        run_id,
    )


def run_features(
    spark: SparkSession,
    lakehouse: Lakehouse,
    cfg: AppConfig,
    as_of: date,
    run_id: str,
    full: bool = False,
    late_dates: Iterable[date] = (),
) -> dict[str, int]:
    """Nightly features for D: customer_daily (incremental or full), then gold.features for D."""
    t0 = time.monotonic()
    counts = refresh_customer_daily(lakehouse, cfg, as_of, run_id, full, tuple(late_dates))
    t1 = time.monotonic()
    log.info(
        "features run=%s as_of=%s customer_daily full=%s dates=%s rows=%d seconds=%.1f",
        run_id,
        as_of,
        full,
        counts.get("daily_dates", "all"),
        counts["daily_rows"],
        t1 - t0,
    )
    features = compute_features(lakehouse, cfg, as_of, run_id)
    lakehouse.replace_where(FEATURES, features, as_of=as_of)
    rows = _written_rows(lakehouse, FEATURES)
    log.info(
        "features run=%s as_of=%s gold.features rows=%d seconds=%.1f",
        run_id,
        as_of,
        rows,
        time.monotonic() - t1,
    )
    return {**counts, "rows_out": rows}
