"""Config safety: the run ledger records the config hash and its diff; invalid config never runs."""

from __future__ import annotations

import json
from datetime import date

import pytest
from pyspark.sql import functions as F
from pyspark.sql.types import StructType

from fcc import pipeline
from fcc.cli import EXIT_USAGE, main
from fcc.core.config import ConfigError
from fcc.core.runs import RunLedger, StepRecord, config_diff
from fcc.core.tables import ops
from fcc.core.tables.extra_reliability import LEASES
from fcc.pipeline import Step, run_job

D = date(2026, 3, 31)


def test_config_diff_lists_changed_added_and_removed_leaves():
    old = {"a": {"x": 1, "y": [1, 2]}, "b": "same", "gone": 5}
    new = {"a": {"x": 2, "y": [1, 2]}, "b": "same", "added": {"k": None}}
    assert config_diff(old, new) == {
        "a.x": {"old": 1, "new": 2},
        "added.k": {"old": None, "new": None},
        "gone": {"old": 5, "new": None},
    }
    assert config_diff(new, new) == {}


def _whole(lakehouse, run_id):
    return (
        lakehouse.read(ops.RUNS).where((F.col("run_id") == run_id) & (F.col("step") == "*")).first()
    )


def _cli_run(lakehouse, cli_conf, *extra):
    args = ["run", "ingest", "--as-of", str(D), "--lakehouse", lakehouse.root, "--conf", cli_conf]
    return main([*args, *extra])


def _last_run_id(lakehouse):
    return (
        lakehouse.read(ops.RUNS)
        .where(F.col("step") == "*")
        .orderBy(F.col("started_at").desc())
        .first()
        .run_id
    )


def test_threshold_changed_with_set_between_runs_is_recorded_as_exactly_that_key(
    lakehouse, cli_conf, monkeypatch
):
    monkeypatch.setitem(
        pipeline.STEPS, "ingest", Step("ingest", lambda ctx: {"rows_out": 0}, (), ())
    )
    assert _cli_run(lakehouse, cli_conf) == 0
    first = _whole(lakehouse, _last_run_id(lakehouse))
    assert first.config_diff is None  # no earlier succeeded run of the job

    assert _cli_run(lakehouse, cli_conf, "--set", "screening.threshold=0.93") == 0
    second = _whole(lakehouse, _last_run_id(lakehouse))
    assert second.config_hash != first.config_hash
    assert json.loads(second.config_diff) == {"screening.threshold": {"old": 0.88, "new": 0.93}}


def test_ledger_adds_the_config_diff_column_to_an_older_runs_table(spark, lakehouse, cfg):
    old_schema = ops.RUNS.schema.fields[:-1]  # the table as created before config_diff existed
    spark.createDataFrame([], StructType(old_schema)).write.format("delta").save(
        lakehouse.path(ops.RUNS)
    )
    ledger = RunLedger(lakehouse, "ingest", D, cfg, run_id="after-upgrade")
    ledger.started(StepRecord("*"))
    assert "config_diff" in lakehouse.read(ops.RUNS).columns
    assert _whole(lakehouse, "after-upgrade").status == "running"


def test_invalid_config_on_the_command_line_never_creates_a_run_row(lakehouse, cli_conf, capsys):
    code = _cli_run(lakehouse, cli_conf, "--set", "screening.threshold=not-a-number")
    assert code == EXIT_USAGE
    assert "screening.threshold" in capsys.readouterr().err
    assert not lakehouse.exists(ops.RUNS)
    assert not lakehouse.exists(LEASES)


@pytest.mark.filterwarnings("ignore:Pydantic serializer warnings")
def test_config_invalidated_after_loading_never_starts_a_run(spark, lakehouse, cfg):
    bad = cfg.model_copy(
        update={"screening": cfg.screening.model_copy(update={"threshold": "high"})}
    )
    with pytest.raises(ConfigError, match="run not started"):
        run_job(spark, lakehouse, bad, "ingest", D)
    assert not lakehouse.exists(ops.RUNS)
    assert not lakehouse.exists(LEASES)


def test_lease_expiry_shorter_than_the_heartbeat_is_a_config_error(tmp_path):
    from fcc.core.config import load_config
    from tests.unit.reliability.conftest import CONF

    with pytest.raises(ConfigError, match="heartbeat_seconds"):
        load_config(
            CONF,
            overrides=[
                "reliability.lease.expiry_minutes=1",
                "reliability.lease.heartbeat_seconds=90",
            ],
        )
