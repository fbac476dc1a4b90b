"""Detectors over gold tables: labelled-address exposure and profile / peer mismatch."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from fcc.core.settings.typologies import ExposureSettings, ProfileSettings
from fcc.core.tables import gold
from fcc.typologies import _gold
from tests.unit.typologies.helpers import D, at, hits_by_customer, txn, txns_df

N = 50
CATEGORIES = {"sanctioned": "critical", "mixer": "high", "gambling": "low"}


def test_exposure_grades_direct_and_indirect_by_category(spark):
    def row(c, cat, hops, usd, path, labelled, as_of=D):
        return (
            as_of,
            c,
            cat,
            "in",
            hops,
            Decimal(str(usd)),
            Decimal(str(usd)),
            hops == 1,
            path,
            labelled,
        )

    exposure = spark.createDataFrame(
        [
            row("E1", "sanctioned", 1, 100, ["e1addr", "sdn1"], ["sdn1"]),  # any direct exposure
            row(
                "E2", "mixer", 2, 5000, ["e2addr", "hop", "mix1"], ["mix1"]
            ),  # indirect, large enough
            row("E3", "mixer", 2, 500, ["e3addr", "hop", "mix1"], ["mix1"]),  # indirect, too small
            row("E4", "gambling", 1, 20, ["e4addr", "bet1"], ["bet1"]),
            row("E5", "mixer", 4, 50000, ["e5addr", "a", "b", "c", "mix1"], ["mix1"]),  # too far
            row("E6", "exchange", 1, 50000, ["e6addr", "ex1"], ["ex1"]),  # category not configured
            row("E7", "sanctioned", 1, 100, ["e7addr", "sdn1"], ["sdn1"], D - timedelta(days=1)),
        ],
        gold.EXPOSURE.schema,
    )
    onchain = dict(rail="onchain", asset="BTC", asset_class="crypto", cp_type="address")
    txns = txns_df(
        spark,
        [
            txn("e1t", "E1", at(2), "in", 100, cp="sdn1", **onchain),
            txn("e2t", "E2", at(2), "in", 6000, cp="hop", **onchain),
        ],
    )
    s = ExposureSettings(categories=CATEGORIES)
    hits = {
        (r.customer_id, r.rule_id): r
        for r in _gold.detect_exposure(exposure, txns, D, s, N).collect()
    }
    assert set(hits) == {
        ("E1", "exposure_direct"),
        ("E2", "exposure_indirect"),
        ("E4", "exposure_direct"),
    }
    assert hits[("E1", "exposure_direct")].severity == "critical"
    assert hits[("E1", "exposure_direct")].typology == "direct_exposure"
    assert hits[("E1", "exposure_direct")].txn_ids == ["e1t"]
    assert hits[("E2", "exposure_indirect")].severity == "medium"  # one below mixer's high
    assert hits[("E2", "exposure_indirect")].typology == "indirect_exposure"
    assert hits[("E2", "exposure_indirect")].txn_ids == ["e2t"]
    assert hits[("E4", "exposure_direct")].severity == "low"


def test_indirect_exposure_below_the_severity_floor_is_not_raised(spark):
    """Indirect gambling (low) exposure alerts only when the floor allows low severity."""

    def row(c, cat, hops, usd):
        return (D, c, cat, "in", hops, Decimal(usd), Decimal(usd), hops == 1, [c, "x"], ["x"])

    exposure = spark.createDataFrame(
        [
            row("G1", "gambling", 2, 90000),  # indirect, low after the one-level decay
            row("G2", "gambling", 1, 90000),  # direct gambling: floor does not apply
            row("M1", "mixer", 3, 2000),  # indirect, medium after decay
        ],
        gold.EXPOSURE.schema,
    )
    txns = txns_df(spark, [])

    def raised(floor):
        s = ExposureSettings(categories=CATEGORIES, indirect_min_severity=floor)
        return {
            (r.customer_id, r.rule_id)
            for r in _gold.detect_exposure(exposure, txns, D, s, N).collect()
        }

    assert raised("low") == {
        ("G1", "exposure_indirect"),
        ("G2", "exposure_direct"),
        ("M1", "exposure_indirect"),
    }
    assert raised("medium") == {("G2", "exposure_direct"), ("M1", "exposure_indirect")}
    assert raised("high") == {("G2", "exposure_direct")}


def test_profile_mismatch_against_declared_volume_and_peers(spark):
    retail = [("R0", 1000.0), ("R1", 1000.0), ("R2", 2000.0), ("R3", 2000.0), ("R4", 2000.0)]
    features = spark.createDataFrame(
        [
            (D, c, "retail", v)
            for c, v in retail + [("P1", 30000.0), ("P2", 30000.0), ("P3", 20000.0)]
        ]
        + [(D, "H1", "hnw", 900000.0)],
        "as_of date, customer_id string, segment string, turnover_usd_30d double",
    )
    declared = [("P1", 5000), ("P2", 10000), ("P3", 4000), ("H1", 500000)] + [
        (c, 1000) for c, _ in retail
    ]
    customers = spark.createDataFrame(
        [(c, Decimal(v)) for c, v in declared],
        "customer_id string, expected_monthly_volume_usd decimal(24,6)",
    )
    s = ProfileSettings()
    hits = _gold.detect_profile_mismatch(features, customers, D, s, "`turnover_usd_30d`")
    got = {(r.customer_id, r.rule_id) for r in hits.collect()}
    # declared: P1 6x, P3 exactly 5x (boundary) and 20,000 (min); P2 3x stays quiet
    # peers: retail median 2,000 over 8 customers -> 20,000 is 10x (boundary) but the segment's
    # 99.9th percentile is 30,000, so only P1 and P2 are in the top tail; hnw has 1 peer only
    assert got == {
        ("P1", "profile_declared_volume"),
        ("P3", "profile_declared_volume"),
        ("P1", "profile_peer_volume"),
        ("P2", "profile_peer_volume"),
    }
    median_only = ProfileSettings(peer_min_percentile=0.5)
    loose = _gold.detect_profile_mismatch(features, customers, D, median_only, "`turnover_usd_30d`")
    assert {r.customer_id for r in loose.where("rule_id = 'profile_peer_volume'").collect()} == {
        "P1",
        "P2",
        "P3",
    }
    p1 = hits_by_customer(hits.where("rule_id = 'profile_declared_volume' AND customer_id = 'P1'"))[
        "P1"
    ]
    assert (
        p1["evidence"]["multiple_of_declared"] == 6.0
        and p1["evidence"]["declared_multiplier"] == 5.0
    )
