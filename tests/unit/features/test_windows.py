"""gold.features: rolling windows computed from customer_daily, hand-computed.

Every scenario uses its own customers (and peer segments), so one feature computation as of D
serves the whole module.
"""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from chispa import assert_df_equality
from pyspark.sql import types as T

from fcc.core.tables.gold_features import FEATURES
from tests.unit.features.builders import customer, features_for, settings, txn

D = date(2026, 6, 30)
SNAPSHOT = date(2026, 6, 29)


def _at(days_back: int, clock: str = "12:00:00") -> str:
    return f"{(D - timedelta(days=days_back)).isoformat()}T{clock}"


WINDOW_EDGES = [
    # 7d = D-6..D: D-6 at 00:00:00 is inside; D-7 at 23:59:59 (less than 7x24 h before D ends) is not.
    txn("edge", _at(0, "23:59:59"), "in", "sepa", 1),
    txn("edge", _at(6, "00:00:00"), "in", "sepa", 2),
    txn("edge", _at(7, "23:59:59"), "in", "sepa", 4),
    txn("edge", _at(29, "00:00:00"), "in", "sepa", 8),
    txn("edge", _at(30, "23:59:59"), "in", "sepa", 16),
    txn("edge", _at(89), "in", "sepa", 32),
    txn("edge", _at(90), "in", "sepa", 64),
    txn("edge", _at(-1, "00:00:00"), "in", "sepa", 128),  # after D: in no window
]
DORMANCY = [
    txn("old", _at(200), "out", "sepa", 10),  # active only before every window
    txn("back", _at(200), "in", "sepa", 5),
    txn("back", _at(0), "out", "onchain", 5, "a"),
    txn("quiet", _at(10), "in", "sepa", 5),
    txn("quiet", _at(3), "in", "sepa", 5),
    txn("new", _at(0), "in", "sepa", 5),
    txn("ancient", _at(800), "in", "sepa", 5),
    txn("ancient", _at(0), "in", "sepa", 5),
]
FLOWS = [
    # baseline period D-96..D-7: turnover 1,800 in 2 transactions -> 140 USD and 2/90*7 per week
    txn("flow", _at(50), "in", "sepa", 900, "i1", "DE"),
    txn("flow", _at(50, "13:00:00"), "out", "sepa", 900, "i1", "DE"),
    # D: 1,000 in from Iran, 700 out on chain an hour later, a trade whose legs turnover leaves out
    txn("flow", _at(0, "08:00:00"), "in", "swift", 1000, "i2", "IR"),
    txn("flow", _at(0, "09:00:00"), "out", "onchain", 700, "a1"),
    txn("flow", _at(0, "10:00:00"), "in", "trade", 500, "BTC-USD", cpty_type="market"),
    txn(
        "flow",
        _at(0, "10:00:00"),
        "out",
        "trade",
        500,
        "BTC-USD",
        asset_class="fiat",
        cpty_type="market",
    ),
]
CONCENTRATION = [
    txn("conc", _at(0), "out", "sepa", 60, "A"),
    txn("conc", _at(10), "out", "sepa", 30, "A"),
    txn("conc", _at(10, "13:00:00"), "out", "sepa", 10, "B"),
    txn("conc", _at(40), "out", "sepa", 100, "C"),
    txn("conc", _at(0), "in", "card", 50),  # no counterparty id: not in concentration
]
PEERS = [
    txn("r1", _at(1), "in", "sepa", 1000),
    txn("r2", _at(29), "in", "sepa", 3000),
    txn("h1", _at(5), "in", "sepa", 500),
    txn("u1", _at(5), "in", "sepa", 700),
]
EXPOSURE = [
    {
        "as_of": SNAPSHOT,
        "customer_id": "exp",
        "category": "mixer",
        "direction": "in",
        "min_hops": 2,
        "exposure_usd": Decimal("120.5"),
        "direct": False,
    },
    {
        "as_of": SNAPSHOT,
        "customer_id": "exp",
        "category": "sanctioned",
        "direction": "out",
        "min_hops": 1,
        "exposure_usd": Decimal("30"),
        "direct": True,
    },
]
CUSTOMERS = [
    customer(c, segment=c)
    for c in ("edge", "idle", "old", "back", "quiet", "new", "ancient", "flow", "conc", "exp")
] + [
    customer("r1", segment="peer_a", expected=500),
    customer("r2", segment="peer_a"),
    customer("r3", segment="peer_a", expected=0),
    customer("h1", segment="peer_b", expected=1000),
    customer("u1", segment=None),
]


