"""Declarative rules: load-time validation names file, rule and field; evaluation over features."""

from __future__ import annotations

import json

import pytest

from fcc.typologies.coverage import typology_settings
from fcc.typologies.rules import RuleValidationError, apply_rules, load_rules

SEGMENTS = ["retail", "hnw", "merchant", "institutional"]
COLUMNS = ["as_of", "customer_id", "segment", "in_usd_7d", "in_count_7d"]


def rule(**overrides) -> dict:
    base = {
        "id": "big_inflow_7d",
        "version": 1,
        "typology": "profile_mismatch",
        "description": "large inflow",
        "segments": ["retail"],
        "expression": "in_usd_7d >= :min_usd AND in_count_7d >= :min_count",
        "params": {"min_usd": 50000, "min_count": 3},
        "severity": "medium",
        "score": 40,
        "evidence": ["in_usd_7d", "in_count_7d"],
    }
    return {**base, **overrides}


def load(*rules: dict, file: str = "fiat.yaml"):
    return load_rules({file: {"rules": list(rules)}}, SEGMENTS, COLUMNS)


def error_of(*rules: dict) -> str:
    with pytest.raises(RuleValidationError) as exc:
        load(*rules)
    return str(exc.value)


def test_a_valid_rule_compiles_with_parameters_substituted():
    (r,) = load(rule())
    assert r.sql == "`in_usd_7d` >= 50000 AND `in_count_7d` >= 3"
    assert r.version == "1" and r.file == "fiat.yaml"


def test_unknown_feature_column_names_file_rule_and_field():
    msg = error_of(rule(expression="in_usd_9d >= :min_usd AND in_count_7d >= :min_count"))
    assert "fiat.yaml: rule big_inflow_7d: expression: unknown feature column 'in_usd_9d'" in msg


def test_unknown_parameter_names_file_rule_and_field():
    msg = error_of(rule(expression="in_usd_7d >= :min_amount AND in_count_7d >= :min_count"))
    assert "fiat.yaml: rule big_inflow_7d: expression: unknown parameter 'min_amount'" in msg
    assert (
        "fiat.yaml: rule big_inflow_7d: params: declared but not used in the expression: ['min_usd']"
        in msg
    )


def test_unknown_segment_names_file_rule_and_field():
    msg = error_of(rule(segments=["retail", "whales"]))
    assert "fiat.yaml: rule big_inflow_7d: segments: unknown segment(s) ['whales']" in msg


@pytest.mark.parametrize(
    "expression, bad",
    [
        ("java_method('java.lang.Runtime', 'getRuntime') IS NOT NULL", "java_method"),
        ("reflect('java.lang.System', 'exit', '0') = 0", "reflect"),
        ("in_usd_7d IN (SELECT 1) ", None),
        ("in_usd_7d > 1; DROP TABLE x", None),
        ("in_usd_7d > 1 -- comment", None),
    ],
)
def test_forbidden_functions_subqueries_and_statements_are_rejected(expression, bad):
    msg = error_of(rule(expression=expression, params={}))
    assert "fiat.yaml: rule big_inflow_7d: expression:" in msg
    if bad:
        assert f"function {bad!r} is not allowed" in msg


def test_allowed_functions_pass():
    (r,) = load(
        rule(expression="coalesce(in_usd_7d, 0) >= :min_usd AND abs(in_count_7d) >= :min_count")
    )
    assert r.sql.startswith("coalesce (")


def test_unknown_field_evidence_and_duplicate_ids_are_reported_together():
    msg = error_of(rule(threshold=3), rule(id="dup", evidence=["nope"]), rule(id="dup"))
    assert "rule big_inflow_7d: threshold: unknown field" in msg
    assert "rule dup: evidence: unknown feature column(s) ['nope']" in msg
    assert "rule dup: id: duplicate" in msg


def test_shipped_rule_files_validate_against_the_feature_registry():
    s = typology_settings()
    rules = load_rules(s.rule_sets, s.segments)
    assert len(rules) >= 5


