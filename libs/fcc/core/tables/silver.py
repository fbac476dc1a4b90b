"""Silver: validated, typed, normalised, deduplicated."""

from pyspark.sql import types as T

from fcc.core.tables._spec import AMOUNT, USD, TableSpec, col, schema
from fcc.core.tables.bronze import WATCHLIST_FIELDS

S, D, B, TS, DT = T.StringType(), T.DoubleType(), T.BooleanType(), T.TimestampType(), T.DateType()

TRANSACTIONS = TableSpec(
    "silver",
    "transactions",
    schema(
        col(
            "txn_id",
            S,
            "unique, source-prefixed: FIAT:<ledger_id>, CHAIN:<transfer_id>, INT:<id>:out|in, TRD:<id>:base|quote",
            False,
        ),
        col("source", S, "fiat_ledger | onchain_transfers | internal_transfers | trades", False),
        col(
            "rail",
            S,
            "sepa | swift | ach | faster_payments | card | onchain | internal | trade",
            False,
        ),
        col("event_ts", TS, "event time, UTC", False),
        col("event_date", DT, "UTC date of event_ts (partition)", False),
        col("customer_id", S, "customer whose account moved", False),
        col("account_id", S, "customer account / wallet id"),
        col("direction", S, "in | out (from the customer's point of view)", False),
        col("asset", S, "ISO currency or crypto asset symbol", False),
        col("asset_class", S, "fiat | crypto | stablecoin", False),
        col("amount", AMOUNT, "positive amount in asset units", False),
        col("amount_usd", USD, "amount converted at the event date's USD rate", False),
        col("counterparty_type", S, "customer | bank_account | address | market"),
        col(
            "counterparty_id", S, "customer id, hashed bank account, chain address or market symbol"
        ),
        col("counterparty_country", S, "ISO alpha-2 of the counterparty's bank (fiat)"),
        col("chain", S, "BTC | ETH | TRON for on-chain rows"),
        col("tx_hash", S, "on-chain transaction hash"),
        col("batch_id", S, "bronze batch the row came from"),
        col("ingested_at", TS, "when ingest wrote the row"),
    ),
    "One canonical row per money movement and customer, every rail.",
    partition_by=("event_date",),
    keys=("txn_id",),
)

CUSTOMERS = TableSpec(
    "silver",
    "customers",
    schema(
        col("customer_id", S, "KYC customer id", False),
        col("full_name", S, "name in its original script"),
        col("given_name", S, "given name(s)"),
        col("family_name", S, "family name"),
        col("name_script", S, "script of full_name"),
        col("dob", DT, "date of birth when the day is known (else null: see dob_partial)"),
        col("dob_partial", S, "date of birth at the precision known: yyyy, yyyy-MM or yyyy-MM-dd"),
        col("dob_precision", S, "year | month | day: how much of the date of birth is known"),
        col("nationality", S, "ISO alpha-2"),
        col("residence_country", S, "ISO alpha-2"),
        col("occupation", S, "declared occupation"),
        col("segment", S, "retail | hnw | merchant | institutional"),
        col("onboarded_at", TS, "onboarding time, UTC"),
        col("expected_monthly_volume_usd", USD, "declared expected monthly volume, USD"),
        col("is_pep", B, "politically exposed person"),
        col("updated_at", TS, "last KYC update, UTC"),
        col(
            "record_hash",
            S,
            "hash of the screening-relevant fields (name, dob_partial, nationality, residence)",
        ),
        col("batch_id", S, "bronze batch of the current version"),
    ),
    "Current KYC record per customer (latest update wins).",
    keys=("customer_id",),
)

IDENTIFIERS = TableSpec(
    "silver",
    "identifiers",
    schema(
        col("customer_id", S, "customer", False),
        col(
            "id_type",
            S,
            "device | ip | email | phone | bank_account | withdrawal_address | kyc_document",
            False,
        ),
        col(
            "id_value",
            S,
            "normalised identifier (lower-cased emails, E.164 phones, chain-normalised addresses)",
            False,
        ),
        col("first_seen", TS, "first observation, UTC"),
    ),
    "Distinct identifiers per customer.",
    keys=("customer_id", "id_type", "id_value"),
)

ADDRESS_LABELS = TableSpec(
    "silver",
    "address_labels",
    schema(
        col("chain", S, "BTC | ETH | TRON", False),
        col("address", S, "chain-normalised address", False),
        col("category", S, "label category (see bronze.address_intel)", False),
        col("entity_name", S, "entity when known"),
        col("confidence", D, "0..1"),
        col("source", S, "vendor or list", False),
        col("updated_at", TS, "label time, UTC"),
    ),
    "Address labels, one row per chain, address and source.",
    keys=("chain", "address", "source"),
)

CHAIN_EDGES = TableSpec(
    "silver",
    "chain_edges",
    schema(
        col("chain", S, "chain", False),
        col("tx_hash", S, "transaction hash", False),
        col("from_address", S, "chain-normalised sender", False),
        col("to_address", S, "chain-normalised receiver", False),
        col("asset", S, "asset"),
        col("amount", AMOUNT, "asset units"),
        col("amount_usd", USD, "USD at the block date"),
        col("event_ts", TS, "block time, UTC"),
    ),
    "External on-chain transfers (counterparty graph for exposure).",
    keys=("chain", "tx_hash", "from_address", "to_address"),
)

FX_RATES = TableSpec(
    "silver",
    "fx_rates",
    schema(
        col("rate_date", DT, "date", False),
        col("currency", S, "currency or asset", False),
        col("usd_per_unit", T.DecimalType(38, 12), "USD per unit", False),
    ),
    "Daily USD rates.",
    keys=("rate_date", "currency"),
)

WATCHLIST = TableSpec(
    "silver",
    "watchlist",
    schema(*WATCHLIST_FIELDS, col("loaded_at", TS, "when this list version was loaded")),
    "Current watchlist entries of every list (latest version per list).",
    keys=("entry_id",),
)

ALL = [TRANSACTIONS, CUSTOMERS, IDENTIFIERS, ADDRESS_LABELS, CHAIN_EDGES, FX_RATES, WATCHLIST]
