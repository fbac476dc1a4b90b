"""Spark jobs, Delta commits and wall time of every step of one nightly, and of the run ledger.

    python bench/bench_steps.py --lakehouse /tmp/lake --as-of 2026-11-27 --label before \
        [--work /tmp/lake-work] [--snapshot /tmp/snap/before]

The nightly runs on a fresh copy of the lakehouse (`--work`), so two invocations start from
the same state. Per step: wall seconds, Spark jobs (the step's job group), the jobs' names, and
the Delta commits of every table the step changed. What `run_job` does around the steps (the
run ledger ops.runs, the lease ops.leases, version look-ups) is reported as `ledger`. With
`--snapshot`, D's gold outputs and ops.metrics are written to Parquet there (run ids and
timestamps dropped) so that two runs' detection can be compared row for row.
"""

from __future__ import annotations

import argparse
import json
import logging
import shutil
import sys
import time
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _measure as m  # noqa: E402

# D's slice of the tables detection writes; columns that differ between two identical runs
SNAPSHOT = {
    "gold.rule_hits": ("as_of", ()),
    "gold.screening_hits": ("as_of", ()),
    "gold.risk_scores": ("as_of", ()),
    "gold.alerts": ("opened_as_of", ("run_id", "updated_at", "opened_at")),
    "ops.metrics": ("as_of", ("run_id",)),
}


def _args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--lakehouse", required=True, help="generated lakehouse (left untouched)")
    p.add_argument("--as-of", required=True, type=date.fromisoformat)
    p.add_argument("--label", required=True, help="name of the result, e.g. before / after")
    p.add_argument("--work", default=None, help="copy to run on (default: <lakehouse>-work)")
    p.add_argument("--snapshot", default=None, help="folder for D's outputs as Parquet")
    p.add_argument("--out", default=None, help="result JSON (default bench/results/steps-...)")
    p.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="config override as `fcc run --set` takes it, e.g. spark.conf.spark.sql.shuffle.partitions=4",
    )
    p.add_argument(
        "--steps",
        default=None,
        help="comma list: run only these steps of the chain, in order, as one run",
    )
    p.add_argument(
        "--in-place",
        action="store_true",
        help="run on --work as it is (e.g. a copy rewound to before --steps), no fresh copy",
    )
    p.add_argument(
        "--rewind",
        default=None,
        metavar="RESULT_JSON",
        help="with --steps: first undo, in a fresh copy of --lakehouse's finished run, the commits "
        "those steps made in that earlier result (Delta RESTORE; tables they created are removed)",
    )
    return p.parse_args(argv)


