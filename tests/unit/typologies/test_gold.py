"""Detectors over gold tables: labelled-address exposure and profile / peer mismatch."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal

import pytest

from fcc.core.settings.typologies import ExposureSettings, ProfileSettings
from fcc.core.tables import gold
from fcc.typologies import _gold
from tests.unit.typologies.helpers import D, at, hits_by_customer, scaled, txn, txns_df

N = 50
CATEGORIES = {"sanctioned": "critical", "mixer": "high", "gambling": "low"}
ONCHAIN = dict(rail="onchain", asset="BTC", asset_class="crypto", cp_type="address")
SCALES = [0.01, 100.0]  # every amount x 0.01 and x 100: the same hits


def exposure_row(c, cat, hops, usd):
    """One gold.exposure row of D: customer c's deposits ("in") reach a labelled address."""
    path = [f"{c}addr", *["hop"] * (hops - 1), f"{cat}1"]
    amount = Decimal(str(usd))
    return (D, c, cat, "in", hops, amount, amount, hops == 1, path, [path[-1]])


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
            ),  # indirect, 83% of the customer's deposits
            row(
                "E3", "mixer", 2, 500, ["e3addr", "hop", "mix1"], ["mix1"]
            ),  # indirect, 8% of them: too small a share
            row("E4", "gambling", 1, 20, ["e4addr", "bet1"], ["bet1"]),
            row("E5", "mixer", 4, 50000, ["e5addr", "a", "b", "c", "mix1"], ["mix1"]),  # too far
            row("E6", "exchange", 1, 50000, ["e6addr", "ex1"], ["ex1"]),  # category not configured
            row("E7", "sanctioned", 1, 100, ["e7addr", "sdn1"], ["sdn1"], D - timedelta(days=1)),
        ],
        gold.EXPOSURE.schema,
    )
    txns = txns_df(
        spark,
        [
            txn("e1t", "E1", at(2), "in", 100, cp="sdn1", **ONCHAIN),
            txn("e2t", "E2", at(2), "in", 6000, cp="hop", **ONCHAIN),  # 5,000 of it traces back
            txn("e3t", "E3", at(2), "in", 6000, cp="hop", **ONCHAIN),  # only 500 of it does
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
    indirect = json.loads(hits[("E2", "exposure_indirect")].evidence)
    assert (indirect["min_share"], indirect["flow_days"]) == (0.1, 365)
    assert indirect["exposures"][0]["share_of_onchain_flow"] == 0.8333
    assert json.loads(hits[("E1", "exposure_direct")].evidence)["min_usd"] == 0.0


@pytest.fixture(scope="module")
def shares(spark):
    """Indirect mixer exposure at the 10% share boundary, at two money scales."""
    exposure = spark.createDataFrame(
        [
            exposure_row("I1", "mixer", 2, 600),  # 600 of 6,000 deposited: exactly 10%
            exposure_row("I2", "mixer", 2, 599),  # 599 of 6,000: just under
            exposure_row("I3", "mixer", 3, 6),  # 6 of 60: 10% of a small account's deposits
            exposure_row("I4", "mixer", 2, 600),  # 600 but of 9,000 (the 3,000 out do not count)
        ],
        gold.EXPOSURE.schema,
    )
    txns = txns_df(
        spark,
        [
            txn("i1", "I1", at(5), "in", 6000, cp="hop", **ONCHAIN),
            txn("i2", "I2", at(5), "in", 6000, cp="hop", **ONCHAIN),
            txn("i3", "I3", at(5), "in", 60, cp="hop", **ONCHAIN),
            txn("i4a", "I4", at(5), "in", 6000, cp="hop", **ONCHAIN),
            txn("i4b", "I4", at(4), "in", 3000, cp="other", **ONCHAIN),
            txn("i4c", "I4", at(3), "out", 3000, cp="other", **ONCHAIN),
        ],
    )
    return exposure, txns


def _raised(exposure, txns, s=None) -> set[tuple[str, str]]:
    s = s or ExposureSettings(categories=CATEGORIES)
    return {
        (r.customer_id, r.rule_id) for r in _gold.detect_exposure(exposure, txns, D, s, N).collect()
    }


def test_indirect_exposure_counts_by_the_share_of_the_customers_own_flow(shares):
    exposure, txns = shares
    assert _raised(exposure, txns) == {("I1", "exposure_indirect"), ("I3", "exposure_indirect")}
    # over 5 days (D-4..D) the deposits of five days ago are not the customers' flow any more:
    # I1..I3 have none, I4's 3,000 deposit of four days ago is all of it, 600 is 20% of it
    s = ExposureSettings(categories=CATEGORIES)
    recent = _gold.detect_exposure(exposure, txns, D, s, N, flow_days=5)
    assert {r.customer_id for r in recent.collect()} == {"I4"}


@pytest.mark.parametrize("factor", SCALES)
def test_exposure_fires_alike_at_any_money_scale(shares, factor):
    exposure, txns = shares
    bigger = scaled(exposure, factor, "exposure_usd", "traced_usd")
    assert _raised(bigger, scaled(txns, factor)) == _raised(exposure, txns)


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
    txns = txns_df(
        spark,
        [  # every traced amount is the customer's whole deposit flow (share 1)
            txn("g1t", "G1", at(3), "in", 90000, cp="x", **ONCHAIN),
            txn("g2t", "G2", at(3), "in", 90000, cp="x", **ONCHAIN),
            txn("m1t", "M1", at(3), "in", 2000, cp="x", **ONCHAIN),
        ],
    )

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


@pytest.fixture(scope="module")
def profiles(spark):
    retail = [("R0", 1000.0), ("R1", 1000.0), ("R2", 2000.0), ("R3", 2000.0), ("R4", 2000.0)]
    retail += [("P1", 30000.0), ("P2", 30000.0), ("P3", 20000.0), ("T1", 1999.0), ("T2", 2000.0)]
    retail += [("Z1", 0.0)]  # inactive: not part of the volume floor
    features = spark.createDataFrame(
        [(D, c, "retail", v) for c, v in retail] + [(D, "H1", "hnw", 900000.0)],
        "as_of date, customer_id string, segment string, turnover_usd_30d double",
    )
    declared = [("P1", 5000), ("P2", 10000), ("P3", 4000), ("H1", 500000), ("T1", 10), ("T2", 10)]
    declared += [(c, 1000) for c in ("R0", "R1", "R2", "R3", "R4", "Z1")]
    customers = spark.createDataFrame(
        [(c, Decimal(v)) for c, v in declared],
        "customer_id string, expected_monthly_volume_usd decimal(24,6)",
    )
    return features, customers


def _mismatches(profiles, s: ProfileSettings, factor: float = 1.0) -> set[tuple[str, str]]:
    features, customers = profiles
    features = scaled(features, factor, "turnover_usd_30d")
    customers = scaled(customers, factor, "expected_monthly_volume_usd")
    hits = _gold.detect_profile_mismatch(features, customers, D, s, "`turnover_usd_30d`")
    return {(r.customer_id, r.rule_id) for r in hits.collect()}


def test_profile_mismatch_against_declared_volume_and_peers(profiles):
    median_floor = ProfileSettings(min_volume_percentile=0.5)  # a floor the hand count can show
    got = _mismatches(profiles, median_floor)
    # volume floor: the retail median of the ten customers with some volume (1,000 1,000 1,999
    # 2,000 x4 20,000 30,000 30,000) is 2,000. declared: P1 6x, P3 exactly 5x (boundary), T2 200x
    # its 10 at the floor; T1 200x but a dollar below the floor; P2 3x stays quiet.
    # peers: retail median 2,000 over 11 customers (Z1's 0 included) -> 20,000 is 10x (boundary)
    # but the segment's 99.9th percentile is 30,000, so only P1 and P2 are in the top tail; hnw
    # has 1 peer only
    assert got == {
        ("P1", "profile_declared_volume"),
        ("P3", "profile_declared_volume"),
        ("T2", "profile_declared_volume"),
        ("P1", "profile_peer_volume"),
        ("P2", "profile_peer_volume"),
    }
    # by default the floor is the segment's 95th percentile: 30,000 of these ten, only P1 and P2
    assert _mismatches(profiles, ProfileSettings()) == {
        ("P1", "profile_declared_volume"),
        ("P1", "profile_peer_volume"),
        ("P2", "profile_peer_volume"),
    }
    median_only = ProfileSettings(min_volume_percentile=0.5, peer_min_percentile=0.5)
    peer = {c for c, rule in _mismatches(profiles, median_only) if rule == "profile_peer_volume"}
    assert peer == {"P1", "P2", "P3"}
    features, customers = profiles
    hits = _gold.detect_profile_mismatch(features, customers, D, median_floor, "`turnover_usd_30d`")
    p1 = hits_by_customer(hits.where("rule_id = 'profile_declared_volume' AND customer_id = 'P1'"))
    ev = p1["P1"]["evidence"]
    assert ev["multiple_of_declared"] == 6.0 and ev["declared_multiplier"] == 5.0
    assert (ev["segment_floor_usd"], ev["min_volume_percentile"]) == (2000.0, 0.5)


@pytest.mark.parametrize("factor", SCALES)
def test_profile_mismatch_fires_alike_at_any_money_scale(profiles, factor):
    assert _mismatches(profiles, ProfileSettings(), factor) == _mismatches(
        profiles, ProfileSettings()
    )
