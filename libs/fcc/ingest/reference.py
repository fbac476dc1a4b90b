"""Adapters of the reference sources: FX rates, customers, identifiers, address labels, chain edges."""

from __future__ import annotations

from pyspark.sql import DataFrame
from pyspark.sql import functions as F
from pyspark.sql import types as T

from fcc.core.tables import USD, bronze, silver
from fcc.ingest._common import (
    RATE,
    IngestContext,
    Source,
    asset_class,
    country,
    date_precision,
    decimal,
    iso_date,
    iso_or_epoch_ts,
    iso_ts,
    parses,
    partial_date,
    r,
    required,
    strip,
    usd,
    with_known_customer,
    with_rate,
)
from fcc.ingest.addresses import (
    CHAINS,
    infer_chain,
    is_valid_address,
    normalize_address,
    normalize_chain,
)
from fcc.quality.reasons import (
    FUTURE_TIMESTAMP,
    MALFORMED_ADDRESS,
    NON_POSITIVE_AMOUNT,
    UNKNOWN_CURRENCY,
    UNKNOWN_CUSTOMER,
    Check,
    bad_type,
    with_reasons,
)

ID_TYPES = ("device", "ip", "email", "phone", "bank_account", "withdrawal_address", "kyc_document")
SCREENING_FIELDS = (
    "full_name",
    "given_name",
    "family_name",
    "dob_partial",
    "nationality",
    "residence_country",
)


def _columns(spec) -> list[str]:
    return [f.name for f in spec.schema.fields]


def _future(column: str, ctx: IngestContext) -> Check:
    return Check(FUTURE_TIMESTAMP, F.col(column) > F.lit(ctx.future_cutoff))


# ---- fx_rates -------------------------------------------------------------------------


def _fx_validate(df: DataFrame, ctx: IngestContext) -> DataFrame:
    s = ctx.settings
    typed = df.withColumns(
        {
            "rate_date": iso_date(r("rate_date")),
            "currency": F.upper(strip(r("currency"))),
            "usd_per_unit": decimal(r("usd_per_unit"), RATE),
        }
    )
    checks = [
        *required("rate_date", "currency", "usd_per_unit"),
        parses("rate_date", "rate_date"),
        parses("usd_per_unit", "usd_per_unit"),
        Check(NON_POSITIVE_AMOUNT, F.col("usd_per_unit") <= 0),
        Check(
            UNKNOWN_CURRENCY,
            F.col("currency").isNotNull() & asset_class(F.col("currency"), s).isNull(),
        ),
    ]
    return typed.transform(with_reasons(checks))


FX = Source(
    bronze.FX_RATES,
    silver.FX_RATES,
    required=("rate_date", "currency", "usd_per_unit"),
    validate=_fx_validate,
    to_silver=lambda df, ctx: df.select(_columns(silver.FX_RATES)),
    match_keys=("rate_date", "currency"),
)


# ---- customers ------------------------------------------------------------------------


def _customers_validate(df: DataFrame, ctx: IngestContext) -> DataFrame:
    names = {
        c: strip(r(c))
        for c in ("full_name", "given_name", "family_name", "name_script", "occupation")
    }
    typed = (
        df.withColumns(
            {
                "customer_id": strip(r("customer_id")),
                **names,
                "dob_partial": partial_date(r("dob")),
                "nationality": country(r("nationality")),
                "residence_country": country(r("residence_country")),
                "segment": F.lower(strip(r("segment"))),
                "onboarded_at": iso_ts(r("onboarded_at")),
                "expected_monthly_volume_usd": decimal(r("expected_monthly_volume"), USD),
                "is_pep": r("is_pep"),
                "updated_at": iso_ts(r("updated_at")),
            }
        )
        .withColumns(
            {
                # a full date only when the day is known; the precision says what is known
                "dob": F.when(
                    F.length("dob_partial") == 10, F.col("dob_partial").cast(T.DateType())
                ),
                "dob_precision": date_precision(F.col("dob_partial")),
            }
        )
        .withColumn(
            "record_hash", F.sha2(F.to_json(F.struct(*[F.col(c) for c in SCREENING_FIELDS])), 256)
        )
    )
    checks = [
        *required("customer_id", "updated_at"),
        parses("dob", "dob_partial"),
        parses("nationality", "nationality"),
        parses("residence_country", "residence_country"),
        parses("onboarded_at", "onboarded_at"),
        parses("expected_monthly_volume", "expected_monthly_volume_usd"),
        parses("updated_at", "updated_at"),
        _future("updated_at", ctx),
    ]
    return typed.transform(with_reasons(checks))


CUSTOMERS = Source(
    bronze.CUSTOMERS,
    silver.CUSTOMERS,
    required=("customer_id", "full_name", "dob", "nationality", "residence_country", "updated_at"),
    validate=_customers_validate,
    to_silver=lambda df, ctx: df.select(_columns(silver.CUSTOMERS)),
    match_keys=("customer_id",),
    version="updated_at",
    version_wins="max",
    clock=("updated_at", iso_ts),
)


# ---- identifiers ----------------------------------------------------------------------


