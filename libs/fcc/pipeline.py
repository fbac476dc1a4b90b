"""Composes the domains into jobs: one step per domain, the nightly chain, the run ledger.

`fcc run JOB` and `jobs/*.py` call `run_job`; domain packages are imported lazily so a job
only loads what it runs.
"""

from __future__ import annotations

import importlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pyspark.sql import SparkSession

from fcc.core.lakehouse import Lakehouse
from fcc.core.runs import (
    LeaseLost,
    RunLease,
    RunLedger,
    StepRecord,
    mark_abandoned,
    safe_error,
)
from fcc.core.settings import AppConfig
from fcc.core.signals import clear_stop, stop_signal
from fcc.core.spark import FIXED_SETTING, fixed_settings, session_settings

log = logging.getLogger("fcc.pipeline")


@dataclass
class StepContext:
    spark: SparkSession
    lakehouse: Lakehouse
    cfg: AppConfig
    as_of: date
    run_id: str
    options: dict[str, Any] = field(default_factory=dict)
    # steps of this run that have succeeded so far (the ledger records them when the run ends)
    succeeded: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Step:
    name: str
    run: Callable[[StepContext], dict[str, int]]
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]


def _call(module: str, func: str, **extra: Any) -> Callable[[StepContext], dict[str, int]]:
    def run(ctx: StepContext) -> dict[str, int]:
        fn = getattr(importlib.import_module(module), func)
        kwargs = {key: (value(ctx) if callable(value) else value) for key, value in extra.items()}
        return fn(ctx.spark, ctx.lakehouse, ctx.cfg, ctx.as_of, ctx.run_id, **kwargs) or {}

    return run


def _late_dates(ctx: StepContext) -> list[date]:
    from fcc.ingest import late_dates

    return late_dates(ctx.lakehouse, ctx.as_of)


_BRONZE = (
    "bronze.customers",
    "bronze.identifiers",
    "bronze.fiat_ledger",
    "bronze.onchain_transfers",
    "bronze.chain_transfers",
    "bronze.internal_transfers",
    "bronze.trades",
    "bronze.address_intel",
    "bronze.fx_rates",
    "bronze.watchlists",
)
_SILVER = (
    "silver.transactions",
    "silver.customers",
    "silver.identifiers",
    "silver.address_labels",
    "silver.chain_edges",
    "silver.fx_rates",
    "silver.watchlist",
)

STEPS: dict[str, Step] = {
    s.name: s
    for s in [
        Step(
            "ingest",
            _call("fcc.ingest", "run_ingest"),
            _BRONZE,
            _SILVER + ("ops.quarantine", "ops.dq_results"),
        ),
        Step(
            "graph",
            _call("fcc.graph", "run_graph"),
            (
                "silver.identifiers",
                "silver.transactions",
                "silver.chain_edges",
                "silver.address_labels",
                "silver.customers",
            ),
            ("gold.entity_clusters", "gold.exposure", "gold.rule_hits"),
        ),
        Step(
            "features",
            _call(
                "fcc.features",
                "run_features",
                full=lambda ctx: bool(ctx.options.get("full")),
                late_dates=_late_dates,
            ),
            ("silver.transactions", "silver.customers", "silver.address_labels", "gold.exposure"),
            ("gold.customer_daily", "gold.features"),
        ),
        Step(
            "screening",
            _call("fcc.screening", "run_screening"),
            ("silver.customers", "silver.watchlist", "silver.transactions", "silver.identifiers"),
            ("gold.screening_hits",),
        ),
        Step(
            "typologies",
            _call("fcc.typologies", "run_typologies"),
            (
                "gold.features",
                "silver.transactions",
                "silver.chain_edges",
                "gold.exposure",
                "silver.customers",
            ),
            ("gold.rule_hits",),
        ),
        Step(
            "scoring",
            _call("fcc.scoring", "run_scoring"),
            (
                "silver.customers",
                "gold.features",
                "gold.exposure",
                "gold.screening_hits",
                "gold.rule_hits",
                "gold.entity_clusters",
                "gold.alerts",
            ),
            ("gold.risk_scores",),
        ),
        Step(
            "alerts",
            _call("fcc.alerts", "run_alerts"),
            ("gold.rule_hits", "gold.screening_hits", "gold.exposure", "gold.risk_scores"),
            ("gold.alerts",),
        ),
        Step(
            "monitoring",
            _call(
                "fcc.monitoring",
                "run_monitoring",
                scored_in_run=lambda ctx: "typologies" in ctx.succeeded,
            ),
            (
                "gold.features",
                "gold.risk_scores",
                "gold.alerts",
                "ops.dq_results",
                "ops.quarantine",
            ),
            ("ops.metrics",),
        ),
    ]
}

# Graph runs before features so that D's exposure is available to the exposure features.
NIGHTLY = [
    "ingest",
    "graph",
    "features",
    "screening",
    "typologies",
    "scoring",
    "alerts",
    "monitoring",
]
JOBS = [*NIGHTLY, "nightly"]


class StepFailed(RuntimeError):
    """A step of a job raised; the run is recorded as failed."""


