from datetime import date, datetime, timedelta

import pytest
from pyspark.sql import functions as F

from fcc.core.lakehouse import Lakehouse
from fcc.core.settings import AppConfig
from fcc.core.tables import gold, gold_features, ops, truth
from fcc.core.tables.extra_monitoring import MODEL_REGISTRY
from fcc.governance.model import apply_model, assign_split, train_model
from tests.unit.governance._tables import hit, put

D = date(2026, 3, 31)
DATES = [D - timedelta(days=i) for i in range(4, -1, -1)]  # 5 daily snapshots
SUSPICIOUS = {"c01", "c02", "c03", "c04", "c05", "c06"}
PLANTED = {"c01": "fan_in", "c02": "fan_in", "c03": "fan_in"}  # the others: cycle
CFG = AppConfig.model_validate(
    {
        "monitoring": {
            "model": {
                "snapshot_every_days": 1,
                "test_share": 0.4,
                "calibration_share": 0.34,
                "max_iter": 3,
                "max_depth": 2,
                "features": ["in_usd_7d", "in_count_7d", "out_usd_7d"],
                "history_days": 10,
            }
        }
    }
)


@pytest.fixture(scope="module")
def trained(spark, tmp_path_factory):
    lh = Lakehouse(spark, str(tmp_path_factory.mktemp("model") / "lakehouse"))
    customers = [f"c{i:02d}" for i in range(1, 21)]
    rows = []
    for k, d in enumerate(DATES):
        for i, c in enumerate(customers):
            big = c in SUSPICIOUS
            rows.append(
                {
                    "as_of": d,
                    "customer_id": c,
                    "segment": "retail",
                    "in_usd_7d": (20000 + 500 * i + 100 * k) if big else (300 * i + 50 * k),
                    "in_count_7d": 3 + (i + k) % 4,
                    "out_usd_7d": 100 * ((i * 7 + k) % 5),
                }
            )
    put(lh, gold_features.FEATURES, rows)
    put(
        lh,
        truth.CUSTOMER_LABELS,
        [
            {
                "customer_id": c,
                "is_suspicious": c in SUSPICIOUS,
                "typologies": [PLANTED.get(c, "cycle")] if c in SUSPICIOUS else [],
            }
            for c in customers
        ],
    )
    # the rules catch two suspicious customers and one innocent one in the test period
    put(
        lh,
        gold.RULE_HITS,
        [
            hit("c01", "rule_x", "t", D),
            hit("c02", "rule_x", "t", DATES[3]),
            hit("c15", "rule_x", "t", D),
            hit("c03", "rule_x", "t", DATES[0]),
        ],
    )
    return lh, train_model(spark, lh, CFG, D, run_id="m1")


def test_time_split_trains_on_earlier_dates_and_tests_on_the_latest(trained):
    _, m = trained
    assert m.split_method == "time"
    assert m.split_detail["test"] == [str(DATES[3]), str(D)]
    assert m.split_detail["train"] == [str(DATES[0]), str(DATES[1])]
    assert m.split_detail["calibration"] == [str(DATES[2]), str(DATES[2])]
    assert m.counts["train_rows"] == 40 and m.counts["test_rows"] == 40


def test_model_separates_the_planted_signal_and_is_compared_with_the_rules(trained):
    _, m = trained
    assert m.importances[0][0] == "in_usd_7d"
    assert m.metrics["auc_roc"] == pytest.approx(1.0)
    assert 0.0 <= m.metrics["brier"] <= 0.25
    model = m.comparison[m.comparison["scope"] == "model"].iloc[0]
    assert (model.tp, model.fp, model.fn, model.tn) == (6, 0, 0, 14)
    rules = m.comparison[m.comparison["subject"] == "all_rules"].iloc[0]
    # c03's hit predates the test period: only c01, c02 (TP) and c15 (FP) count
    assert (rules.tp, rules.fp, rules.fn, rules.tn) == (2, 1, 4, 13)


def test_recall_per_planted_typology_sets_model_beside_rules(trained):
    _, m = trained
    t = m.by_typology.set_index("typology")
    assert list(t.index) == ["cycle", "fan_in"]
    # fan_in: c01-c03, the rules catch c01 and c02 in the test period; cycle: none by rules
    assert t.loc["fan_in", ["suspicious", "model_tp", "rules_tp"]].tolist() == [3, 3, 2]
    assert t.loc["cycle", ["suspicious", "model_tp", "rules_tp"]].tolist() == [3, 3, 0]
    assert t.loc["fan_in", "rules_recall"] == pytest.approx(2 / 3)
    assert "recall per planted typology" in str(m)


def test_artefacts_are_versioned_and_registered(spark, trained):
    lh, m = trained
    reg = lh.read(MODEL_REGISTRY).where(F.col("model_id") == m.model_id).collect()
    assert len(reg) == 1 and reg[0].path == f"{lh.root}/models/{m.model_id}"
    assert reg[0].split_method == "time" and "gold.features" in reg[0].input_versions
    scored = apply_model(reg[0].path, lh.read(gold_features.FEATURES).where(F.col("as_of") == D))
    scores = {r.customer_id: r.score for r in scored.collect()}
    assert len(scores) == 20 and all(0.0 <= v <= 1.0 for v in scores.values())
    assert min(scores[c] for c in SUSPICIOUS) > max(
        v for c, v in scores.items() if c not in SUSPICIOUS
    )
    metrics = lh.read(ops.METRICS).where("family = 'model'")
    auc = metrics.where(f"subject = 'model:{m.model_id}' AND metric = 'auc_roc'").first()
    assert auc.value == pytest.approx(1.0)
    assert metrics.where(f"subject = 'importance:{m.model_id}'").count() >= 1


def test_single_as_of_splits_customers_by_onboarding_date(spark):
    rows = spark.createDataFrame(
        [(D, f"c{i:02d}") for i in range(1, 11)], "as_of date, customer_id string"
    )
    onboarding = spark.createDataFrame(
        [(f"c{i:02d}", datetime(2026, 1, i)) for i in range(1, 11)],
        "customer_id string, onboarded_at timestamp",
    )
    cfg = AppConfig.model_validate(
        {"monitoring": {"model": {"test_share": 0.3, "calibration_share": 0.2}}}
    )
    out, method, detail = assign_split(rows, [D], cfg, onboarding)
    parts = {r.customer_id: r.part for r in out.collect()}
    assert method == "onboarding" and "onboarding date" in detail["note"]
    assert {c for c, p in parts.items() if p == "test"} == {"c08", "c09", "c10"}
    assert parts["c01"] == "train" and "calibration" in parts.values()
