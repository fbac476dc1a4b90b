"""Two-sided transfer rows -> bronze internal transfers or fiat ledger legs, and their labels.

Routing (`transfers.internal_when`, default: both accounts at the same institution):
- internal: one bronze.internal_transfers row (sender and receiver are both customers);
- otherwise: two bronze.fiat_ledger rows, a DEBIT for the sender (`<id>:D`, amount paid) and a
  CREDIT for the receiver (`<id>:C`, amount received), each naming the other side's account.
"""

from __future__ import annotations

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from fcc.core.tables import bronze, truth
from fcc.imports._context import ImportContext, write_batch
from fcc.imports.mapping import TRANSFER_FIELDS, Transfers

LABEL_COLUMNS = ("suspicious", "typology", "instance_id")


def normalise(good: DataFrame, tr: Transfers, out: str) -> DataFrame:
    """Transfer fields under their own names (defaults filled), `__ts` (UTC wall) and `__internal`."""
    mapped = set(tr.fields)

    def f(name: str) -> Column:
        return F.col(out + name) if name in mapped else F.lit(None).cast("string")

    defaults = {
        "from_customer": "from_account",
        "to_customer": "to_account",
        "amount_received": "amount",
        "currency_received": "currency",
    }
    cols = [
        (F.coalesce(f(n), f(defaults[n])) if n in defaults else f(n)).alias(n)
        for n in TRANSFER_FIELDS
    ]
    labels = [
        F.col(f"__lab_{c}").alias(f"__lab_{c}")
        for c in LABEL_COLUMNS
        if f"__lab_{c}" in good.columns
    ]
    rows = good.select(*cols, F.col(f"{out}t_timestamp").alias("__ts"), *labels)
    return rows.withColumn("__internal", F.coalesce(F.expr(tr.internal_when), F.lit(False)))


def _account(c: Column, hashed: bool) -> Column:
    return F.sha2(c, 256) if hashed else c


def internal_rows(t: DataFrame, ctx: ImportContext) -> DataFrame:
    """bronze.internal_transfers rows of the transfers routed internal."""
    return t.where(F.col("__internal")).select(
        F.col("transfer_id"),
        F.col("from_customer").alias("from_customer_id"),
        F.col("to_customer").alias("to_customer_id"),
        F.col("currency").alias("asset"),
        F.col("amount"),
        F.col("timestamp").alias("created_at"),
        F.col("reference").alias("memo"),
        ctx.landed_at(F.col("__ts")).alias("landed_at"),
    )


def fiat_rows(t: DataFrame, ctx: ImportContext) -> DataFrame:
    """bronze.fiat_ledger rows: a DEBIT and a CREDIT leg per transfer not routed internal."""
    hashed = ctx.mapping.transfers.hash_accounts
    rows = t.where(~F.col("__internal"))
    common = [
        F.col("timestamp").alias("booked_at"),
        F.col("method"),
        F.col("counterparty_bank_country"),
        F.col("reference"),
        ctx.landed_at(F.col("__ts")).alias("landed_at"),
    ]
    debit = rows.select(
        F.concat(F.col("transfer_id"), F.lit(":D")).alias("ledger_id"),
        F.col("from_customer").alias("customer_id"),
        F.col("from_account").alias("account_id"),
        F.lit("DEBIT").alias("entry_type"),
        F.col("currency"),
        F.col("amount"),
        F.col("to_name").alias("counterparty_name"),
        _account(F.col("to_account"), hashed).alias("counterparty_account"),
        *common,
    )
    credit = rows.select(
        F.concat(F.col("transfer_id"), F.lit(":C")).alias("ledger_id"),
        F.col("to_customer").alias("customer_id"),
        F.col("to_account").alias("account_id"),
        F.lit("CREDIT").alias("entry_type"),
        F.col("currency_received").alias("currency"),
        F.col("amount_received").alias("amount"),
        F.col("from_name").alias("counterparty_name"),
        _account(F.col("from_account"), hashed).alias("counterparty_account"),
        *common,
    )
    return debit.unionByName(credit)


def write_transfers(ctx: ImportContext, t: DataFrame) -> dict[str, int]:
    return {
        bronze.INTERNAL_TRANSFERS.qualified: write_batch(
            ctx, bronze.INTERNAL_TRANSFERS, internal_rows(t, ctx)
        ),
        bronze.FIAT_LEDGER.qualified: write_batch(ctx, bronze.FIAT_LEDGER, fiat_rows(t, ctx)),
    }