def _commits(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    """Delta commits per table between two `Lakehouse.versions()` (a new table counts v0)."""
    out = {}
    for name, v in after.items():
        n = v - before[name] if name in before else v + 1
        if n:
            out[name] = n
    return out


def rewind(spark, lakehouse, result: dict[str, Any], steps: list[str]) -> dict[str, int]:
    """Restore every table the given steps of `result` changed to its version before them."""
    undo: dict[str, int] = {}
    for name in steps:
        for table, n in result["steps"][name]["delta_commits_by_table"].items():
            undo[table] = undo.get(table, 0) + n
    restored = {}
    for table, n in sorted(undo.items()):
        target = (lakehouse.version(table) or 0) - n
        path = lakehouse.path(table)
        if target < 0:
            shutil.rmtree(path, ignore_errors=True)
        else:
            spark.sql(f"RESTORE TABLE delta.`{path}` TO VERSION AS OF {target}")
        restored[table] = target
    return restored


def _job_count(store) -> int:
    return int(store.jobsList(None).size())


def snapshot(lakehouse, as_of: date, folder: Path) -> dict[str, int]:
    """Write D's rows of the SNAPSHOT tables to folder/<table>.parquet; returns row counts."""
    from pyspark.sql import functions as F

    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    rows = {}
    for name, (column, drop) in SNAPSHOT.items():
        df = lakehouse.read(name).where(F.col(column) == F.lit(as_of)).drop(*drop)
        pdf = df.toPandas()
        pdf = pdf.sort_values(list(pdf.columns[:4])).reset_index(drop=True)
        pdf.astype(str).to_parquet(folder / f"{name}.parquet")
        rows[name] = len(pdf)
    return rows


def main(argv: list[str] | None = None) -> int:
    args = _args(argv)
    from fcc import pipeline
    from fcc.core.config import load_config
    from fcc.core.lakehouse import Lakehouse
    from fcc.core.spark import build_spark

    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s %(message)s")
    logging.getLogger("fcc.pipeline").setLevel(logging.INFO)
    source = Path(args.lakehouse).resolve()
    work = Path(args.work or f"{source}-work").resolve()
    if not args.in_place:
        shutil.rmtree(work, ignore_errors=True)
        shutil.copytree(source, work)
    cfg = load_config(env="local", overrides=[f"lakehouse={work}", *args.set])
    conf = dict(cfg.spark.conf)
    conf.update(
        {
            "spark.ui.enabled": "false",
            "spark.ui.retainedJobs": "100000",
            "spark.ui.retainedStages": "100000",
            "spark.sql.ui.retainedExecutions": "50",
        }
    )
    spark = build_spark(
        app_name=f"fcc-bench-steps-{args.label}",
        master=cfg.spark.master or "local[*]",
        conf=conf,
        checkpoint_dir=str(work / "_checkpoints"),
    )
    try:
        lakehouse = Lakehouse(spark, str(work))
        rewound = None
        if args.rewind:
            earlier = json.loads(Path(args.rewind).read_text())
            rewound = rewind(spark, lakehouse, earlier, args.steps.split(","))
        probe = m.Probe(spark)
        store = probe._store
        steps: dict[str, dict[str, Any]] = {}

        original = dict(pipeline.STEPS)

        def wrap(step):
            def run(ctx):
                before = lakehouse.versions()
                counts, record = probe.measure(step.name, lambda: step.run(ctx))
                record["delta_commits_by_table"] = _commits(before, lakehouse.versions())
                record["delta_commits"] = sum(record["delta_commits_by_table"].values())
                record["counts"] = counts
                steps[step.name] = record
                return counts

            return run

        for name, step in original.items():
            pipeline.STEPS[name] = replace(step, run=wrap(step))
        chain = list(pipeline.NIGHTLY)
        if args.steps:
            pipeline.NIGHTLY[:] = [s for s in chain if s in args.steps.split(",")]
        load_start = m.loadavg()
        jobs0, v0 = _job_count(store), lakehouse.versions()
        t0 = time.perf_counter()
        try:
            run_id, _ = pipeline.run_job(spark, lakehouse, cfg, "nightly", args.as_of)
        finally:
            pipeline.STEPS.clear()
            pipeline.STEPS.update(original)
            pipeline.NIGHTLY[:] = chain
        wall = time.perf_counter() - t0
        jobs_total = _job_count(store) - jobs0
        commits_total = _commits(v0, lakehouse.versions())
        step_jobs = sum(r["jobs"] for r in steps.values())
        step_commits = sum(r["delta_commits"] for r in steps.values())
        ledger_tables = dict(commits_total)
        for r in steps.values():
            for t, n in r["delta_commits_by_table"].items():
                ledger_tables[t] = ledger_tables.get(t, 0) - n
        ledger_tables = {t: n for t, n in ledger_tables.items() if n}
        result = {
            "benchmark": "nightly_steps",
            "label": args.label,
            "finished": datetime.now(UTC).isoformat(timespec="seconds"),
            "lakehouse": str(source),
            "as_of": args.as_of.isoformat(),
            "run_id": run_id,
            "machine": m.machine(spark),
            "load_start": load_start,
            "load_end": m.loadavg(),
            "nightly": {
                "wall_s": round(wall, 3),
                "jobs": jobs_total,
                "delta_commits": sum(commits_total.values()),
                "delta_commits_by_table": commits_total,
            },
            "ledger": {
                "wall_s": round(wall - sum(r["wall_s"] for r in steps.values()), 3),
                "jobs": jobs_total - step_jobs,
                "delta_commits": sum(commits_total.values()) - step_commits,
                "delta_commits_by_table": ledger_tables,
            },
            "only_steps": args.steps,
            "rewound_to": rewound,
            "steps": {n: steps[n] for n in pipeline.NIGHTLY if n in steps},
        }
        if args.snapshot:
            result["snapshot_rows"] = snapshot(lakehouse, args.as_of, Path(args.snapshot))
    finally:
        spark.stop()
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    out = Path(args.out) if args.out else m.RESULTS / f"steps_{args.label}_{stamp}.json"
    m.write_result(result, out)
    print(table(result))
    print(f"written {out}")
    return 0


def table(result: dict[str, Any]) -> str:
    """One line per step: wall, seconds some Spark job was running, jobs, commits."""
    lines = [f"{'step':<12} {'wall s':>8} {'in jobs s':>9} {'jobs':>6} {'commits':>8}"]
    for name, r in [*result["steps"].items(), ("ledger", result["ledger"])]:
        busy = r.get("jobs_busy_s")
        busy_s = f"{busy:>9.1f}" if busy is not None else f"{'':>9}"
        lines.append(
            f"{name:<12} {r['wall_s']:>8.1f} {busy_s} {r['jobs']:>6} {r['delta_commits']:>8}"
        )
    n = result["nightly"]
    lines.append(f"{'nightly':<12} {n['wall_s']:>8.1f} {n['jobs']:>6} {n['delta_commits']:>8}")
    lines.append(f"load {result['load_start']} -> {result['load_end']}")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
