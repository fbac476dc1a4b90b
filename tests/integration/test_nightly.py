"""The nightly chain end to end on generated data: backfill, rerun identity, replay, a failed step.

One small generated data set (module scope) keeps this affordable; every run is a real local
Spark application over real Delta tables.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from pyspark.sql import functions as F

from fcc.core.config import load_config
from fcc.core.lakehouse import Lakehouse
from fcc.core.tables import gold, ops, silver
from fcc.pipeline import NIGHTLY, StepFailed, backfill, completed_dates, replay, run_job
from tests.integration.opt_in import opt_in

pytestmark = opt_in(
    "FCC_NIGHTLY_IT", "end-to-end nightly chain over generated data (about 15 minutes on 2 cores)"
)

END = date(2026, 11, 27)
REPO_CONF = Path(__file__).resolve().parents[2] / "conf"


@pytest.fixture(scope="module")
def world(spark, tmp_path_factory):
    from fcc.synth import generate

    root = str(tmp_path_factory.mktemp("nightly") / "lakehouse")
    cfg = load_config(REPO_CONF, env="local", overrides=[f"lakehouse={root}"])
    generate(spark, root, customers=250, days=30, seed=7, end_date=END, cfg=cfg.synth)
    lakehouse = Lakehouse(spark, root)
    runs = backfill(spark, lakehouse, cfg, END - timedelta(days=2), END)
    return cfg, lakehouse, runs


def _without_run_columns(df):
    return df.drop("run_id", "updated_at")


def test_backfill_runs_three_dates_in_order_and_records_every_step(world):
    cfg, lakehouse, runs = world
    assert [d for d, _ in runs] == [END - timedelta(days=2), END - timedelta(days=1), END]
    assert completed_dates(lakehouse) >= {d for d, _ in runs}
    steps = lakehouse.read(ops.RUNS).where(F.col("run_id") == runs[-1][1])
    got = {r.step: r.status for r in steps.collect()}
    assert got == {**{s: "succeeded" for s in NIGHTLY}, "*": "succeeded"}
    whole = steps.where(F.col("step") == "*").first()
    assert whole.config_hash and whole.input_versions["silver.transactions"] >= 0
    assert whole.output_versions["gold.alerts"] >= 0


def test_nightly_outputs_exist_for_the_as_of_date(world):
    cfg, lakehouse, _ = world
    on_d = F.col("as_of") == F.lit(END)
    n_customers = lakehouse.read(silver.CUSTOMERS).count()
    assert lakehouse.read(gold.RISK_SCORES).where(on_d).count() == n_customers
    assert lakehouse.read("gold.features").where(on_d).count() == n_customers
    assert lakehouse.read(gold.RULE_HITS).where(on_d).count() > 0
    alerts = lakehouse.read(gold.ALERTS)
    assert alerts.count() > 0
    assert (
        alerts.groupBy("customer_id", "case_type", "opened_as_of")
        .count()
        .where("count > 1")
        .count()
        == 0
    )


def test_backfill_skips_completed_dates(spark, world):
    cfg, lakehouse, _ = world
    again = backfill(spark, lakehouse, cfg, END - timedelta(days=1), END)
    assert again == [(END - timedelta(days=1), "skipped"), (END, "skipped")]


def test_backfill_of_chosen_steps_runs_only_them_and_then_skips_them(spark, world):
    cfg, lakehouse, _ = world
    on_d = F.col("as_of") == F.lit(END)
    hits_before = sorted(_without_run_columns(lakehouse.read(gold.RULE_HITS).where(on_d)).collect())
    [(day, outcome)] = backfill(spark, lakehouse, cfg, END, END, steps=["features", "typologies"])
    assert day == END and outcome.startswith("features=") and " typologies=" in outcome
    assert "skipped" not in outcome  # a nightly run does not complete the single-step jobs
    run_ids = dict(part.split("=") for part in outcome.split())
    runs = lakehouse.read(ops.RUNS).where(F.col("run_id").isin(list(run_ids.values())))
    assert {r.job for r in runs.collect()} == {"features", "typologies"}
    hits_after = sorted(_without_run_columns(lakehouse.read(gold.RULE_HITS).where(on_d)).collect())
    assert hits_after == hits_before
    again = backfill(spark, lakehouse, cfg, END, END, steps=["features", "typologies"])
    assert again == [(END, "features=skipped typologies=skipped")]


def test_rerun_of_a_date_gives_identical_alerts_and_scores(spark, world):
    cfg, lakehouse, _ = world
    on_d = F.col("as_of") == F.lit(END)
    scores_before = _without_run_columns(lakehouse.read(gold.RISK_SCORES).where(on_d)).collect()
    alerts_before = _without_run_columns(lakehouse.read(gold.ALERTS)).collect()
    run_job(spark, lakehouse, cfg, "nightly", END)
    scores_after = _without_run_columns(lakehouse.read(gold.RISK_SCORES).where(on_d)).collect()
    alerts_after = _without_run_columns(lakehouse.read(gold.ALERTS)).collect()
    assert sorted(scores_after) == sorted(scores_before)
    assert sorted(alerts_after) == sorted(alerts_before)


def test_replay_of_a_recorded_run_is_identical(spark, world, tmp_path):
    cfg, lakehouse, runs = world
    result = replay(spark, lakehouse, runs[-1][1], str(tmp_path / "replay"))
    assert result.differences == {"gold.alerts": 0, "gold.risk_scores": 0}
    assert result.identical


def test_failed_step_is_recorded_leaves_tables_consistent_and_rerun_recovers(spark, world):
    cfg, lakehouse, _ = world
    on_d = F.col("as_of") == F.lit(END)
    before = _without_run_columns(lakehouse.read(gold.RISK_SCORES).where(on_d)).collect()
    version_before = lakehouse.version(gold.RISK_SCORES)
    bad = load_config(
        REPO_CONF,
        env="local",
        overrides=[
            f"lakehouse={cfg.lakehouse}",
            "scoring.behaviour=[{feature: no_such_feature, above: 1, points: 1}]",
        ],
    )
    with pytest.raises(StepFailed, match="no_such_feature"):
        run_job(spark, lakehouse, bad, "scoring", END)
    failed = (
        lakehouse.read(ops.RUNS)
        .where((F.col("job") == "scoring") & (F.col("status") == "failed"))
        .orderBy(F.desc("started_at"))
        .first()
    )
    assert failed is not None and "no_such_feature" in failed.error
    assert lakehouse.version(gold.RISK_SCORES) == version_before
    run_job(spark, lakehouse, cfg, "scoring", END)
    after = _without_run_columns(lakehouse.read(gold.RISK_SCORES).where(on_d)).collect()
    assert sorted(after) == sorted(before)
