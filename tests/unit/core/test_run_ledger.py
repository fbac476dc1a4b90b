"""The run ledger ops.runs: two commits per run, every step's outcome recorded."""

from __future__ import annotations

import time
from datetime import date, timedelta
from pathlib import Path

import pytest

from fcc import pipeline
from fcc.core.config import ConfigError, load_config
from fcc.core.tables import ops
from fcc.pipeline import Step, StepFailed, run_job

D = date(2026, 3, 31)
CONF = Path(__file__).resolve().parents[3] / "conf"


@pytest.fixture
def cfg(lakehouse):
    overrides = [f"lakehouse={lakehouse.root}", "reliability.lease.enabled=false"]
    return load_config(CONF, env="local", overrides=overrides)


def _chain(monkeypatch, *steps):
    monkeypatch.setattr(pipeline, "NIGHTLY", [name for name, _ in steps])
    for name, fn in steps:
        monkeypatch.setitem(pipeline.STEPS, name, Step(name, fn, (), ()))


def _runs(lakehouse):
    return {r.step: r for r in lakehouse.read(ops.RUNS).collect()}


def test_a_chain_of_three_steps_writes_two_ledger_commits(spark, lakehouse, cfg, monkeypatch):
    seen = {}

    def b(ctx):  # while b runs: the run is running; its steps are written when it ends
        seen.update({k: r.status for k, r in _runs(lakehouse).items()})
        time.sleep(0.5)
        return {"rows_out": 2}

    def c(ctx):  # the steps that succeeded before it, not yet in the ledger
        seen["succeeded before c"] = list(ctx.succeeded)
        return {}

    _chain(monkeypatch, ("a", lambda ctx: {"rows_out": 1}), ("b", b), ("c", c))
    run_job(spark, lakehouse, cfg, "nightly", D, run_id="r1")
    assert seen == {"*": "running", "succeeded before c": ["a", "b"]}
    runs = _runs(lakehouse)
    assert {k: r.status for k, r in runs.items()} == dict.fromkeys(
        ("*", "a", "b", "c"), "succeeded"
    )
    assert runs["*"].row_counts == {"a.rows_out": 1, "b.rows_out": 2}
    assert runs["b"].row_counts == {"rows_out": 2}
    # each step keeps its own end, though all are written when the run ends
    a, b, c = runs["a"], runs["b"], runs["c"]
    assert a.started_at <= a.ended_at <= b.started_at <= b.ended_at <= c.started_at <= c.ended_at
    assert b.duration_s >= 0.5 and b.ended_at - b.started_at >= timedelta(seconds=0.5)
    assert a.duration_s < 0.5 and runs["*"].ended_at >= c.ended_at
    # version 0 creates the table; then the start, then every step with the end
    assert lakehouse.version(ops.RUNS) == 2


def test_a_failed_step_records_the_step_and_the_run_failed_in_one_commit(
    spark, lakehouse, cfg, monkeypatch
):
    def broken(ctx):
        raise ValueError("bad input")

    _chain(monkeypatch, ("a", lambda ctx: {"rows_out": 1}), ("b", broken), ("c", lambda ctx: {}))
    with pytest.raises(StepFailed):
        run_job(spark, lakehouse, cfg, "nightly", D, run_id="r2")
    runs = _runs(lakehouse)
    assert {k: r.status for k, r in runs.items()} == {
        "*": "failed",
        "a": "succeeded",
        "b": "failed",
    }
    assert runs["b"].error == "ValueError: bad input"
    assert runs["*"].error == "step b failed: ValueError: bad input"
    assert lakehouse.version(ops.RUNS) == 2  # create, start, a + b failed + the run failed


def test_a_step_runs_with_its_own_session_settings_restored_after_it(
    spark, lakehouse, cfg, monkeypatch
):
    key = "spark.sql.adaptive.enabled"
    seen = {}

    def record(name):
        def step(ctx):
            seen[name] = ctx.spark.conf.get(key)
            return {}

        return step

    _chain(monkeypatch, ("a", record("a")), ("b", record("b")), ("c", record("c")))
    before = spark.conf.get(key)
    other = "false" if before == "true" else "true"
    with_b = cfg.model_copy(
        update={"spark": cfg.spark.model_copy(update={"step_conf": {"b": {key: other}}})}
    )
    run_job(spark, lakehouse, with_b, "nightly", D, run_id="r-conf")
    assert seen == {"a": before, "b": other, "c": before}
    assert spark.conf.get(key) == before


def test_a_step_setting_spark_cannot_change_at_run_time_is_refused_before_the_run(
    spark, lakehouse, cfg, monkeypatch
):
    _chain(monkeypatch, ("a", lambda ctx: {}))
    static = cfg.model_copy(
        update={
            "spark": cfg.spark.model_copy(
                update={"step_conf": {"a": {"spark.driver.memory": "1g"}}}
            )
        }
    )
    with pytest.raises(
        ConfigError, match="spark.step_conf.a.spark.driver.memory cannot be set on a running"
    ):
        run_job(spark, lakehouse, static, "nightly", D, run_id="r-static")
    assert not lakehouse.exists(ops.RUNS)


def test_a_step_setting_for_no_known_step_is_refused_before_the_run(spark, lakehouse, cfg):
    typo = cfg.model_copy(
        update={
            "spark": cfg.spark.model_copy(
                update={"step_conf": {"typology": {"spark.sql.adaptive.enabled": "false"}}}
            )
        }
    )
    with pytest.raises(ConfigError, match="spark.step_conf names no step typology; the steps"):
        run_job(spark, lakehouse, typo, "typologies", D, run_id="r-typo")
    assert not lakehouse.exists(ops.RUNS)
