from datetime import date, datetime

import pytest

from fcc.core.settings.scoring import BehaviourFactor, ScoringSettings
from fcc.scoring.scorecard import (
    behaviour_factors,
    cluster_factors,
    community_factors,
    kyc_factors,
    score_customers,
)

D = date(2026, 11, 27)
SETTINGS = ScoringSettings.model_validate(
    {
        "group_caps": {"kyc": 35},
        "kyc": {
            "pep_points": 20,
            "high_risk_residence_points": 15,
            "high_risk_nationality_points": 10,
            "segment_points": {"retail": 0, "hnw": 5},
            "new_customer_days": 90,
            "new_customer_points": 5,
        },
        "behaviour": [{"feature": "expected_volume_ratio_30d", "above": 3.0, "points": 10}],
    }
)
CUSTOMER_COLS = [
    "customer_id",
    "residence_country",
    "nationality",
    "is_pep",
    "segment",
    "occupation",
    "onboarded_at",
]


def _customers(spark, rows):
    return spark.createDataFrame(rows, CUSTOMER_COLS)


def test_kyc_group_is_capped_proportionally_and_tiered(spark):
    customers = _customers(
        spark,
        [
            (
                "pep",
                "IR",
                "DE",
                True,
                "retail",
                "teacher",
                datetime(2026, 11, 17),
            ),  # 20 + 15 + 5 = 40 -> cap 35
            ("plain", "DE", "DE", False, "retail", "teacher", datetime(2020, 1, 1)),
        ],
    )
    factors = kyc_factors(customers, SETTINGS, ["IR", "KP"], D)
    scores = {r.customer_id: r for r in score_customers(customers, factors, SETTINGS, D).collect()}
    assert scores["pep"].score == pytest.approx(35.0)
    assert scores["pep"].tier == "medium"
    points = {f.factor: f.points for f in scores["pep"].factors}
    assert points == pytest.approx(
        {"pep": 17.5, "high_risk_residence": 13.125, "new_customer": 4.375}
    )
    assert (
        scores["plain"].score == 0.0
        and scores["plain"].tier == "low"
        and scores["plain"].factors == []
    )


def test_behaviour_factor_fires_only_strictly_above_its_threshold(spark):
    features = spark.createDataFrame(
        [("a", 3.0), ("b", 3.01), ("c", None)],
        "customer_id string, expected_volume_ratio_30d double",
    )
    got = {r.customer_id: r.points for r in behaviour_factors(features, SETTINGS).collect()}
    assert got == {"b": 10.0}


def test_unknown_behaviour_feature_is_an_error(spark):
    features = spark.createDataFrame([("a", 1.0)], "customer_id string, other double")
    bad = SETTINGS.model_copy(
        update={"behaviour": [BehaviourFactor(feature="nope_7d", above=1, points=1)]}
    )
    with pytest.raises(ValueError, match="unknown gold.features columns: \\['nope_7d'\\]"):
        behaviour_factors(features, bad)


def test_tier_change_against_the_previous_date_is_flagged(spark):
    customers = _customers(
        spark,
        [
            ("pep", "IR", "DE", True, "retail", "x", datetime(2020, 1, 1)),
            ("plain", "DE", "DE", False, "retail", "x", datetime(2020, 1, 1)),
        ],
    )
    previous = spark.createDataFrame(
        [("pep", "low"), ("plain", "low")], "customer_id string, tier string"
    )
    factors = kyc_factors(customers, SETTINGS, ["IR"], D)
    got = {
        r.customer_id: (r.tier, r.previous_tier, r.tier_changed)
        for r in score_customers(customers, factors, SETTINGS, D, previous).collect()
    }
    assert got == {"pep": ("medium", "low", True), "plain": ("low", "low", False)}


def test_cluster_factors_give_size_points_and_points_for_another_flagged_member(spark):
    clusters = spark.createDataFrame(
        [("a", 1, 3), ("b", 1, 3), ("c", 1, 3), ("d", 2, 2), ("e", 2, 2)],
        "customer_id string, cluster_id long, cluster_size long",
    )
    # a is flagged twice (a rule hit and a screening hit), d once in a cluster below min_size
    flagged = spark.createDataFrame([("a",), ("a",), ("d",)], "customer_id string")
    got = sorted(
        (r.customer_id, r.factor, r.group, r.value, r.points)
        for r in cluster_factors(clusters, flagged, SETTINGS).collect()
    )
    # min_size 3: cluster 2 earns nothing; a's only flagged member is a itself
    assert got == [
        ("a", "cluster_size", "cluster", "3", 5.0),
        ("b", "cluster_member_flagged", "cluster", "1", 10.0),
        ("b", "cluster_size", "cluster", "3", 5.0),
        ("c", "cluster_member_flagged", "cluster", "1", 10.0),
        ("c", "cluster_size", "cluster", "3", 5.0),
    ]


def test_community_factors_fire_where_half_the_fellow_members_are_flagged(spark):
    communities = spark.createDataFrame(
        [
            # community A (5): k collects; m1 and m2 flagged, m3 not, k not
            ("k", "A", 5, 0.9, 1),
            ("m1", "A", 5, 0.2, 2),
            ("m2", "A", 5, 0.2, 3),
            ("m3", "A", 5, 0.2, 4),
            ("m4", "A", 5, 0.2, 5),
            # community B (3): one of two fellows flagged is exactly half
            ("q", "B", 3, 0.5, 1),
            ("r", "B", 3, 0.3, 2),
            ("s", "B", 3, 0.2, 3),
            # community C (2): below min_size
            ("t", "C", 2, 0.5, 1),
            ("u", "C", 2, 0.5, 2),
            # community D (4): one flagged member is a third of the others' fellows
            *[(f"d{i}", "D", 4, 0.25, i) for i in range(1, 5)],
        ],
        "customer_id string, community_id string, community_size int, pagerank double, "
        "pagerank_rank int",
    )
    # m1 has a rule hit and an open screening hit (two rows); m2, m3, s, u and d1 one each
    flagged = spark.createDataFrame(
        [("m1",), ("m1",), ("m2",), ("m3",), ("s",), ("u",), ("d1",)], "customer_id string"
    )
    got = sorted(
        (r.customer_id, r.factor, r.value, r.points)
        for r in community_factors(communities, flagged, SETTINGS).collect()
    )
    # A: flagged m1, m2, m3 (3 of 5). k sees 3/4 flagged fellows, m1 2/4, m2 2/4, m3 2/4,
    # m4 3/4; every share is at least one half. B: q and r see s (1/2); s sees none.
    # C is below min_size. D: d2-d4 see 1/3 flagged, d1 none: nothing fires.
    shares = {
        "k": "3/4: m1,m2,m3",
        "m1": "2/4: m2,m3",
        "m2": "2/4: m1,m3",
        "m3": "2/4: m1,m2",
        "m4": "3/4: m1,m2,m3",
    }
    assert got == sorted(
        [
            *[
                (c, "community_flagged_share", f"community=A flagged={v}", 10.0)
                for c, v in shares.items()
            ],
            ("k", "community_central_member", "community=A pagerank=0.900", 5.0),
            ("q", "community_flagged_share", "community=B flagged=1/2: s", 10.0),
            ("q", "community_central_member", "community=B pagerank=0.500", 5.0),
            ("r", "community_flagged_share", "community=B flagged=1/2: s", 10.0),
        ]
    )
