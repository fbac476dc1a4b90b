"""Adapters of the four money-movement sources onto the canonical silver.transactions schema."""

from __future__ import annotations

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from fcc.core.tables import bronze, silver
from fcc.ingest._common import (
    IngestContext,
    Source,
    asset_class,
    country,
    decimal,
    iso_or_epoch_ts,
    iso_ts,
    parses,
    r,
    required,
    strip,
    usd,
    with_known_customer,
    with_rate,
)
from fcc.ingest.addresses import CHAINS, is_valid_address, normalize_address, normalize_chain
from fcc.quality.reasons import (
    FUTURE_TIMESTAMP,
    MALFORMED_ADDRESS,
    NO_FX_RATE,
    NON_POSITIVE_AMOUNT,
    UNKNOWN_CURRENCY,
    UNKNOWN_CUSTOMER,
    Check,
    bad_type,
    with_reasons,
)

RAILS = {
    "SEPA": "sepa",
    "SWIFT": "swift",
    "ACH": "ach",
    "FASTER_PAYMENTS": "faster_payments",
    "CARD": "card",
}
_TXN_COLUMNS = [f.name for f in silver.TRANSACTIONS.schema.fields]


def _lookup(c: Column, mapping: dict[str, str]) -> Column:
    """Map upper-cased trimmed values through `mapping`; others null."""
    key = F.upper(strip(c))
    expr = F.lit(None).cast("string")
    for k, v in mapping.items():
        expr = F.when(key == F.lit(k), F.lit(v)).otherwise(expr)
    return expr


def _timed(ts: Column) -> dict[str, Column]:
    return {"event_ts": ts, "event_date": F.to_date(ts)}


def _common_checks(ctx: IngestContext, amount_raw: str, classes: tuple[str, ...]) -> list[Check]:
    """Amount, currency, FX, future-time and customer checks shared by every transaction source."""
    cutoff = F.lit(ctx.future_cutoff)
    return [
        Check(NON_POSITIVE_AMOUNT, F.col("amount") <= 0),
        Check(
            UNKNOWN_CURRENCY,
            F.col("asset").isNotNull()
            & ~F.coalesce(F.col("asset_class").isin(*classes), F.lit(False)),
        ),
        Check(
            NO_FX_RATE,
            F.col("asset_class").isin(*classes)
            & F.col("event_date").isNotNull()
            & F.col("_rate").isNull(),
        ),
        Check(  # USD value does not fit the table's decimal: treat the amount as malformed
            bad_type(amount_raw),
            F.col("amount").isNotNull() & F.col("_rate").isNotNull() & F.col("amount_usd").isNull(),
        ),
        Check(FUTURE_TIMESTAMP, F.col("event_ts") > cutoff),
    ]


# ---- fiat_ledger ----------------------------------------------------------------------


def _fiat_validate(df: DataFrame, ctx: IngestContext) -> DataFrame:
    s = ctx.settings
    typed = (
        df.withColumns(
            {
                "txn_id": F.concat(F.lit("FIAT:"), strip(r("ledger_id"))),
                "source": F.lit("fiat_ledger"),
                "rail": _lookup(r("method"), RAILS),
                **_timed(iso_ts(r("booked_at"))),
                "customer_id": strip(r("customer_id")),
                "account_id": strip(r("account_id")),
                "direction": _lookup(r("entry_type"), {"CREDIT": "in", "DEBIT": "out"}),
                "asset": F.upper(strip(r("currency"))),
                "amount": decimal(r("amount")),
                "counterparty_type": F.lit("bank_account"),
                "counterparty_id": strip(r("counterparty_account")),
                "counterparty_country": country(r("counterparty_bank_country")),
                "chain": F.lit(None).cast("string"),
                "tx_hash": F.lit(None).cast("string"),
            }
        )
        .withColumn("asset_class", asset_class(F.col("asset"), s))
        .transform(with_rate(ctx.rates(), "asset", "event_date", "_rate", s.base_currency))
        .withColumn("amount_usd", usd(F.col("amount"), F.col("_rate")))
        .transform(with_known_customer(ctx.customer_ids(), "customer_id", "_known"))
    )
    checks = [
        *required(
            "ledger_id", "customer_id", "booked_at", "entry_type", "method", "currency", "amount"
        ),
        parses("booked_at", "event_ts"),
        parses("entry_type", "direction"),
        parses("method", "rail"),
        parses("amount", "amount"),
        parses("counterparty_bank_country", "counterparty_country"),
        *_common_checks(ctx, "amount", ("fiat",)),
        Check(UNKNOWN_CUSTOMER, F.col("customer_id").isNotNull() & ~F.col("_known")),
    ]
    return typed.transform(with_reasons(checks))


