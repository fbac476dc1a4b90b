"""Detectors over a customer's own flows: pattern fires, look-alike stays quiet, boundaries."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from pyspark.sql import functions as F

from fcc.core.settings.features import CountryRiskList
from fcc.core.settings.typologies import (
    DormantSettings,
    FanInSettings,
    FanOutSettings,
    GatherScatterSettings,
    HighRiskJurisdictionSettings,
    PassThroughSettings,
    RapidConversionSettings,
    StructuringSettings,
)
from fcc.core.tables import silver
from fcc.typologies import _flows
from fcc.typologies._common import segment_levels
from tests.unit.typologies.helpers import (
    D,
    at,
    hits_by_customer,
    scaled,
    txn,
    txns_df,
    usual_month,
)

N = 50
SCALES = [0.01, 100.0]  # every amount x 0.01 and x 100: the same hits


def same_hits(hits, other) -> bool:
    """The same customers, rule ids and typologies (evidence amounts scale with the data)."""
    key = lambda df: sorted((r.customer_id, r.rule_id, r.typology) for r in df.collect())  # noqa: E731
    return key(hits) == key(other)


# --- structuring ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def structuring_txns(spark):
    rows = [
        # S1: three credits in the band within 7 days, the last on D
        txn("s1a", "S1", at(4), "in", 9500),
        txn("s1b", "S1", at(2), "in", 9000),
        txn("s1c", "S1", at(0), "in", 8500),
        # S2: salary just under a round number, monthly: one per window
        txn("s2a", "S2", at(60), "in", 9500),
        txn("s2b", "S2", at(30), "in", 9500),
        txn("s2c", "S2", at(0), "in", 9500),
        # S3: exactly 80% and 99% of the threshold count (inclusive band), D-6 is in the window
        txn("s3a", "S3", at(6), "in", 8000),
        txn("s3b", "S3", at(3), "in", 9900),
        txn("s3c", "S3", at(0), "in", 8000),
        # S4: just outside the band on both sides
        txn("s4a", "S4", at(3), "in", 7999.99),
        txn("s4b", "S4", at(2), "in", 9900.01),
        txn("s4c", "S4", at(1), "in", 8500),
        txn("s4d", "S4", at(0), "in", 9000),
        # S5: three banded credits, none on D (already reported on D-1)
        txn("s5a", "S5", at(5), "in", 9000),
        txn("s5b", "S5", at(3), "in", 9000),
        txn("s5c", "S5", at(1), "in", 9000),
        # S6 + S7 share identifiers (one entity cluster): 2 + 1 credits
        txn("s6a", "S6", at(3), "in", 9100),
        txn("s6b", "S6", at(1), "in", 9200),
        txn("s7a", "S7", at(0), "in", 9300),
        # S8: banded amounts but crypto deposits, not cash-like fiat
        *[
            txn(
                f"s8{i}",
                "S8",
                at(i),
                "in",
                9000,
                rail="onchain",
                asset="USDT",
                asset_class="stablecoin",
                cp_type="address",
            )
            for i in range(3)
        ],
    ]
    return txns_df(spark, rows)


def test_structuring_fires_on_three_deposits_just_below_threshold(spark, structuring_txns):
    clusters = spark.createDataFrame(
        [("S6", 1, 2), ("S7", 1, 2)], "customer_id string, cluster_id long, cluster_size long"
    )
    hits = hits_by_customer(
        _flows.detect_structuring(structuring_txns, D, StructuringSettings(), N, clusters)
    )
    assert set(hits) == {"S1", "S3", "S6", "S7"}
    s1 = hits["S1"]
    assert s1["rule_id"] == "structuring" and s1["typology"] == "structuring"
    assert s1["txn_ids"] == ["s1a", "s1b", "s1c"]  # ordered in time
    ev = s1["evidence"]
    assert ev["credits_in_band"] == 3 and ev["min_credits"] == 3
    assert ev["band"] == {"from_usd": 8000.0, "to_usd": 9900.0}
    assert ev["total_usd"] == 27000.0
    assert ev["window"] == {"from": "2026-03-25", "to": "2026-03-31", "days": 7}
    assert hits["S6"]["evidence"]["customers_pooled"] == 2
    assert hits["S7"]["txn_ids"] == ["s6a", "s6b", "s7a"]


def test_structuring_does_not_pool_a_cluster_above_the_size_cap(spark, structuring_txns):
    """Members of a cluster larger than pool_max_cluster_size (25 > 20) are not pooled."""
    clusters = spark.createDataFrame(
        [("S6", 1, 25), ("S7", 1, 25)], "customer_id string, cluster_id long, cluster_size long"
    )
    hits = hits_by_customer(
        _flows.detect_structuring(structuring_txns, D, StructuringSettings(), N, clusters)
    )
    assert set(hits) == {"S1", "S3"}  # S6 (2 credits) and S7 (1) stay apart


def test_structuring_without_clusters_does_not_pool_customers(structuring_txns):
    hits = hits_by_customer(
        _flows.detect_structuring(structuring_txns, D, StructuringSettings(), N)
    )
    assert set(hits) == {"S1", "S3"}


# --- segment levels ------------------------------------------------------------------------


def test_segment_levels_take_each_segments_percentile_or_every_segments_when_it_is_small(spark):
    values = spark.createDataFrame(
        [("a1", "A", 1.0), ("a2", "A", 2.0), ("a3", "A", 3.0), ("a4", "A", 4.0), ("a5", "A", 5.0)]
        + [("b1", "B", 100.0), ("b2", "B", 200.0)],
        "customer_id string, segment string, usd double",
    )

    def levels(pooled):
        out = segment_levels(values, {"level": ("usd", 0.5)}, min_peers=3, pooled=pooled)
        return {r.segment: r.level for r in out.collect()}

    # A's median of (1..5) is 3; B has 2 < 3 rows: the median of all seven (1..5, 100, 200) is 4
    assert levels(pooled=True) == {"A": 3.0, "B": 4.0}
    assert levels(pooled=False) == {"A": 3.0, "B": None}


# --- pass-through --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pass_through_txns(spark):
    rows = [
        # the book: thirty customers moving 10,000 in 30 days; with the six below, 10,000 is the
        # 80th percentile of the 36 active customers' 30-day turnover (the 29th smallest)
        *usual_month(30, 10000),
        # P1: 20,000 in, 19,000 out 22 hours later
        txn("p1a", "P1", at(1, 10), "in", 20000),
        txn("p1b", "P1", at(0, 8), "out", 19000, rail="swift"),
        # P2: frequent trader: same flows but trades 40,000 in between
        txn("p2a", "P2", at(1, 10), "in", 20000),
        txn(
            "p2t1",
            "P2",
            at(1, 11),
            "in",
            20000,
            rail="trade",
            asset="BTC",
            asset_class="crypto",
            cp_type="market",
        ),
        txn("p2t2", "P2", at(1, 11), "out", 20000, rail="trade", cp_type="market"),
        txn("p2t3", "P2", at(1, 15), "in", 20000, rail="trade", cp_type="market"),
        txn(
            "p2t4",
            "P2",
            at(1, 15),
            "out",
            20000,
            rail="trade",
            asset="BTC",
            asset_class="crypto",
            cp_type="market",
        ),
        txn("p2b", "P2", at(0, 9), "out", 19500),
        # P3: boundary: exactly 90% out; P4: just below
        txn("p3a", "P3", at(1, 12), "in", 12000),
        txn("p3b", "P3", at(0, 1), "out", 10800),
        txn("p4a", "P4", at(1, 12), "in", 12000),
        txn("p4b", "P4", at(0, 1), "out", 10799),
        # P5: less than the book's 80th percentile month passes through
        txn("p5a", "P5", at(0, 1), "in", 4000),
        txn("p5b", "P5", at(0, 2), "out", 4000),
        # P6: the outflow came before the inflow (an older balance), not pass-through
        txn("p6b", "P6", at(0, 1), "out", 10000),
        txn("p6a", "P6", at(0, 5), "in", 10000),
    ]
    return txns_df(spark, rows)


def test_pass_through_fires_on_in_and_out_within_hours_and_spares_traders(pass_through_txns):
    hits = hits_by_customer(
        _flows.detect_pass_through(pass_through_txns, D, PassThroughSettings(), N)
    )
    assert set(hits) == {"P1", "P3"}
    ev = hits["P1"]["evidence"]
    assert ev["in_usd"] == 20000.0 and ev["out_usd"] == 19000.0 and ev["out_in_ratio"] == 0.95
    assert ev["left_behind_usd"] == 1000.0 and ev["hours_in_to_last_out"] == 22.0
    assert ev["turnover_level_usd"] == 10000.0
    assert (ev["turnover_percentile"], ev["turnover_days"]) == (0.8, 30)
    assert hits["P1"]["txn_ids"] == ["p1a", "p1b"]


@pytest.mark.parametrize("factor", SCALES)
def test_pass_through_fires_alike_at_any_money_scale(pass_through_txns, factor):
    base = _flows.detect_pass_through(pass_through_txns, D, PassThroughSettings(), N)
    other = _flows.detect_pass_through(
        scaled(pass_through_txns, factor), D, PassThroughSettings(), N
    )
    assert same_hits(base, other) and base.count() == 2


def test_pass_through_needs_an_inflow_the_busiest_fifth_of_the_book_moves_in_a_month(spark):
    def through(c: str, in_usd: float) -> list[tuple]:  # in, then 9,500 out 20 hours later
        return [
            txn(f"{c}a", c, at(1, 10), "in", in_usd),
            txn(f"{c}b", c, at(0, 6), "out", 9500),
        ]

    patterns = [*through("B1", 10000), *through("B2", 9999)]

    def hits(book_usd: float) -> set[str]:
        rows = [*usual_month(30, book_usd), *patterns]
        found = _flows.detect_pass_through(txns_df(spark, rows), D, PassThroughSettings(), N)
        return set(hits_by_customer(found))

    # thirty months of 10,000, then 19,499 and 19,500: the 80th percentile (26th of 32) is 10,000;
    # B1 passes exactly that through, B2 a dollar less
    assert hits(10000) == {"B1"}
    # the same flows in a book whose customers move 100,000 a month are everyday business
    assert hits(100000) == set()
    # and in a book of 1,000 months both are large
    assert hits(1000) == {"B1", "B2"}


def test_pass_through_is_judged_against_what_the_customer_passed_through_before(spark):
    def now(c):  # 20,000 in, 19,000 out 22 hours later: the pattern of P1 above
        return [
            txn(f"{c}n1", c, at(1, 10), "in", 20000),
            txn(f"{c}n2", c, at(0, 8), "out", 19000, rail="swift"),
        ]

    rows = [
        *usual_month(30, 10000),  # the book: 10,000 is its 80th percentile month
        # M1: a payment intermediary passing the same 19,000 through a month ago
        txn("m1a", "M1", at(29, 10), "in", 20000),
        txn("m1b", "M1", at(28, 8), "out", 19000),
        *now("M1"),
        # M2: passed 10,000 through before: inflow is exactly 2x that, fires (boundary)
        txn("m2a", "M2", at(20, 10), "in", 10000),
        txn("m2b", "M2", at(20, 15), "out", 10000),
        *now("M2"),
        # M3: passed 10,001 through before: inflow below 2x, quiet
        txn("m3a", "M3", at(20, 10), "in", 10001),
        txn("m3b", "M3", at(20, 15), "out", 10001),
        *now("M3"),
        # M4: large turnover before, but in and out were weeks apart: nothing passed through
        txn("m4a", "M4", at(40, 10), "in", 30000),
        txn("m4b", "M4", at(10, 10), "out", 30000),
        *now("M4"),
        # M5: the same pass-through as M1 but before the baseline (days 16..99 before D)
        txn("m5a", "M5", at(100, 10), "in", 20000),
        txn("m5b", "M5", at(100, 15), "out", 19000),
        *now("M5"),
        # M6: the same again 8 days ago, inside the 14-day gap: a pattern that just began
        txn("m6a", "M6", at(8, 10), "in", 20000),
        txn("m6b", "M6", at(8, 15), "out", 19000),
        *now("M6"),
    ]
    df = txns_df(spark, rows)
    hits = hits_by_customer(_flows.detect_pass_through(df, D, PassThroughSettings(), N))
    assert set(hits) == {"M2", "M4", "M5", "M6"}
    assert hits["M2"]["evidence"]["history_max_passed_usd"] == 10000.0
    assert hits["M4"]["evidence"]["history_max_passed_usd"] == 0.0
    assert hits["M6"]["evidence"]["history_max_passed_usd"] == 0.0
    assert hits["M2"]["evidence"]["history_multiplier"] == 2.0
    # without the gap, M6's last week is its own baseline and it goes quiet
    no_gap = PassThroughSettings(history_gap_days=0)
    assert "M6" not in hits_by_customer(_flows.detect_pass_through(df, D, no_gap, N))
    # without the history test the intermediary is flagged too
    off = PassThroughSettings(history_days=0)
    assert set(hits_by_customer(_flows.detect_pass_through(df, D, off, N))) == {
        "M1",
        "M2",
        "M3",
        "M4",
        "M5",
        "M6",
    }


def test_pass_through_span_starts_at_each_inflow(spark):
    rows = [
        *usual_month(30, 10000),  # the book: 10,000 is its 80th percentile month
        # A1: 45 hours from inflow to outflow, the inflow two calendar days before D
        txn("a1a", "A1", at(2, 16, 26), "in", 12930),
        txn("a1b", "A1", at(0, 13, 12), "out", 12103),
        # A2: two overlapping rounds; round 1's outflow falls after round 2's inflow
        txn("a2a", "A2", at(2, 20), "in", 10000),
        txn("a2b", "A2", at(1, 6), "in", 9000),
        txn("a2c", "A2", at(1, 10), "out", 9800),
        txn("a2d", "A2", at(0, 8), "out", 8900),
        # A3: passed through by 05:00; the salary that arrives afterwards is not part of it
        txn("a3a", "A3", at(0, 1), "in", 20000),
        txn("a3b", "A3", at(0, 5), "out", 19000),
        txn("a3c", "A3", at(0, 10), "in", 7000),
        # A4: the outflow is 49 hours after the only inflow: too slow
        txn("a4a", "A4", at(2, 7), "in", 10000),
        txn("a4b", "A4", at(0, 8), "out", 10000),
        # A5: passed through yesterday, nothing on D: reported on its own night, not again
        txn("a5a", "A5", at(1, 1), "in", 20000),
        txn("a5b", "A5", at(1, 5), "out", 19000),
    ]
    df = txns_df(spark, rows)
    hits = hits_by_customer(_flows.detect_pass_through(df, D, PassThroughSettings(), N))
    assert set(hits) == {"A1", "A2", "A3"}
    a1 = hits["A1"]["evidence"]
    assert (a1["in_usd"], a1["out_usd"], a1["hours_in_to_last_out"]) == (12930.0, 12103.0, 44.77)
    a2 = hits["A2"]["evidence"]
    assert (a2["in_usd"], a2["out_usd"]) == (19000.0, 18700.0)
    assert hits["A2"]["txn_ids"] == ["a2a", "a2b", "a2c", "a2d"]
    a3 = hits["A3"]["evidence"]
    assert (a3["in_usd"], a3["out_usd"], a3["out_in_ratio"]) == (20000.0, 19000.0, 0.95)
    assert hits["A3"]["txn_ids"] == ["a3a", "a3b"]
    yesterday = D - timedelta(days=1)
    assert "A5" in hits_by_customer(
        _flows.detect_pass_through(df, yesterday, PassThroughSettings(), N)
    )


# --- fan-in / fan-out ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def fan_txns(spark):
    rows = []
    # F1: 12 new senders in the week (a funnel)
    rows += [txn(f"f1-{i}", "F1", at(i % 7), "in", 1000, cp=f"f1s{i}") for i in range(12)]
    # F2: a merchant receiving from the same 12 payers every week for 12 weeks
    rows += [
        txn(f"f2-{w}-{i}", "F2", at(7 * w + i % 7), "in", 1000, cp=f"f2s{i}")
        for w in range(12)
        for i in range(12)
    ]
    # F3: 4 new senders (the fewest that make a fan); F4: 3
    rows += [txn(f"f3-{i}", "F3", at(i % 3), "in", 600, cp=f"f3s{i}") for i in range(4)]
    rows += [txn(f"f4-{i}", "F4", at(i % 3), "in", 600, cp=f"f4s{i}") for i in range(3)]
    # E1: payroll: the same 15 employees paid monthly; M1: 12 new beneficiaries in a week
    rows += [
        txn(f"e1-{m}-{i}", "E1", at(30 * m), "out", 3000, cp=f"emp{i}")
        for m in range(3)
        for i in range(15)
    ]
    rows += [txn(f"m1-{i}", "M1", at(i % 5), "out", 900, cp=f"m1b{i}") for i in range(12)]
    return txns_df(spark, rows)


def test_fan_in_fires_on_many_new_senders_and_spares_a_regular_merchant(fan_txns):
    hits = hits_by_customer(_flows.detect_fan(fan_txns, D, FanInSettings(), "in", N))
    assert set(hits) == {"F1", "F3"}
    ev = hits["F1"]["evidence"]
    assert ev["distinct_counterparties"] == 12 and ev["new_counterparty_share"] == 1.0
    assert ev["history_max_per_window"] == 0 and ev["total_usd"] == 12000.0
    assert len(hits["F1"]["txn_ids"]) == 12


def test_fan_in_is_judged_against_the_segments_percentiles_of_counts_and_totals(spark, fan_txns):
    peers = spark.createDataFrame(
        [(c, "retail") for c in ("F1", "F2", "F3", "F4")], "customer_id string, segment string"
    )
    # window senders (12, 12, 4, 3): the 90th percentile is 12; USD totals (12000, 12000, 2400,
    # 1800): the median is 2400
    s = FanInSettings(min_peers=4, peer_percentile=0.9, total_peer_percentile=0.5)
    hits = hits_by_customer(_flows.detect_fan(fan_txns, D, s, "in", N, peers))
    assert set(hits) == {"F1"}  # F3's 4 senders are below the segment's 90th percentile
    ev = hits["F1"]["evidence"]
    assert (ev["segment_count_level"], ev["segment_total_level"]) == (12.0, 2400.0)
    s = FanInSettings(min_peers=4, peer_percentile=0.1, total_peer_percentile=0.9)
    assert set(hits_by_customer(_flows.detect_fan(fan_txns, D, s, "in", N, peers))) == {"F1"}
    s = FanInSettings(min_peers=4, peer_percentile=0.1, total_peer_percentile=0.1)
    assert set(hits_by_customer(_flows.detect_fan(fan_txns, D, s, "in", N, peers))) == {"F1", "F3"}


def test_fan_in_fires_alike_at_any_money_scale(spark, fan_txns):
    small = scaled(fan_txns, 0.01)
    peers = spark.createDataFrame(
        [(c, "retail") for c in ("F1", "F2", "F3", "F4")], "customer_id string, segment string"
    )
    s = FanInSettings(min_peers=4, peer_percentile=0.1, total_peer_percentile=0.5)
    at_1 = hits_by_customer(_flows.detect_fan(fan_txns, D, s, "in", N, peers))
    at_001 = hits_by_customer(_flows.detect_fan(small, D, s, "in", N, peers))
    assert set(at_1) == set(at_001) == {"F1", "F3"}
    assert at_001["F1"]["evidence"]["total_usd"] == 120.0


def test_fan_out_fires_on_new_beneficiaries_and_spares_payroll(fan_txns):
    hits = hits_by_customer(_flows.detect_fan(fan_txns, D, FanOutSettings(), "out", N))
    assert set(hits) == {"M1"}
    assert hits["M1"]["rule_id"] == "fan_out" and hits["M1"]["typology"] == "fan_out"


# --- gather-scatter ---------------------------------------------------------------------------


def test_gather_scatter_fires_on_a_collector_and_spares_a_payment_processor(spark):
    def collector(c: str, days_back: int, out_each: float) -> list[tuple]:
        ins = [
            txn(f"{c}-{days_back}-i{i}", c, at(days_back + 1 + i % 2), "in", 2000, cp=f"{c}s{i}")
            for i in range(6)
        ]
        outs = [
            txn(f"{c}-{days_back}-o{i}", c, at(days_back, 15), "out", out_each, cp=f"{c}r{i}")
            for i in range(4)
        ]
        return ins + outs

    rows = collector("G1", 0, 2500)  # 12,000 in from 6, 10,000 out to 4 (83%)
    rows += [r for w in range(0, 84, 7) for r in collector("G2", w, 2500)]  # every week the same
    rows += collector("G3", 0, 2000)  # 8,000 out of 12,000 (67%) < 70%
    hits = hits_by_customer(
        _flows.detect_gather_scatter(txns_df(spark, rows), D, GatherScatterSettings(), N)
    )
    assert set(hits) == {"G1"}
    ev = hits["G1"]["evidence"]
    assert (ev["senders"], ev["receivers"], ev["out_in_ratio"]) == (6, 4, 0.8333)


# --- dormant reactivation ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def dormant_txns(spark):
    rows = [
        # the book: thirty customers moving 5,000 in 30 days; with the seven below (6,000, 6,000,
        # 5,000, 5,000, 10,000, 10,000, 4,999 moved on D) 5,000 is the 80th percentile of the 37
        # active customers' 30-day turnover (the 30th smallest)
        *usual_month(30, 5000),
        txn("d1a", "D1", at(200), "in", 100),
        txn("d1b", "D1", at(0), "out", 6000),
        txn("d2a", "D2", at(100), "in", 100),
        txn("d2b", "D2", at(0), "out", 6000),
        txn("d3a", "D3", at(180), "in", 100),
        txn("d3b", "D3", at(0), "in", 5000),
        txn("d4a", "D4", at(179), "in", 100),
        txn("d4b", "D4", at(0), "in", 5000),
        txn("d5b", "D5", at(0), "in", 10000),
        txn("d6b", "D6", at(0), "in", 10000),
        txn("d7a", "D7", at(300), "in", 100),
        txn("d7b", "D7", at(0), "in", 4999),  # a dollar below the book's 80th percentile month
    ]
    return txns_df(spark, rows)


@pytest.fixture(scope="module")
def onboarded(spark):
    return spark.createDataFrame(
        [("D5", at(300)), ("D6", at(5))], "customer_id string, onboarded_at timestamp"
    )


def test_dormant_reactivation_fires_after_the_dormant_period_only(dormant_txns, onboarded):
    hits = hits_by_customer(_flows.detect_dormant(dormant_txns, D, DormantSettings(), N, onboarded))
    assert set(hits) == {"D1", "D3", "D5"}  # D3 moves exactly the level, D7 a dollar less
    assert hits["D3"]["evidence"]["turnover_level_usd"] == 5000.0
    assert hits["D1"]["evidence"]["days_dormant"] == 200
    assert hits["D1"]["evidence"]["previous_activity"] == str(D - timedelta(days=200))
    assert hits["D5"]["evidence"]["days_dormant"] == 300  # since onboarding
    assert hits["D3"]["txn_ids"] == ["d3b"]


@pytest.mark.parametrize("factor", SCALES)
def test_dormant_reactivation_fires_alike_at_any_money_scale(dormant_txns, onboarded, factor):
    base = _flows.detect_dormant(dormant_txns, D, DormantSettings(), N, onboarded)
    other = _flows.detect_dormant(scaled(dormant_txns, factor), D, DormantSettings(), N, onboarded)
    assert same_hits(base, other) and base.count() == 3


def test_dormant_reactivation_is_large_for_the_book_it_is_in(spark):
    reactivation = [
        txn("x1a", "X1", at(250), "in", 100),
        txn("x1b", "X1", at(0), "out", 9000),
    ]

    def hits(book_usd: float) -> set[str]:
        df = txns_df(spark, [*usual_month(30, book_usd), *reactivation])
        return set(hits_by_customer(_flows.detect_dormant(df, D, DormantSettings(), N)))

    assert hits(2000) == {"X1"}  # 9,000 in a day where the busiest fifth move 2,000 a month
    assert hits(50000) == set()  # everyday business where they move 50,000


def test_credits_from_other_customers_do_not_end_a_dormancy(spark):
    """Small internal transfers another customer sends keep a dormant account dormant; the
    holder's own transfer out (or a credit on another rail) is activity."""
    rows = [
        *usual_month(30, 10000),
        txn("e1a", "E1", at(250), "in", 50),
        txn("e1b", "E1", at(40), "in", 881, rail="internal", cp_type="customer", cp="X"),
        txn("e1c", "E1", at(0), "in", 30000),
        txn("e2a", "E2", at(250), "in", 50),
        txn("e2b", "E2", at(40), "out", 881, rail="internal", cp_type="customer", cp="X"),
        txn("e2c", "E2", at(0), "in", 30000),
        txn("e3a", "E3", at(250), "in", 50),
        txn("e3b", "E3", at(40), "in", 881),
        txn("e3c", "E3", at(0), "in", 30000),
    ]
    hits = hits_by_customer(_flows.detect_dormant(txns_df(spark, rows), D, DormantSettings(), N))
    assert set(hits) == {"E1"}
    assert hits["E1"]["evidence"]["days_dormant"] == 250
    everything = DormantSettings(third_party_credit_rails=[])
    assert hits_by_customer(_flows.detect_dormant(txns_df(spark, rows), D, everything, N)) == {}


