"""The former home-made connected components (DataFrame API), kept as an option.

`graph.components.algorithm: large_small_star` selects it instead of GraphFrames. It stays
because on the 2026-12-02 run of bench/bench_graph.py (100k edges, small components, load ~22)
GraphFrames' two_phase took 2.5x its time (85.3 s against 33.7 s); on a giant component and on
hub vertices GraphFrames was within 2x or faster (docs/performance.md). At 1M edges with one
giant component it was stopped unfinished after 23 minutes where GraphFrames took 358 s
(issue 26's measurement).

The algorithm of Kiveris et al., "Connected Components in MapReduce and Beyond" (SoCC 2014),
which is also what GraphFrames' default `two_phase` algorithm implements. Each component's id
is its smallest vertex id, so ids are stable across reruns for unchanged components.

One round is two shuffles: the neighbour sets of every vertex (`collect_set`, which also
drops duplicate edges) feed large-star, whose output is grouped once more for small-star.
The neighbour sets are what is materialised between rounds; they also give the stopping
test without another shuffle: the graph has converged when every vertex either has no
smaller neighbour (a root) or exactly one neighbour (a leaf of a star), because then every
component is a star around its smallest vertex. Components that are already such a star
leave the working graph as soon as the rest is small enough to test cheaply (a broadcast of
the unfinished vertices and their neighbours), so late rounds only touch the few deep
components that still change instead of the whole graph.
"""

from __future__ import annotations

import logging
import time

import numpy as np
import pandas as pd
from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components as scipy_components

log = logging.getLogger(__name__)


def _neighbour_sets(edges: DataFrame) -> DataFrame:
    """(src, nbrs): every vertex with the set of its neighbours (edges taken both ways)."""
    both = edges.select("src", "dst").unionByName(
        edges.select(F.col("dst").alias("src"), F.col("src").alias("dst"))
    )
    return both.groupBy("src").agg(F.collect_set("dst").alias("nbrs"))


def _smallest(nbrs: str = "nbrs") -> Column:
    """The smallest of a vertex and its neighbours."""
    return F.least(F.col("src"), F.array_min(nbrs))


def _large_star(sets: DataFrame) -> DataFrame:
    """Connect every strictly larger neighbour of u to the minimum of u's closed neighbourhood."""
    larger = F.filter("nbrs", lambda v: v > F.col("src"))
    return sets.select(F.explode(larger).alias("src"), _smallest().alias("dst"))


def _small_star(edges: DataFrame) -> DataFrame:
    """Connect u and its smaller neighbours to the minimum among them (edges arrive as src > dst)."""
    smaller = edges.groupBy("src").agg(F.collect_set("dst").alias("nbrs"))
    m = F.array_min("nbrs")
    others = F.array_union(F.filter("nbrs", lambda v: v != m), F.array(F.col("src")))
    return smaller.select(F.explode(others).alias("src"), m.alias("dst"))


def _is_open() -> Column:
    """A vertex that is neither a root (no smaller neighbour) nor a star leaf (one neighbour)."""
    return (F.size("nbrs") > 1) & (F.array_min("nbrs") < F.col("src"))


def _anchor() -> Column:
    """The star centre a root or leaf hangs on (itself for a root); null for an open vertex."""
    root = F.array_min("nbrs") > F.col("src")
    leaf = (F.size("nbrs") == 1) & (F.element_at("nbrs", 1) < F.col("src"))
    return F.when(root, F.col("src")).when(leaf, F.element_at("nbrs", 1))


def _split_finished(sets: DataFrame) -> tuple[DataFrame, DataFrame]:
    """(finished labels (id, component), open neighbour sets) of one round.

    Open vertices and their neighbours are "touched"; a root or leaf whose star centre is not
    touched belongs to a component that is already a star around its minimum, so the whole
    component is final and leaves the working graph. Meant for a small touched set
    (broadcast), which is what most rounds after the first have.
    """
    touched = F.broadcast(
        sets.where(_is_open()).select(
            F.explode(F.array_union("nbrs", F.array("src"))).alias("anchor")
        )
    )
    anchored = sets.withColumn("anchor", _anchor())
    finished = (
        anchored.where(F.col("anchor").isNotNull())
        .join(touched, "anchor", "left_anti")
        .select(F.col("src").alias("id"), F.col("anchor").alias("component"))
    )
    still_open = anchored.where(F.col("anchor").isNull()).unionByName(
        anchored.where(F.col("anchor").isNotNull()).join(touched, "anchor", "left_semi")
    )
    return finished, still_open.select("src", "nbrs")