def _single_leg(df: DataFrame, ctx: IngestContext) -> DataFrame:
    return df.withColumn("ingested_at", F.lit(ctx.now)).select(_TXN_COLUMNS)


FIAT = Source(
    bronze.FIAT_LEDGER,
    silver.TRANSACTIONS,
    required=(
        "ledger_id",
        "customer_id",
        "booked_at",
        "entry_type",
        "method",
        "currency",
        "amount",
    ),
    validate=_fiat_validate,
    to_silver=_single_leg,
    match_keys=("txn_id",),
    late_dates=True,
    clock=("booked_at", iso_ts),
)


# ---- onchain_transfers ----------------------------------------------------------------


def _onchain_validate(df: DataFrame, ctx: IngestContext) -> DataFrame:
    s = ctx.settings
    chain = normalize_chain(r("chain"))
    direction = _lookup(r("direction"), {"DEPOSIT": "in", "WITHDRAWAL": "out"})
    sender = normalize_address(chain, r("from_address"))
    receiver = normalize_address(chain, r("to_address"))
    typed = (
        df.withColumns(
            {
                "txn_id": F.concat(F.lit("CHAIN:"), strip(r("transfer_id"))),
                "source": F.lit("onchain_transfers"),
                "rail": F.lit("onchain"),
                **_timed(iso_or_epoch_ts(r("block_time"))),
                "customer_id": strip(r("customer_id")),
                "account_id": F.when(direction == "in", receiver).when(direction == "out", sender),
                "direction": direction,
                "asset": F.upper(strip(r("asset"))),
                "amount": decimal(r("amount")),
                "counterparty_type": F.lit("address"),
                "counterparty_id": F.when(direction == "in", sender).when(
                    direction == "out", receiver
                ),
                "counterparty_country": F.lit(None).cast("string"),
                "chain": F.when(chain.isin(*CHAINS), chain),
                "tx_hash": F.lower(strip(r("tx_hash"))),
                "_addresses_ok": is_valid_address(chain, r("from_address"))
                & is_valid_address(chain, r("to_address")),
            }
        )
        .withColumn("asset_class", asset_class(F.col("asset"), s))
        .transform(with_rate(ctx.rates(), "asset", "event_date", "_rate", s.base_currency))
        .withColumn("amount_usd", usd(F.col("amount"), F.col("_rate")))
        .transform(with_known_customer(ctx.customer_ids(), "customer_id", "_known"))
    )
    cols = (
        "transfer_id",
        "customer_id",
        "chain",
        "asset",
        "direction",
        "tx_hash",
        "from_address",
        "to_address",
        "amount",
        "block_time",
    )
    checks = [
        *required(*cols),
        parses("chain", "chain"),
        parses("direction", "direction"),
        parses("block_time", "event_ts"),
        parses("amount", "amount"),
        Check(
            MALFORMED_ADDRESS,
            F.col("chain").isNotNull()
            & r("from_address").isNotNull()
            & r("to_address").isNotNull()
            & ~F.col("_addresses_ok"),
        ),
        *_common_checks(ctx, "amount", ("crypto", "stablecoin")),
        Check(UNKNOWN_CUSTOMER, F.col("customer_id").isNotNull() & ~F.col("_known")),
    ]
    return typed.transform(with_reasons(checks))


ONCHAIN = Source(
    bronze.ONCHAIN_TRANSFERS,
    silver.TRANSACTIONS,
    required=(
        "transfer_id",
        "customer_id",
        "chain",
        "asset",
        "direction",
        "tx_hash",
        "from_address",
        "to_address",
        "amount",
        "block_time",
    ),
    validate=_onchain_validate,
    to_silver=_single_leg,
    match_keys=("txn_id",),
    late_dates=True,
    clock=("block_time", iso_or_epoch_ts),
)


# ---- internal_transfers ---------------------------------------------------------------