# --- high-risk jurisdictions -------------------------------------------------------------------


@pytest.fixture(scope="module")
def listed_txns(spark):
    rows = [
        # the book: thirty customers moving 1,000 in 30 days; with the seven below (2,000, 1,100,
        # 999, 5,000, 5,000, 200 and 400 in the window) the 80th percentile (30th of 37) is 1,000
        *usual_month(30, 1000),
        txn("h1", "H1", at(0), "out", 2000, country="IR"),
        txn("h2a", "H2", at(10), "in", 600, country="vn"),
        txn("h2b", "H2", at(0), "in", 500, country="VN"),
        txn("h3", "H3", at(0), "out", 999, country="IR"),
        txn("h4", "H4", at(0), "out", 5000, country="DE"),
        txn("h5", "H5", at(3), "out", 5000, country="IR"),
        txn("h6a", "H6", at(30), "in", 900, country="VN"),
        txn("h6b", "H6", at(0), "in", 200, country="VN"),
        # H7: a remittance of a few hundred a month to a grey-listed country
        txn("h7", "H7", at(0), "out", 400, country="VN"),
    ]
    return txns_df(spark, rows)


def _country_lists() -> list[CountryRiskList]:
    return [
        CountryRiskList(name="fatf_call_for_action", published=date(2025, 6, 13), countries=["IR"]),
        CountryRiskList(
            name="fatf_increased_monitoring", published=date(2025, 6, 13), countries=["VN"]
        ),
    ]


