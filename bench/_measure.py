"""Measuring code of the end-to-end benchmark (bench/run.py): probes, one size, ratios, table.

Spark metrics come from the driver's live status store (`SparkContext.statusStore`, the store
the UI and the REST API `/api/v1/applications/<id>/stages` read), reached through the Py4J
gateway, so they are available with the UI disabled and inside the test session. Every
measured block runs under its own job group; its jobs give its stages, and the stages give
shuffle, spill and input figures. Heap peaks come from the JVM's memory pool MXBeans, whose
peaks are reset before each block (local mode: driver and executor are the same JVM).
"""

from __future__ import annotations

import json
import math
import os
import platform
import re
import shutil
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from importlib.metadata import version as pkg_version
from pathlib import Path
from typing import Any

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from fcc import pipeline
from fcc.core.lakehouse import Lakehouse
from fcc.core.settings import AppConfig
from fcc.core.tables import silver

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
DATA = HERE / "data"
META = "_bench_meta.json"

# Targets of issue 12 (ratios measured in the same run).
TARGETS = {
    "first_night_over_doctor": 10.0,
    "steady_night_over_doctor": 4.0,
    "steady_night_jobs": 150,
    "features_over_scan": 4.0,
    "incremental_over_full": 0.25,
    "cc_over_scipy": 15.0,
    "time_growth_over_data_growth": 1.1,
}
# silver.transactions columns the features step reads (the scan floor reads the same ones)
FEATURE_COLUMNS = [
    "customer_id",
    "event_date",
    "event_ts",
    "direction",
    "rail",
    "asset_class",
    "amount_usd",
    "counterparty_type",
    "counterparty_id",
    "counterparty_country",
]
# summed over the stages a step ran
STAGE_METRICS = (
    "tasks",
    "records_scanned",
    "input_bytes",
    "output_bytes",
    "shuffle_read_bytes",
    "shuffle_write_bytes",
    "spill_memory_bytes",
    "spill_disk_bytes",
    "executor_run_ms",
)
METRICS = ("wall_s", "jobs", "stages", *STAGE_METRICS, "jvm_heap_peak_bytes")


def loadavg() -> list[float]:
    """The 1, 5 and 15 minute load averages."""
    try:
        return [float(x) for x in Path("/proc/loadavg").read_text().split()[:3]]
    except OSError:
        return [round(x, 2) for x in os.getloadavg()]


