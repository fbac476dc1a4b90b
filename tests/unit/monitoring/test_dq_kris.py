import json
from datetime import date

import pytest

from fcc.core.settings import AppConfig
from fcc.monitoring.run import late_arrival_kris, null_rate_kris

D, BASE = date(2026, 3, 31), date(2026, 3, 24)


def test_null_rate_rise_above_the_baseline_by_more_than_the_limit_is_a_breach(spark):
    rows = [(BASE, float(i), 1.0) for i in range(10)]  # baseline: no nulls
    rows += [(D, None if i < 3 else float(i), None if i < 1 else 1.0) for i in range(10)]
    df = spark.createDataFrame(rows, "as_of date, a double, b double")
    cfg = AppConfig.model_validate(
        {"monitoring": {"kri": {"max_null_rate_increase": 0.2}, "drift": {"baseline_days": 7}}}
    )
    got = {m[1]: m for m in null_rate_kris(df, ["a", "b", "missing"], D, cfg, "t")}
    assert set(got) == {"t.a", "t.b"}
    assert got["t.a"][3] == pytest.approx(0.3) and got["t.a"][5] is True  # 0.3 - 0.0 > 0.2
    assert got["t.b"][3] == pytest.approx(0.1) and got["t.b"][5] is False
    assert got["t.a"][4] == pytest.approx(0.2)  # threshold = baseline rate + limit


def test_late_arrivals_are_summed_per_source_with_the_oldest_date(spark):
    rows = [
        (D, "fiat_ledger", "b1", date(2026, 3, 29), 4),
        (D, "fiat_ledger", "b2", date(2026, 3, 20), 1),
        (D, "trades", "b3", date(2026, 3, 30), 2),
        (BASE, "trades", "b0", date(2026, 3, 1), 9),
    ]
    df = spark.createDataFrame(
        rows, "as_of date, source string, batch_id string, event_date date, rows long"
    )
    got = {m[1]: m for m in late_arrival_kris(df, D)}
    assert got["fiat_ledger"][3] == 5.0 and json.loads(got["fiat_ledger"][6]) == {
        "event_dates": 2,
        "max_days_late": 11,
    }
    assert got["trades"][3] == 2.0 and got["trades"][5] is False
