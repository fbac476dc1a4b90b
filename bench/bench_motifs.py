"""Benchmark: GraphFrames motif search against the coded detectors, round trips and scatter-gather.

A generated world with more planted round trips (cycle) and scatter-gather patterns than the
default, and their look-alike gather-scatter, is ingested; then on each of the last `--nights`
nights both routes run over the same transactions with the same settings:
- coded: `detect_cycles` / `detect_scatter_gather` (fcc.typologies._graph, bounded search);
- motif: `round_trip_motifs` / `scatter_gather_motifs` (fcc.graph.motifs, `GraphFrame.find`).
Per shape and route: the planted instances closing in the window that were found (any member
customer flagged), the member customers flagged, the customers flagged outside every planted
instance of that shape (false positives; those inside another planted typology are counted
apart), and the seconds the route's nights took (each night's flagged customers collected).

    PYTHONPATH=libs .venv/bin/python bench/bench_motifs.py --customers 2000 --days 30 --nights 5
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
SHAPES = {"cycle": "round_trip_motifs", "scatter_gather": "scatter_gather_motifs"}
DETECTORS = {"cycle": "detect_cycles", "scatter_gather": "detect_scatter_gather"}


def build_world(spark, args, root: Path):
    """Generate and ingest the world; (config, lakehouse, first night, last night)."""
    from fcc.core.config import load_config
    from fcc.core.lakehouse import Lakehouse
    from fcc.pipeline import backfill
    from fcc.synth import generate

    rates = [f"synth.typology_rates.{t}={args.rate}" for t in (*SHAPES, "gather_scatter")]
    cfg = load_config(env="local", overrides=[f"lakehouse={root}", *rates])
    end = date.fromisoformat(args.end_date)
    start = end - timedelta(days=args.nights - 1)
    lakehouse = Lakehouse(spark, str(root))
    if not (root / "silver").exists():
        if root.exists():
            shutil.rmtree(root)
        generate(spark, str(root), args.customers, args.days, args.seed, end, cfg.synth)
        backfill(spark, lakehouse, cfg, start, end, steps=("ingest",))
    return cfg, lakehouse, start, end


def flagged_per_night(cfg, lakehouse, start: date, end: date) -> dict:
    """{shape: {route: (flagged customers, seconds)}} over the nights start..end."""
    from pyspark import StorageLevel

    from fcc.core.tables import silver
    from fcc.graph import motifs
    from fcc.typologies import _graph

    txns = lakehouse.read(silver.TRANSACTIONS).persist(StorageLevel.MEMORY_AND_DISK)
    identifiers = lakehouse.read(silver.IDENTIFIERS).persist(StorageLevel.MEMORY_AND_DISK)
    txns.count(), identifiers.count()
    out: dict = {}
    for shape in SHAPES:
        s = getattr(cfg.typologies, shape)
        routes = {
            "coded": lambda d, s=s, shape=shape: getattr(_graph, DETECTORS[shape])(
                txns, d, s, cfg.typologies.max_txn_ids, identifiers
            ),
            "motif": lambda d, s=s, shape=shape: getattr(motifs, SHAPES[shape])(
                txns, d, s, identifiers
            ),
        }
        out[shape] = {}
        for route, run in routes.items():
            flagged: set[str] = set()
            started = time.monotonic()
            day = start
            while day <= end:
                rows = run(day).select("customer_id").distinct().collect()
                flagged |= {r[0] for r in rows}
                day += timedelta(days=1)
            out[shape][route] = (flagged, round(time.monotonic() - started, 1))
    txns.unpersist(), identifiers.unpersist()
    return out


def planted(lakehouse, start: date, end: date) -> dict[str, list[set[str]]]:
    """Member customers of each planted instance ending in start..end, per typology."""
    from pyspark.sql import functions as F

    from fcc.core.tables import truth

    rows = (
        lakehouse.read(truth.TYPOLOGY_INSTANCES)
        .where(F.to_date("end_ts").between(F.lit(start), F.lit(end)))
        .select("typology", "customer_ids")
        .collect()
    )
    out: dict[str, list[set[str]]] = {}
    for r in rows:
        out.setdefault(r.typology, []).append(set(r.customer_ids))
    return out


def score(flagged: set[str], shape: str, truth: dict[str, list[set[str]]]) -> dict:
    instances = truth.get(shape, [])
    members = set().union(*instances) if instances else set()
    others = set().union(*(m for t, ms in truth.items() if t != shape for m in ms))
    outside = flagged - members
    return {
        "planted_instances": len(instances),
        "instances_found": sum(bool(m & flagged) for m in instances),
        "member_customers": len(members),
        "members_flagged": len(members & flagged),
        "false_positive_customers": len(outside),
        "of_which_in_other_planted_typologies": len(outside & others),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--customers", type=int, default=2000)
    ap.add_argument("--days", type=int, default=30)
    ap.add_argument("--nights", type=int, default=5)
    ap.add_argument("--rate", type=int, default=60, help="planted instances per 10k customers")
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--end-date", default="2026-11-27")
    ap.add_argument("--work", default="/tmp/fcc-bench-motifs")
    ap.add_argument("--out", default=str(HERE / "results" / "motifs.json"))
    args = ap.parse_args()

    from fcc.core.config import load_config
    from fcc.core.spark import session_for

    load_start = os.getloadavg()
    spark = session_for(load_config(env="local", overrides=[f"lakehouse={args.work}"]))
    t0 = time.monotonic()
    cfg, lakehouse, start, end = build_world(spark, args, Path(args.work))
    setup = time.monotonic() - t0
    found = flagged_per_night(cfg, lakehouse, start, end)
    truth = planted(lakehouse, start, end)
    spark.stop()
    result = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "load_average": {"start": load_start, "end": os.getloadavg()},
        "customers": args.customers,
        "days": args.days,
        "nights": [start.isoformat(), end.isoformat()],
        "planted_rate_per_10k": args.rate,
        "setup_seconds": round(setup, 1),
        "shapes": {
            shape: {
                route: {**score(flagged, shape, truth), "seconds": seconds}
                for route, (flagged, seconds) in routes.items()
            }
            for shape, routes in found.items()
        },
    }
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
