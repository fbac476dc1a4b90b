"""Benchmark: connected components on the same edge lists: GraphFrames per algorithm and scipy,
in one run. (The former home-made DataFrame implementation, engine `reference`, ran beside them
until its removal; its figures are in bench/results/graph_cc_*_1000000.json and _5000000.json.)

    .venv/bin/python bench/bench_graph.py --edges 1000000 [--edges 5000000] [--graphs small,giant,hubs]
        [--engines two_phase,graphx,randomized_contraction,scipy] [--timeout 900]

Graphs (vertex ids are random 64-bit longs, as xxhash64 ids are):
- `small`: bipartite customer -> identifier like the entity graph: most identifiers private to
  one customer, a few percent shared by 2-6 customers, plus one chain of 2,000 customers linked
  pairwise (a deep component). Many small components.
- `giant`: a random graph with as many edges as vertices (about 80% of the vertices end in one
  giant component).
- `hubs`: the `small` graph plus a few hub vertices of very high degree (exchange hot wallets,
  mixers, payment processors), each tied to a random sample of customers.

The edge list is written once to Parquet; every engine starts from that file and ends with a
(vertex, smallest vertex id of its component) labelling, which must be identical to scipy's. An
engine still running after `--timeout` seconds is cancelled and recorded as not finished.
Results go to bench/results/graph_cc_<graph>_<edges>.json, with the machine's load.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components as scipy_components

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

ID_TYPES = 5  # identifiers per customer
SHARED_SHARE = 0.03  # share of (customer, identifier type) slots drawn from a shared pool
CUSTOMERS_PER_SHARED_ID = 3.0  # mean customers behind one shared identifier
CHAIN_LENGTH = 2_000  # customers in the long chain
HUB_DEGREES = (
    100_000,
    40_000,
    10_000,
)  # neighbours of each hub (capped at a fifth of the customers)
GRAPHS = ("small", "giant", "hubs")
ENGINES = ("two_phase", "graphx", "randomized_contraction", "scipy")


def _random_ids(rng: np.random.Generator, n: int) -> np.ndarray:
    """n distinct random 64-bit ids in random order."""
    ids = np.unique(rng.integers(np.iinfo(np.int64).min, np.iinfo(np.int64).max, int(n * 1.01)))
    ids = rng.permutation(ids)[:n]
    if ids.size < n:
        raise RuntimeError("id collision: rerun with another seed")
    return ids


def _identifier_graph(n_edges: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, int]:
    """(src, dst, number of vertices) of the customer -> identifier graph, dense ids."""
    n_customers = n_edges // ID_TYPES
    src = np.repeat(np.arange(n_customers, dtype=np.int64), ID_TYPES)
    shared = rng.random(src.size) < SHARED_SHARE
    pool = max(1, int(shared.sum() / CUSTOMERS_PER_SHARED_ID))
    # private identifiers get their own number; shared ones are drawn from a common pool
    dst = np.arange(src.size, dtype=np.int64) + n_customers + pool
    dst[shared] = n_customers + rng.integers(0, pool, int(shared.sum()))
    base = dst.max() + 1
    chain = np.arange(CHAIN_LENGTH - 1, dtype=np.int64)
    src = np.concatenate([src, chain, chain + 1])  # customer i and i+1 share identifier base+i
    dst = np.concatenate([dst, base + chain, base + chain])
    return src, dst, int(base + CHAIN_LENGTH)


def generate(kind: str, n_edges: int, seed: int) -> pd.DataFrame:
    """Edge list (src, dst) of about n_edges rows of the given kind, with random Long ids."""
    rng = np.random.default_rng(seed)
    if kind == "giant":
        n = n_edges
        src, dst = rng.integers(0, n, n), rng.integers(0, n, n)
    else:
        src, dst, n = _identifier_graph(n_edges, rng)
        if kind == "hubs":
            n_customers = n_edges // ID_TYPES
            hub_src, hub_dst = [], []
            for i, degree in enumerate(HUB_DEGREES):
                members = rng.choice(n_customers, min(degree, n_customers // 5), replace=False)
                hub_src.append(members)
                hub_dst.append(np.full(members.size, n + i, dtype=np.int64))
            src = np.concatenate([src, *hub_src])
            dst = np.concatenate([dst, *hub_dst])
            n += len(HUB_DEGREES)
    ids = _random_ids(rng, n)
    return pd.DataFrame({"src": ids[src], "dst": ids[dst]})


def run_scipy(path: Path) -> tuple[float, pd.DataFrame]:
    """Read the edge list, label components with scipy, return (seconds, id -> component)."""
    started = time.perf_counter()
    table = pq.read_table(path)
    src = table.column("src").to_numpy()
    dst = table.column("dst").to_numpy()
    ids, inverse = np.unique(np.concatenate([src, dst]), return_inverse=True)
    n = ids.size
    rows, cols = inverse[: src.size], inverse[src.size :]
    graph = coo_matrix((np.ones(rows.size, dtype=np.int8), (rows, cols)), shape=(n, n)).tocsr()
    _, labels = scipy_components(graph, directed=False)
    # ids are sorted, so the first index of each label holds the component's smallest id
    first = np.full(labels.max() + 1, n, dtype=np.int64)
    np.minimum.at(first, labels, np.arange(n))
    result = pd.DataFrame({"id": ids, "component": ids[first[labels]]})
    return time.perf_counter() - started, result


def _labels(spark, engine: str, vertices, edges, broadcast_threshold: int):
    from fcc.core.settings.graph import ComponentsSettings
    from fcc.graph import connected_components

    # driver_max_edges=0: every engine runs in Spark, never on the driver
    settings = ComponentsSettings(
        algorithm=engine, broadcast_threshold=broadcast_threshold, driver_max_edges=0
    )
    return connected_components(vertices, edges, settings)


def run_spark(spark, engine: str, path: Path, out: Path, timeout: float, threshold: int) -> dict:
    """Label components with one Spark engine and write them; cancelled after `timeout` s."""
    from pyspark.sql import functions as F

    timer = threading.Timer(timeout, spark.sparkContext.cancelAllJobs)
    timer.start()
    started = time.perf_counter()
    try:
        edges = spark.read.parquet(str(path))
        vertices = edges.select(F.col("src").alias("id")).union(
            edges.select(F.col("dst").alias("id"))
        )
        labels = _labels(spark, engine, vertices, edges, threshold)
        labels.write.mode("overwrite").parquet(str(out))
        labels.unpersist()
    except Exception as exc:  # cancelled by the timer, or the engine failed
        seconds = time.perf_counter() - started
        cancelled = timer.finished.is_set()  # the timer fired (cancel() comes later)
        reason = f"cancelled after {timeout:.0f} s" if cancelled else type(exc).__name__
        logging.warning("%s: %s (%s)", engine, reason, str(exc).splitlines()[0][:200])
        return {"seconds": round(seconds, 1), "finished": False, "reason": reason}
    finally:
        timer.cancel()
        spark.catalog.clearCache()
    return {"seconds": round(time.perf_counter() - started, 3), "finished": True}


def _same_partition(out: Path, expected: pd.DataFrame) -> bool:
    got = pd.read_parquet(out).sort_values("id").reset_index(drop=True)
    return bool(
        len(got) == len(expected)
        and (got["id"].to_numpy() == expected["id"].to_numpy()).all()
        and (got["component"].to_numpy() == expected["component"].to_numpy()).all()
    )


def _uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edges", type=int, action="append", help="edges per graph (repeatable)")
    parser.add_argument("--graphs", default=",".join(GRAPHS), help=f"comma list of {GRAPHS}")
    parser.add_argument("--engines", default=",".join(ENGINES), help=f"comma list of {ENGINES}")
    parser.add_argument("--timeout", type=float, default=900, help="seconds per engine and graph")
    parser.add_argument(
        "--broadcast-threshold", type=int, default=-1, help="GraphFrames' (-1 = AQE only)"
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--master", default="local[*]")
    parser.add_argument("--shuffle-partitions", default="8")
    parser.add_argument("--driver-memory", default="4g")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    sizes = args.edges or [1_000_000]
    graphs = [g for g in args.graphs.split(",") if g]
    engines = [e for e in args.engines.split(",") if e]
    unknown = sorted((set(graphs) - set(GRAPHS)) | (set(engines) - set(ENGINES)))
    if unknown:
        raise SystemExit(f"unknown graph or engine {unknown}; graphs: {GRAPHS}, engines: {ENGINES}")

    from fcc.core.spark import build_spark

    data = HERE / "data"
    data.mkdir(parents=True, exist_ok=True)
    spark = build_spark(
        app_name="bench-graph",
        master=args.master,
        conf={
            "spark.sql.shuffle.partitions": args.shuffle_partitions,
            "spark.driver.memory": args.driver_memory,
            "spark.ui.enabled": "false",
        },
        checkpoint_dir=str(data / "checkpoints"),
    )
    results_dir = HERE / "results"
    results_dir.mkdir(parents=True, exist_ok=True)
    failed = []
    for n_edges in sizes:
        for kind in graphs:
            edges = generate(kind, n_edges, args.seed)
            path = data / f"cc_{kind}_{n_edges}.parquet"
            pq.write_table(pa.Table.from_pandas(edges, preserve_index=False), path)
            scipy_s, reference = run_scipy(path)
            expected = reference.sort_values("id").reset_index(drop=True)
            sizes_of = expected["component"].value_counts()
            result = {
                "benchmark": "connected_components",
                "graph": kind,
                "edges": int(len(edges)),
                "vertices": int(len(expected)),
                "components": int(sizes_of.size),
                "largest_component": int(sizes_of.iloc[0]),
                "max_degree": int(pd.concat([edges["src"], edges["dst"]]).value_counts().iloc[0]),
                "engines": {},
            }
            for engine in engines:
                load_before = _uptime()
                if engine == "scipy":
                    entry = {"seconds": round(scipy_s, 3), "finished": True, "identical": True}
                else:
                    out = data / f"labels_{kind}_{n_edges}_{engine}.parquet"
                    entry = run_spark(
                        spark, engine, path, out, args.timeout, args.broadcast_threshold
                    )
                    if entry["finished"]:
                        entry["identical"] = _same_partition(out, expected)
                        if not entry["identical"]:
                            failed.append(f"{engine} on {kind} {n_edges}")
                    shutil.rmtree(out, ignore_errors=True)
                entry["uptime_before"] = load_before
                entry["uptime_after"] = _uptime()
                result["engines"][engine] = entry
                print(kind, n_edges, engine, json.dumps(entry), flush=True)
            result.update(
                {
                    "broadcast_threshold": args.broadcast_threshold,
                    "timeout_seconds": args.timeout,
                    "spark_master": args.master,
                    "shuffle_partitions": int(args.shuffle_partitions),
                    "driver_memory": args.driver_memory,
                    "cpu_count": os.cpu_count(),
                    "python": platform.python_version(),
                    "spark": spark.version,
                    "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                }
            )
            name = f"graph_cc_{kind}_{n_edges}.json"
            (results_dir / name).write_text(json.dumps(result, indent=2) + "\n")
            print(json.dumps(result, indent=2), flush=True)
            path.unlink(missing_ok=True)
    spark.stop()
    if failed:
        raise SystemExit(f"partitions differ from scipy's: {failed}")


if __name__ == "__main__":
    main()