def customers_seen(t: DataFrame) -> DataFrame:
    """customer_id, account, ts (UTC wall) for both sides of every transfer."""
    sender = t.select(
        F.col("from_customer").alias("customer_id"), F.col("from_account").alias("account"), "__ts"
    )
    receiver = t.select(
        F.col("to_customer").alias("customer_id"), F.col("to_account").alias("account"), "__ts"
    )
    return sender.unionByName(receiver).withColumnRenamed("__ts", "ts")


def currencies_seen(t: DataFrame) -> DataFrame:
    """rate_date, currency of every amount (paid and received)."""
    day = F.to_date(F.col("__ts"))
    return (
        t.select(day.alias("rate_date"), F.col("currency"))
        .unionByName(t.select(day.alias("rate_date"), F.col("currency_received").alias("currency")))
        .distinct()
    )


# ---- labels ---------------------------------------------------------------------------


def txn_ids(internal: Column, transfer_id: Column) -> Column:
    """Canonical silver txn ids ingest gives the rows of one transfer (both legs)."""
    return F.when(
        internal,
        F.array(
            F.concat(F.lit("INT:"), transfer_id, F.lit(":out")),
            F.concat(F.lit("INT:"), transfer_id, F.lit(":in")),
        ),
    ).otherwise(
        F.array(
            F.concat(F.lit("FIAT:"), transfer_id, F.lit(":D")),
            F.concat(F.lit("FIAT:"), transfer_id, F.lit(":C")),
        )
    )


def customer_labels(t: DataFrame) -> DataFrame:
    """truth.customer_labels: every customer seen; suspicious when in any suspicious transfer."""
    sides = t.select(
        F.explode(F.array_distinct(F.array("from_customer", "to_customer"))).alias("customer_id"),
        F.col("__lab_suspicious").alias("s"),
        F.col("__lab_typology").alias("typology"),
    )
    return sides.groupBy("customer_id").agg(
        F.max("s").alias("is_suspicious"),
        F.array_sort(F.collect_set(F.when(F.col("s"), F.col("typology")))).alias("typologies"),
        F.lit(None).cast("string").alias("lookalike"),
    )


def instances(t: DataFrame, ctx: ImportContext) -> DataFrame:
    """truth.typology_instances: suspicious transfers grouped by instance id (else one each)."""
    sus = t.where(F.col("__lab_suspicious"))
    instance = F.coalesce(F.col("__lab_instance_id"), F.concat(F.lit("TXN:"), F.col("transfer_id")))
    ts = ctx.instant(F.col("__ts"))
    return (
        sus.select(
            instance.alias("instance_id"),
            F.col("__lab_typology").alias("typology"),
            F.array("from_customer", "to_customer").alias("customers"),
            txn_ids(F.col("__internal"), F.col("transfer_id")).alias("txns"),
            ts.alias("ts"),
        )
        .groupBy("instance_id")
        .agg(
            F.min("typology").alias("typology"),
            F.array_sort(F.array_distinct(F.flatten(F.collect_list("customers")))).alias(
                "customer_ids"
            ),
            F.array_sort(F.flatten(F.collect_list("txns"))).alias("txn_ids"),
            F.min("ts").alias("start_ts"),
            F.max("ts").alias("end_ts"),
            F.count("*").alias("_n"),
        )
        .withColumn(
            "detail",
            F.to_json(
                F.struct(
                    F.lit("import").alias("origin"),
                    F.lit(ctx.batch_id).alias("batch_id"),
                    F.col("_n").alias("transfers"),
                )
            ),
        )
        .drop("_n")
    )


def write_labels(ctx: ImportContext, t: DataFrame) -> dict[str, int]:
    """MERGE customer labels (never downgrading a suspicious one) and instances."""
    labels = customer_labels(t)
    ctx.lakehouse.merge(
        truth.CUSTOMER_LABELS, labels, update_condition="s.is_suspicious OR NOT t.is_suspicious"
    )
    counts = {truth.CUSTOMER_LABELS.qualified: labels.count()}
    if ctx.mapping.labels.instances:
        inst = instances(t, ctx)
        ctx.lakehouse.merge(truth.TYPOLOGY_INSTANCES, inst)
        counts[truth.TYPOLOGY_INSTANCES.qualified] = inst.count()
    return counts