def _internal_validate(df: DataFrame, ctx: IngestContext) -> DataFrame:
    s = ctx.settings
    ids = ctx.customer_ids()
    typed = (
        df.withColumns(
            {
                "_id": strip(r("transfer_id")),
                "source": F.lit("internal_transfers"),
                "rail": F.lit("internal"),
                **_timed(iso_ts(r("created_at"))),
                "customer_id": strip(r("from_customer_id")),
                "_to_customer": strip(r("to_customer_id")),
                "asset": F.upper(strip(r("asset"))),
                "amount": decimal(r("amount")),
            }
        )
        .withColumn("txn_id", F.concat(F.lit("INT:"), F.col("_id"), F.lit(":out")))
        .withColumn("asset_class", asset_class(F.col("asset"), s))
        .transform(with_rate(ctx.rates(), "asset", "event_date", "_rate", s.base_currency))
        .withColumn("amount_usd", usd(F.col("amount"), F.col("_rate")))
        .transform(with_known_customer(ids, "customer_id", "_known_from"))
        .transform(with_known_customer(ids, "_to_customer", "_known_to"))
    )
    checks = [
        *required(
            "transfer_id", "from_customer_id", "to_customer_id", "asset", "amount", "created_at"
        ),
        parses("created_at", "event_ts"),
        parses("amount", "amount"),
        *_common_checks(ctx, "amount", ("fiat", "crypto", "stablecoin")),
        Check(
            UNKNOWN_CUSTOMER,
            (F.col("customer_id").isNotNull() & ~F.col("_known_from"))
            | (F.col("_to_customer").isNotNull() & ~F.col("_known_to")),
        ),
    ]
    return typed.transform(with_reasons(checks))


def _internal_legs(df: DataFrame, ctx: IngestContext) -> DataFrame:
    """One row for each customer side: the sender's `out` and the receiver's `in`."""
    common = {
        "account_id": F.lit(None).cast("string"),
        "counterparty_type": F.lit("customer"),
        "counterparty_country": F.lit(None).cast("string"),
        "chain": F.lit(None).cast("string"),
        "tx_hash": F.lit(None).cast("string"),
        "ingested_at": F.lit(ctx.now),
    }
    out_leg = df.withColumns(
        {
            **common,
            "txn_id": F.concat(F.lit("INT:"), F.col("_id"), F.lit(":out")),
            "direction": F.lit("out"),
            "counterparty_id": F.col("_to_customer"),
        }
    )
    in_leg = df.withColumns(
        {
            **common,
            "txn_id": F.concat(F.lit("INT:"), F.col("_id"), F.lit(":in")),
            "direction": F.lit("in"),
            "counterparty_id": F.col("customer_id"),
            "customer_id": F.col("_to_customer"),
        }
    )
    return out_leg.select(_TXN_COLUMNS).unionByName(in_leg.select(_TXN_COLUMNS))


INTERNAL = Source(
    bronze.INTERNAL_TRANSFERS,
    silver.TRANSACTIONS,
    required=("transfer_id", "from_customer_id", "to_customer_id", "asset", "amount", "created_at"),
    validate=_internal_validate,
    to_silver=_internal_legs,
    match_keys=("txn_id",),
    legs=2,
    late_dates=True,
    clock=("created_at", iso_ts),
)


# ---- trades ---------------------------------------------------------------------------


