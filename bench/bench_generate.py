"""Benchmark of the data generator (`fcc generate`): wall time, rows per table and peak memory.

    .venv/bin/python bench/bench_generate.py --customers 1000000 --days 90
    .venv/bin/python bench/bench_generate.py --customers 10000 --out /tmp/gen10k

Runs fcc.synth.generate in one Spark application, under the same Probe as bench/run.py (stage
metrics and JVM heap peak), and also records the JVM's peak resident set (VmHWM of the driver
process; in local mode the driver is the executor). The generated lakehouse is left at --out
(default bench/data/generate-<customers>, git-ignored). Writes
bench/results/generate_<customers>c_<days>d.json and prints it.
"""

from __future__ import annotations

import argparse
import json
import logging
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _measure import Probe, machine  # noqa: E402


def _jvm_peak_rss_bytes(spark) -> int | None:
    """Peak resident set size of the driver JVM (VmHWM in /proc/<pid>/status)."""
    pid = int(spark._jvm.java.lang.ProcessHandle.current().pid())
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def _dir_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--end-date", default="2026-11-27")
    parser.add_argument("--out", type=Path, help="lakehouse root (replaced if it exists)")
    parser.add_argument("--master", default="local[*]")
    parser.add_argument("--driver-memory", default="8g")
    parser.add_argument("--shuffle-partitions", default="8")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")

    from fcc.core.spark import build_spark
    from fcc.synth import generate

    out = args.out or HERE / "data" / f"generate-{args.customers}"
    shutil.rmtree(out, ignore_errors=True)
    spark = build_spark(
        app_name="bench-generate",
        master=args.master,
        conf={
            "spark.driver.memory": args.driver_memory,
            "spark.sql.shuffle.partitions": args.shuffle_partitions,
            "spark.ui.enabled": "false",
            "spark.ui.retainedJobs": "100000",
            "spark.ui.retainedStages": "100000",
        },
    )
    probe = Probe(spark)
    counts, record = probe.measure(
        "generate",
        lambda: generate(spark, str(out), args.customers, args.days, args.seed, args.end_date),
    )
    rows = sum(n for name, n in counts.items() if name.startswith("bronze."))
    result = {
        "benchmark": "generate",
        "machine": machine(spark),
        "data": {
            "customers": args.customers,
            "days": args.days,
            "seed": args.seed,
            "end_date": args.end_date,
        },
        "counts": counts,
        "bronze_rows": rows,
        "bronze_rows_per_s": round(rows / record["wall_s"], 1),
        "transactions": sum(
            counts.get(f"bronze.{t}", 0)
            for t in ("fiat_ledger", "onchain_transfers", "internal_transfers", "trades")
        ),
        "lakehouse_bytes": _dir_bytes(Path(out)),
        "jvm_peak_rss_bytes": _jvm_peak_rss_bytes(spark),
        "step": record,
    }
    spark.stop()
    results = HERE / "results"
    results.mkdir(parents=True, exist_ok=True)
    path = results / f"generate_{args.customers}c_{args.days}d.json"
    path.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps({k: v for k, v in result.items() if k != "machine"}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