def run_job(
    spark: SparkSession,
    lakehouse: Lakehouse,
    cfg: AppConfig,
    job: str,
    as_of: date,
    options: dict[str, Any] | None = None,
    run_id: str | None = None,
    lease: bool = True,
) -> tuple[str, dict[str, dict[str, int]]]:
    """Run one step or the whole nightly chain for as-of D; returns (run id, row counts per step).

    The run first takes the (job, D) lease in ops.leases (unless `lease` is False or the config
    disables it) and raises LeaseHeld when another live run holds it; the lease is freed at the
    end whether the run succeeds or fails.
    """
    if job not in JOBS:
        raise ValueError(f"unknown job {job!r}; expected one of {', '.join(JOBS)}")
    _validate(cfg, spark)
    clear_stop()
    ledger = RunLedger(lakehouse, job, as_of, cfg, run_id=run_id)
    held = None
    if lease and cfg.reliability.lease.enabled:
        held = RunLease.for_run(lakehouse, cfg, job, as_of, ledger.run_id).acquire()
        if held.taken_over_from:
            mark_abandoned(lakehouse, held.taken_over_from, ledger.run_id)
    try:
        return _run_steps(spark, lakehouse, cfg, job, as_of, options, ledger, held)
    finally:
        if held is not None:
            held.release()


def _validate(cfg: AppConfig, spark: SparkSession) -> None:
    """Validate the config again (a model_copy(update=...) skips pydantic's checks), and each
    step's session settings against the steps and the session."""
    from pydantic import ValidationError

    from fcc.core.config import ConfigError, config_dict

    try:
        AppConfig.model_validate(config_dict(cfg))
    except ValidationError as exc:
        raise ConfigError(f"invalid configuration, run not started: {exc}") from None
    unknown = sorted(set(cfg.spark.step_conf) - set(STEPS))
    if unknown:
        raise ConfigError(
            f"invalid configuration, run not started: spark.step_conf names no step "
            f"{', '.join(unknown)}; the steps are {', '.join(STEPS)}"
        )
    fixed = [
        f"{step}.{k}"
        for step, conf in cfg.spark.step_conf.items()
        for k in fixed_settings(spark, conf)
    ]
    if fixed:
        raise ConfigError(
            f"invalid configuration, run not started: spark.step_conf.{fixed[0]} {FIXED_SETTING}"
        )


def _run_steps(
    spark: SparkSession,
    lakehouse: Lakehouse,
    cfg: AppConfig,
    job: str,
    as_of: date,
    options: dict[str, Any] | None,
    ledger: RunLedger,
    held: RunLease | None,
) -> tuple[str, dict[str, dict[str, int]]]:
    names = NIGHTLY if job == "nightly" else [job]
    ctx = StepContext(spark, lakehouse, cfg, as_of, ledger.run_id, options or {})
    whole = StepRecord("*")
    whole.input_versions = lakehouse.versions()  # every table as the run found it, for replay
    results: dict[str, dict[str, int]] = {}
    # two ledger commits per run: the run's `*` row when it starts, then every step's row and
    # the run's outcome in one commit when it ends (succeeded or failed)
    ended: list[tuple[StepRecord, str, str | None]] = []
    rec: StepRecord | None = None  # the step started and not yet ended
    ledger.write((whole, "running", None))
    try:
        for name in names:
            if held is not None and held.lost:
                error = f"lease lost before step {name}: another run took over"
                ledger.write(*ended, (whole, "failed", error))
                held.check()
            step = STEPS[name]
            rec = StepRecord(name)
            rec.input_versions = _versions(lakehouse, step.inputs)
            log.info("step %-10s started", name)
            with session_settings(spark, cfg.spark.step_conf.get(name, {})):
                rec.row_counts = {k: int(v) for k, v in step.run(ctx).items()}
            rec.output_versions = _versions(lakehouse, step.outputs)
            rec.end()
            ctx.succeeded.append(name)
            done, rec = rec, None
            ended.append((done, "succeeded", None))
            results[name] = done.row_counts
            whole.input_versions.update(
                {k: v for k, v in done.input_versions.items() if k not in whole.output_versions}
            )
            whole.output_versions.update(done.output_versions)
            counts = " ".join(f"{k}={v}" for k, v in done.row_counts.items())
            log.info("step %-10s ok  %6.1f s  %s", name, time.time() - done.started, counts)
        whole.row_counts = {f"{s}.{k}": v for s, c in results.items() for k, v in c.items()}
        ledger.write(*ended, (whole, "succeeded", None))
    except LeaseLost:
        raise
    except Exception as exc:
        _record_failure(spark, ledger, whole, rec, exc, ended)
    return ledger.run_id, results


