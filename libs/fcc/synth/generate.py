"""Write the bronze tables and the ground truth of one synthetic data set."""

from __future__ import annotations

import logging
import time
from datetime import date

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from fcc.core.lakehouse import Lakehouse, conform
from fcc.core.settings.synth import SynthSettings
from fcc.core.tables import bronze, truth
from fcc.synth import _flows, _lookalikes, _people, _planted
from fcc.synth._context import Ctx, build_layout

log = logging.getLogger(__name__)

DEFAULT_END_DATE = date(2026, 11, 27)


def _union(frames: list[DataFrame]) -> DataFrame:
    out = frames[0]
    for f in frames[1:]:
        out = out.unionByName(f)
    return out


def _in_window(ctx: Ctx, df: DataFrame) -> DataFrame:
    return df.where(F.col("ts") < F.lit(float(ctx.end_unix)))


def generate(
    spark: SparkSession,
    out_root: str,
    customers: int,
    days: int,
    seed: int,
    end_date: date | str | None = None,
    cfg: SynthSettings | None = None,
) -> dict[str, int]:
    """Generate bronze sources and truth under `out_root`; returns row counts per table.

    The same (customers, days, seed, end_date, cfg) always gives identical tables.
    """
    if customers < 1 or days < 1:
        raise ValueError("customers and days must be positive")
    if isinstance(end_date, str):
        end_date = date.fromisoformat(end_date)
    ctx = Ctx(spark, seed, customers, days, end_date or DEFAULT_END_DATE, cfg or SynthSettings())
    build_layout(ctx)
    lh = Lakehouse(spark, out_root)
    t_all = time.monotonic()

    members, details = _planted.plan(ctx)
    members = members.localCheckpoint()
    details = details.localCheckpoint()
    # the customer frame is reused by every source: materialise it to cut its lineage
    cust = _people.customers(ctx, members).localCheckpoint()

    timings: dict[str, float] = {}

    def write(spec, *parts: DataFrame) -> None:
        """The table's parts (background, planted, look-alikes) in one overwrite: one commit."""
        t = time.monotonic()
        lh.overwrite(spec, _union([conform(df, spec) for df in parts]))
        timings[spec.qualified] = round(time.monotonic() - t, 1)
        log.info("synth wrote %s in %.1fs", spec.qualified, time.monotonic() - t)

    write(bronze.CUSTOMERS, _people.kyc_rows(ctx, cust))
    write(bronze.IDENTIFIERS, _people.identifier_rows(ctx, cust))
    write(bronze.WATCHLISTS, _people.watchlist_rows(ctx, cust))
    write(bronze.ADDRESS_INTEL, _flows.address_intel_rows(ctx))
    write(bronze.FX_RATES, _flows.fx_rows(ctx))

    # planted rows: one union per source, then the customer and name tables joined once
    planted = _planted.plant(ctx)
    p_fiat = _in_window(
        ctx, _flows.fiat_final(ctx, _planted.resolve_fiat(ctx, _union(planted.fiat), cust))
    ).localCheckpoint()
    p_chain = _in_window(
        ctx, _flows.onchain_final(ctx, _planted.resolve_onchain(_union(planted.onchain), cust))
    ).localCheckpoint()
    p_int = _in_window(
        ctx, _flows.internal_final(ctx, _planted.resolve_internal(_union(planted.internal), cust))
    ).localCheckpoint()
    p_trd = _in_window(
        ctx, _flows.trades_final(ctx, _planted.resolve_trades(_union(planted.trades), cust))
    ).localCheckpoint()

    bg = _flows.background(ctx, cust)
    bg_chain, bg_ext = _flows.bg_onchain(ctx, bg)

    write(
        bronze.FIAT_LEDGER,
        _flows.bg_fiat(ctx, bg),
        p_fiat,
        _flows.fiat_final(ctx, _lookalikes.fiat_lookalikes(ctx, cust)),
    )
    write(
        bronze.ONCHAIN_TRANSFERS,
        bg_chain,
        p_chain,
        _flows.onchain_final(ctx, _lookalikes.market_maker(ctx, cust)),
    )
    write(bronze.INTERNAL_TRANSFERS, _flows.bg_internal(ctx, bg, cust), p_int)
    write(bronze.TRADES, _flows.bg_trades(ctx, bg), p_trd)
    write(
        bronze.CHAIN_TRANSFERS,
        *(
            _flows.chain_final(
                ctx,
                _flows.fill(e, _flows.EXT_COLS).where(F.col("ts") < F.lit(float(ctx.end_unix))),
            )
            for e in [bg_ext, _flows.hub_traffic(ctx), *planted.ext]
        ),
    )
    bg.unpersist()

    txns = _union([d.select("inst", "txn_ids", "ts") for d in (p_fiat, p_chain, p_int, p_trd)])
    write(truth.TYPOLOGY_INSTANCES, _instances(ctx, members, details, cust, txns))
    write(truth.CUSTOMER_LABELS, _labels(cust))

    # each table was written once: its commit holds its rows (no job to count them again)
    counts = {
        spec.qualified: int(lh.last_commit_metrics(spec).get("numOutputRows", 0))
        for spec in (*bronze.ALL, *truth.ALL)
    }
    log.info(
        "synth generated %d customers x %d days (seed %d) in %.1fs: %s (write seconds %s)",
        customers,
        days,
        seed,
        time.monotonic() - t_all,
        counts,
        timings,
    )
    return counts


