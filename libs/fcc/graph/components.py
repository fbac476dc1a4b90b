"""Connected components with the DataFrame API (alternating large-star / small-star).

The algorithm of Kiveris et al., "Connected Components in MapReduce and Beyond" (SoCC 2014),
which is also what GraphFrames' default `two_phase` algorithm implements. Each component's id
is its smallest vertex id, so ids are stable across reruns for unchanged components.

One round is two shuffles: the neighbour sets of every vertex (`collect_set`, which also
drops duplicate edges) feed large-star, whose output is grouped once more for small-star.
The neighbour sets are what is materialised between rounds; they also give the stopping
test without another shuffle: the graph has converged when every vertex either has no
smaller neighbour (a root) or exactly one neighbour (a leaf of a star), because then every
component is a star around its smallest vertex.
"""

from __future__ import annotations

import logging
import time

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

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


def _unfinished() -> Column:
    """Vertices that are neither a root nor a star leaf (1 when unfinished, else 0)."""
    return F.when((F.size("nbrs") > 1) & (F.array_min("nbrs") < F.col("src")), 1).otherwise(0)


def connected_components(
    vertices: DataFrame,
    edges: DataFrame,
    max_iterations: int = 100,
    checkpoint_every: int = 2,
) -> DataFrame:
    """Label every vertex with its component: returns (id, component), both Long.

    `vertices` needs a Long `id`; `edges` Long `src` and `dst` (direction ignored). Isolated
    vertices are their own component. The neighbour sets are cached every round and written
    to the reliable checkpoint dir every `checkpoint_every` rounds (0 = never) to cut lineage.
    The caller owns the returned frame; every intermediate cache is released here.
    """
    clean = (
        edges.select(F.col("src").cast("long").alias("src"), F.col("dst").cast("long").alias("dst"))
        .where(F.col("src").isNotNull() & F.col("dst").isNotNull())
        .where(F.col("src") != F.col("dst"))
    )
    started = time.monotonic()
    sets = _neighbour_sets(clean)
    held: list[DataFrame] = []
    for iteration in range(1, max_iterations + 1):
        cached = sets.persist()
        stats = cached.agg(F.count("*").alias("n"), F.sum(_unfinished()).alias("open")).first()
        if checkpoint_every and iteration % checkpoint_every == 0:
            sets = cached.checkpoint(eager=True)  # written from the cache; cuts the lineage
        else:
            sets = cached
        for old in held:
            old.unpersist()
        held = [cached]
        log.info(
            "connected components: round=%d vertices=%d unfinished=%d seconds=%.1f",
            iteration,
            stats["n"],
            stats["open"] or 0,
            time.monotonic() - started,
        )
        if not stats["open"]:
            break
        sets = _neighbour_sets(_small_star(_large_star(sets)))
    else:
        for old in held:
            old.unpersist()
        raise RuntimeError(f"connected components did not converge in {max_iterations} rounds")
    labels = sets.select(F.col("src").alias("id"), _smallest().alias("component"))
    result = (
        vertices.select(F.col("id").cast("long").alias("id"))
        .distinct()
        .join(labels, "id", "left")
        .select("id", F.coalesce("component", "id").alias("component"))
    )
    return _released_after(result, held)


def _released_after(result: DataFrame, held: list[DataFrame]) -> DataFrame:
    """Materialise `result` in the cache, then release the round's neighbour sets."""
    result = result.persist()
    result.count()
    for old in held:
        old.unpersist()
    return result
