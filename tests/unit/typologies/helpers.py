"""Tiny hand-built frames in the silver / gold schemas for the typology tests."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from decimal import Decimal

from fcc.core.tables import silver

D = date(2026, 3, 31)  # the as-of date of every typology test


def at(days_before: int, hour: int = 12, minute: int = 0) -> datetime:
    """A UTC timestamp `days_before` days before D at hour:minute."""
    return datetime(D.year, D.month, D.day, hour, minute) - timedelta(days=days_before)


def txn(
    txn_id: str,
    customer: str,
    ts: datetime,
    direction: str,
    usd: float,
    *,
    rail: str = "sepa",
    asset: str = "USD",
    asset_class: str = "fiat",
    cp_type: str | None = "bank_account",
    cp: str | None = None,
    country: str | None = None,
    amount: float | None = None,
    chain: str | None = None,
) -> tuple:
    """One silver.transactions row (amount defaults to the USD amount)."""
    return (
        txn_id,
        "test",
        rail,
        ts,
        ts.date(),
        customer,
        f"{customer}-acc",
        direction,
        asset,
        asset_class,
        Decimal(str(amount if amount is not None else usd)),
        Decimal(str(usd)),
        cp_type,
        cp,
        country,
        chain,
        None,
        "b1",
        ts,
    )


def txns_df(spark, rows: list[tuple]):
    """A silver.transactions DataFrame from txn() rows."""
    return spark.createDataFrame(rows, silver.TRANSACTIONS.schema)


def hits_by_customer(hits) -> dict[str, dict]:
    """customer_id -> hit row as a dict with evidence parsed."""
    out = {}
    for r in hits.collect():
        d = r.asDict()
        d["evidence"] = json.loads(d["evidence"])
        assert d["customer_id"] not in out, f"two hits for {d['customer_id']} of one rule"
        out[d["customer_id"]] = d
    return out