def test_high_risk_jurisdiction_sums_the_window_and_grades_by_list(listed_txns):
    s = HighRiskJurisdictionSettings(severity_by_list={"fatf_call_for_action": "high"})
    hits = hits_by_customer(
        _flows.detect_high_risk_jurisdiction(listed_txns, D, s, _country_lists(), N)
    )
    # H3's 999 is a dollar below the book's level (1,000); H7's remittance far below it
    assert set(hits) == {"H1", "H2"}
    assert hits["H1"]["evidence"]["turnover_level_usd"] == 1000.0
    assert hits["H1"]["severity"] == "high" and hits["H2"]["severity"] == "medium"
    assert hits["H2"]["evidence"]["listed_usd"] == 1100.0
    assert hits["H2"]["evidence"]["lists"] == ["fatf_increased_monitoring"]


@pytest.mark.parametrize("factor", SCALES)
def test_high_risk_jurisdiction_fires_alike_at_any_money_scale(listed_txns, factor):
    s, lists = HighRiskJurisdictionSettings(), _country_lists()
    base = _flows.detect_high_risk_jurisdiction(listed_txns, D, s, lists, N)
    other = _flows.detect_high_risk_jurisdiction(scaled(listed_txns, factor), D, s, lists, N)
    assert same_hits(base, other) and base.count() == 2


