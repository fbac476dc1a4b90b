"""End-to-end benchmark of the nightly chain at two sizes, with same-run reference measurements.

    python bench/run.py                                   # small=10k, large=100k customers, 90 days
    python bench/run.py --customers-large 1000000         # the 1M-customer scale (hours here)
    python bench/run.py --customers-small 5000 --customers-large 50000 --reuse
    python bench/run.py --sizes small --customers-small 2000 --days 30

Each size runs in its own Spark application (a child process): generate the data set (or reuse
bench/data/<size>/ when its parameters match), then on a copy the first night (the day before
the last: the whole history) and the steady-state night (the last day: one new day), every step
measured, then the references (scan floor, full vs incremental features, scipy vs our connected
components). `fcc doctor`, timed as a whole process first, is the fixed reference of both nights.
Writes bench/results/<date>-<size>.json per size and prints one table with the ratios.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _measure as m  # noqa: E402


def _args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", default="small,large", help="comma list of small,large")
    p.add_argument("--customers-small", type=int, default=10_000)
    p.add_argument("--customers-large", type=int, default=100_000)
    p.add_argument("--days", type=int, default=90)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--end-date", type=date.fromisoformat, default=date(2026, 11, 27))
    p.add_argument("--reuse", action="store_true", help="reuse bench/data/<size>/ if it matches")
    p.add_argument("--master", default=None, help="default: the config's, else local[*]")
    p.add_argument("--driver-memory", default="12g", help="local mode: driver = executor heap")
    p.add_argument("--conf", action="append", default=[], metavar="KEY=VALUE", help="Spark conf")
    p.add_argument(
        "--combine",
        nargs="+",
        metavar="JSON",
        help="only print the table and growth of existing result files (sizes run apart)",
    )
    p.add_argument("--only", help=argparse.SUPPRESS)  # child process: one size
    p.add_argument("--out", help=argparse.SUPPRESS)
    return p.parse_args(argv)


def _customers(args: argparse.Namespace, size: str) -> int:
    return {"small": args.customers_small, "large": args.customers_large}[size]


def _one_size(args: argparse.Namespace) -> None:
    """Child: one Spark application for one size; writes the result JSON."""
    import logging

    from fcc.core.config import load_config
    from fcc.core.spark import build_spark

    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s %(message)s")
    logging.getLogger("fcc.pipeline").setLevel(logging.INFO)
    size = args.only
    root = m.DATA / size
    cfg = load_config(env="local", overrides=[f"lakehouse={root / 'work'}"])
    conf = dict(cfg.spark.conf)
    conf.update(
        {
            "spark.ui.enabled": "false",  # metrics come from the status store, not the UI
            "spark.ui.retainedJobs": "100000",
            "spark.ui.retainedStages": "100000",
            "spark.sql.ui.retainedExecutions": "50",
        }
    )
    if args.driver_memory:
        conf["spark.driver.memory"] = args.driver_memory
    for kv in args.conf:
        key, _, value = kv.partition("=")
        conf[key] = value
    root.mkdir(parents=True, exist_ok=True)
    out = Path(args.out) if args.out else m.result_path(size)
    import time

    t0 = time.perf_counter()
    spark = build_spark(
        app_name=f"fcc-bench-{size}",
        master=args.master or cfg.spark.master or "local[*]",
        conf=conf,
        checkpoint_dir=str(root / "checkpoints"),
    )
    session_start_s = time.perf_counter() - t0
    try:
        result = m.run_size(
            spark,
            cfg,
            size,
            _customers(args, size),
            args.days,
            seed=args.seed,
            end=args.end_date,
            reuse=args.reuse,
            partial=out.with_suffix(".partial.json"),
            session_start_s=round(session_start_s, 3),
        )
        result["spark_conf"] = conf
        result["spark_step_conf"] = cfg.spark.step_conf  # each step's own session settings
    finally:
        spark.stop()
    m.write_result(result, out)
    out.with_suffix(".partial.json").unlink(missing_ok=True)


def main(argv: list[str] | None = None) -> int:
    args = _args(argv)
    if args.only:
        _one_size(args)
        return 0
    if args.combine:
        return _report([(Path(p), json.loads(Path(p).read_text())) for p in args.combine])
    sizes = [s.strip() for s in args.sizes.split(",") if s.strip()]
    passthrough = [
        f"--customers-small={args.customers_small}",
        f"--customers-large={args.customers_large}",
        f"--days={args.days}",
        f"--seed={args.seed}",
        f"--end-date={args.end_date.isoformat()}",
        *(["--reuse"] if args.reuse else []),
        *([f"--master={args.master}"] if args.master else []),
        *([f"--driver-memory={args.driver_memory}"] if args.driver_memory else []),
        *(f"--conf={kv}" for kv in args.conf),
    ]
    doctor_s = time_doctor()
    print(f"== fcc doctor (the fixed reference): {doctor_s:.1f} s", flush=True)
    results = []
    for size in sizes:
        out = m.result_path(size)
        cmd = [sys.executable, __file__, f"--only={size}", f"--out={out}", *passthrough]
        print(f"== {size}: {_customers(args, size):,} customers", flush=True)
        if subprocess.call(cmd) != 0:
            print(f"size {size} failed", file=sys.stderr)
            return 1
        result = m.add_doctor_ratios(json.loads(out.read_text()), doctor_s)
        m.write_result(result, out)
        results.append((out, result))
    return _report(results)


def time_doctor() -> float:
    """Wall seconds of a whole `fcc doctor` process on a scratch lakehouse."""
    import tempfile
    import time

    fcc = Path(sys.executable).parent / "fcc"
    with tempfile.TemporaryDirectory(prefix="fcc-doctor-") as tmp:
        t0 = time.perf_counter()
        subprocess.run(
            [str(fcc), "doctor", "--lakehouse", tmp, "--log-level", "WARNING"],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        return time.perf_counter() - t0


def _report(results: list[tuple[Path, dict]]) -> int:
    """Growth between the smallest and largest size (stored in the larger JSON), then the table."""
    grow = None
    if len(results) >= 2:
        results.sort(key=lambda r: r[1]["data"]["customers"])
        (_, small), (large_path, large) = results[0], results[-1]
        grow = m.growth(small, large)
        large["growth"] = grow
        m.write_result(large, large_path)
    print(m.table([r for _, r in results], grow))
    for path, _ in results:
        print(f"written {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