def _identifiers_validate(df: DataFrame, ctx: IngestContext) -> DataFrame:
    id_type = F.lower(strip(r("id_type")))
    value = strip(r("id_value"))
    digits = F.regexp_replace(F.regexp_replace(value, "[^0-9]", ""), "^00", "")
    chain = infer_chain(value)
    typed = df.withColumns(
        {
            "customer_id": strip(r("customer_id")),
            "id_type": F.when(id_type.isin(*ID_TYPES), id_type),
            "_chain": chain,
            "id_value": F.when(id_type.isin("email", "ip"), F.lower(value))
            .when(
                id_type == "phone",
                F.when(digits.rlike("^[0-9]{7,15}$"), F.concat(F.lit("+"), digits)),
            )
            .when(id_type == "withdrawal_address", normalize_address(chain, value))
            .otherwise(value),
            "first_seen": iso_ts(r("first_seen")),
        }
    ).transform(with_known_customer(ctx.customer_ids(), "customer_id", "_known"))
    is_address = F.col("id_type") == "withdrawal_address"
    checks = [
        *required("customer_id", "id_type", "id_value"),
        parses("id_type", "id_type"),
        Check(
            bad_type("id_value"),
            (F.col("id_type") == "phone") & value.isNotNull() & F.col("id_value").isNull(),
        ),
        Check(
            MALFORMED_ADDRESS,
            is_address & value.isNotNull() & ~is_valid_address(F.col("_chain"), value),
        ),
        parses("first_seen", "first_seen"),
        _future("first_seen", ctx),
        Check(UNKNOWN_CUSTOMER, F.col("customer_id").isNotNull() & ~F.col("_known")),
    ]
    return typed.transform(with_reasons(checks))


IDENTIFIERS = Source(
    bronze.IDENTIFIERS,
    silver.IDENTIFIERS,
    required=("customer_id", "id_type", "id_value"),
    validate=_identifiers_validate,
    to_silver=lambda df, ctx: df.select(_columns(silver.IDENTIFIERS)),
    match_keys=("customer_id", "id_type", "id_value"),
    version="first_seen",
    version_wins="min",
    clock=("first_seen", iso_ts),
)


# ---- address_intel --------------------------------------------------------------------


def _labels_validate(df: DataFrame, ctx: IngestContext) -> DataFrame:
    chain = normalize_chain(r("chain"))
    typed = df.withColumns(
        {
            "chain": F.when(chain.isin(*CHAINS), chain),
            "address": normalize_address(chain, r("address")),
            "category": F.lower(strip(r("category"))),
            "entity_name": strip(r("entity_name")),
            "confidence": F.when(r("confidence").between(0, 1), r("confidence")),
            "source": strip(r("source")),
            "updated_at": iso_ts(r("updated_at")),
            "_address_ok": is_valid_address(chain, r("address")),
        }
    )
    checks = [
        *required("chain", "address", "category", "source"),
        parses("chain", "chain"),
        Check(
            MALFORMED_ADDRESS,
            F.col("chain").isNotNull() & r("address").isNotNull() & ~F.col("_address_ok"),
        ),
        parses("confidence", "confidence"),
        parses("updated_at", "updated_at"),
        _future("updated_at", ctx),
    ]
    return typed.transform(with_reasons(checks))


ADDRESS_LABELS = Source(
    bronze.ADDRESS_INTEL,
    silver.ADDRESS_LABELS,
    required=("chain", "address", "category", "source"),
    validate=_labels_validate,
    to_silver=lambda df, ctx: df.select(_columns(silver.ADDRESS_LABELS)),
    match_keys=("chain", "address", "source"),
    version="updated_at",
    version_wins="max",
    clock=("updated_at", iso_ts),
)


# ---- chain_transfers ------------------------------------------------------------------


def _edges_validate(df: DataFrame, ctx: IngestContext) -> DataFrame:
    """External transfers: structural checks only; an unpriced asset keeps a null amount_usd."""
    s = ctx.settings
    chain = normalize_chain(r("chain"))
    typed = (
        df.withColumns(
            {
                "chain": F.when(chain.isin(*CHAINS), chain),
                "tx_hash": F.lower(strip(r("tx_hash"))),
                "from_address": normalize_address(chain, r("from_address")),
                "to_address": normalize_address(chain, r("to_address")),
                "asset": F.upper(strip(r("asset"))),
                "amount": decimal(r("amount")),
                "event_ts": iso_or_epoch_ts(r("block_time")),
                "_addresses_ok": is_valid_address(chain, r("from_address"))
                & is_valid_address(chain, r("to_address")),
            }
        )
        .withColumn("_date", F.to_date("event_ts"))
        .transform(with_rate(ctx.rates(), "asset", "_date", "_rate", s.base_currency))
        .withColumn("amount_usd", usd(F.col("amount"), F.col("_rate")))
    )
    checks = [
        *required("chain", "tx_hash", "from_address", "to_address", "amount", "block_time"),
        parses("chain", "chain"),
        parses("amount", "amount"),
        parses("block_time", "event_ts"),
        Check(
            MALFORMED_ADDRESS,
            F.col("chain").isNotNull()
            & r("from_address").isNotNull()
            & r("to_address").isNotNull()
            & ~F.col("_addresses_ok"),
        ),
        Check(NON_POSITIVE_AMOUNT, F.col("amount") <= 0),
        _future("event_ts", ctx),
    ]
    return typed.transform(with_reasons(checks))


CHAIN_EDGES = Source(
    bronze.CHAIN_TRANSFERS,
    silver.CHAIN_EDGES,
    required=("chain", "tx_hash", "from_address", "to_address", "amount", "block_time"),
    validate=_edges_validate,
    to_silver=lambda df, ctx: df.select(_columns(silver.CHAIN_EDGES)),
    match_keys=("chain", "tx_hash", "from_address", "to_address"),
    clock=("block_time", iso_or_epoch_ts),
)

SOURCES = [FX, CUSTOMERS, IDENTIFIERS, ADDRESS_LABELS, CHAIN_EDGES]