# --- rapid conversion --------------------------------------------------------------------------


def _trade(tid: str, c: str, ts: datetime, usd: float, buy_crypto: bool = True) -> list[tuple]:
    """The two legs of a BTC-USD conversion: crypto bought with fiat (or sold for it)."""
    crypto = dict(asset="BTC", asset_class="crypto")
    return [
        txn(
            f"{tid}:base",
            c,
            ts,
            "in" if buy_crypto else "out",
            usd,
            rail="trade",
            cp_type="market",
            cp="BTC-USD",
            **crypto,
        ),
        txn(
            f"{tid}:quote",
            c,
            ts,
            "out" if buy_crypto else "in",
            usd,
            rail="trade",
            cp_type="market",
            cp="BTC-USD",
        ),
    ]


@pytest.fixture(scope="module")
def conversion_txns(spark):
    onchain = dict(rail="onchain", asset="BTC", asset_class="crypto", cp_type="address")
    rows = [
        # the book: thirty customers moving 10,000 in 30 days; with the seven below (19,800, 11,000,
        # 19,800, 18,000, 17,999, 39,800, 19,798 moved, trades excluded) 10,000 is the 80th
        # percentile of the 37 active customers' 30-day turnover (the 30th smallest)
        *usual_month(30, 10000),
        txn("r1a", "R1", at(0, 1), "in", 10000),
        *_trade("r1t", "R1", at(0, 2), 9900),
        txn("r1w", "R1", at(0, 5), "out", 9800, cp="addr1", **onchain),
        # R2: a frequent trader: deposits and trades, withdraws a little
        txn("r2a", "R2", at(0, 1), "in", 10000),
        *_trade("r2t1", "R2", at(0, 2), 9900),
        *_trade("r2t2", "R2", at(0, 3), 9900, buy_crypto=False),
        *_trade("r2t3", "R2", at(0, 4), 9000),
        txn("r2w", "R2", at(0, 6), "out", 1000, cp="addr2", **onchain),
        # R3: the withdrawal comes 30 hours after the deposit
        txn("r3a", "R3", at(1, 1), "in", 10000),
        *_trade("r3t", "R3", at(1, 2), 9900),
        txn("r3w", "R3", at(0, 7), "out", 9800, cp="addr3", **onchain),
        # R4: exactly 80% traded and withdrawn; R5: withdrawal one dollar short
        txn("r4a", "R4", at(0, 1), "in", 10000),
        *_trade("r4t", "R4", at(0, 2), 8000),
        txn("r4w", "R4", at(0, 3), "out", 8000, cp="addr4", **onchain),
        txn("r5a", "R5", at(0, 1), "in", 10000),
        *_trade("r5t", "R5", at(0, 2), 8000),
        txn("r5w", "R5", at(0, 3), "out", 7999, cp="addr5", **onchain),
        # R6: the reverse: crypto in, sold, fiat out
        txn("r6a", "R6", at(0, 1), "in", 20000, cp="addr6", **onchain),
        *_trade("r6t", "R6", at(0, 2), 19900, buy_crypto=False),
        txn("r6w", "R6", at(0, 4), "out", 19800),
        # R7: as R1 but a dollar short of the book's level
        txn("r7a", "R7", at(0, 1), "in", 9999),
        *_trade("r7t", "R7", at(0, 2), 9900),
        txn("r7w", "R7", at(0, 5), "out", 9799, cp="addr7", **onchain),
    ]
    return txns_df(spark, rows)