@pytest.fixture(scope="module")
def computed(spark):
    return features_for(
        spark,
        WINDOW_EDGES + DORMANCY + FLOWS + CONCENTRATION + PEERS,
        CUSTOMERS,
        D,
        exposure=EXPOSURE,
        exposure_as_of=SNAPSHOT,
    ).cache()


@pytest.fixture(scope="module")
def rows(computed):
    return {r.customer_id: r for r in computed.collect()}


def _values(row, *names):
    return tuple(row[n] for n in names)


def test_every_customer_gets_one_row_as_of_d(rows):
    assert sorted(rows) == sorted(c["customer_id"] for c in CUSTOMERS)
    assert {r.as_of for r in rows.values()} == {D}


def test_windows_are_calendar_days_ending_at_d_inclusive(spark, computed):
    cols = [
        "customer_id",
        "in_usd_1d",
        "in_usd_7d",
        "in_usd_30d",
        "in_usd_90d",
        "in_count_90d",
        "active_days_1d",
        "active_days_7d",
        "active_days_30d",
        "active_days_90d",
    ]
    expected = spark.createDataFrame(
        [("edge", Decimal(1), Decimal(3), Decimal(15), Decimal(63), 6, 1, 2, 4, 6)],
        T.StructType([FEATURES.schema[c] for c in cols]),
    )
    got = computed.where("customer_id = 'edge'").select(*cols)
    assert_df_equality(got, expected, ignore_nullable=True, ignore_metadata=True)


def test_customer_without_activity_in_the_windows_gets_zeros_and_null_ratios(rows):
    for cid in ("idle", "old"):
        r = rows[cid]
        assert _values(
            r,
            "in_usd_90d",
            "out_count_7d",
            "near_threshold_count_30d",
            "distinct_cpty_out_90d",
            "max_out_usd_30d",
            "pass_through_usd_90d",
        ) == (Decimal(0), 0, 0, 0, Decimal(0), Decimal(0))
        assert (
            _values(
                r,
                "out_in_ratio_30d",
                "cpty_out_top_share_30d",
                "velocity_usd_7d",
                "pass_through_ratio_90d",
                "high_risk_share_7d",
            )
            == (None,) * 5
        )
        assert r.segment == cid
    assert rows["idle"].days_since_prev_activity is None
    assert _values(rows["old"], "days_since_prev_activity", "reactivation_gap_days") == (200, None)


def test_dormancy_is_days_since_the_previous_active_day_and_the_gap_that_ended_at_d(rows):
    got = {
        c: _values(rows[c], "days_since_prev_activity", "reactivation_gap_days")
        for c in ("back", "quiet", "new", "ancient")
    }
    assert got == {
        "back": (200, 200),  # reactivated on D after 200 days
        "quiet": (3, None),  # inactive on D; last active D-3
        "new": (None, None),  # first activity ever on D
        "ancient": (None, None),  # previous activity beyond the 730-day lookback
    }


def test_velocity_balance_pass_through_and_high_risk_share(rows):
    r = rows["flow"]
    assert _values(
        r,
        "turnover_usd_7d",
        "net_usd_7d",
        "pass_through_usd_7d",
        "high_risk_in_usd_30d",
        "baseline_weekly_usd",
    ) == (Decimal(1700), Decimal(300), Decimal(700), Decimal(1000), Decimal(140))
    assert r.out_in_ratio_7d == pytest.approx(1200 / 1500)
    assert r.pass_through_ratio_7d == pytest.approx(0.7)
    assert r.high_risk_share_7d == pytest.approx(1000 / 1700)
    assert r.velocity_usd_7d == pytest.approx(1700 / 140)
    assert r.baseline_weekly_count == pytest.approx(2 / 90 * 7)
    assert r.velocity_count_7d == pytest.approx(2 / (2 / 90 * 7))


