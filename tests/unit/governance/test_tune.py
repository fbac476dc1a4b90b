from datetime import date

import pytest
import yaml

from fcc.core.lakehouse import Lakehouse
from fcc.core.settings import AppConfig
from fcc.core.tables import gold_features, truth
from fcc.governance import TuneError, tune
from fcc.governance.tune import _write_proposal, default_grid, grid_points, parse_grid
from tests.unit.governance._tables import put

D = date(2026, 3, 31)
RULE = {
    "id": "big_inflow_7d",
    "version": 3,
    "typology": "structuring",
    "description": "Large inflow in a week.",
    "segments": ["retail"],
    "expression": "in_usd_7d > :min_usd AND in_count_7d >= :min_count",
    "params": {"min_usd": 2500, "min_count": 1},
    "severity": "medium",
    "score": 40,
    "evidence": ["in_usd_7d"],
}
CFG = AppConfig.model_validate({"typologies": {"rule_sets": {"test.yaml": {"rules": [RULE]}}}})
GRID = {"min_usd": [500, 1500, 2500, 4000, 6000, 9000]}


def _feature(customer, as_of, usd, count, segment="retail"):
    return {
        "as_of": as_of,
        "customer_id": customer,
        "segment": segment,
        "in_usd_7d": usd,
        "in_count_7d": count,
    }


@pytest.fixture(scope="module")
def sweep(spark, tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("tune")
    lakehouse = Lakehouse(spark, str(tmp_path / "lakehouse"))
    before = date(2026, 3, 30)
    put(
        lakehouse,
        gold_features.FEATURES,
        [
            _feature("c01", D, 5000, 5),
            _feature("c01", before, 3000, 3),
            _feature("c02", D, 2000, 2),
            _feature("c03", D, 8000, 9),
            _feature("c04", D, 1000, 1),
            _feature("c05", D, 9500, 4, segment="merchant"),  # outside the rule's segments
            _feature("c06", D, 0, 0),
        ],
    )
    put(
        lakehouse,
        truth.CUSTOMER_LABELS,
        [
            {"customer_id": "c01", "is_suspicious": True, "typologies": ["structuring"]},
            {"customer_id": "c02", "is_suspicious": True, "typologies": ["structuring"]},
            {"customer_id": "c06", "is_suspicious": True, "typologies": ["fan_in"]},
            *[
                {"customer_id": c, "is_suspicious": False, "typologies": []}
                for c in ("c03", "c04", "c05")
            ],
        ],
    )
    out = tmp_path / "proposal.yaml"
    return tune(spark, lakehouse, CFG, "big_inflow_7d", grid=GRID, out=out, as_of=D), out


def test_raising_a_strict_threshold_never_increases_alerts(sweep):
    pts = sweep[0].points.sort_values("param:min_usd")
    assert list(pts["param:min_usd"]) == [500, 1500, 2500, 4000, 6000, 9000]
    assert list(pts["customers"]) == [4, 3, 2, 2, 1, 0]
    assert list(pts["hits"]) == [5, 4, 3, 2, 1, 0]  # c01 hits on both days below 3000
    for column in ("customers", "hits", "tp", "fp"):
        assert list(pts[column]) == sorted(pts[column], reverse=True), column


def test_each_grid_point_has_hand_computed_precision_and_recall(sweep):
    pts = sweep[0].points.set_index("param:min_usd")
    assert (pts.loc[500, "tp"], pts.loc[500, "fp"]) == (2, 2)
    assert pts.loc[500, "precision"] == 0.5 and pts.loc[500, "recall"] == pytest.approx(2 / 3)
    assert pts.loc[2500, "precision"] == 0.5 and pts.loc[2500, "recall"] == pytest.approx(1 / 3)
    assert pts.loc[2500, "typology_recall"] == 0.5  # c01 of the two structuring customers
    assert pts.loc[6000, "precision"] == 0.0 and pts.loc[6000, "recall"] == 0.0
    assert pd_isna(pts.loc[9000, "precision"])  # no alerts: precision undefined
    assert list(sweep[0].points["side"])[0] == "current"


def pd_isna(v):
    return v is None or v != v


def test_recommendation_keeps_recall_and_cuts_hits_and_writes_a_proposal(sweep):
    result, out = sweep
    assert result.recommended == {"min_usd": 4000, "min_count": 1}
    assert "hits 3 -> 2" in result.trade_off and "recall 0.333 -> 0.333" in result.trade_off
    proposal = yaml.safe_load(out.read_text())
    assert proposal["recommended"]["params"] == {"min_usd": 4000, "min_count": 1}
    assert proposal["current"]["params"] == RULE["params"]
    assert proposal["proposed_version"] == "4" and len(proposal["grid"]) == 6


def test_default_grid_scales_each_numeric_parameter_and_keeps_the_current_point_first():
    grid = default_grid({"min_usd": 1000, "min_ratio": 0.9, "name": "x"}, [0.5, 1.0, 2.0])
    assert grid == {"min_ratio": [0.45, 0.9, 1.8], "min_usd": [500, 1000, 2000]}
    points = grid_points({"min_usd": 1000, "min_ratio": 0.9}, grid, max_points=100)
    assert points[0] == {"min_usd": 1000, "min_ratio": 0.9} and len(points) == 9
    one_at_a_time = grid_points({"min_usd": 1000, "min_ratio": 0.9}, grid, max_points=4)
    assert len(one_at_a_time) == 5  # current + 2 other values of each parameter


def test_unknown_rule_and_proposals_into_conf_are_refused(spark, lakehouse, tmp_path):
    with pytest.raises(TuneError, match="not a declarative rule"):
        tune(spark, lakehouse, CFG, "no_such_rule")
    with pytest.raises(TuneError, match="grid names parameters"):
        grid_points(RULE["params"], {"max_usd": [1]}, 10)
    with pytest.raises(TuneError, match="never into conf/"):
        _write_proposal(tmp_path / "conf" / "typologies" / "fiat.yaml", {"rule_id": "x"})
    assert not (tmp_path / "conf").exists()


def test_cli_grid_syntax_parses_numbers_and_rejects_garbage():
    assert parse_grid(["min_usd=1000,2500.5", "mode=a"]) == {
        "min_usd": [1000, 2500.5],
        "mode": ["a"],
    }
    with pytest.raises(TuneError, match="PARAM=V1,V2"):
        parse_grid(["min_usd"])
