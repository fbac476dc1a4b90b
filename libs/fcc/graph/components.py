"""Connected components with GraphFrames (`GraphFrame.connectedComponents`).

Each component's id is its smallest vertex id, so ids are stable across reruns for unchanged
components, whatever label the chosen algorithm uses internally. Vertices that only appear in
`edges` (identifier vertices of the entity graph) take part in the components but are not
returned; vertices without an edge are their own component. GraphFrames checkpoints its working
graph every `checkpoint_interval` rounds into the session's checkpoint dir (`build_spark` sets
one). The algorithm and its settings are chosen from bench/bench_graph.py (docs/performance.md);
`large_small_star` selects the former DataFrame implementation instead (`_star_components`).
"""

from __future__ import annotations

import logging
import time

from graphframes import GraphFrame
from pyspark.sql import DataFrame, Window
from pyspark.sql import functions as F

from fcc.core.settings.graph import ComponentsSettings

log = logging.getLogger(__name__)

# algorithms whose component label is already the smallest vertex id of the component
_LABELS_ARE_MIN_ID = {"two_phase", "graphx"}


def connected_components(
    vertices: DataFrame, edges: DataFrame, settings: ComponentsSettings | None = None
) -> DataFrame:
    """Label every vertex with its component: returns (id, component), both Long.

    `vertices` needs an `id`; `edges` `src` and `dst` (direction ignored; ids cast to Long,
    null ends and self-loops dropped). The result is cached and counted; the caller owns (and
    unpersists) it.
    """
    settings = settings or ComponentsSettings()
    if settings.algorithm == "large_small_star":
        from fcc.graph._star_components import star_connected_components

        return star_connected_components(
            vertices,
            edges,
            max_iterations=settings.max_iterations,
            checkpoint_every=settings.checkpoint_interval,
            prune_max_touched=2_000_000,  # its former defaults, as measured
            local_finish_max_edges=100_000,
        )
    started = time.monotonic()
    wanted = vertices.select(F.col("id").cast("long").alias("id")).distinct()
    clean = (
        edges.select(F.col("src").cast("long").alias("src"), F.col("dst").cast("long").alias("dst"))
        .where(F.col("src").isNotNull() & F.col("dst").isNotNull())
        .where(F.col("src") != F.col("dst"))
    )
    every_vertex = wanted.unionByName(clean.select(F.col("src").alias("id"))).unionByName(
        clean.select(F.col("dst").alias("id"))
    )
    raw = GraphFrame(every_vertex.distinct(), clean).connectedComponents(
        algorithm=settings.algorithm,
        checkpointInterval=settings.checkpoint_interval,
        broadcastThreshold=settings.broadcast_threshold,
        max_iter=settings.max_iterations,
    )
    labels = raw.select("id", F.col("component").cast("long").alias("component"))
    if settings.algorithm not in _LABELS_ARE_MIN_ID:
        labels = labels.withColumn("component", F.min("id").over(Window.partitionBy("component")))
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
