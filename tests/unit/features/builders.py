"""Builders of tiny silver frames and feature runs for the features tests."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from fcc.core.lakehouse import conform
from fcc.core.settings import AppConfig
from fcc.core.settings.features import CountryRiskList, FeaturesSettings
from fcc.core.tables.gold import EXPOSURE
from fcc.core.tables.gold_features import CUSTOMER_DAILY, FEATURES
from fcc.core.tables.silver import ADDRESS_LABELS, CUSTOMERS, TRANSACTIONS
from fcc.features import daily_from_transactions, features_from_daily
from fcc.features.windows import prev_active_days

RAIL_ASSET = {
    "sepa": ("EUR", "fiat"),
    "swift": ("USD", "fiat"),
    "ach": ("USD", "fiat"),
    "card": ("USD", "fiat"),
    "onchain": ("BTC", "crypto"),
    "internal": ("USD", "fiat"),
    "trade": ("BTC", "crypto"),
}


def ts(text: str) -> datetime:
    """ISO timestamp (offset allowed, UTC when absent) -> aware datetime."""
    value = datetime.fromisoformat(text)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def txn(
    customer_id,
    at,
    direction,
    rail,
    usd,
    cpty=None,
    country=None,
    asset_class=None,
    cpty_type=None,
    chain=None,
    txn_id=None,
):
    """One silver.transactions row; event_date is the UTC day of `at`."""
    when = ts(at)
    asset, default_class = RAIL_ASSET[rail]
    if cpty_type is None and cpty is not None:
        cpty_type = "address" if rail == "onchain" else "bank_account"
    if rail == "onchain" and chain is None:
        chain = "BTC"
    return {
        "txn_id": txn_id or f"T:{customer_id}:{when.isoformat()}:{direction}:{rail}:{usd}",
        "source": "test",
        "rail": rail,
        "event_ts": when,
        "event_date": when.astimezone(UTC).date(),
        "customer_id": customer_id,
        "account_id": f"A-{customer_id}",
        "direction": direction,
        "asset": asset,
        "asset_class": asset_class or default_class,
        "amount": Decimal(str(usd)),
        "amount_usd": Decimal(str(usd)),
        "counterparty_type": cpty_type,
        "counterparty_id": cpty,
        "counterparty_country": country,
        "chain": chain,
        "tx_hash": None,
        "batch_id": "b1",
        "ingested_at": when,
    }


def customer(customer_id, segment="retail", residence="DE", expected=None):
    return {f.name: None for f in CUSTOMERS.schema.fields} | {
        "customer_id": customer_id,
        "segment": segment,
        "residence_country": residence,
        "expected_monthly_volume_usd": None if expected is None else Decimal(str(expected)),
    }


def label(address, category, chain="BTC", source="vendor"):
    return {
        "chain": chain,
        "address": address,
        "category": category,
        "entity_name": None,
        "confidence": 1.0,
        "source": source,
        "updated_at": ts("2026-01-01T00:00:00"),
    }


def settings(**overrides) -> FeaturesSettings:
    base = {
        "high_risk_lists": [
            CountryRiskList(name="test_list", published=date(2025, 6, 13), countries=["IR", "KP"])
        ]
    }
    return FeaturesSettings(**(base | overrides))


def app_config(**overrides) -> AppConfig:
    return AppConfig(features=settings(**overrides))


def frame(spark, rows, spec):
    """Rows as dicts -> DataFrame with the registered schema (missing keys are null)."""
    names = spec.schema.fieldNames()
    return spark.createDataFrame([tuple(r.get(n) for n in names) for r in rows], spec.schema)


def daily_for(spark, txns, customers, labels=(), cfg=None, dates=None):
    """gold.customer_daily rows (conformed) for hand-built silver rows."""
    cfg = cfg or settings()
    df = daily_from_transactions(
        frame(spark, txns, TRANSACTIONS),
        frame(spark, customers, CUSTOMERS),
        frame(spark, labels, ADDRESS_LABELS),
        cfg,
        dates,
    )
    return conform(df, CUSTOMER_DAILY)


def features_for(
    spark, txns, customers, as_of, labels=(), cfg=None, exposure=None, exposure_as_of=None
):
    """gold.features rows (conformed) for D, via customer_daily, as the nightly step computes them."""
    cfg = cfg or settings()
    daily = daily_for(spark, txns, customers, labels, cfg)
    out = features_from_daily(
        daily,
        frame(spark, customers, CUSTOMERS),
        as_of,
        cfg,
        prev_active_days(daily, as_of, cfg),
        None if exposure is None else frame(spark, exposure, EXPOSURE),
        exposure_as_of,
    )
    return conform(out, FEATURES)
