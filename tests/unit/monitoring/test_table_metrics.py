"""Null rates and PSI drift of several columns of one table, computed in one pass."""

from __future__ import annotations

import math
from datetime import date, timedelta

from fcc.core.settings import AppConfig
from fcc.monitoring.run import table_metrics

D = date(2026, 11, 27)
BASE = D - timedelta(days=7)


def _table(spark):
    base = [(BASE, float(i), float(i)) for i in range(1, 11)]
    # x: 8 of 10 at or below the baseline median (5), y: the baseline again with 5 nulls
    today = [(D, 1.0 if i < 8 else 10.0, None if i < 5 else float(i + 1)) for i in range(10)]
    return spark.createDataFrame(base + today, "as_of date, x double, y double")


def test_psi_and_null_rates_of_each_column_match_the_hand_computed_values(spark):
    cfg = AppConfig.model_validate({"monitoring": {"drift": {"bins": 2, "baseline_days": 7}}})
    nulls, drift = table_metrics(_table(spark), ["x", "y"], ["x", "y"], D, cfg, "t")
    psi = {m[1]: m[3] for m in drift}
    # x: baseline shares (0.5, 0.5) on the edge 5; D (0.8, 0.2)
    by_hand = (0.8 - 0.5) * math.log(0.8 / 0.5) + (0.2 - 0.5) * math.log(0.2 / 0.5)
    assert psi["x"] == by_hand
    # y on D: 6..10 not null, all above the edge: shares (0, 1), the empty bin gets 1e-4
    assert psi["y"] == (1e-4 - 0.5) * math.log(1e-4 / 0.5) + (1 - 0.5) * math.log(1 / 0.5)
    assert {m[1]: (m[3], m[5]) for m in nulls} == {"t.x": (0.0, False), "t.y": (0.5, True)}
    assert all(f'"baseline": "{BASE}"' in m[6] for m in drift)


def test_without_an_earlier_date_drift_says_no_baseline_and_null_rates_have_no_limit(spark):
    cfg = AppConfig.model_validate({"monitoring": {"drift": {"bins": 2}}})
    today = _table(spark).where(f"as_of = DATE'{D}'")
    nulls, drift = table_metrics(today, ["x"], ["y"], D, cfg, "t")
    assert [(m[1], m[3], m[6]) for m in drift] == [("x", None, '{"note": "no baseline yet"}')]
    assert [(m[1], m[3], m[4], m[5]) for m in nulls] == [("t.y", 0.5, None, False)]