def _instances(
    ctx: Ctx, members: DataFrame, details: DataFrame, cust: DataFrame, txns: DataFrame
) -> DataFrame:
    """truth.typology_instances: customers, canonical txn ids, time span and parameters per instance."""
    ids = cust.select("idx", "customer_id")
    who = (
        members.join(ids, "idx")
        .groupBy("instance_id")
        .agg(
            F.array_sort(F.collect_list("customer_id")).alias("customer_ids"),
            F.min("idx").alias("_first"),
            F.first("typology").alias("typology"),
        )
    )
    what = (
        txns.where(F.col("inst").isNotNull())
        .select("inst", F.explode("txn_ids").alias("txn_id"), "ts")
        .groupBy(F.col("inst").alias("instance_id"))
        .agg(
            F.array_sort(F.collect_list("txn_id")).alias("txn_ids"),
            F.min("ts").alias("t0"),
            F.max("ts").alias("t1"),
        )
    )
    wl = cust.where(F.col("typology") == "watchlist_name_variant").select(
        "instance_id",
        F.col("onboarded").cast("double").alias("wl_ts"),
        F.to_json(
            F.struct(
                F.concat(F.lit("SYNTH:"), F.lpad(F.col("wl_entry").cast("string"), 6, "0")).alias(
                    "entry_id"
                ),
                F.col("wl_kind").alias("variant"),
                F.col("wl_dob_match").alias("dob_match"),
            )
        ).alias("wl_detail"),
    )
    det = details.select(F.col("inst").alias("instance_id"), "detail")
    out = (
        who.join(what, "instance_id", "left")
        .join(det, "instance_id", "left")
        .join(wl, "instance_id", "left")
    )
    start = F.coalesce(F.col("t0"), F.col("wl_ts"))
    end = F.coalesce(F.col("t1"), F.col("wl_ts"))
    return out.select(
        "instance_id",
        "typology",
        "customer_ids",
        F.coalesce(F.col("txn_ids"), F.array().cast("array<string>")).alias("txn_ids"),
        F.timestamp_seconds(start.cast("long")).alias("start_ts"),
        F.timestamp_seconds(end.cast("long")).alias("end_ts"),
        F.coalesce(F.col("detail"), F.col("wl_detail")).alias("detail"),
    )


def _labels(cust: DataFrame) -> DataFrame:
    """truth.customer_labels: suspicious flag, typology tags and look-alike kind per customer."""
    planted = F.col("typology").isNotNull()
    return cust.select(
        "customer_id",
        planted.alias("is_suspicious"),
        F.when(planted, F.array("typology"))
        .otherwise(F.array().cast("array<string>"))
        .alias("typologies"),
        F.when(~planted, _lookalikes.lookalike_label(cust)).alias("lookalike"),
    )
