"""Connected components: scipy on the driver for small graphs, GraphFrames above that.

Each component's id is its smallest vertex id, so ids are stable across reruns for unchanged
components, whatever route and algorithm computed them. Vertices that only appear in `edges`
(identifier vertices of the entity graph) take part in the components but are not returned;
vertices without an edge are their own component.

A graph of at most `driver_max_edges` edges plus labelled vertices is collected once (one
bounded Arrow collect, 16 bytes a row) and labelled with scipy's `connected_components`:
GraphFrames runs dozens of Spark jobs whatever the graph's size, and at the graph step's sizes
(hundreds to tens of thousands of edges) those jobs are all its cost (docs/performance.md).
A larger graph goes to GraphFrames (`GraphFrame.connectedComponents`), which checkpoints its
working graph every `checkpoint_interval` rounds into the session's checkpoint dir
(`build_spark` sets one). The algorithm and its settings are chosen from bench/bench_graph.py
(docs/performance.md).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import pyarrow as pa
from graphframes import GraphFrame
from pyspark.sql import DataFrame, Window
from pyspark.sql import functions as F
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components as scipy_components

from fcc.core.settings.graph import ComponentsSettings

log = logging.getLogger(__name__)

# algorithms whose component label is already the smallest vertex id of the component
_LABELS_ARE_MIN_ID = {"two_phase", "graphx"}


def connected_components(
    vertices: DataFrame, edges: DataFrame, settings: ComponentsSettings | None = None
) -> DataFrame:
    """Label every vertex with its component: returns (id, component), both Long.

    `vertices` needs an `id`; `edges` `src` and `dst` (direction ignored; ids cast to Long,
    null ends and self-loops dropped). The caller owns (and unpersists) the result: driver-side
    labels are a local frame, GraphFrames' are cached and counted.
    """
    settings = settings or ComponentsSettings()
    wanted = vertices.select(F.col("id").cast("long").alias("id")).distinct()
    clean = (
        edges.select(F.col("src").cast("long").alias("src"), F.col("dst").cast("long").alias("dst"))
        .where(F.col("src").isNotNull() & F.col("dst").isNotNull())
        .where(F.col("src") != F.col("dst"))
    )
    if settings.driver_max_edges:
        local = _collect_bounded(clean, wanted, settings.driver_max_edges)
        if local is not None:
            return _driver_labels(vertices.sparkSession, local)
        log.info(
            "connected components: more than %d edges and vertices, GraphFrames %s",
            settings.driver_max_edges,
            settings.algorithm,
        )
    started = time.monotonic()
    every_vertex = wanted.unionByName(clean.select(F.col("src").alias("id"))).unionByName(
        clean.select(F.col("dst").alias("id"))
    )
    with _adaptive_execution(vertices.sparkSession, settings.algorithm):
        raw = GraphFrame(every_vertex.distinct(), clean).connectedComponents(
            algorithm=settings.algorithm,
            checkpointInterval=settings.checkpoint_interval,
            broadcastThreshold=settings.broadcast_threshold,
            max_iter=settings.max_iterations,
        )
        labels = raw.select("id", F.col("component").cast("long").alias("component"))
        if settings.algorithm not in _LABELS_ARE_MIN_ID:
            labels = labels.withColumn(
                "component", F.min("id").over(Window.partitionBy("component"))
            )
        result = labels.join(wanted, "id", "left_semi").persist()
        rows = result.count()
    raw.unpersist()
    log.info(
        "connected components: algorithm=%s vertices=%d seconds=%.1f",
        settings.algorithm,
        rows,
        time.monotonic() - started,
    )
    return result


@contextmanager
def _adaptive_execution(spark, algorithm: str) -> Iterator[None]:
    """Adaptive query execution on while randomized_contraction runs, restored after.

    GraphFrames 0.11's randomized_contraction re-reads a checkpoint it has already replaced
    when adaptive execution is off, and fails; the jobs run with it on (conf/base.yaml), a
    session that turned it off gets it back for this call only.
    """
    key = "spark.sql.adaptive.enabled"
    before = spark.conf.get(key, "true")
    if algorithm != "randomized_contraction" or before == "true":
        yield
        return
    spark.conf.set(key, "true")
    try:
        yield
    finally:
        spark.conf.set(key, before)


def _collect_bounded(clean: DataFrame, wanted: DataFrame, limit: int) -> pa.Table | None:
    """(src, dst) of every edge plus (id, id) of every wanted vertex, or None past `limit` rows.

    One collect of at most `limit` + 1 rows: a self-loop marks a vertex to label (`clean` has
    none of its own) and leaves the components unchanged.
    """
    marks = wanted.where(F.col("id").isNotNull())
    rows = clean.unionByName(marks.select(F.col("id").alias("src"), F.col("id").alias("dst")))
    table = rows.limit(limit + 1).toArrow()
    return None if table.num_rows > limit else table


def _driver_labels(spark, table: pa.Table) -> DataFrame:
    """(id, component) of the self-looped vertices of `table`, labelled by scipy on the driver."""
    started = time.monotonic()
    src = table.column("src").to_numpy(zero_copy_only=False).astype(np.int64)
    dst = table.column("dst").to_numpy(zero_copy_only=False).astype(np.int64)
    ids, inverse = np.unique(np.concatenate([src, dst]), return_inverse=True)
    n = ids.size
    graph = coo_matrix(
        (np.ones(src.size, dtype=np.int8), (inverse[: src.size], inverse[src.size :])),
        shape=(n, n),
    )
    count, component = scipy_components(graph, directed=False)
    smallest = np.full(count, n, dtype=np.int64)
    np.minimum.at(smallest, component, np.arange(n))  # ids are sorted: first index = smallest id
    wanted = np.isin(ids, src[src == dst])
    labels = pa.table(
        {"id": ids[wanted], "component": ids[smallest[component[wanted]]]},
        schema=pa.schema([("id", pa.int64()), ("component", pa.int64())]),
    )
    log.info(
        "connected components: driver (scipy) edges=%d vertices=%d components=%d seconds=%.1f",
        int((src != dst).sum()),
        labels.num_rows,
        count,
        time.monotonic() - started,
    )
    return spark.createDataFrame(labels)