def _trade_validate(df: DataFrame, ctx: IngestContext) -> DataFrame:
    s = ctx.settings
    rates = ctx.rates()
    typed = (
        df.withColumns(
            {
                "_id": strip(r("trade_id")),
                "source": F.lit("trades"),
                "rail": F.lit("trade"),
                **_timed(iso_ts(r("executed_at"))),
                "customer_id": strip(r("customer_id")),
                "_side": _lookup(r("side"), {"BUY": "BUY", "SELL": "SELL"}),
                "_base": F.upper(strip(r("base_asset"))),
                "_quote": F.upper(strip(r("quote_asset"))),
                "_base_amount": decimal(r("base_amount")),
                "_quote_amount": decimal(r("quote_amount")),
            }
        )
        .withColumn("txn_id", F.concat(F.lit("TRD:"), F.col("_id"), F.lit(":base")))
        .withColumn("_base_class", asset_class(F.col("_base"), s))
        .withColumn("_quote_class", asset_class(F.col("_quote"), s))
        .transform(with_rate(rates, "_base", "event_date", "_base_rate", s.base_currency))
        .transform(with_rate(rates, "_quote", "event_date", "_quote_rate", s.base_currency))
        .withColumn("_base_usd", usd(F.col("_base_amount"), F.col("_base_rate")))
        .withColumn("_quote_usd", usd(F.col("_quote_amount"), F.col("_quote_rate")))
        .transform(with_known_customer(ctx.customer_ids(), "customer_id", "_known"))
    )
    dated = F.col("event_date").isNotNull()

    def unknown(asset: str, cls: str) -> Column:
        return F.col(asset).isNotNull() & F.col(cls).isNull()

    def no_rate(cls: str, rate: str) -> Column:
        return F.col(cls).isNotNull() & dated & F.col(rate).isNull()

    def overflow(amount: str, rate: str, value: str) -> Column:
        return F.col(amount).isNotNull() & F.col(rate).isNotNull() & F.col(value).isNull()

    checks = [
        *required(
            "trade_id",
            "customer_id",
            "side",
            "base_asset",
            "quote_asset",
            "base_amount",
            "quote_amount",
            "executed_at",
        ),
        parses("executed_at", "event_ts"),
        parses("side", "_side"),
        parses("base_amount", "_base_amount"),
        parses("quote_amount", "_quote_amount"),
        Check(bad_type("base_amount"), overflow("_base_amount", "_base_rate", "_base_usd")),
        Check(bad_type("quote_amount"), overflow("_quote_amount", "_quote_rate", "_quote_usd")),
        Check(NON_POSITIVE_AMOUNT, (F.col("_base_amount") <= 0) | (F.col("_quote_amount") <= 0)),
        Check(
            UNKNOWN_CURRENCY, unknown("_base", "_base_class") | unknown("_quote", "_quote_class")
        ),
        Check(
            NO_FX_RATE,
            no_rate("_base_class", "_base_rate") | no_rate("_quote_class", "_quote_rate"),
        ),
        Check(FUTURE_TIMESTAMP, F.col("event_ts") > F.lit(ctx.future_cutoff)),
        Check(UNKNOWN_CUSTOMER, F.col("customer_id").isNotNull() & ~F.col("_known")),
    ]
    return typed.transform(with_reasons(checks))


def _trade_legs(df: DataFrame, ctx: IngestContext) -> DataFrame:
    """Two legs per trade: BUY receives base and pays quote, SELL the reverse."""
    buy = F.col("_side") == "BUY"
    common = {
        "account_id": F.lit(None).cast("string"),
        "counterparty_type": F.lit("market"),
        "counterparty_id": F.concat(F.col("_base"), F.lit("-"), F.col("_quote")),
        "counterparty_country": F.lit(None).cast("string"),
        "chain": F.lit(None).cast("string"),
        "tx_hash": F.lit(None).cast("string"),
        "ingested_at": F.lit(ctx.now),
    }
    base = df.withColumns(
        {
            **common,
            "txn_id": F.concat(F.lit("TRD:"), F.col("_id"), F.lit(":base")),
            "direction": F.when(buy, "in").otherwise("out"),
            "asset": F.col("_base"),
            "asset_class": F.col("_base_class"),
            "amount": F.col("_base_amount"),
            "amount_usd": F.col("_base_usd"),
        }
    )
    quote = df.withColumns(
        {
            **common,
            "txn_id": F.concat(F.lit("TRD:"), F.col("_id"), F.lit(":quote")),
            "direction": F.when(buy, "out").otherwise("in"),
            "asset": F.col("_quote"),
            "asset_class": F.col("_quote_class"),
            "amount": F.col("_quote_amount"),
            "amount_usd": F.col("_quote_usd"),
        }
    )
    return base.select(_TXN_COLUMNS).unionByName(quote.select(_TXN_COLUMNS))


TRADES = Source(
    bronze.TRADES,
    silver.TRANSACTIONS,
    required=(
        "trade_id",
        "customer_id",
        "side",
        "base_asset",
        "quote_asset",
        "base_amount",
        "quote_amount",
        "executed_at",
    ),
    validate=_trade_validate,
    to_silver=_trade_legs,
    match_keys=("txn_id",),
    legs=2,
    late_dates=True,
    clock=("executed_at", iso_ts),
)

SOURCES = [FIAT, ONCHAIN, INTERNAL, TRADES]