def test_rapid_conversion_fires_on_fiat_trade_withdrawal_within_hours(conversion_txns):
    hits = _flows.detect_rapid_conversion(conversion_txns, D, RapidConversionSettings(), N)
    got = {(r.customer_id, r.rule_id) for r in hits.collect()}
    assert got == {
        ("R1", "rapid_conversion_fiat_to_crypto"),
        ("R4", "rapid_conversion_fiat_to_crypto"),
        ("R6", "rapid_conversion_crypto_to_fiat"),
    }
    r1 = hits_by_customer(hits.where(F.col("customer_id") == "R1"))["R1"]
    assert r1["txn_ids"] == ["r1a", "r1t:base", "r1w"]  # deposit, crypto bought, withdrawal
    assert r1["evidence"]["hours_deposit_to_withdrawal"] == 4.0
    assert r1["evidence"]["withdrawn_usd"] == 9800.0
    assert r1["evidence"]["turnover_level_usd"] == 10000.0  # R1 deposits exactly that


@pytest.mark.parametrize("factor", SCALES)
def test_rapid_conversion_fires_alike_at_any_money_scale(conversion_txns, factor):
    s = RapidConversionSettings()
    base = _flows.detect_rapid_conversion(conversion_txns, D, s, N)
    other = _flows.detect_rapid_conversion(scaled(conversion_txns, factor), D, s, N)
    assert same_hits(base, other) and base.count() == 3


def test_detector_output_has_the_hit_schema(spark):
    rows = [txn("x", "X", at(0), "in", 1.0)]
    out = _flows.detect_structuring(txns_df(spark, rows), D, StructuringSettings(), N)
    assert out.columns == [
        "customer_id",
        "rule_id",
        "rule_version",
        "typology",
        "severity",
        "score",
        "evidence",
        "txn_ids",
    ]
    assert silver.TRANSACTIONS.schema["amount_usd"].dataType.typeName() == "decimal"