def test_counterparty_concentration_merges_the_same_counterparty_across_days(rows):
    r = rows["conc"]
    assert _values(
        r,
        "distinct_cpty_out_1d",
        "distinct_cpty_out_7d",
        "distinct_cpty_out_30d",
        "distinct_cpty_out_90d",
    ) == (1, 1, 2, 3)
    assert _values(r, "cpty_out_top_share_7d", "cpty_out_hhi_7d") == (1.0, 1.0)
    assert r.cpty_out_top_share_30d == pytest.approx(0.9)  # A 90 of 100
    assert r.cpty_out_hhi_30d == pytest.approx(0.9**2 + 0.1**2)
    assert r.cpty_out_top_share_90d == pytest.approx(0.5)  # C 100 of 200
    assert r.cpty_out_hhi_90d == pytest.approx(0.45**2 + 0.05**2 + 0.5**2)
    assert _values(r, "distinct_cpty_in_7d", "cpty_in_top_share_7d", "cpty_in_hhi_7d") == (
        0,
        None,
        None,
    )


def test_expected_volume_ratio_and_peer_statistics_within_segment(rows):
    mean = 4000 / 3
    std = (((1000 - mean) ** 2 + (3000 - mean) ** 2 + (0 - mean) ** 2) / 3) ** 0.5
    assert rows["r1"].expected_volume_ratio_30d == pytest.approx(2.0)
    assert rows["h1"].expected_volume_ratio_30d == pytest.approx(0.5)
    assert (rows["r2"].expected_volume_ratio_30d, rows["r3"].expected_volume_ratio_30d) == (
        None,
        None,
    )
    for cid, x, pct in (("r1", 1000, 0.5), ("r2", 3000, 1.0), ("r3", 0, 0.0)):
        assert rows[cid].peer_turnover_z_30d == pytest.approx((x - mean) / std)
        assert rows[cid].peer_turnover_pct_30d == pytest.approx(pct)
    assert _values(rows["h1"], "peer_turnover_z_30d", "peer_turnover_pct_30d") == (
        None,
        0.0,
    )  # no spread
    assert _values(rows["u1"], "peer_turnover_z_30d", "peer_turnover_pct_30d") == (
        None,
        None,
    )  # no segment


def test_exposure_amounts_come_from_the_exposure_snapshot(rows):
    cols = (
        "exposure_mixer_in_usd",
        "exposure_sanctioned_out_usd",
        "exposure_mixer_out_usd",
        "exposure_as_of",
    )
    assert _values(rows["exp"], *cols) == (Decimal("120.5"), Decimal(30), Decimal(0), SNAPSHOT)
    assert _values(rows["idle"], *cols) == (Decimal(0), Decimal(0), Decimal(0), SNAPSHOT)


def test_configured_windows_and_baseline_keep_their_own_edges(spark):
    """Windows 7/30 only and a 14-day baseline: D-alone and the baseline end need no window."""
    cfg = settings(windows_days=[7, 30], velocity_baseline_days=14)
    txns = [
        txn("cfg", _at(0), "in", "sepa", 1),  # D: 7d, 30d, recent
        txn("cfg", _at(6), "in", "sepa", 2),  # 7d, 30d, recent
        txn("cfg", _at(7), "in", "sepa", 4),  # 30d, baseline (D-20..D-7)
        txn("cfg", _at(20), "in", "sepa", 8),  # 30d, last baseline day
        txn("cfg", _at(21), "in", "sepa", 16),  # 30d only
        txn("cfg", _at(30), "in", "sepa", 32),  # in no window
        txn("quiet7", _at(8), "out", "sepa", 5),  # not active on D
    ]
    got = {
        r.customer_id: r
        for r in features_for(
            spark, txns, [customer("cfg"), customer("quiet7")], D, cfg=cfg
        ).collect()
    }
    r = got["cfg"]
    assert _values(r, "in_usd_7d", "in_usd_30d", "active_days_7d", "active_days_30d") == (
        Decimal(3),
        Decimal(31),
        2,
        5,
    )
    assert _values(r, "in_usd_1d", "in_usd_90d") == (None, None)  # windows not configured
    assert r.baseline_weekly_usd == Decimal(6)  # (4 + 8) over 14 days = 2 weeks
    assert r.velocity_usd_7d == pytest.approx(3 / 6)
    assert r.reactivation_gap_days == 6  # active on D, previously active on D-6
    assert _values(got["quiet7"], "in_usd_30d", "out_usd_30d", "reactivation_gap_days") == (
        Decimal(0),
        Decimal(5),
        None,
    )
