"""The graph step for business date D: exposure, entity clusters, ring hits, pruned hubs."""

from __future__ import annotations

import logging
import time
from datetime import date, timedelta

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from fcc.core.lakehouse import Lakehouse
from fcc.core.settings import AppConfig
from fcc.core.tables import gold, silver
from fcc.core.tables.extra_graph import GRAPH_HUBS
from fcc.graph.components import connected_components
from fcc.graph.entity import (
    assign_clusters,
    build_entity_graph,
    with_cluster_features,
    with_evidence,
)
from fcc.graph.exposure import trace_exposure
from fcc.graph.rings import PRODUCER, all_ring_hits

log = logging.getLogger(__name__)


def _with_as_of(df: DataFrame, as_of: date) -> DataFrame:
    return df.withColumn("as_of", F.lit(as_of))


def _slice_count(lakehouse: Lakehouse, spec, as_of: date, **equals: str) -> int:
    df = lakehouse.read(spec).where(F.col("as_of") == F.lit(as_of))
    for column, value in equals.items():
        df = df.where(F.col(column) == value)
    return df.count()


def run_graph(
    spark: SparkSession, lakehouse: Lakehouse, cfg: AppConfig, as_of: date, run_id: str
) -> dict[str, int]:
    """Write gold.exposure, gold.entity_clusters, gold.graph_hubs and graph rule hits for D."""
    settings = cfg.graph
    started = time.monotonic()
    lookback = max(
        settings.exposure.lookback_days,
        settings.entity.internal_lookback_days,
        settings.entity.flow_lookback_days,
    )
    transactions = lakehouse.read(silver.TRANSACTIONS).where(
        F.col("event_date").between(F.lit(as_of - timedelta(days=lookback - 1)), F.lit(as_of))
    )
    customers = lakehouse.read(silver.CUSTOMERS)

    exposure = trace_exposure(
        transactions,
        lakehouse.read(silver.ADDRESS_LABELS),
        lakehouse.read(silver.CHAIN_EDGES),
        settings.exposure,
        as_of,
    )
    lakehouse.replace_where(gold.EXPOSURE, _with_as_of(exposure.rows, as_of), as_of=as_of)
    exposure.release()
    exposure_today = lakehouse.read(gold.EXPOSURE).where(F.col("as_of") == F.lit(as_of))

    graph = build_entity_graph(
        lakehouse.read(silver.IDENTIFIERS), transactions, settings.entity, as_of
    )
    labels = connected_components(graph.vertices, graph.edges, settings.components)
    clusters = assign_clusters(graph, labels, settings.entity.min_cluster_size).persist()
    enriched = clusters.transform(
        with_evidence(graph, settings.entity.evidence_max_items)
    ).transform(
        with_cluster_features(customers, transactions, exposure_today, settings.entity, as_of)
    )
    lakehouse.replace_where(gold.ENTITY_CLUSTERS, _with_as_of(enriched, as_of), as_of=as_of)
    lakehouse.replace_where(GRAPH_HUBS, _with_as_of(graph.hubs, as_of), as_of=as_of)

    hits = all_ring_hits(graph.links, customers, clusters, settings.rings, as_of)
    if hits is None:
        hits = spark.createDataFrame([], gold.RULE_HITS.schema)
    lakehouse.replace_where(gold.RULE_HITS, hits, as_of=as_of, producer=PRODUCER)
    clusters.unpersist()
    labels.unpersist()

    counts = {
        "exposure_rows": _slice_count(lakehouse, gold.EXPOSURE, as_of),
        "exposure_frontier_rows": exposure.frontier_rows,
        "entity_cluster_rows": _slice_count(lakehouse, gold.ENTITY_CLUSTERS, as_of),
        "hub_identifiers_pruned": _slice_count(lakehouse, GRAPH_HUBS, as_of),
        "ring_hits": _slice_count(lakehouse, gold.RULE_HITS, as_of, producer=PRODUCER),
    }
    counts["clusters"] = (
        lakehouse.read(gold.ENTITY_CLUSTERS)
        .where(F.col("as_of") == F.lit(as_of))
        .select("cluster_id")
        .distinct()
        .count()
    )
    counts["rows_out"] = (
        counts["exposure_rows"] + counts["entity_cluster_rows"] + counts["ring_hits"]
    )
    log.info(
        "graph: run_id=%s as_of=%s %s seconds=%.1f",
        run_id,
        as_of,
        counts,
        time.monotonic() - started,
    )
    return counts
