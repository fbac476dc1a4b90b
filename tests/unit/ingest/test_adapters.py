"""Each adapter's mapping onto silver, field by field (prepare + to_silver, no MERGE)."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from pyspark.sql import functions as F

from fcc.core.tables import bronze
from fcc.ingest._common import usd
from fcc.ingest.engine import prepare
from fcc.ingest.transactions import FIAT, INTERNAL, ONCHAIN, TRADES

from ._bronze import D, context, frame, seed_silver_reference

ETH_IN = "0x52908400098527886E0F7030069857D2E4169EE7"
ETH_OWN = "0xDE0B295669A9FD93D5F28D9EC85E40F4CB697BAE"
TRON_OWN = "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"
TRON_OUT = "TLa2f6VPqDgRE67v1736s7bJ8Ray5wYjU7"
UTC = UTC


def _silver(spark, lakehouse, src, spec, rows, as_of=D):
    seed_silver_reference(spark, lakehouse)
    lakehouse.append(spec, frame(spark, spec, rows))
    ctx = context(lakehouse, as_of)
    p = prepare(ctx, src)
    assert p.total("quarantined") == 0, p.rows.select("_reasons").collect()
    return {r["txn_id"]: r.asDict() for r in src.to_silver(p.accepted(), ctx).collect()}


def test_fiat_ledger_maps_every_field_and_converts_offsets_to_utc(spark, lakehouse):
    got = _silver(
        spark,
        lakehouse,
        FIAT,
        bronze.FIAT_LEDGER,
        [
            {
                "ledger_id": " L1 ",
                "customer_id": "C1",
                "account_id": "A1",
                "booked_at": "2026-11-27T01:15:00+02:00",
                "entry_type": "credit",
                "method": "SEPA",
                "currency": "eur",
                "amount": "100.50",
                "counterparty_name": "ACME",
                "counterparty_account": "h-iban-1",
                "counterparty_bank_country": "fr",
            },
            {
                "ledger_id": "L2",
                "customer_id": "C2",
                "account_id": "A2",
                "booked_at": "2026-11-27T09:00:00Z",
                "entry_type": "DEBIT",
                "method": "faster_payments",
                "currency": "GBP",
                "amount": "10",
                "counterparty_account": "h-acct-2",
                "counterparty_bank_country": "GB",
            },
        ],
    )
    l1 = got["FIAT:L1"]
    assert {k: l1[k] for k in l1 if k != "ingested_at"} == {
        "txn_id": "FIAT:L1",
        "source": "fiat_ledger",
        "rail": "sepa",
        "event_ts": datetime(2026, 11, 26, 23, 15),
        "event_date": date(2026, 11, 26),
        "customer_id": "C1",
        "account_id": "A1",
        "direction": "in",
        "asset": "EUR",
        "asset_class": "fiat",
        "amount": Decimal("100.500000000000000000"),
        "amount_usd": Decimal("110.550000"),
        "counterparty_type": "bank_account",
        "counterparty_id": "h-iban-1",
        "counterparty_country": "FR",
        "chain": None,
        "tx_hash": None,
        "batch_id": "b1",
    }
    l2 = got["FIAT:L2"]
    assert (l2["rail"], l2["direction"], l2["amount_usd"], l2["event_date"]) == (
        "faster_payments",
        "out",
        Decimal("12.500000"),
        D,
    )


def test_onchain_deposit_and_withdrawal_take_the_external_side_as_counterparty(spark, lakehouse):
    got = _silver(
        spark,
        lakehouse,
        ONCHAIN,
        bronze.ONCHAIN_TRANSFERS,
        [
            {
                "transfer_id": "X1",
                "customer_id": "C1",
                "chain": "eth",
                "asset": "ETH",
                "direction": "deposit",
                "tx_hash": "0xABCDEF",
                "from_address": ETH_IN,
                "to_address": ETH_OWN,
                "amount": "1.5",
                "block_time": "1795773600",
            },
            {
                "transfer_id": "X2",
                "customer_id": "C2",
                "chain": "TRON",
                "asset": "USDT",
                "direction": "withdrawal",
                "tx_hash": "FF01",
                "from_address": TRON_OWN,
                "to_address": TRON_OUT,
                "amount": "250",
                "block_time": "2026-11-27T18:30:00-05:00",
            },
        ],
    )
    keys = (
        "source",
        "rail",
        "event_ts",
        "event_date",
        "customer_id",
        "direction",
        "asset",
        "asset_class",
        "amount",
        "amount_usd",
        "counterparty_type",
        "counterparty_id",
        "account_id",
        "counterparty_country",
        "chain",
        "tx_hash",
    )
    assert {k: got["CHAIN:X1"][k] for k in keys} == {
        "source": "onchain_transfers",
        "rail": "onchain",
        "event_ts": datetime(2026, 11, 27, 10, 0),
        "event_date": D,
        "customer_id": "C1",
        "direction": "in",
        "asset": "ETH",
        "asset_class": "crypto",
        "amount": Decimal("1.5").quantize(Decimal("1e-18")),
        "amount_usd": Decimal("4500.185185"),
        "counterparty_type": "address",
        "counterparty_id": ETH_IN.lower(),
        "account_id": ETH_OWN.lower(),
        "counterparty_country": None,
        "chain": "ETH",
        "tx_hash": "0xabcdef",
    }
    x2 = got["CHAIN:X2"]
    assert (
        x2["direction"],
        x2["counterparty_id"],
        x2["account_id"],
        x2["asset_class"],
        x2["amount_usd"],
        x2["event_ts"],
        x2["event_date"],
        x2["chain"],
        x2["tx_hash"],
    ) == (
        "out",
        TRON_OUT,
        TRON_OWN,
        "stablecoin",
        Decimal("249.950000"),
        datetime(2026, 11, 27, 23, 30),
        D,
        "TRON",
        "ff01",
    )


def test_internal_transfer_becomes_one_row_per_customer_side(spark, lakehouse):
    got = _silver(
        spark,
        lakehouse,
        INTERNAL,
        bronze.INTERNAL_TRANSFERS,
        [
            {
                "transfer_id": "I1",
                "from_customer_id": "C1",
                "to_customer_id": "C2",
                "asset": "btc",
                "amount": "0.002",
                "created_at": "2026-11-27T08:00:00+01:00",
                "memo": "rent",
            },
        ],
    )
    keys = (
        "customer_id",
        "direction",
        "counterparty_type",
        "counterparty_id",
        "rail",
        "asset",
        "amount_usd",
        "event_ts",
        "source",
    )
    assert {t: tuple(r[k] for k in keys) for t, r in got.items()} == {
        "INT:I1:out": (
            "C1",
            "out",
            "customer",
            "C2",
            "internal",
            "BTC",
            Decimal("180.001000"),
            datetime(2026, 11, 27, 7, 0),
            "internal_transfers",
        ),
        "INT:I1:in": (
            "C2",
            "in",
            "customer",
            "C1",
            "internal",
            "BTC",
            Decimal("180.001000"),
            datetime(2026, 11, 27, 7, 0),
            "internal_transfers",
        ),
    }


def test_trade_becomes_base_and_quote_legs_with_market_counterparty(spark, lakehouse):
    got = _silver(
        spark,
        lakehouse,
        TRADES,
        bronze.TRADES,
        [
            {
                "trade_id": "T1",
                "customer_id": "C1",
                "side": "BUY",
                "base_asset": "BTC",
                "quote_asset": "EUR",
                "base_amount": "0.01",
                "quote_amount": "820",
                "executed_at": "2026-11-26T23:30:00-03:00",
            },
            {
                "trade_id": "T2",
                "customer_id": "C3",
                "side": "sell",
                "base_asset": "ETH",
                "quote_asset": "USDT",
                "base_amount": "2",
                "quote_amount": "5999",
                "executed_at": "2026-11-27T12:00:00Z",
            },
        ],
    )
    keys = (
        "customer_id",
        "direction",
        "asset",
        "asset_class",
        "amount_usd",
        "counterparty_type",
        "counterparty_id",
        "rail",
        "event_date",
    )
    assert {t: tuple(r[k] for k in keys) for t, r in got.items()} == {
        "TRD:T1:base": (
            "C1",
            "in",
            "BTC",
            "crypto",
            Decimal("900.005000"),
            "market",
            "BTC-EUR",
            "trade",
            D,
        ),
        "TRD:T1:quote": (
            "C1",
            "out",
            "EUR",
            "fiat",
            Decimal("902.000000"),
            "market",
            "BTC-EUR",
            "trade",
            D,
        ),
        "TRD:T2:base": (
            "C3",
            "out",
            "ETH",
            "crypto",
            Decimal("6000.246914"),
            "market",
            "ETH-USDT",
            "trade",
            D,
        ),
        "TRD:T2:quote": (
            "C3",
            "in",
            "USDT",
            "stablecoin",
            Decimal("5997.800200"),
            "market",
            "ETH-USDT",
            "trade",
            D,
        ),
    }


@pytest.mark.parametrize(
    ("amount", "rate", "expected"),
    [
        ("1.2345675", "1", "1.234568"),  # half rounds up
        ("0.00000025", "2", "0.000001"),  # exact tie at the 7th decimal rounds up
        ("0.000000249999999999", "2", "0.000000"),
        ("0.333333333333333333", "3.000000000003", "1.000000"),
        ("123456789012.123456789012345678", "98765.123456789012", "12193225008361126.378492"),
    ],
)
def test_usd_conversion_is_exact_and_rounds_half_up_to_six_decimals(spark, amount, rate, expected):
    df = spark.createDataFrame([(amount, rate)], "a string, r string")
    got = df.select(
        usd(F.col("a").cast("decimal(38,18)"), F.col("r").cast("decimal(38,12)")).alias("u")
    ).first()
    assert got["u"] == Decimal(expected)
