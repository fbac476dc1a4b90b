import json
from datetime import date, timedelta

import pytest
import yaml
from pyspark.sql import functions as F

from fcc.cli import main
from fcc.core.lakehouse import Lakehouse
from fcc.core.settings import AppConfig
from fcc.core.tables import gold_features, ops, silver, truth
from fcc.governance import TuneError, detector_grid, report, tune, tune_detector
from fcc.governance.tune import _nights, _write_proposal, default_grid, grid_points, parse_grid
from tests.unit.governance._tables import label, put
from tests.unit.typologies.helpers import at, txn, txns_df

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
    result = tune(spark, lakehouse, CFG, "big_inflow_7d", grid=GRID, out=out, as_of=D)
    return result, out, lakehouse


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
    result, out, _ = sweep
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
    with pytest.raises(TuneError, match=r"grid names parameters .*\['max_usd'\]"):
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


def _tuning_rows(lakehouse, subject):
    """metric -> (value, detail) of a subject's ops.metrics rows of family tuning."""
    rows = (
        lakehouse.read(ops.METRICS)
        .where((F.col("family") == "tuning") & (F.col("subject") == subject))
        .collect()
    )
    return {r["metric"]: (r["value"], json.loads(r["detail"])) for r in rows}


def test_the_rule_sweep_is_stored_in_ops_metrics_one_row_per_point_and_metric(sweep):
    rows = _tuning_rows(sweep[2], "rule:big_inflow_7d")
    assert len(rows) == 6 * 8
    assert rows["customers#0"][0] == 2.0 and rows["customers#0"][1]["current"] is True
    recommended = [d for _, d in rows.values() if d["recommended"]]
    assert {d["params"]["min_usd"] for d in recommended} == {4000}


# --- a coded detector: fan-in replayed on the nights of a 7-day window ---------------------

FAN_CFG = AppConfig.model_validate({"monitoring": {"tuning": {"lookback_days": 7}}})


@pytest.fixture(scope="module")
def fan_sweep(spark, tmp_path_factory):
    """FAN1 is paid by 5 new senders on D-4..D (one a day), FAN2 by 3 on D-6..D-4; the labels
    say FAN1 is a fan-in, FAN2 innocent and STR1 (no transactions) a structurer."""
    tmp_path = tmp_path_factory.mktemp("tune_fan")
    lakehouse = Lakehouse(spark, str(tmp_path / "lakehouse"))
    rows = [txn(f"a{k}", "FAN1", at(k), "in", 900, cp=f"sender-a{k}") for k in range(5)]
    rows += [txn(f"b{k}", "FAN2", at(k), "in", 900, cp=f"sender-b{k}") for k in (4, 5, 6)]
    lakehouse.append(silver.TRANSACTIONS, txns_df(spark, rows))
    put(
        lakehouse,
        truth.CUSTOMER_LABELS,
        [
            label("FAN1", True, ["fan_in"]),
            label("FAN2", False),
            label("STR1", True, ["structuring"]),
        ],
    )
    out = tmp_path / "fan_in.yaml"
    grid = {"min_counterparties": [3, 4, 5, 6]}
    result = tune_detector(spark, lakehouse, FAN_CFG, "fan_in", grid=grid, out=out)
    return result, out, lakehouse


def test_fan_in_sweep_counts_customers_and_nights_per_point_by_hand(fan_sweep):
    result = fan_sweep[0]
    assert result.window == (D - timedelta(days=6), D)  # D defaults to the latest transaction
    pts = result.points.set_index("param:min_counterparties")
    assert list(pts.index) == [4, 3, 5, 6]  # the current setting first
    # senders seen by D-2, D-1, D: FAN1 has 3, 4, 5; FAN2 has 3 on D-4 (its last new sender)
    assert list(pts["hits"]) == [2, 4, 1, 0]
    assert list(pts["customers"]) == [1, 2, 1, 0]
    assert list(pts["tp"]) == [1, 1, 1, 0] and list(pts["fp"]) == [0, 1, 0, 0]
    assert list(pts["recall"]) == [0.5, 0.5, 0.5, 0.0]  # FAN1 of FAN1 and STR1
    assert list(pts["typology_recall"]) == [1.0, 1.0, 1.0, 0.0]  # FAN1 of the fan-in customers
    assert pts.loc[3, "precision"] == 0.5 and pts.loc[4, "precision"] == 1.0
    assert pd_isna(pts.loc[6, "precision"])
    assert list(pts["side"]) == ["current", "btl", "same", "atl"]


