"""Benchmark: DataFrame connected components vs scipy on generated identifier graphs.

    .venv/bin/python bench/bench_graph.py --edges 1000000 [--edges 5000000] [--seed 7]

Each graph is bipartite customer -> identifier (device, ip, email, phone, bank account), like
the entity graph: most identifiers are private to one customer, a few percent are shared by
2-6 customers, plus one long chain of customers linked pairwise (deep component). Vertex ids
are random 64-bit longs, as xxhash64 ids are. The edge list is written once to Parquet; both
engines start from that file and end with a (vertex, smallest vertex id of its component)
labelling, which must be identical. Results go to bench/results/graph_cc_<edges>.json.
"""

from __future__ import annotations

import argparse
import json
import logging
import platform
import shutil
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components as scipy_components

HERE = Path(__file__).resolve().parent
ID_TYPES = 5  # identifiers per customer
SHARED_SHARE = 0.03  # share of (customer, identifier type) slots drawn from a shared pool
CUSTOMERS_PER_SHARED_ID = 3.0  # mean customers behind one shared identifier
CHAIN_LENGTH = 2_000  # customers in the long chain


def generate(n_edges: int, seed: int) -> pd.DataFrame:
    """Edge list (src customer, dst identifier) of about n_edges rows with random Long ids."""
    rng = np.random.default_rng(seed)
    n_customers = n_edges // ID_TYPES
    customers = np.arange(n_customers, dtype=np.int64)
    src = np.repeat(customers, ID_TYPES)
    shared = rng.random(src.size) < SHARED_SHARE
    pool = max(1, int(shared.sum() / CUSTOMERS_PER_SHARED_ID))
    # private identifiers get their own number; shared ones are drawn from a common pool
    dst = np.arange(src.size, dtype=np.int64) + n_customers + pool
    dst[shared] = n_customers + rng.integers(0, pool, int(shared.sum()))
    base = dst.max() + 1
    chain = np.arange(CHAIN_LENGTH - 1, dtype=np.int64)
    chain_src = np.concatenate([chain, chain + 1])  # customer i and i+1 share identifier base+i
    chain_dst = np.concatenate([base + chain, base + chain])
    src = np.concatenate([src, chain_src])
    dst = np.concatenate([dst, chain_dst])
    n_vertices = int(base + CHAIN_LENGTH)
    ids = np.unique(
        rng.integers(np.iinfo(np.int64).min, np.iinfo(np.int64).max, int(n_vertices * 1.01))
    )
    ids = rng.permutation(ids)[:n_vertices]
    if ids.size < n_vertices:
        raise RuntimeError("id collision: rerun with another seed")
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


def run_spark(spark, path: Path, out: Path, settings: dict) -> tuple[float, int]:
    """Read the edge list, label components with Spark, write them; return (seconds, components)."""
    from pyspark.sql import functions as F

    from fcc.graph import connected_components

    started = time.perf_counter()
    edges = spark.read.parquet(str(path))
    vertices = edges.select(F.col("src").alias("id")).union(edges.select(F.col("dst").alias("id")))
    labels = connected_components(vertices, edges, **settings)
    labels.write.mode("overwrite").parquet(str(out))
    labels.unpersist()
    seconds = time.perf_counter() - started
    n_components = spark.read.parquet(str(out)).select("component").distinct().count()
    return seconds, n_components


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edges", type=int, action="append", help="edges per graph (repeatable)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--master", default="local[*]")
    parser.add_argument("--shuffle-partitions", default="8")
    parser.add_argument("--driver-memory", default="4g")
    parser.add_argument("--local-finish-max-edges", type=int, help="override conf (0 = never)")
    args = parser.parse_args()
    from fcc.core.settings.graph import ComponentsSettings

    settings = ComponentsSettings().model_dump()
    if args.local_finish_max_edges is not None:
        settings["local_finish_max_edges"] = args.local_finish_max_edges
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    sizes = args.edges or [1_000_000]

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
    for n_edges in sizes:
        edges = generate(n_edges, args.seed)
        path = data / f"identifier_graph_{n_edges}.parquet"
        pq.write_table(pa.Table.from_pandas(edges, preserve_index=False), path)
        scipy_s, reference = run_scipy(path)
        out = data / f"labels_{n_edges}.parquet"
        spark_s, n_components = run_spark(spark, path, out, settings)
        got = pd.read_parquet(out).sort_values("id").reset_index(drop=True)
        expected = reference.sort_values("id").reset_index(drop=True)
        identical = bool(
            len(got) == len(expected)
            and (got["id"].to_numpy() == expected["id"].to_numpy()).all()
            and (got["component"].to_numpy() == expected["component"].to_numpy()).all()
        )
        result = {
            "benchmark": "connected_components",
            "edges": int(len(edges)),
            "vertices": int(len(expected)),
            "components": int(expected["component"].nunique()),
            "spark_components": int(n_components),
            "largest_component": int(expected["component"].value_counts().iloc[0]),
            "scipy_seconds": round(scipy_s, 3),
            "spark_seconds": round(spark_s, 3),
            "ratio_spark_over_scipy": round(spark_s / scipy_s, 1),
            "identical_partition": identical,
            "components_settings": settings,
            "spark_master": args.master,
            "shuffle_partitions": int(args.shuffle_partitions),
            "cpu_count": __import__("os").cpu_count(),
            "load_average_1m": round(__import__("os").getloadavg()[0], 1),
            "python": platform.python_version(),
            "spark": spark.version,
            "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        }
        (results_dir / f"graph_cc_{n_edges}.json").write_text(json.dumps(result, indent=2) + "\n")
        print(json.dumps(result, indent=2))
        shutil.rmtree(out, ignore_errors=True)
        if not identical:
            raise SystemExit(f"partitions differ for {n_edges} edges")
    spark.stop()


if __name__ == "__main__":
    main()
