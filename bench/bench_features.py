"""Benchmark of the features step (gold.customer_daily + gold.features) on synthetic silver data.

    python bench/bench_features.py --size small          # 100k customers
    python bench/bench_features.py --size large          # 1M customers
    python bench/bench_features.py --customers 20000 --days 100
    python bench/bench_features.py --size large --work-dir DIR --build-only   # later: --reuse

Builds silver.transactions / customers / address_labels with Spark in a scratch lakehouse, then
times: a scan-only floor (read + aggregate the same input), the full rebuild, and one incremental
night (D plus one late date). Writes a JSON record to bench/results/. With --work-dir, --reuse
keeps silver tables an earlier run built there with the same parameters (their build time is
read from build.json beside them) and starts from empty gold tables.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from pyspark.sql import SparkSession
from pyspark.sql import functions as F

from fcc.core.lakehouse import Lakehouse
from fcc.core.settings import AppConfig
from fcc.core.settings.features import CountryRiskList, FeaturesSettings
from fcc.core.spark import build_spark
from fcc.core.tables.gold_features import CUSTOMER_DAILY
from fcc.core.tables.silver import ADDRESS_LABELS, CUSTOMERS, TRANSACTIONS
from fcc.features import run_features
from fcc.features.windows import daily_span

SIZES = {"small": 100_000, "large": 1_000_000}
RAILS = ["sepa", "swift", "ach", "card", "onchain", "onchain", "internal", "trade"]
RESULTS = Path(__file__).resolve().parent / "results"


def _pick(values: list[str], r) -> F.Column:
    return F.element_at(
        F.array(*[F.lit(v) for v in values]), (F.floor(r * len(values)) + 1).cast("int")
    )


def build_silver(
    spark: SparkSession,
    lakehouse: Lakehouse,
    customers: int,
    days: int,
    txns_per_customer_day: float,
    as_of: date,
    seed: int,
) -> int:
    """Write synthetic silver tables; returns the number of transactions."""
    n = int(customers * days * txns_per_customer_day)
    start = datetime.combine(as_of - timedelta(days=days - 1), datetime.min.time(), UTC)
    seconds = F.lit(int(start.timestamp())) + F.floor(F.rand(seed + 1) * days * 86400).cast("long")
    rail = _pick(RAILS, F.rand(seed + 2))
    txns = (
        spark.range(n)
        .withColumn(
            "customer_id",
            F.format_string("c%07d", F.floor(F.pow(F.rand(seed), 2) * customers).cast("int")),
        )
        .withColumn("event_ts", F.timestamp_seconds(seconds))
        .withColumn("rail", rail)
        .withColumn("direction", _pick(["in", "out"], F.rand(seed + 3)))
        .withColumn(
            "asset_class",
            F.when(rail.isin("onchain", "trade"), F.lit("crypto")).otherwise(F.lit("fiat")),
        )
        .withColumn("amount_usd", (F.exp(F.rand(seed + 4) * 10) + 1).cast("decimal(24,6)"))
        .withColumn(
            "counterparty_id",
            F.when(
                rail == "onchain",
                F.format_string("addr%06d", F.floor(F.rand(seed + 5) * 200_000).cast("int")),
            )
            .when(
                rail == "internal",
                F.format_string("c%07d", F.floor(F.rand(seed + 6) * customers).cast("int")),
            )
            .when(rail == "trade", F.lit("BTC-USD"))
            .otherwise(
                F.format_string("iban%07d", F.floor(F.rand(seed + 7) * 500_000).cast("int"))
            ),
        )
        .select(
            F.concat(F.lit("B:"), F.col("id").cast("string")).alias("txn_id"),
            F.lit("bench").alias("source"),
            "rail",
            "event_ts",
            F.to_date("event_ts").alias("event_date"),
            "customer_id",
            F.col("customer_id").alias("account_id"),
            "direction",
            F.lit("USD").alias("asset"),
            "asset_class",
            F.col("amount_usd").cast("decimal(38,18)").alias("amount"),
            "amount_usd",
            F.when(rail == "onchain", "address")
            .when(rail == "internal", "customer")
            .when(rail == "trade", "market")
            .otherwise("bank_account")
            .alias("counterparty_type"),
            "counterparty_id",
            F.when(
                rail.isin("sepa", "swift", "ach"),
                _pick(["DE", "DE", "US", "GB", "FR", "IR", "NG"], F.rand(seed + 8)),
            ).alias("counterparty_country"),
            F.when(rail == "onchain", "BTC").alias("chain"),
            F.lit(None).cast("string").alias("tx_hash"),
            F.lit("bench").alias("batch_id"),
            F.current_timestamp().alias("ingested_at"),
        )
    )
    lakehouse.overwrite(TRANSACTIONS, txns)
    custs = spark.range(customers).select(
        F.format_string("c%07d", F.col("id").cast("int")).alias("customer_id"),
        _pick(
            ["retail", "retail", "retail", "hnw", "merchant", "institutional"], F.rand(seed + 9)
        ).alias("segment"),
        _pick(["DE", "US", "GB", "FR"], F.rand(seed + 10)).alias("residence_country"),
        (F.rand(seed + 11) * 50_000).cast("decimal(24,6)").alias("expected_monthly_volume_usd"),
    )
    for f in CUSTOMERS.schema.fields:
        if f.name not in custs.columns:
            custs = custs.withColumn(f.name, F.lit(None).cast(f.dataType))
    lakehouse.overwrite(CUSTOMERS, custs)
    labels = spark.range(2000).select(
        F.lit("BTC").alias("chain"),
        F.format_string("addr%06d", (F.col("id") * 97).cast("int")).alias("address"),
        _pick(["mixer", "sanctioned", "exchange", "gambling", "scam"], F.rand(seed + 12)).alias(
            "category"
        ),
        F.lit(None).cast("string").alias("entity_name"),
        F.lit(1.0).alias("confidence"),
        F.lit("bench").alias("source"),
        F.lit(None).cast("timestamp").alias("updated_at"),
    )
    lakehouse.overwrite(ADDRESS_LABELS, labels)
    return n


def _jvm_peak_rss_mb(spark: SparkSession) -> float | None:
    """Peak resident memory of the driver JVM so far (VmHWM), in MiB (Linux only)."""
    try:
        pid = spark._jvm.java.lang.ProcessHandle.current().pid()
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except Exception:  # noqa: BLE001 - best effort on non-Linux hosts
        return None
    return None


def _commit() -> str | None:
    """The checked-out commit of the code measured (with -dirty for local changes), if any."""
    try:
        out = subprocess.run(
            ["git", "describe", "--always", "--dirty"],
            cwd=Path(__file__).resolve().parent,
            capture_output=True,
            text=True,
            check=True,
        )
    except (OSError, subprocess.CalledProcessError):
        return None
    return out.stdout.strip()


def _timed(fn):
    t0 = time.monotonic()
    value = fn()
    return value, time.monotonic() - t0


def _silver(
    spark: SparkSession, lakehouse: Lakehouse, work: Path, params: dict, reuse: bool
) -> tuple[int, float]:
    """Build the silver tables, or reuse the ones built in `work` with the same parameters."""
    record = work / "build.json"
    if reuse and record.exists():
        built = json.loads(record.read_text())
        if built["params"] != params:
            raise SystemExit(f"{record} was built with {built['params']}, not {params}")
        for table in ("gold/customer_daily", "gold/features"):
            shutil.rmtree(work / "lakehouse" / table, ignore_errors=True)
        return built["transactions"], built["seconds"]
    n_txns, seconds = _timed(
        lambda: build_silver(
            spark,
            lakehouse,
            params["customers"],
            params["days"],
            params["txns_per_customer_day"],
            date.fromisoformat(params["as_of"]),
            params["seed"],
        )
    )
    record.write_text(json.dumps({"params": params, "transactions": n_txns, "seconds": seconds}))
    return n_txns, seconds


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=sorted(SIZES), default="small")
    parser.add_argument("--customers", type=int, help="overrides --size")
    parser.add_argument("--days", type=int, default=120, help="days of history")
    parser.add_argument("--txns-per-customer-day", type=float, default=0.1)
    parser.add_argument("--as-of", type=date.fromisoformat, default=date(2026, 11, 27))
    parser.add_argument("--master", default="local[*]")
    parser.add_argument("--driver-memory", default="6g")
    parser.add_argument("--shuffle-partitions", default="16")
    parser.add_argument(
        "--work-dir", help="scratch lakehouse (default: a temp dir, removed afterwards)"
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--reuse", action="store_true", help="reuse silver built in --work-dir")
    parser.add_argument("--build-only", action="store_true", help="build silver, time nothing")
    args = parser.parse_args(argv)
    if (args.reuse or args.build_only) and not args.work_dir:
        parser.error("--reuse and --build-only need --work-dir")
    customers = args.customers or SIZES[args.size]
    work = Path(args.work_dir or tempfile.mkdtemp(prefix="fcc-bench-features-"))
    spark = build_spark(
        "bench-features",
        args.master,
        {
            "spark.driver.memory": args.driver_memory,
            "spark.sql.shuffle.partitions": args.shuffle_partitions,
            "spark.ui.enabled": "false",
        },
        checkpoint_dir=str(work / "ckpt"),
    )
    lakehouse = Lakehouse(spark, str(work / "lakehouse"))
    cfg = AppConfig(
        features=FeaturesSettings(
            high_risk_lists=[
                CountryRiskList(
                    name="bench", published=date(2025, 6, 13), countries=["IR", "KP", "NG"]
                )
            ]
        )
    )
    D = args.as_of
    params = {
        "customers": customers,
        "days": args.days,
        "txns_per_customer_day": args.txns_per_customer_day,
        "as_of": D.isoformat(),
        "seed": args.seed,
    }
    try:
        n_txns, t_build = _silver(spark, lakehouse, work, params, args.reuse)
        if args.build_only:
            print(f"silver built in {work}: {n_txns} transactions, {t_build:.1f} s")
            return {"transactions": n_txns, "build_silver": t_build}
        # scan-only floor: read and aggregate the same input the step reads
        txns = lakehouse.read(TRANSACTIONS)
        _, t_scan_full = _timed(
            lambda: (
                txns.groupBy("customer_id", "event_date")
                .agg(F.sum("amount_usd"), F.count("*"))
                .write.format("noop")
                .mode("overwrite")
                .save()
            )
        )
        night = [D, D - timedelta(days=1), D - timedelta(days=3), D - timedelta(days=4)]
        _, t_scan_night = _timed(
            lambda: (
                txns.where(F.col("event_date").isin(night))
                .groupBy("customer_id", "event_date")
                .agg(F.sum("amount_usd"), F.count("*"))
                .write.format("noop")
                .mode("overwrite")
                .save()
            )
        )
        full, t_full = _timed(
            lambda: run_features(spark, lakehouse, cfg, D, "bench-full", full=True)
        )
        mem_full = _jvm_peak_rss_mb(spark)
        start, _ = daily_span(D, cfg.features)
        daily = lakehouse.read(CUSTOMER_DAILY)
        daily_rows = daily.count()
        _, t_scan_daily = _timed(
            lambda: (
                daily.where(F.col("event_date") >= F.lit(start))
                .groupBy("customer_id")
                .agg(F.sum("in_usd"), F.sum("out_usd"))
                .write.format("noop")
                .mode("overwrite")
                .save()
            )
        )
        inc, t_inc = _timed(
            lambda: run_features(
                spark, lakehouse, cfg, D, "bench-night", late_dates=[D - timedelta(days=3)]
            )
        )
        result = {
            "benchmark": "features",
            "when": datetime.now(UTC).isoformat(timespec="seconds"),
            "host": {
                "cpus": os.cpu_count(),
                "python": platform.python_version(),
                "spark": spark.version,
                "master": args.master,
                "driver_memory": args.driver_memory,
                "shuffle_partitions": args.shuffle_partitions,
                "load_avg_1m": os.getloadavg()[0],
                "commit": _commit(),
            },
            "data": {
                "customers": customers,
                "days": args.days,
                "transactions": n_txns,
                "customer_daily_rows": daily_rows,
                "features_rows": full["rows_out"],
                "silver_reused": args.reuse,
            },
            "seconds": {
                "build_silver": round(t_build, 1),
                "scan_floor_transactions_full": round(t_scan_full, 1),
                "scan_floor_transactions_night": round(t_scan_night, 1),
                "scan_floor_customer_daily_97d": round(t_scan_daily, 1),
                "features_full": round(t_full, 1),
                "features_incremental": round(t_inc, 1),
            },
            "rows_per_second": {
                "full_transactions": round(n_txns / t_full),
                "full_customers": round(customers / t_full),
                "incremental_customers": round(customers / t_inc),
            },
            "jvm_peak_rss_mb": {
                "after_full": mem_full,
                "after_incremental": _jvm_peak_rss_mb(spark),
            },
            "counts": {"full": full, "incremental": inc},
        }
    finally:
        spark.stop()
        if not args.work_dir:
            shutil.rmtree(work, ignore_errors=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"features_{customers}c_{datetime.now(UTC):%Y%m%dT%H%M%S}.json"
    out.write_text(json.dumps(result, indent=2, default=str))
    print(json.dumps(result, indent=2, default=str))
    print(f"written {out}")
    return result


if __name__ == "__main__":
    main()
