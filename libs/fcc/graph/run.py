"""The graph step for business date D: exposure, entity clusters, flow communities, ring hits,
pruned hubs."""

from __future__ import annotations

import logging
import time
from datetime import date, timedelta

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from fcc.core.lakehouse import Lakehouse
from fcc.core.settings import AppConfig
from fcc.core.tables import gold, silver
from fcc.core.tables.extra_graph import FLOW_COMMUNITIES, GRAPH_HUBS
from fcc.graph.communities import flow_communities, strong_payment_links
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


def _written_rows(lakehouse: Lakehouse, spec) -> int:
    """Rows the table's latest commit wrote (its Delta commit metrics; no Spark job)."""
    return int(lakehouse.last_commit_metrics(spec).get("numOutputRows", 0))


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
        settings.communities.lookback_days,
    )
    transactions = lakehouse.read(silver.TRANSACTIONS).where(
        F.col("event_date").between(F.lit(as_of - timedelta(days=lookback - 1)), F.lit(as_of))
    )
    customers = lakehouse.read(silver.CUSTOMERS)
    identifiers = lakehouse.read(silver.IDENTIFIERS)
    counts: dict[str, int] = {}

    exposure = trace_exposure(
        transactions,
        lakehouse.read(silver.ADDRESS_LABELS),
        lakehouse.read(silver.CHAIN_EDGES),
        settings.exposure,
        as_of,
    )
    # cached by the write: the cluster features read D's exposure from it, not from the table
    exposure_today = exposure.rows.persist()
    lakehouse.replace_where(gold.EXPOSURE, _with_as_of(exposure_today, as_of), as_of=as_of)
    counts["exposure_rows"] = _written_rows(lakehouse, gold.EXPOSURE)
    exposure.release()

    graph = build_entity_graph(identifiers, transactions, settings.entity, as_of)
    labels = connected_components(graph.vertices, graph.edges, settings.components)
    clusters = assign_clusters(graph, labels, settings.entity.min_cluster_size).persist()
    enriched = clusters.transform(
        with_evidence(graph, settings.entity.evidence_max_items)
    ).transform(
        with_cluster_features(customers, transactions, exposure_today, settings.entity, as_of)
    )
    lakehouse.replace_where(gold.ENTITY_CLUSTERS, _with_as_of(enriched, as_of), as_of=as_of)
    counts["entity_cluster_rows"] = _written_rows(lakehouse, gold.ENTITY_CLUSTERS)
    exposure_today.unpersist()
    lakehouse.replace_where(GRAPH_HUBS, _with_as_of(graph.hubs, as_of), as_of=as_of)
    counts["hub_identifiers_pruned"] = _written_rows(lakehouse, GRAPH_HUBS)

    # kept: the components' collect, PageRank and the write's members each read the links
    links = strong_payment_links(
        transactions, identifiers, customers, settings.communities, as_of
    ).persist()
    communities, community_labels = flow_communities(
        links, settings.communities, settings.components
    )
    lakehouse.replace_where(FLOW_COMMUNITIES, _with_as_of(communities, as_of), as_of=as_of)
    counts["flow_community_rows"] = _written_rows(lakehouse, FLOW_COMMUNITIES)
    community_labels.unpersist()
    links.unpersist()

    hits = all_ring_hits(graph.links, customers, clusters, settings.rings, as_of)
    if hits is None:
        hits = spark.createDataFrame([], gold.RULE_HITS.schema)
    lakehouse.replace_where(gold.RULE_HITS, hits, as_of=as_of, producer=PRODUCER)
    counts["ring_hits"] = _written_rows(lakehouse, gold.RULE_HITS)
    # from the cached clusters, not read back from the table
    counts["clusters"] = clusters.select(F.count_distinct("cluster_id")).first()[0]
    clusters.unpersist()
    labels.unpersist()
    graph.release()

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
