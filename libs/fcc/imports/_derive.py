"""Rows an import derives besides the mapped table: customers and identifiers, FX rates."""

from __future__ import annotations

import logging

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from fcc.core.tables import bronze
from fcc.imports._context import EPOCH, EPOCH_ISO, OUT, ImportContext, other_batches, write_batch
from fcc.imports._fields import Target, apply_targets, utc_wall_to_iso
from fcc.imports.mapping import EVENT_FIELD, DeriveCustomers, IdentifierMap
from fcc.quality.reasons import Check

log = logging.getLogger(__name__)


# ---- identifiers emitted per row of a customer file ---------------------------------


def _prefix(i: int) -> str:
    return f"__i{i}_"


def apply_identifier_maps(
    ctx: ImportContext, df: DataFrame, maps: list[IdentifierMap]
) -> tuple[DataFrame, list[Check]]:
    """Add the value, customer and first-seen columns of every identifier mapping."""
    checks: list[Check] = []
    for i, ident in enumerate(maps):
        targets = [Target("value", ident.value, "string", False)]
        if ident.customer_id is not None:
            targets.append(Target("customer_id", ident.customer_id, "string", False))
        if ident.first_seen is not None:
            targets.append(Target("first_seen", ident.first_seen, "timestamp", False))
        df, more = apply_targets(df, targets, ctx.mapping.time_zone, ctx.session_tz, _prefix(i))
        checks += [Check(c.code.replace(":", f":identifiers[{i}].", 1), c.fails) for c in more]
    return df, checks


def identifier_rows(
    ctx: ImportContext, good: DataFrame, maps: list[IdentifierMap], landed: Column
) -> DataFrame:
    """bronze.identifiers rows: one per identifier mapping and row with a value."""
    frames = []
    for i, ident in enumerate(maps):
        p = _prefix(i)
        customer = F.col(p + "customer_id") if ident.customer_id else F.col(OUT + "customer_id")
        first = F.col(p + "first_seen") if ident.first_seen else F.lit(None).cast("string")
        frames.append(
            good.where(F.col(p + "value").isNotNull() & customer.isNotNull()).select(
                customer.alias("customer_id"),
                F.lit(ident.id_type).alias("id_type"),
                F.col(p + "value").alias("id_value"),
                first.alias("first_seen"),
                landed.alias("landed_at"),
            )
        )
    out = frames[0]
    for f in frames[1:]:
        out = out.unionByName(f)
    return out.dropDuplicates(["customer_id", "id_type", "id_value"])


# ---- customers derived from the accounts seen ----------------------------------------


def customers_seen_plain(good: DataFrame, kind: str, mapped: set[str]) -> DataFrame:
    """customer_id, account, ts (UTC wall) of a transaction table mapped field by field."""

    def f(name: str) -> Column:
        return F.col(OUT + name) if name in mapped else F.lit(None).cast("string")

    event = EVENT_FIELD[kind]
    ts = F.col(f"{OUT}t_{event}") if event in mapped else F.lit(None).cast("timestamp_ntz")
    if kind == "internal":
        sides = [f("from_customer_id"), f("to_customer_id")]
        frames = [
            good.select(
                c.alias("customer_id"), F.lit(None).cast("string").alias("account"), ts.alias("ts")
            )
            for c in sides
        ]
        return frames[0].unionByName(frames[1])
    account = f("account_id") if kind == "fiat" else F.lit(None).cast("string")
    return good.select(
        f("customer_id").alias("customer_id"), account.alias("account"), ts.alias("ts")
    )


