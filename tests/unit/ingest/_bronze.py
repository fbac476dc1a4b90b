"""Tiny hand-built bronze frames for the ingest tests."""

from __future__ import annotations

from datetime import UTC, date, datetime

from fcc.core.tables import bronze

D = date(2026, 11, 27)
PREV = date(2026, 11, 26)


def at(day: date, hour: int = 12, minute: int = 0) -> datetime:
    """A UTC landing time on `day`."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


def frame(spark, spec, rows: list[dict], batch_id: str = "b1", landed_at: datetime | None = None):
    """A bronze frame of `spec` from dicts (absent columns null), stamped with batch and landing."""
    names = spec.schema.fieldNames()
    stamped = [{"batch_id": batch_id, "landed_at": landed_at or at(D), **row} for row in rows]
    return spark.createDataFrame([tuple(r.get(n) for n in names) for r in stamped], spec.schema)


def fiat_row(ledger_id: str, booked_at: str = "2026-11-20T10:00:00Z") -> dict:
    """A 1 USD SEPA credit of C1 in bronze.fiat_ledger."""
    return {
        "ledger_id": ledger_id,
        "customer_id": "C1",
        "booked_at": booked_at,
        "entry_type": "CREDIT",
        "method": "SEPA",
        "currency": "USD",
        "amount": "1",
    }


RATES = [  # usd_per_unit on D-1 and D
    ("EUR", "1.100000000000"),
    ("GBP", "1.250000000000"),
    ("BTC", "90000.5"),
    ("ETH", "3000.123456789012"),
    ("USDT", "0.999800000000"),
    ("TRX", "0.25"),
]
CUSTOMERS = ["C1", "C2", "C3"]


def seed_reference(spark, lakehouse, batch_id: str = "ref1") -> None:
    """Rates for D-1 and D and three customers, landed on D-1."""
    rates = [
        {"rate_date": d.isoformat(), "currency": c, "usd_per_unit": v}
        for d in (PREV, D)
        for c, v in RATES
    ]
    lakehouse.append(bronze.FX_RATES, frame(spark, bronze.FX_RATES, rates, batch_id, at(PREV)))
    customers = [
        {
            "customer_id": c,
            "full_name": f"Name {c}",
            "dob": "1980-01-31",
            "nationality": "DE",
            "residence_country": "DE",
            "updated_at": "2026-01-01T00:00:00Z",
            "is_pep": False,
        }
        for c in CUSTOMERS
    ]
    lakehouse.append(
        bronze.CUSTOMERS, frame(spark, bronze.CUSTOMERS, customers, batch_id, at(PREV))
    )


def seed_silver_reference(spark, lakehouse) -> None:
    """silver.fx_rates for D-1 and D and silver.customers C1..C3, written directly."""
    from decimal import Decimal

    from fcc.core.tables import silver

    rates = [(d, c, Decimal(v)) for d in (PREV, D) for c, v in RATES]
    lakehouse.append(silver.FX_RATES, spark.createDataFrame(rates, silver.FX_RATES.schema))
    names = silver.CUSTOMERS.schema.fieldNames()
    rows = [tuple(c if n == "customer_id" else None for n in names) for c in CUSTOMERS]
    lakehouse.append(silver.CUSTOMERS, spark.createDataFrame(rows, silver.CUSTOMERS.schema))


def context(lakehouse, as_of: date = D, **settings):
    """An ingest context for as_of with default settings overridden by keyword."""
    from fcc.core.settings.ingest import IngestSettings
    from fcc.ingest._common import IngestContext

    return IngestContext(
        lakehouse,
        IngestSettings(**settings),
        as_of,
        "run-test",
        now=datetime(2026, 11, 28, 1, 0, tzinfo=UTC),
    )
