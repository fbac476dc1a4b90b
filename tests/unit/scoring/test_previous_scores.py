"""The scores a night compares its tiers with: the latest scored date before D."""

from __future__ import annotations

from datetime import date, timedelta

from fcc.core.tables import gold
from fcc.scoring.run import previous_scores

D = date(2026, 11, 27)


def _scores(spark, rows):
    return spark.createDataFrame(
        [(d, c, float(s), t, [], None, False) for d, c, s, t in rows], gold.RISK_SCORES.schema
    )


def test_previous_scores_are_those_of_the_latest_date_before_d(spark, lakehouse):
    rows = [
        (D - timedelta(days=5), "c1", "10", "low"),
        (D - timedelta(days=2), "c1", "60", "high"),
        (D - timedelta(days=2), "c2", "30", "medium"),
        (D, "c1", "90", "very_high"),
    ]
    lakehouse.append(gold.RISK_SCORES, _scores(spark, rows))
    got = sorted((r.as_of, r.customer_id, r.tier) for r in previous_scores(lakehouse, D).collect())
    assert got == [(D - timedelta(days=2), "c1", "high"), (D - timedelta(days=2), "c2", "medium")]


def test_the_first_scored_date_has_no_previous_scores(spark, lakehouse):
    lakehouse.append(gold.RISK_SCORES, _scores(spark, [(D, "c1", "90", "very_high")]))
    assert previous_scores(lakehouse, D).count() == 0