def star_connected_components(
    vertices: DataFrame,
    edges: DataFrame,
    max_iterations: int = 100,
    checkpoint_every: int = 2,
    prune_max_touched: int = 2_000_000,
    local_finish_max_edges: int = 0,
) -> DataFrame:
    """Label every vertex with its component: returns (id, component), both Long.

    `vertices` needs a Long `id`; `edges` Long `src` and `dst` (direction ignored). Isolated
    vertices are their own component. The neighbour sets are cached every round and written
    to the reliable checkpoint dir every `checkpoint_every` rounds (0 = never) to cut lineage.
    Components that are already final leave the working graph whenever the open vertices and
    their neighbours number at most `prune_max_touched` (broadcast; 0 = never prune). When
    the working graph is down to `local_finish_max_edges` edges (0 = never), its labels are
    finished on the driver with scipy instead of the remaining log-depth rounds.
    The caller owns (and unpersists) the returned frame; every intermediate cache is released.
    """
    clean = (
        edges.select(F.col("src").cast("long").alias("src"), F.col("dst").cast("long").alias("dst"))
        .where(F.col("src").isNotNull() & F.col("dst").isNotNull())
        .where(F.col("src") != F.col("dst"))
    )
    started = time.monotonic()
    sets = _neighbour_sets(clean)
    held: list[DataFrame] = []  # this round's cached neighbour sets
    finished: list[DataFrame] = []  # cached labels of components that left the working graph
    for iteration in range(1, max_iterations + 1):
        cached = sets.persist()
        stats = cached.agg(
            F.count("*").alias("n"),
            F.count(F.when(_is_open(), 1)).alias("open"),
            F.sum(F.when(_is_open(), F.size("nbrs") + 1).otherwise(0)).alias("touched"),
            F.sum(F.size("nbrs")).alias("entries"),
        ).first()
        work = cached
        if checkpoint_every and iteration % checkpoint_every == 0:
            work = cached.checkpoint(eager=True)  # written from the cache; cuts the lineage
        _release(held)
        held = [cached]
        n_open, done = int(stats["open"] or 0), 0
        if n_open and prune_max_touched and int(stats["touched"]) <= prune_max_touched:
            labels_done, work = _split_finished(work)
            labels_done = labels_done.persist()
            done = labels_done.count()
            finished.append(labels_done)
        log.info(
            "connected components: round=%d vertices=%d open=%d finished=%d seconds=%.1f",
            iteration,
            stats["n"],
            n_open,
            done,
            time.monotonic() - started,
        )
        if not n_open:
            final = work.select(F.col("src").alias("id"), _smallest().alias("component"))
            break
        if local_finish_max_edges and int(stats["entries"]) <= 2 * local_finish_max_edges:
            final = _finish_locally(work)
            log.info("connected components: finished %d entries on the driver", stats["entries"])
            break
        sets = _neighbour_sets(_small_star(_large_star(work)))
    else:
        _release(held + finished)
        raise RuntimeError(f"connected components did not converge in {max_iterations} rounds")
    labels = final
    for done_labels in finished:
        labels = labels.unionByName(done_labels)
    result = (
        vertices.select(F.col("id").cast("long").alias("id"))
        .distinct()
        .join(labels, "id", "left")
        .select("id", F.coalesce("component", "id").alias("component"))
        .persist()
    )
    result.count()
    _release(held + finished)
    return result


def _finish_locally(work: DataFrame) -> DataFrame:
    """(id, component) of a small working graph, computed on the driver with scipy."""
    edges = work.select("src", F.explode("nbrs").alias("dst")).toPandas()
    src, dst = edges["src"].to_numpy(np.int64), edges["dst"].to_numpy(np.int64)
    ids, inverse = np.unique(np.concatenate([src, dst]), return_inverse=True)
    n = ids.size
    graph = coo_matrix(
        (np.ones(src.size, dtype=np.int8), (inverse[: src.size], inverse[src.size :])), shape=(n, n)
    )
    _, component = scipy_components(graph, directed=False)
    first = np.full(component.max() + 1 if n else 0, n, dtype=np.int64)
    np.minimum.at(first, component, np.arange(n))  # ids are sorted: first index = smallest id
    labels = pd.DataFrame({"id": ids, "component": ids[first[component]]})
    return work.sparkSession.createDataFrame(labels, "id long, component long")


def _release(frames: list[DataFrame]) -> None:
    for frame in frames:
        frame.unpersist()