def test_rule_fires_on_pattern_at_boundary_and_respects_segment(spark):
    features = spark.createDataFrame(
        [
            ("2026-03-31", "A", "retail", 60000.0, 5),  # over both thresholds
            ("2026-03-31", "B", "retail", 50000.0, 3),  # exactly at both (>=): fires
            ("2026-03-31", "C", "retail", 49999.99, 9),  # just under the amount
            ("2026-03-31", "D", "merchant", 90000.0, 9),  # segment not covered
            ("2026-03-31", "E", "retail", None, 9),  # null feature: quiet
        ],
        "as_of string, customer_id string, segment string, in_usd_7d double, in_count_7d long",
    )
    hits = {r.customer_id: r for r in apply_rules(features, load(rule())).collect()}
    assert set(hits) == {"A", "B"}
    ev = json.loads(hits["B"].evidence)
    assert ev["values"] == {"in_usd_7d": 50000.0, "in_count_7d": 3}
    assert ev["params"] == {"min_count": 3, "min_usd": 50000}
    assert ev["expression"] == rule()["expression"] and ev["rule_file"] == "fiat.yaml"
    assert (hits["A"].rule_id, hits["A"].rule_version, hits["A"].severity) == (
        "big_inflow_7d",
        "1",
        "medium",
    )


def _features(spark, rows: dict[str, dict], factor: float = 1.0):
    """gold.features rows of 2026-03-31 (retail), every other column null; USD columns x factor."""
    from datetime import date
    from decimal import Decimal

    from pyspark.sql import types as T

    from fcc.core.tables.gold_features import FEATURES

    def value(field, v):
        if v is None or not isinstance(field.dataType, T.DecimalType):
            return v
        return Decimal(str(v)) * Decimal(str(factor))

    base = {"as_of": date(2026, 3, 31), "segment": "retail"}
    data = [
        tuple(value(f, {**base, "customer_id": c, **vals}.get(f.name)) for f in FEATURES.schema)
        for c, vals in rows.items()
    ]
    return spark.createDataFrame(data, FEATURES.schema)


# one customer each rule fires on (percent ranks, shares and ratios of the customer's own flows;
# amounts only inside those) ...
FIRES = {
    "V1": dict(velocity_usd_7d=12.0, peer_turnover_pct_30d=0.995, turnover_usd_7d=30000),
    "O1": dict(peer_turnover_z_30d=7.0, peer_turnover_pct_30d=0.9995, turnover_usd_30d=60000),
    "R1": dict(reactivation_gap_days=200, peer_turnover_pct_30d=0.85, turnover_usd_7d=900),
    "C1": dict(
        pass_through_ratio_7d=0.95,
        pass_through_usd_7d=9500,
        turnover_usd_30d=20000,
        peer_turnover_pct_30d=0.95,
    ),
    "X1": dict(
        label_high_risk_exchange_out_usd_30d=6000,
        out_onchain_usd_30d=10000,
        peer_turnover_pct_30d=0.95,
    ),
    "T1": dict(
        peer_turnover_pct_30d=0.9995, out_in_ratio_30d=1.0, in_usd_30d=50000, in_trade_usd_30d=0
    ),
    "H1": dict(high_risk_share_30d=0.6, peer_turnover_pct_30d=0.95),
}
# ... and one it just misses
MISSES = {
    "V2": {**FIRES["V1"], "peer_turnover_pct_30d": 0.985},
    "O2": {**FIRES["O1"], "peer_turnover_z_30d": 5.9},
    "R2": {**FIRES["R1"], "peer_turnover_pct_30d": 0.75},
    "C2": {**FIRES["C1"], "pass_through_usd_7d": 4000},
    "X2": {**FIRES["X1"], "label_high_risk_exchange_out_usd_30d": 4000},
    # no on-chain withdrawal at all: no share of it went to a high-risk exchange
    "X3": {**FIRES["X1"], "label_high_risk_exchange_out_usd_30d": 0, "out_onchain_usd_30d": 0},
    "T2": {**FIRES["T1"], "peer_turnover_pct_30d": 0.998},
    "H2": {**FIRES["H1"], "peer_turnover_pct_30d": 0.85},
}


@pytest.mark.parametrize("factor", [0.01, 100.0])
def test_shipped_rules_fire_alike_at_any_money_scale(spark, factor):
    """No shipped rule compares with a fixed USD amount: every USD column x 0.01 or x 100 gives
    the same hits (structuring's band is absolute by regulation and lives in the features)."""
    s = typology_settings()
    rules = load_rules(s.rule_sets, s.segments)

    def hits(f: float) -> set[tuple[str, str]]:
        found = apply_rules(_features(spark, {**FIRES, **MISSES}, f), rules)
        return {(r.customer_id, r.rule_id) for r in found.collect()}

    assert hits(1.0) == {
        ("V1", "velocity_spike_7d"),
        ("O1", "peer_outlier_30d"),
        ("R1", "dormant_large_reactivation"),
        ("C1", "fiat_in_crypto_out_7d"),
        ("X1", "high_risk_exchange_outflow_30d"),
        ("T1", "transit_account_30d"),
        ("H1", "high_risk_share_30d"),
    }
    assert hits(factor) == hits(1.0)