def _meminfo_kib(key: str) -> int | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith(f"{key}:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def machine(spark: SparkSession) -> dict[str, Any]:
    """Cores, memory and the versions a reader needs to compare two result files."""
    jvm = spark._jvm
    conf = spark.sparkContext.getConf()
    total = _meminfo_kib("MemTotal")
    return {
        "cores": os.cpu_count(),
        "mem_total_gib": round(total / 2**20, 1) if total else None,
        "mem_available_gib_at_start": round((_meminfo_kib("MemAvailable") or 0) / 2**20, 1),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "spark": spark.version,
        "delta": pkg_version("delta-spark"),
        "java": str(jvm.java.lang.System.getProperty("java.version")),
        "master": spark.sparkContext.master,
        "default_parallelism": spark.sparkContext.defaultParallelism,
        "driver_memory": conf.get("spark.driver.memory", "1g"),
        "jvm_max_heap_bytes": int(jvm.java.lang.Runtime.getRuntime().maxMemory()),
        "shuffle_partitions": spark.conf.get("spark.sql.shuffle.partitions"),
        "adaptive": spark.conf.get("spark.sql.adaptive.enabled"),
        "app_id": spark.sparkContext.applicationId,
    }


def _job_name(data) -> str:
    """A job's description when it has one (Delta's own jobs do), else its call site.

    Numbers (versions, ids) become `N`, so one kind of job is counted under one name.
    """
    described = data.description()
    text = str(described.get()) if described.isDefined() else ""
    if not text:
        text = str(data.name())
    return re.sub(r"\d+", "N", text)[:80]


def _job_span_ms(data) -> tuple[int, int] | None:
    """(submission, completion) epoch ms of a finished job from the status store, else None."""
    sub, end = data.submissionTime(), data.completionTime()
    if not (sub.isDefined() and end.isDefined()):
        return None
    return int(sub.get().getTime()), int(end.get().getTime())


def _union_ms(spans: list[tuple[int, int]]) -> int:
    """Milliseconds covered by at least one of the spans: the time some Spark job was running."""
    total, reach = 0, None
    for start, end in sorted(spans):
        if reach is None or start > reach:
            total += end - start
            reach = end
        elif end > reach:
            total += end - reach
            reach = end
    return total


class Probe:
    """Times a block and collects its Spark metrics through a job group of its own."""

    def __init__(self, spark: SparkSession) -> None:
        self.spark = spark
        self.sc = spark.sparkContext
        self._store = self.sc._jsc.sc().statusStore()
        mx = spark._jvm.java.lang.management.ManagementFactory.getMemoryPoolMXBeans()
        self._heap_pools = [p for p in mx if str(p.getType().toString()) == "Heap memory"]
        self._n = 0

    def measure(self, label: str, fn: Callable[[], Any]) -> tuple[Any, dict[str, Any]]:
        """Run fn under a fresh job group; return (its value, the block's measurements)."""
        self._n += 1
        group = f"bench-{self._n:03d}-{label}"
        for pool in self._heap_pools:
            pool.resetPeakUsage()
        load_start = loadavg()
        # the group id alone, no description: each job shows Delta's or its call site
        self.sc.setLocalProperty("spark.jobGroup.id", group)
        t0 = time.perf_counter()
        try:
            value = fn()
        finally:
            wall = time.perf_counter() - t0
            self.sc.setLocalProperty("spark.jobGroup.id", None)
            self.sc.setLocalProperty("spark.job.description", None)
        record: dict[str, Any] = {
            "label": label,
            "wall_s": round(wall, 3),
            "load_start": load_start,
            "load_end": loadavg(),
        }
        record.update(self._stage_metrics(group))
        record["jvm_heap_peak_bytes"] = sum(
            int(p.getPeakUsage().getUsed()) for p in self._heap_pools
        )
        record["app_peak_jvm_heap_bytes"] = self._app_peak_heap()
        return value, record

    def _stage_metrics(self, group: str) -> dict[str, Any]:
        jobs = list(self.sc.statusTracker().getJobIdsForGroup(group))
        stage_ids: set[int] = set()
        missing = 0
        names: dict[str, int] = {}
        seconds: dict[str, float] = {}
        spans: list[tuple[int, int]] = []
        for job_id in jobs:
            info = self.sc.statusTracker().getJobInfo(job_id)
            if info is None:
                missing += 1
                continue
            stage_ids.update(int(s) for s in info.stageIds)
            try:  # Delta's description (e.g. "Delta: Compute snapshot") or the call site
                data = self._store.job(job_id)
                name = _job_name(data)
                span = _job_span_ms(data)
            except Exception:  # noqa: BLE001 - evicted from the store
                name, span = "?", None
            names[name] = names.get(name, 0) + 1
            if span is not None:
                spans.append(span)
                seconds[name] = seconds.get(name, 0.0) + (span[1] - span[0]) / 1000
        out = dict.fromkeys(STAGE_METRICS, 0)
        stage_heap = None
        run_stages = 0
        for sid in stage_ids:
            try:
                s = self._store.lastStageAttempt(sid)
            except Exception:  # noqa: BLE001 - evicted from the store
                missing += 1
                continue
            if str(s.status().toString()) == "SKIPPED":
                continue
            run_stages += 1
            out["tasks"] += int(s.numCompleteTasks())
            out["records_scanned"] += int(s.inputRecords())
            out["input_bytes"] += int(s.inputBytes())
            out["output_bytes"] += int(s.outputBytes())
            out["shuffle_read_bytes"] += int(s.shuffleReadBytes())
            out["shuffle_write_bytes"] += int(s.shuffleWriteBytes())
            out["spill_memory_bytes"] += int(s.memoryBytesSpilled())
            out["spill_disk_bytes"] += int(s.diskBytesSpilled())
            out["executor_run_ms"] += int(s.executorRunTime())
            peak = s.peakExecutorMetrics()
            if peak.isDefined():
                heap = int(peak.get().getMetricValue("JVMHeapMemory"))
                stage_heap = heap if stage_heap is None else max(stage_heap, heap)
        return {
            "jobs": len(jobs),
            "stages": run_stages,
            "stages_skipped": len(stage_ids) - run_stages - missing,
            **out,
            "executor_stage_peak_jvm_heap_bytes": stage_heap,
            "top_jobs": dict(sorted(names.items(), key=lambda kv: -kv[1])[:8]),
            "top_jobs_by_seconds": {
                k: round(v, 2) for k, v in sorted(seconds.items(), key=lambda kv: -kv[1])[:12]
            },
            "jobs_busy_s": round(_union_ms(spans) / 1000, 3),
            "metrics_evicted": missing,
        }

    def _app_peak_heap(self) -> int | None:
        it = self._store.executorList(True).iterator()
        peak = None
        while it.hasNext():
            p = it.next().peakMemoryMetrics()
            if p.isDefined():
                v = int(p.get().getMetricValue("JVMHeapMemory"))
                peak = v if peak is None else max(peak, v)
        return peak


def _job_total(probe: Probe) -> int:
    """Spark jobs the application has run so far (the status store keeps them all here)."""
    return int(probe._store.jobsList(None).size())


def _with_rates(record: dict[str, Any], counts: dict[str, int] | None) -> dict[str, Any]:
    wall = max(record["wall_s"], 1e-9)
    if counts is not None:
        record["counts"] = dict(counts)
        record["rows_in"] = counts.get("rows_read", counts.get("rows_in"))
        record["rows_out"] = counts.get("rows_out")
    record["records_scanned_per_s"] = round(record["records_scanned"] / wall, 1)
    rows_out = record.get("rows_out")
    record["rows_out_per_s"] = None if rows_out is None else round(rows_out / wall, 1)
    return record


@contextmanager
def measured_steps(
    probe: Probe, lakehouse: Lakehouse, records: dict[str, dict[str, Any]]
) -> Iterator[None]:
    """Wrap every pipeline step so that run_job's own chain is measured step by step."""
    original = dict(pipeline.STEPS)

    def wrap(step: pipeline.Step) -> Callable[[pipeline.StepContext], dict[str, int]]:
        def run(ctx: pipeline.StepContext) -> dict[str, int]:
            before = {n: lakehouse.version(n) for n in step.outputs}
            counts, record = probe.measure(step.name, lambda: step.run(ctx))
            after = {n: lakehouse.version(n) for n in step.outputs}
            record["delta_commits"] = sum(
                (after[n] or 0) - (before[n] if before[n] is not None else -1)
                for n in step.outputs
                if after[n] is not None
            )
            records[step.name] = _with_rates(record, counts)
            return counts

        return run

    for name, step in original.items():
        pipeline.STEPS[name] = replace(step, run=wrap(step))
    try:
        yield
    finally:
        pipeline.STEPS.clear()
        pipeline.STEPS.update(original)


def scan_floor(lakehouse: Lakehouse, dates: list[date] | None = None) -> Callable[[], None]:
    """Read the feature columns of silver.transactions and aggregate per customer-day (no write)."""

    def run() -> None:
        txns = lakehouse.read(silver.TRANSACTIONS).select(*FEATURE_COLUMNS)
        if dates is not None:
            txns = txns.where(F.col("event_date").isin(dates))
        others = [c for c in FEATURE_COLUMNS if c not in ("customer_id", "event_date")]
        (
            txns.groupBy("customer_id", "event_date")
            .agg(F.count("*"), *[F.max(c) for c in others], F.sum("amount_usd"))
            .write.format("noop")
            .mode("overwrite")
            .save()
        )

    return run


# ---------------------------------------------------------------- connected components


def _graph_transactions(lakehouse: Lakehouse, cfg: AppConfig, as_of: date) -> DataFrame:
    """silver.transactions over the graph step's lookback (as fcc.graph.run.run_graph reads it)."""
    s = cfg.graph
    lookback = max(
        s.exposure.lookback_days, s.entity.internal_lookback_days, s.entity.flow_lookback_days
    )
    return lakehouse.read(silver.TRANSACTIONS).where(
        F.col("event_date").between(F.lit(as_of - timedelta(days=lookback - 1)), F.lit(as_of))
    )


def export_cc_input(lakehouse: Lakehouse, cfg: AppConfig, as_of: date, out: Path) -> dict:
    """Write the graph step's CC input (vertices, edges) for D to Parquet; return its sizes."""
    from fcc.graph.entity import build_entity_graph

    graph = build_entity_graph(
        lakehouse.read(silver.IDENTIFIERS),
        _graph_transactions(lakehouse, cfg, as_of),
        cfg.graph.entity,
        as_of,
    )
    shutil.rmtree(out, ignore_errors=True)
    graph.edges.select(
        F.col("src").cast("long").alias("src"), F.col("dst").cast("long").alias("dst")
    ).write.parquet(str(out / "edges"))
    graph.vertices.select(F.col("id").cast("long").alias("id")).write.parquet(str(out / "vertices"))
    graph.release()
    spark = lakehouse.spark
    return {
        "edges": spark.read.parquet(str(out / "edges")).count(),
        "vertices": spark.read.parquet(str(out / "vertices")).count(),
    }


def spark_cc(spark: SparkSession, cfg: AppConfig, cc_dir: Path) -> Callable[[], int]:
    """The graph step's connected components (GraphFrames) from the exported Parquet, labels to Parquet."""

    def run() -> int:
        from fcc.graph import connected_components

        labels = connected_components(
            spark.read.parquet(str(cc_dir / "vertices")),
            spark.read.parquet(str(cc_dir / "edges")),
            cfg.graph.components,
        )
        labels.write.mode("overwrite").parquet(str(cc_dir / "labels"))
        labels.unpersist()
        return 0

    return run


def scipy_cc(cc_dir: Path):
    """scipy connected_components on the same edge list: (id, smallest id of its component)."""
    import numpy as np
    import pandas as pd
    import pyarrow.parquet as pq
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    edges = pq.read_table(cc_dir / "edges")
    src = edges.column("src").to_numpy().astype(np.int64)
    dst = edges.column("dst").to_numpy().astype(np.int64)
    ids, inverse = np.unique(np.concatenate([src, dst]), return_inverse=True)
    n = ids.size
    graph = coo_matrix(
        (np.ones(src.size, dtype=np.int8), (inverse[: src.size], inverse[src.size :])),
        shape=(n, n),
    ).tocsr()
    _, labels = connected_components(graph, directed=False)
    first = np.full(labels.max() + 1 if n else 0, n, dtype=np.int64)
    np.minimum.at(first, labels, np.arange(n))  # ids are sorted: first index = smallest id
    return pd.DataFrame({"id": ids, "component": ids[first[labels]] if n else ids})


def same_partition(cc_dir: Path, reference) -> dict[str, Any]:
    """Compare our labels with scipy's on every vertex of the step (isolated ones: themselves)."""
    import pandas as pd

    ours = pd.read_parquet(cc_dir / "labels").sort_values("id").reset_index(drop=True)
    vertices = pd.read_parquet(cc_dir / "vertices").drop_duplicates()
    expected = vertices.merge(reference, on="id", how="left")
    expected["component"] = expected["component"].fillna(expected["id"]).astype("int64")
    expected = expected.sort_values("id").reset_index(drop=True)
    identical = bool(
        len(ours) == len(expected)
        and (ours["id"].to_numpy() == expected["id"].to_numpy()).all()
        and (ours["component"].to_numpy() == expected["component"].to_numpy()).all()
    )
    return {
        "identical_partition": identical,
        "labelled_vertices": int(len(ours)),
        "components": int(expected["component"].nunique()),
        "largest_component": int(expected["component"].value_counts().max())
        if len(expected)
        else 0,
    }


# ---------------------------------------------------------------- one size


def read_meta(data_dir: Path) -> dict[str, Any]:
    path = data_dir / META
    return json.loads(path.read_text()) if path.exists() else {}


def _write_meta(data_dir: Path, meta: dict[str, Any]) -> None:
    (data_dir / META).write_text(json.dumps(meta, indent=2, default=str) + "\n")


def prepare(
    spark: SparkSession,
    probe: Probe,
    cfg: AppConfig,
    data_dir: Path,
    customers: int,
    days: int,
    seed: int,
    end: date,
    reuse: bool,
) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """Generated bronze under data_dir/lakehouse (reused when its parameters match).

    Returns (meta, measurements of the preparation). The generator lands the customer and
    identifier snapshots after the last day, so the nightly of that day is the first one that
    can ingest anything; it is run on a copy, leaving the generated set untouched.
    """
    wanted = {"customers": customers, "days": days, "seed": seed, "end_date": end.isoformat()}
    meta = read_meta(data_dir)
    base = data_dir / "lakehouse"
    prep: dict[str, dict[str, Any]] = {}
    matches = all(meta.get(k) == v for k, v in wanted.items())
    if not (reuse and matches and (base / "bronze").is_dir()):
        from fcc.synth import generate

        shutil.rmtree(data_dir, ignore_errors=True)
        data_dir.mkdir(parents=True)
        counts, rec = probe.measure(
            "generate",
            lambda: generate(spark, str(base), customers, days, seed, end, cfg.synth),
        )
        prep["generate"] = _with_rates(rec, None)
        meta = {**wanted, "generate_seconds": rec["wall_s"], "generated_rows": counts}
        _write_meta(data_dir, meta)
    return meta, prep


def run_size(
    spark: SparkSession,
    cfg: AppConfig,
    size: str,
    customers: int,
    days: int,
    seed: int = 42,
    end: date = date(2026, 11, 27),
    reuse: bool = True,
    data_root: Path = DATA,
    partial: Path | None = None,
    session_start_s: float | None = None,
) -> dict[str, Any]:
    """Benchmark one size in the current Spark application; returns the result record.

    Two nights run on a copy of the generated set: the first (D-1, the whole history) and a
    steady-state night (D, one new day); each step of both is measured.
    """
    data_dir = data_root / size
    probe = Probe(spark)
    started = datetime.now(UTC)
    meta, prep = prepare(spark, probe, cfg, data_dir, customers, days, seed, end, reuse)
    # the nightly of D runs on a copy, so --reuse always starts from the same state
    work = data_dir / "work"
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(data_dir / "lakehouse", work)
    lakehouse = Lakehouse(spark, str(work))
    # the first night (D-1) ingests the whole generated history; the steady-state night (D)
    # then adds one day, as every later night does
    steps: dict[str, dict[str, Any]] = {}
    first_jobs = _job_total(probe)
    t0 = time.perf_counter()
    with measured_steps(probe, lakehouse, steps):
        pipeline.run_job(spark, lakehouse, cfg, "nightly", end - timedelta(days=1))
    run_job_s = time.perf_counter() - t0
    first_jobs = _job_total(probe) - first_jobs
    steady: dict[str, dict[str, Any]] = {}
    steady_jobs = _job_total(probe)
    t0 = time.perf_counter()
    with measured_steps(probe, lakehouse, steady):
        run_id, _ = pipeline.run_job(spark, lakehouse, cfg, "nightly", end)
    steady_run_job_s = time.perf_counter() - t0
    steady_jobs = _job_total(probe) - steady_jobs
    if partial is not None:  # the nightly's figures survive a failure in the references
        write_result(
            {"size": size, "steps": steps, "steady_steps": steady, "nightly_run_job_s": run_job_s},
            partial,
        )
    late = pipeline._late_dates(pipeline.StepContext(spark, lakehouse, cfg, end, run_id))

    refs: dict[str, dict[str, Any]] = {}
    txns = lakehouse.read(silver.TRANSACTIONS)
    data = {
        "customers": customers,
        "days": days,
        "seed": seed,
        "as_of": end.isoformat(),
        "late_dates": [d.isoformat() for d in late],
        "silver_transactions": txns.count(),
        "silver_customers": lakehouse.read(silver.CUSTOMERS).count(),
    }
    from fcc.features.daily import affected_dates, pass_through_lookback_days
    from fcc.features.run import _read_days

    night_days = _read_days(
        affected_dates(end, [], cfg.features), pass_through_lookback_days(cfg.features)
    )
    _, refs["scan_floor_full"] = probe.measure("scan_floor_full", scan_floor(lakehouse))
    _, refs["scan_floor_night"] = probe.measure(
        "scan_floor_night", scan_floor(lakehouse, night_days)
    )
    from fcc.features import run_features

    counts, rec = probe.measure(
        "features_full",
        lambda: run_features(spark, lakehouse, cfg, end, f"{run_id}-full", full=True),
    )
    refs["features_full"] = _with_rates(rec, counts)
    # a steady-state night: D alone (the measured nightly above is the first load, whose
    # ingest makes every earlier day a late date)
    counts, rec = probe.measure(
        "features_incremental",
        lambda: run_features(spark, lakehouse, cfg, end, f"{run_id}-inc"),
    )
    refs["features_incremental"] = _with_rates(rec, counts)

    cc_dir = data_dir / "cc"
    sizes, refs["cc_export"] = probe.measure(
        "cc_export", lambda: export_cc_input(lakehouse, cfg, end, cc_dir)
    )
    _, refs["cc_spark"] = probe.measure("cc_spark", spark_cc(spark, cfg, cc_dir))
    reference, refs["cc_scipy"] = probe.measure("cc_scipy", lambda: scipy_cc(cc_dir))
    cc = {**sizes, **same_partition(cc_dir, reference)}
    for rec in refs.values():
        if "records_scanned_per_s" not in rec:
            _with_rates(rec, None)

    result = {
        "benchmark": "nightly_end_to_end",
        "size": size,
        "started": started.isoformat(timespec="seconds"),
        "finished": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(spark),
        "data": {**data, "generate_seconds": meta.get("generate_seconds")},
        "steps": {name: steps[name] for name in pipeline.NIGHTLY if name in steps},
        "nightly_total_s": round(sum(v["wall_s"] for v in steps.values()), 3),
        # run_job's own wall time; the difference is the run ledger and version look-ups
        "nightly_run_job_s": round(run_job_s, 3),
        "nightly_jobs": first_jobs,
        "steady_steps": {name: steady[name] for name in pipeline.NIGHTLY if name in steady},
        "steady_total_s": round(sum(v["wall_s"] for v in steady.values()), 3),
        "steady_run_job_s": round(steady_run_job_s, 3),
        "steady_jobs": steady_jobs,
        "session_start_s": session_start_s,
        "references": refs,
        "preparation": prep,
        "cc": cc,
    }
    result["ratios"] = ratios(result)
    return result


# ---------------------------------------------------------------- ratios, growth, table


def _ratio(a: float | None, b: float | None) -> float | None:
    if a is None or not b:
        return None
    return round(a / b, 3)


def ratios(result: dict[str, Any]) -> dict[str, Any]:
    """The issue's same-run ratios of one size, each with its target and pass/fail."""
    steps, refs = result["steps"], result["references"]
    nightly_features = steps.get("features", {}).get("wall_s")
    full = refs["features_full"]["wall_s"]
    incremental = refs["features_incremental"]["wall_s"]
    values = {
        "features_over_scan": _ratio(full, refs["scan_floor_full"]["wall_s"]),
        "incremental_over_full": _ratio(incremental, full),
        "cc_over_scipy": _ratio(refs["cc_spark"]["wall_s"], refs["cc_scipy"]["wall_s"]),
    }
    out: dict[str, Any] = {}
    for key, value in values.items():
        out[key] = {
            "value": value,
            "target": TARGETS[key],
            "met": None if value is None else value <= TARGETS[key],
        }
    out["cc_over_scipy"]["identical_partition"] = result["cc"]["identical_partition"]
    if not result["cc"]["identical_partition"]:
        out["cc_over_scipy"]["met"] = False
    out["nightly_first_load_features_over_full"] = _ratio(nightly_features, full)
    out["incremental_over_night_scan"] = _ratio(incremental, refs["scan_floor_night"]["wall_s"])
    return out


def add_doctor_ratios(result: dict[str, Any], doctor_s: float) -> dict[str, Any]:
    """Each night as a whole process (session start + run_job) over `fcc doctor`'s process time.

    `fcc doctor` (a Spark session, a Delta round trip, a small graph) is the fixed reference,
    timed as a process in the same invocation; the steady night's Spark jobs are judged too.
    """
    start = result.get("session_start_s") or 0.0
    values = {
        "first_night_over_doctor": _ratio(start + result["nightly_run_job_s"], doctor_s),
        "steady_night_over_doctor": _ratio(start + result["steady_run_job_s"], doctor_s),
        "steady_night_jobs": result["steady_jobs"],
    }
    result["doctor_process_s"] = round(doctor_s, 3)
    for key, value in values.items():
        result["ratios"][key] = {
            "value": value,
            "target": TARGETS[key],
            "met": None if value is None else value <= TARGETS[key],
        }
    return result


def growth(small: dict[str, Any], large: dict[str, Any]) -> dict[str, Any]:
    """Growth exponent log(t_large/t_small)/log(n_large/n_small) per step and overall.

    n is silver.transactions rows (the data); the target is time ratio <= 1.1x data ratio.
    """
    n_s = small["data"]["silver_transactions"]
    n_l = large["data"]["silver_transactions"]
    data_ratio = n_l / n_s if n_s else None

    def one(t_s: float | None, t_l: float | None) -> dict[str, Any]:
        if not data_ratio or data_ratio == 1 or not t_s or t_l is None:
            return {"time_ratio": None, "exponent": None, "met": None}
        tr = t_l / t_s
        return {
            "time_ratio": round(tr, 3),
            "exponent": round(math.log(tr) / math.log(data_ratio), 3) if tr > 0 else None,
            "met": tr <= TARGETS["time_growth_over_data_growth"] * data_ratio,
        }

    per_step = {
        name: one(small["steps"][name]["wall_s"], large["steps"].get(name, {}).get("wall_s"))
        for name in small["steps"]
    }
    for ref in ("features_full", "scan_floor_full", "cc_spark", "cc_scipy"):
        per_step[f"ref.{ref}"] = one(
            small["references"][ref]["wall_s"], large["references"][ref]["wall_s"]
        )
    return {
        "small": small["size"],
        "large": large["size"],
        "customers_ratio": round(large["data"]["customers"] / small["data"]["customers"], 3),
        "data_ratio": round(data_ratio, 3) if data_ratio else None,
        "target_time_ratio": round(TARGETS["time_growth_over_data_growth"] * data_ratio, 3)
        if data_ratio
        else None,
        "overall": one(small["nightly_total_s"], large["nightly_total_s"]),
        "steps": per_step,
    }


def _mib(v: int | None) -> str:
    return "-" if v is None else f"{v / 2**20:,.0f}"


def table(results: list[dict[str, Any]], grow: dict[str, Any] | None = None) -> str:
    """Plain-text table of every size's steps and references, then the ratios."""
    head = (
        f"{'size':<6} {'step':<28} {'wall s':>8} {'rows out':>10} {'scanned/s':>10} "
        f"{'jobs':>5} {'shufR MiB':>9} {'shufW MiB':>9} {'spill MiB':>9} "
        f"{'heap MiB':>8} {'load 1m':>13}"
    )
    lines = [head, "-" * len(head)]
    for r in results:
        rows = [*r["steps"].items(), *(("ref." + k, v) for k, v in r["references"].items())]
        for name, m in rows:
            spill = (m.get("spill_memory_bytes") or 0) + (m.get("spill_disk_bytes") or 0)
            lines.append(
                f"{r['size']:<6} {name:<28} {m['wall_s']:>8.1f} "
                f"{m.get('rows_out') if m.get('rows_out') is not None else '-':>10} "
                f"{m.get('records_scanned_per_s', 0):>10,.0f} {m['jobs']:>5} "
                f"{_mib(m['shuffle_read_bytes']):>9} {_mib(m['shuffle_write_bytes']):>9} "
                f"{_mib(spill):>9} {_mib(m['jvm_heap_peak_bytes']):>8} "
                f"{m['load_start'][0]:>6.1f}>{m['load_end'][0]:<6.1f}"
            )
        lines.append(f"{r['size']:<6} {'first night total':<28} {r['nightly_total_s']:>8.1f}")
        for name, m in r.get("steady_steps", {}).items():
            lines.append(
                f"{r['size']:<6} {'steady.' + name:<28} {m['wall_s']:>8.1f} {'':>10} {'':>10} "
                f"{m['jobs']:>5}"
            )
        if "steady_total_s" in r:
            lines.append(f"{r['size']:<6} {'steady night total':<28} {r['steady_total_s']:>8.1f}")
        if "doctor_process_s" in r:
            lines.append(
                f"{r['size']:<6} {'fcc doctor (process)':<28} {r['doctor_process_s']:>8.1f}"
            )
    lines.append("")
    for r in results:
        d = r["data"]
        lines.append(
            f"{r['size']}: {d['customers']:,} customers, {d['silver_transactions']:,} "
            f"transactions, CC {r['cc']['edges']:,} edges; identical partition "
            f"{r['cc']['identical_partition']}"
        )
        for key, v in r["ratios"].items():
            if isinstance(v, dict):
                lines.append(
                    f"  {key:<34} {v['value']!s:>8}  target <= {v['target']:<5} met={v['met']}"
                )
            else:
                lines.append(f"  {key:<34} {v!s:>8}")
    if grow:
        o = grow["overall"]
        lines.append(
            f"growth {grow['small']} -> {grow['large']}: data x{grow['data_ratio']}, nightly time "
            f"x{o['time_ratio']} (target <= x{grow['target_time_ratio']}), exponent "
            f"{o['exponent']}, met={o['met']}"
        )
        for name, g in grow["steps"].items():
            lines.append(
                f"  {name:<28} time x{g['time_ratio']!s:<8} exponent {g['exponent']!s:<7} "
                f"met={g['met']}"
            )
    return "\n".join(lines)


def write_result(result: dict[str, Any], path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=2, default=str) + "\n")
    return path


def result_path(size: str, when: date | None = None) -> Path:
    return RESULTS / f"{(when or datetime.now(UTC).date()).isoformat()}-{size}.json"


def python_exe() -> str:
    return sys.executable
