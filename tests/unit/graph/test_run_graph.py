import json
from datetime import date
from decimal import Decimal

from pyspark.sql import functions as F

from fcc.core.settings import AppConfig
from fcc.core.tables import gold, silver
from fcc.core.tables.extra_graph import FLOW_COMMUNITIES, GRAPH_HUBS
from fcc.graph import run_graph
from tests.unit.graph._builders import (
    AS_OF,
    chain_edge,
    customer,
    frame,
    identifier,
    internal_transfer,
    label,
    txn,
)

CUSTOMERS = [
    customer("r1", "Alice Brown", date(1990, 1, 1), date(2026, 10, 1)),
    customer("r2", "Bob Chen", date(1985, 5, 5), date(2026, 10, 5)),
    customer("r3", "Carl Diaz", date(1979, 9, 9), date(2026, 10, 11)),
    customer("h1", "John Smith", date(1970, 2, 2), date(2026, 10, 1)),
    customer("h2", "Mary Smith", date(1972, 3, 3), date(2026, 10, 2)),
    customer("x1", "Nia Park", date(1988, 8, 8), date(2024, 1, 1)),
    customer("x2", "Oli Quinn", date(1989, 9, 9), date(2025, 1, 1)),
]
IDENTIFIERS = [
    *[identifier(c, "device", "ring-device") for c in ["r1", "r2", "r3"]],
    *[identifier(c, "ip", "home-ip") for c in ["h1", "h2"]],
    *[identifier(c, "ip", "office-nat") for c in [f"o{i}" for i in range(21)] + ["r1", "h1"]],
]
TXNS = [
    *internal_transfer("INT:1", "r1", "r2", "40"),
    *internal_transfer("INT:2", "x1", "x2", "15"),
    *internal_transfer("INT:3", "x2", "x1", "5"),
    txn("CHAIN:1", "x1", "onchain", "in", "100", "address", "MIX", chain="ETH"),
]


def _seed(spark, lakehouse):
    lakehouse.overwrite(silver.CUSTOMERS, frame(spark, silver.CUSTOMERS, CUSTOMERS))
    lakehouse.overwrite(silver.IDENTIFIERS, frame(spark, silver.IDENTIFIERS, IDENTIFIERS))
    lakehouse.overwrite(silver.TRANSACTIONS, frame(spark, silver.TRANSACTIONS, TXNS))
    lakehouse.overwrite(
        silver.ADDRESS_LABELS, frame(spark, silver.ADDRESS_LABELS, [label("MIX", "mixer")])
    )
    lakehouse.overwrite(
        silver.CHAIN_EDGES, frame(spark, silver.CHAIN_EDGES, [chain_edge("A", "B", "1")])
    )
    other = {
        "as_of": AS_OF,
        "hit_id": "h-typ",
        "customer_id": "r1",
        "producer": "typologies",
        "rule_id": "R1",
        "rule_version": "1",
        "typology": "structuring",
        "severity": "low",
    }
    lakehouse.append(gold.RULE_HITS, frame(spark, gold.RULE_HITS, [other]))


def _today(lakehouse, spec):
    return lakehouse.read(spec).where(F.col("as_of") == F.lit(AS_OF))


def test_run_graph_writes_clusters_exposure_and_ring_hits_and_a_rerun_replaces_them(
    spark, lakehouse
):
    _seed(spark, lakehouse)
    first = run_graph(spark, lakehouse, AppConfig(), AS_OF, "run-1")
    clusters_1 = sorted(
        tuple(r) for r in _today(lakehouse, gold.ENTITY_CLUSTERS).drop("evidence").collect()
    )

    second = run_graph(spark, lakehouse, AppConfig(), AS_OF, "run-2")
    clusters_2 = sorted(
        tuple(r) for r in _today(lakehouse, gold.ENTITY_CLUSTERS).drop("evidence").collect()
    )

    assert first == second
    assert first["entity_cluster_rows"] == 7 and first["clusters"] == 3
    assert first["flow_community_rows"] == 4
    assert (
        first["hub_identifiers_pruned"] == 1
        and first["ring_hits"] == 3
        and first["exposure_rows"] == 1
    )
    assert clusters_1 == clusters_2  # same cluster ids, no duplicates
    by_customer = {r.customer_id: r for r in _today(lakehouse, gold.ENTITY_CLUSTERS).collect()}
    ring = by_customer["r1"]
    assert (ring.cluster_size, ring.distinct_names, ring.distinct_dobs, ring.onboarded_close) == (
        3,
        3,
        3,
        3,
    )
    assert ring.internal_flow_usd == Decimal("40.000000") and ring.members_with_exposure == 0
    pair = by_customer["x2"]
    assert (pair.cluster_size, pair.internal_flow_usd, pair.members_with_exposure) == (
        2,
        Decimal("20.000000"),  # 15 + 5 back
        1,
    )
    assert {tuple(e) for e in by_customer["h2"].evidence} == {("ip", "home-ip")}
    assert [
        (r.id_type, r.id_value, r.customers) for r in _today(lakehouse, GRAPH_HUBS).collect()
    ] == [("ip", "office-nat", 23)]
    hits = _today(lakehouse, gold.RULE_HITS).collect()
    assert sorted((h.producer, h.customer_id) for h in hits) == [
        ("graph", "r1"),
        ("graph", "r2"),
        ("graph", "r3"),
        ("typologies", "r1"),
    ]
    evidence = json.loads(next(h.evidence for h in hits if h.customer_id == "r3"))
    assert evidence["cluster_id"] == str(ring.cluster_id)
    exposure = _today(lakehouse, gold.EXPOSURE).collect()
    assert [
        (e.customer_id, e.category, e.direction, e.min_hops, e.direct, e.exposure_usd)
        for e in exposure
    ] == [("x1", "mixer", "in", 1, True, Decimal("100.000000"))]
    # each customer's payments to the other are all its money out: two strong pairs
    communities = {
        r.customer_id: (r.community_id, r.community_size, r.pagerank_rank)
        for r in _today(lakehouse, FLOW_COMMUNITIES).collect()
    }
    assert communities == {
        "r1": ("r1", 2, 2),
        "r2": ("r1", 2, 1),  # paid by r1: money flows to r2
        "x1": ("x1", 2, 1),  # x1 and x2 pay each other: equal rank, the smaller id first
        "x2": ("x1", 2, 2),
    }
