"""Builders of tiny hand-built silver rows for the graph tests."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

AS_OF = date(2026, 11, 27)


def _rows(spec, rows: list[dict]) -> list[tuple]:
    names = spec.schema.fieldNames()
    return [tuple(row.get(n) for n in names) for row in rows]


def frame(spark, spec, rows: list[dict]):
    """A DataFrame with the table's full schema; missing columns are null."""
    return spark.createDataFrame(_rows(spec, rows), spec.schema)


def identifier(customer_id: str, id_type: str, id_value: str) -> dict:
    return {
        "customer_id": customer_id,
        "id_type": id_type,
        "id_value": id_value,
        "first_seen": datetime(2026, 1, 1),
    }


def customer(
    customer_id: str, full_name: str, dob: date, onboarded: date, family: str | None = None
) -> dict:
    return {
        "customer_id": customer_id,
        "full_name": full_name,
        "family_name": family or full_name.split()[-1],
        "dob": dob,
        "nationality": "GB",
        "onboarded_at": datetime.combine(onboarded, datetime.min.time()),
    }


def txn(
    txn_id: str,
    customer_id: str,
    rail: str,
    direction: str,
    usd: str,
    cp_type: str,
    cp_id: str,
    day: date = AS_OF,
    chain: str | None = None,
) -> dict:
    return {
        "txn_id": txn_id,
        "source": "test",
        "rail": rail,
        "event_ts": datetime.combine(day, datetime.min.time()) + timedelta(hours=12),
        "event_date": day,
        "customer_id": customer_id,
        "direction": direction,
        "asset": "USDT" if chain else "USD",
        "asset_class": "stablecoin" if chain else "fiat",
        "amount": Decimal(usd),
        "amount_usd": Decimal(usd),
        "counterparty_type": cp_type,
        "counterparty_id": cp_id,
        "chain": chain,
    }


def internal_transfer(
    txn_id: str, payer: str, payee: str, usd: str, day: date = AS_OF
) -> list[dict]:
    """Both legs of an internal transfer: the payer's `out` and the payee's `in` row."""
    return [
        txn(f"{txn_id}:out", payer, "internal", "out", usd, "customer", payee, day),
        txn(f"{txn_id}:in", payee, "internal", "in", usd, "customer", payer, day),
    ]


def chain_edge(src: str, dst: str, usd: str, tx: str | None = None) -> dict:
    return {
        "chain": "ETH",
        "tx_hash": tx or f"{src}->{dst}",
        "from_address": src,
        "to_address": dst,
        "asset": "USDT",
        "amount": Decimal(usd),
        "amount_usd": Decimal(usd),
        "event_ts": datetime(2026, 11, 1, 10),
    }


def label(address: str, category: str) -> dict:
    return {
        "chain": "ETH",
        "address": address,
        "category": category,
        "source": "vendor",
        "confidence": 0.9,
    }