def test_fan_in_sweep_recommends_the_point_with_fewest_hits_at_the_same_recall(fan_sweep):
    result, out, _ = fan_sweep
    assert result.recommended["min_counterparties"] == 5
    assert "hits 2 -> 1" in result.trade_off
    proposal = yaml.safe_load(out.read_text())
    assert proposal["settings"] == "conf/typologies.yaml: fan_in"
    assert proposal["current_version"] == "1" and proposal["proposed_version"] == "2"
    assert proposal["recommended"]["params"]["min_counterparties"] == 5
    assert "7 nights" in proposal["replayed"] and len(proposal["grid"]) == 4


def test_fan_in_sweep_is_stored_in_ops_metrics_and_shown_in_the_report(fan_sweep, spark, tmp_path):
    _, _, lakehouse = fan_sweep
    rows = _tuning_rows(lakehouse, "detector:fan_in")
    assert len(rows) == 4 * 8
    assert rows["customers#1"][0] == 2.0 and rows["precision#3"][0] is None
    value, detail = rows["hits#2"]
    assert value == 1.0 and detail["recommended"] is True and detail["side"] == "same"
    assert detail["params"]["min_counterparties"] == 5 and detail["window"][1] == D.isoformat()
    html = tmp_path / "report.html"
    report(spark, lakehouse, FAN_CFG, D, html)
    section = html.read_text(encoding="utf-8").split("<h2>Tuning")[1].split("<h2>")[0]
    assert "detector:fan_in" in section and "min_counterparties 4 \u2192 5" in section
    assert "<td>1</td>" in section  # one customer alerted before and after
    assert "<td>1.000</td><td>0.500</td>" in section  # precision and recall kept


def test_detector_grid_errors_name_the_detector_parameter_and_value():
    with pytest.raises(TuneError, match="known: structuring, pass_through, fan_in"):
        detector_grid(FAN_CFG, "fan_inn")
    with pytest.raises(TuneError, match=r"\['min_senders'\]; those are: .*'min_counterparties'"):
        detector_grid(FAN_CFG, "fan_in", {"min_senders": [3]})
    with pytest.raises(TuneError, match="peer_percentile=1.5 is refused .* fan_in"):
        detector_grid(FAN_CFG, "fan_in", {"peer_percentile": [0.9, 1.5]})
    with pytest.raises(TuneError, match="window_days=2.5"):
        detector_grid(FAN_CFG, "fan_in", {"window_days": [2.5]})


def test_default_detector_grid_sweeps_numeric_settings_within_their_range():
    grid, points, settings, notes = detector_grid(FAN_CFG, "exposure")
    assert set(grid) == {"direct_min_usd", "indirect_max_hops", "indirect_min_share"}
    assert points[0] == {"direct_min_usd": 0.0, "indirect_min_share": 0.1, "indirect_max_hops": 3}
    grid, points, settings, notes = detector_grid(FAN_CFG, "fan_in")
    assert max(grid["peer_percentile"]) == 0.99 and "peer_percentile=1.089" in notes[0]
    assert len(points) == len(settings) and settings[1] != settings[0]


def test_nights_step_back_from_d_within_the_window():
    assert _nights(D, 7, 1) == [D - timedelta(days=k) for k in range(6, -1, -1)]
    assert _nights(D, 7, 3) == [D - timedelta(days=6), D - timedelta(days=3), D]


def test_cli_needs_exactly_one_of_rule_and_detector_and_checks_names_before_spark(capsys, tmp_path):
    assert main(["tune", "--lakehouse", str(tmp_path)]) == 2
    assert main(["tune", "--lakehouse", str(tmp_path), "--rule", "r", "--detector", "fan_in"]) == 2
    assert main(["tune", "--lakehouse", str(tmp_path), "--detector", "nope"]) == 2
    assert "known: structuring" in capsys.readouterr().err
    assert not (tmp_path / "ops").exists()
