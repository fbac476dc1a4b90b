"""Bronze: sources as landed. Loosely typed on purpose (amounts and timestamps are strings
as the feeds deliver them); ingest validates, types and normalises them into silver."""

from pyspark.sql import types as T

from fcc.core.tables._spec import TableSpec, col, schema

S, D, B, TS = T.StringType(), T.DoubleType(), T.BooleanType(), T.TimestampType()

_LANDING = (
    col("batch_id", S, "landing batch identifier (one file drop / API pull)"),
    col("landed_at", TS, "when the row landed in bronze (UTC)"),
)

CUSTOMERS = TableSpec(
    "bronze",
    "customers",
    schema(
        col("customer_id", S, "KYC customer id", False),
        col("full_name", S, "name as captured at onboarding, in its original script"),
        col("given_name", S, "given name(s)"),
        col("family_name", S, "family name"),
        col(
            "name_script", S, "script of full_name: Latin, Cyrillic, Arabic, Han, Hangul, Greek ..."
        ),
        col("dob", S, "date of birth as captured: yyyy-MM-dd, yyyy-MM or yyyy"),
        col("nationality", S, "ISO 3166-1 alpha-2"),
        col("residence_country", S, "ISO 3166-1 alpha-2"),
        col("occupation", S, "declared occupation"),
        col("segment", S, "retail | hnw | merchant | institutional"),
        col("onboarded_at", S, "onboarding timestamp, ISO 8601 with offset"),
        col(
            "expected_monthly_volume", S, "declared expected monthly volume in USD (decimal string)"
        ),
        col("is_pep", B, "politically exposed person flag from KYC"),
        col("updated_at", S, "last KYC update, ISO 8601 with offset"),
        *_LANDING,
    ),
    "KYC customer master as delivered by the onboarding system.",
    keys=("customer_id", "batch_id"),
)

IDENTIFIERS = TableSpec(
    "bronze",
    "identifiers",
    schema(
        col("customer_id", S, "customer the identifier was observed for", False),
        col(
            "id_type",
            S,
            "device | ip | email | phone | bank_account | withdrawal_address | kyc_document",
        ),
        col("id_value", S, "the identifier value (already hashed for bank accounts and documents)"),
        col("first_seen", S, "first observation, ISO 8601 with offset"),
        *_LANDING,
    ),
    "Identifiers seen per customer (devices, IPs, emails, phones, accounts, addresses).",
    keys=("customer_id", "id_type", "id_value"),
)

FIAT_LEDGER = TableSpec(
    "bronze",
    "fiat_ledger",
    schema(
        col("ledger_id", S, "core-banking ledger entry id", False),
        col("customer_id", S, "customer owning the account"),
        col("account_id", S, "customer's fiat account id"),
        col("booked_at", S, "booking timestamp, ISO 8601 with offset"),
        col("entry_type", S, "CREDIT (money in) | DEBIT (money out)"),
        col("method", S, "SEPA | SWIFT | ACH | FASTER_PAYMENTS | CARD"),
        col("currency", S, "ISO 4217 code"),
        col("amount", S, "positive decimal string in currency units"),
        col("counterparty_name", S, "remitter / beneficiary name when known"),
        col("counterparty_account", S, "hashed IBAN / account number of the other side"),
        col("counterparty_bank_country", S, "ISO 3166-1 alpha-2 of the other side's bank"),
        col("reference", S, "payment reference text"),
        *_LANDING,
    ),
    "Fiat ledger entries: wires (SEPA, SWIFT, ACH) and card deposits / withdrawals.",
    keys=("ledger_id",),
)

ONCHAIN_TRANSFERS = TableSpec(
    "bronze",
    "onchain_transfers",
    schema(
        col("transfer_id", S, "wallet-service transfer id", False),
        col("customer_id", S, "customer credited or debited"),
        col("chain", S, "BTC | ETH | TRON"),
        col("asset", S, "BTC | ETH | USDT"),
        col("direction", S, "deposit | withdrawal"),
        col("tx_hash", S, "on-chain transaction hash"),
        col("from_address", S, "sending address"),
        col("to_address", S, "receiving address"),
        col("amount", S, "decimal string in asset units"),
        col("block_time", S, "block timestamp, ISO 8601 or epoch seconds"),
        *_LANDING,
    ),
    "Customer deposits and withdrawals on public chains.",
    keys=("transfer_id",),
)

CHAIN_TRANSFERS = TableSpec(
    "bronze",
    "chain_transfers",
    schema(
        col("chain", S, "BTC | ETH | TRON", False),
        col("tx_hash", S, "transaction hash", False),
        col("from_address", S, "sending address", False),
        col("to_address", S, "receiving address", False),
        col("asset", S, "asset moved"),
        col("amount", S, "decimal string in asset units"),
        col("block_time", S, "block timestamp, ISO 8601"),
        *_LANDING,
    ),
    "Third-party chain data: transfers between external addresses (the counterparty graph "
    "used for multi-hop exposure).",
    keys=("chain", "tx_hash", "from_address", "to_address"),
)