def derived_customers(ctx: ImportContext, seen: DataFrame, cfg: DeriveCustomers) -> DataFrame:
    """One bronze customer per id seen and not already delivered by another batch.

    A derived customer is a placeholder: updated_at is 1970-01-01, so any real KYC record of
    the same id replaces it in silver, and it lands at the epoch so every business date sees it.
    """
    known = other_batches(ctx, bronze.CUSTOMERS).select("customer_id")
    first = (
        seen.where(F.col("customer_id").isNotNull())
        .groupBy("customer_id")
        .agg(F.min("ts").alias("first"))
        .join(known, "customer_id", "left_anti")
    )
    none = F.lit(None).cast("string")
    return first.select(
        "customer_id",
        none.alias("full_name"),
        none.alias("given_name"),
        none.alias("family_name"),
        none.alias("name_script"),
        none.alias("dob"),
        none.alias("nationality"),
        F.lit(cfg.residence_country).cast("string").alias("residence_country"),
        none.alias("occupation"),
        F.lit(cfg.segment).cast("string").alias("segment"),
        utc_wall_to_iso(F.col("first")).alias("onboarded_at"),
        none.alias("expected_monthly_volume"),
        F.lit(None).cast("boolean").alias("is_pep"),
        F.lit(EPOCH_ISO).alias("updated_at"),
        F.lit(EPOCH).alias("landed_at"),
    )


def derived_identifiers(ctx: ImportContext, seen: DataFrame, cfg: DeriveCustomers) -> DataFrame:
    """bronze.identifiers (bank_account) for every customer and account seen, landing at first use."""
    known = other_batches(ctx, bronze.IDENTIFIERS).select("customer_id", "id_type", "id_value")
    value = F.sha2(F.col("account"), 256) if cfg.hash_accounts else F.col("account")
    return (
        seen.where(F.col("customer_id").isNotNull() & F.col("account").isNotNull())
        .groupBy("customer_id", value.alias("id_value"))
        .agg(F.min("ts").alias("first"))
        .withColumn("id_type", F.lit("bank_account"))
        .join(known, ["customer_id", "id_type", "id_value"], "left_anti")
        .select(
            "customer_id",
            "id_type",
            "id_value",
            utc_wall_to_iso(F.col("first")).alias("first_seen"),
            F.coalesce(ctx.instant(F.col("first")), F.lit(EPOCH)).alias("landed_at"),
        )
    )


def write_derived(ctx: ImportContext, seen: DataFrame, cfg: DeriveCustomers) -> dict[str, int]:
    seen = seen.localCheckpoint(eager=True)
    counts = {
        "derived_customers": write_batch(ctx, bronze.CUSTOMERS, derived_customers(ctx, seen, cfg))
    }
    if cfg.bank_account_identifiers:
        counts["derived_identifiers"] = write_batch(
            ctx, bronze.IDENTIFIERS, derived_identifiers(ctx, seen, cfg)
        )
    return counts


# ---- FX ------------------------------------------------------------------------------


def write_fx(
    ctx: ImportContext, seen: DataFrame, rates: dict[str, str], base: str
) -> dict[str, int]:
    """bronze.fx_rates for every (date, currency) used and not yet delivered by another batch.

    The rates are the mapping's static table (approximate, one rate per currency for every
    date); a currency missing from it is logged and left for ingest to quarantine (NO_FX_RATE).
    """
    spark = ctx.spark
    table = spark.createDataFrame(sorted(rates.items()), "currency string, usd_per_unit string")
    needed = seen.where(F.col("currency").isNotNull() & (F.col("currency") != F.lit(base.upper())))
    known = other_batches(ctx, bronze.FX_RATES).select(
        F.col("rate_date").alias("_kd"), F.col("currency").alias("_kc")
    )
    dated = needed.withColumn("_d", F.date_format("rate_date", "yyyy-MM-dd"))
    rows = (
        dated.join(F.broadcast(table), "currency")
        .join(
            known, (F.col("_d") == F.col("_kd")) & (F.col("currency") == F.col("_kc")), "left_anti"
        )
        .select(
            F.col("_d").alias("rate_date"),
            "currency",
            "usd_per_unit",
            ctx.instant(F.col("rate_date")).alias("landed_at"),
        )
    )
    unpriced = [
        r["currency"]
        for r in needed.join(table, "currency", "left_anti").select("currency").distinct().collect()
    ]  # bounded by the currencies of the file
    if unpriced:
        log.warning("import batch=%s: no static USD rate for %s", ctx.batch_id, sorted(unpriced))
    return {
        bronze.FX_RATES.qualified: write_batch(ctx, bronze.FX_RATES, rows),
        "fx_unpriced_currencies": len(unpriced),
    }
