"""Tiny hand-built frames in the silver / gold schemas for the typology tests."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from decimal import Decimal

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

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


def usual_month(n: int, usd: float, prefix: str = "Q") -> list[tuple]:
    """n quiet customers who each moved `usd` in the last 30 days (half in at D-25, half out at
    D-5, weeks apart): the segment's usual month against which the detectors judge amounts."""
    return [
        row
        for i in range(n)
        for row in (
            txn(f"{prefix}{i}-in", f"{prefix}{i}", at(25), "in", usd / 2),
            txn(f"{prefix}{i}-out", f"{prefix}{i}", at(5), "out", usd / 2),
        )
    ]


def scaled(df: DataFrame, factor: float, *columns: str) -> DataFrame:
    """df with every USD amount (amount_usd, or the named columns) multiplied by factor."""
    names = columns or ("amount_usd",)
    return df.withColumns({c: (F.col(c) * factor).cast(df.schema[c].dataType) for c in names})


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