INTERNAL_TRANSFERS = TableSpec(
    "bronze",
    "internal_transfers",
    schema(
        col("transfer_id", S, "internal transfer id", False),
        col("from_customer_id", S, "sender"),
        col("to_customer_id", S, "receiver"),
        col("asset", S, "asset or fiat currency moved"),
        col("amount", S, "decimal string in asset units"),
        col("created_at", S, "timestamp, ISO 8601 with offset"),
        col("memo", S, "free-text memo"),
        *_LANDING,
    ),
    "Off-chain transfers between two customers of the exchange.",
    keys=("transfer_id",),
)

TRADES = TableSpec(
    "bronze",
    "trades",
    schema(
        col("trade_id", S, "matching-engine trade id", False),
        col("customer_id", S, "customer"),
        col("side", S, "BUY (spend quote, receive base) | SELL"),
        col("base_asset", S, "crypto asset bought or sold"),
        col("quote_asset", S, "fiat currency or stablecoin paid or received"),
        col("base_amount", S, "decimal string"),
        col("quote_amount", S, "decimal string"),
        col("executed_at", S, "timestamp, ISO 8601 with offset"),
        *_LANDING,
    ),
    "Executed trades (fiat <-> crypto conversions and crypto <-> crypto).",
    keys=("trade_id",),
)

ADDRESS_INTEL = TableSpec(
    "bronze",
    "address_intel",
    schema(
        col("chain", S, "BTC | ETH | TRON", False),
        col("address", S, "labelled address", False),
        col(
            "category",
            S,
            "sanctioned | mixer | darknet | ransomware | scam | gambling | exchange | payment_processor | high_risk_exchange",
        ),
        col("entity_name", S, "entity behind the address when known"),
        col("confidence", D, "vendor confidence 0..1"),
        col("source", S, "vendor or list name"),
        col("updated_at", S, "label update time, ISO 8601"),
        *_LANDING,
    ),
    "Third-party blockchain-intelligence address labels.",
    keys=("chain", "address", "source"),
)

FX_RATES = TableSpec(
    "bronze",
    "fx_rates",
    schema(
        col("rate_date", S, "yyyy-MM-dd", False),
        col("currency", S, "ISO 4217 code or crypto asset symbol", False),
        col("usd_per_unit", S, "decimal string: USD value of one unit"),
        *_LANDING,
    ),
    "Daily reference rates to USD for fiat currencies and crypto assets.",
    keys=("rate_date", "currency"),
)

_NAME = T.StructType(
    [
        T.StructField("name", S),
        T.StructField("name_type", S),  # primary | aka | fka | nka
        T.StructField("quality", S),
        T.StructField("script", S),  # strong | weak ; Latin, Cyrillic ...
    ]
)
_ADDRESS = T.StructType([T.StructField("chain", S), T.StructField("address", S)])

WATCHLIST_FIELDS = (
    col("entry_id", S, "list-native id, prefixed by list (OFAC-SDN:36, UN:QDi.001)", False),
    col(
        "list_name",
        S,
        "OFAC-SDN | OFAC-NONSDN | OFAC-CRYPTO | UN | EU | UK | PEP | INTERNAL | SYNTH",
        False,
    ),
    col("list_version", S, "publication date or version of the list file"),
    col("entity_type", S, "person | entity | vessel | aircraft; null for address-only entries"),
    col("primary_name", S, "primary name"),
    col("names", T.ArrayType(_NAME), "all names: primary and aliases with type, quality, script"),
    col("dobs", T.ArrayType(S), "dates of birth: yyyy-MM-dd, yyyy-MM or yyyy"),
    col("nationalities", T.ArrayType(S), "ISO 3166-1 alpha-2 nationalities / citizenships"),
    col("countries", T.ArrayType(S), "ISO alpha-2 of addresses / locations"),
    col("programs", T.ArrayType(S), "sanctions programmes (e.g. SDGT, CYBER2)"),
    col("crypto_addresses", T.ArrayType(_ADDRESS), "digital-currency addresses with chain"),
    col("remarks", S, "free-text remarks"),
)

WATCHLISTS = TableSpec(
    "bronze",
    "watchlists",
    schema(*WATCHLIST_FIELDS, *_LANDING),
    "Watchlist entries as loaded (official files via `fcc lists load`, or synthetic).",
    keys=("entry_id", "list_version"),
)

ALL = [
    CUSTOMERS,
    IDENTIFIERS,
    FIAT_LEDGER,
    ONCHAIN_TRANSFERS,
    CHAIN_TRANSFERS,
    INTERNAL_TRANSFERS,
    TRADES,
    ADDRESS_INTEL,
    FX_RATES,
    WATCHLISTS,
]