def _record_failure(
    spark: SparkSession,
    ledger: RunLedger,
    whole: StepRecord,
    rec: StepRecord | None,
    exc: Exception,
    ended: list[tuple[StepRecord, str, str | None]] | None = None,
) -> None:
    """Record the step and the run as failed and raise StepFailed (from Terminated on a signal).

    A SIGTERM that arrives while the driver waits on the JVM surfaces as a Py4J error; the
    Spark jobs it interrupted would keep running, so they are cancelled before the ledger write.
    `ended` are the steps that succeeded and are not yet in the ledger; they go in the same commit.
    """
    stopped = stop_signal(exc)
    if stopped is not None:
        spark.sparkContext.cancelAllJobs()
    reason = stopped or exc
    error = safe_error(reason)  # Spark messages can quote row values: withheld
    where = f"step {rec.step}" if rec is not None else "run"
    entries = list(ended or [])
    if rec is not None:
        entries.append((rec, "failed", error))
    ledger.write(*entries, (whole, "failed", f"{where} failed: {error}"))
    raise StepFailed(f"{where} failed: {error}") from reason


def _versions(lakehouse: Lakehouse, names: tuple[str, ...]) -> dict[str, int]:
    out = {}
    for name in names:
        version = lakehouse.version(name)
        if version is not None:
            out[name] = version
    return out


def completed_dates(lakehouse: Lakehouse, job: str = "nightly") -> set[date]:
    """Business dates with a succeeded run of `job`."""
    from pyspark.sql import functions as F

    from fcc.core.tables import ops

    runs = lakehouse.read(ops.RUNS).where(
        (F.col("job") == job) & (F.col("step") == "*") & (F.col("status") == "succeeded")
    )
    return {r.as_of for r in runs.select("as_of").distinct().collect()}


def backfill(
    spark: SparkSession,
    lakehouse: Lakehouse,
    cfg: AppConfig,
    start: date,
    end: date,
    force: bool = False,
    steps: list[str] | tuple[str, ...] = ("nightly",),
) -> list[tuple[date, str]]:
    """Run `steps` (jobs, in order) for every date from start to end in order.

    A (step, date) that already completed is skipped unless forced. Returns (date, outcome):
    the run id or "skipped" for one step, "step=outcome ..." for several.
    """
    from datetime import timedelta

    if end < start:
        raise ValueError(f"--to {end} is before --from {start}")
    unknown = [s for s in steps if s not in JOBS]
    if not steps or unknown:
        raise ValueError(f"unknown step(s) {unknown}; expected some of {', '.join(JOBS)}")
    done = {s: set() if force else completed_dates(lakehouse, s) for s in steps}
    out = []
    day = start
    while day <= end:
        outcomes = []
        for step in steps:
            if day in done[step]:
                log.info("backfill %s %s: already completed, skipped (--force reruns)", day, step)
                outcomes.append((step, "skipped"))
            else:
                outcomes.append((step, run_job(spark, lakehouse, cfg, step, day)[0]))
        if len(steps) == 1:
            out.append((day, outcomes[0][1]))
        else:
            out.append((day, " ".join(f"{s}={o}" for s, o in outcomes)))
        day += timedelta(days=1)
    return out


@dataclass
class ReplayResult:
    run_id: str
    replay_run_id: str
    identical: bool
    differences: dict[str, int]


def replay(
    spark: SparkSession, lakehouse: Lakehouse, run_id: str, scratch_root: str
) -> ReplayResult:
    """Recompute a recorded run from its input versions and config; compare alerts and scores."""
    import json

    from pyspark.sql import functions as F

    from fcc.core.replay import PinnedLakehouse
    from fcc.core.tables import ops

    rows = (
        lakehouse.read(ops.RUNS)
        .where((F.col("run_id") == run_id) & (F.col("step") == "*"))
        .collect()
    )
    if not rows:
        raise ValueError(f"no run {run_id!r} in ops.runs")
    whole = rows[0]
    if whole.status != "succeeded":
        raise ValueError(f"run {run_id} ended {whole.status}; only succeeded runs can be replayed")
    cfg = AppConfig.model_validate(json.loads(whole.config_json))
    pinned = PinnedLakehouse(spark, lakehouse.root, dict(whole.input_versions), scratch_root)
    replay_id, _ = run_job(  # writes go to scratch only: nothing to guard with a lease
        spark, pinned, cfg, whole.job, whole.as_of, run_id=f"replay-{run_id}", lease=False
    )
    out_versions = dict(whole.output_versions)
    ignore = {"run_id", "updated_at"}
    differences = {}
    pairs = {
        "gold.alerts": (F.col("run_id") == run_id, F.col("run_id") == replay_id),
        "gold.risk_scores": (
            F.col("as_of") == F.lit(whole.as_of),
            F.col("as_of") == F.lit(whole.as_of),
        ),
    }
    for name, (orig_filter, new_filter) in pairs.items():
        if name not in out_versions:
            continue
        original = lakehouse.read(name, version=out_versions[name]).where(orig_filter)
        replayed = pinned.read(name).where(new_filter)
        cols = [c for c in original.columns if c not in ignore]
        original, replayed = original.select(cols), replayed.select(cols)
        differences[name] = (
            original.exceptAll(replayed).count() + replayed.exceptAll(original).count()
        )
    return ReplayResult(run_id, replay_id, all(v == 0 for v in differences.values()), differences)
