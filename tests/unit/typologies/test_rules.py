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
