"""The scoring step on real Delta tables: the tier counts it reports are those it wrote."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from fcc.core.settings import AppConfig
from fcc.core.settings.scoring import ScoringSettings
from fcc.core.tables import gold, silver
from fcc.scoring import run_scoring

D = date(2026, 11, 27)
SCORING = ScoringSettings.model_validate(
    {
        "kyc": {"pep_points": 20, "segment_points": {"hnw": 10, "merchant": 30}},
        "rule_hits": {"severity_points": {"high": 20}},
    }
)


def _customers(spark, lakehouse, rows):
    names = silver.CUSTOMERS.schema.fieldNames()
    records = [
        {
            "customer_id": cid,
            "segment": segment,
            "is_pep": pep,
            "onboarded_at": datetime(2020, 1, 1),
        }
        for cid, segment, pep in rows
    ]
    df = spark.createDataFrame(
        [tuple(r.get(n) for n in names) for r in records], silver.CUSTOMERS.schema
    )
    lakehouse.overwrite(silver.CUSTOMERS, df)


def test_reported_tiers_and_changes_are_the_rows_written(spark, lakehouse):
    cfg = AppConfig(scoring=SCORING)
    # c1 pep + hnw = 30 (medium), c2 nothing (low), c3 pep + merchant = 50 (high)
    _customers(
        spark,
        lakehouse,
        [("c1", "hnw", True), ("c2", "retail", False), ("c3", "merchant", True)],
    )
    first = run_scoring(spark, lakehouse, cfg, D - timedelta(days=1), "run-1")
    assert first == {
        "customers_scored": 3,
        "tier_changes": 0,
        "tier_low": 1,
        "tier_medium": 1,
        "tier_high": 1,
    }
    # c2 becomes a PEP in the hnw segment: 30 (medium), one tier change against the day before
    _customers(
        spark,
        lakehouse,
        [("c1", "hnw", True), ("c2", "hnw", True), ("c3", "merchant", True)],
    )
    second = run_scoring(spark, lakehouse, cfg, D, "run-2")
    assert second == {
        "customers_scored": 3,
        "tier_changes": 1,
        "tier_medium": 2,
        "tier_high": 1,
    }
    written = lakehouse.read(gold.RISK_SCORES).where(f"as_of = DATE'{D}'").collect()
    assert sorted((r.customer_id, r.score, r.tier, r.tier_changed) for r in written) == [
        ("c1", 30.0, "medium", False),
        ("c2", 30.0, "medium", True),
        ("c3", 50.0, "high", False),
    ]
