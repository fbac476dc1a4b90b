from pyspark.sql import functions as F

from fcc.core.settings.graph import EntityGraphSettings
from fcc.core.tables import silver
from fcc.graph import connected_components
from fcc.graph.entity import assign_clusters, build_entity_graph, with_evidence
from tests.unit.graph._builders import AS_OF, frame, identifier, txn

# c1-c2 share a device, c2-c3 an email, c4-c5 a phone, c6 and c7 paid each other internally
# (two transfers: linked); c8 is alone and paid c9 once (a one-off payment links nobody).
# The office IP is shared by c1, c4, c6 and c7: above the cap of 3 it is a hub and must not
# merge the three groups.
IDENTIFIERS = [
    identifier("c1", "device", "d1"),
    identifier("c2", "device", "d1"),
    identifier("c2", "email", "e1@x.io"),
    identifier("c3", "email", "e1@x.io"),
    identifier("c4", "phone", "+441"),
    identifier("c5", "phone", "+441"),
    identifier("c8", "device", "d8"),
    *[identifier(c, "ip", "10.0.0.1") for c in ["c1", "c4", "c6", "c7"]],
]
TXNS = [
    txn("i1", "c6", "internal", "out", "25", "customer", "c7"),
    txn("i2", "c7", "internal", "out", "10", "customer", "c6"),
    txn("i3", "c8", "internal", "out", "40", "customer", "c9"),
]
SETTINGS = EntityGraphSettings(hub_max_customers={"ip": 3, "device": 5, "email": 5, "phone": 5})


def _clusters(spark, identifiers, txns):
    graph = build_entity_graph(
        frame(spark, silver.IDENTIFIERS, identifiers),
        frame(spark, silver.TRANSACTIONS, txns),
        SETTINGS,
        AS_OF,
    )
    labels = connected_components(graph.vertices, graph.edges)
    clusters = assign_clusters(graph, labels, 2).transform(with_evidence(graph, 20))
    return graph, {r.customer_id: r for r in clusters.collect()}


def _vertex_ids(spark, customers):
    row = (
        spark.range(1)
        .select(*[F.xxhash64(F.lit("customer"), F.lit(c)).alias(c) for c in customers])
        .first()
    )
    return row.asDict()


def test_shared_identifiers_and_transfers_form_clusters_and_the_hub_is_pruned(spark):
    graph, got = _clusters(spark, IDENTIFIERS, TXNS)
    groups = {}
    for customer_id, row in got.items():
        groups.setdefault(row.cluster_id, set()).add(customer_id)
    assert sorted(map(sorted, groups.values())) == [["c1", "c2", "c3"], ["c4", "c5"], ["c6", "c7"]]
    ids = _vertex_ids(spark, [f"c{i}" for i in range(1, 8)])
    assert got["c1"].cluster_id == min(ids["c1"], ids["c2"], ids["c3"])
    assert got["c6"].cluster_id == min(ids["c6"], ids["c7"])
    assert {c: got[c].cluster_size for c in got} == {
        "c1": 3,
        "c2": 3,
        "c3": 3,
        "c4": 2,
        "c5": 2,
        "c6": 2,
        "c7": 2,
    }
    assert [tuple(e) for e in got["c2"].evidence] == [("device", "d1"), ("email", "e1@x.io")]
    assert [tuple(e) for e in got["c1"].evidence] == [("device", "d1")]  # the hub IP is no evidence
    assert [tuple(e) for e in got["c6"].evidence] == [("internal_transfer", "c7")]
    hubs = [tuple(r) for r in graph.hubs.collect()]
    assert hubs == [("ip", "10.0.0.1", 4, 3)]
    # identifier and transfer links are computed once for all of the above, then released
    assert len(graph.cached) == 2 and all(f.is_cached for f in graph.cached)
    graph.release()
    assert not any(f.is_cached for f in graph.cached)


def test_cluster_ids_are_unchanged_after_a_rerun_with_unrelated_new_data(spark):
    _, before = _clusters(spark, IDENTIFIERS, TXNS)
    more = IDENTIFIERS + [
        identifier("c1", "device", "d-new"),  # a new private device of c1
        identifier("c9", "device", "d8"),  # c9 joins c8: a new cluster
    ]
    _, after = _clusters(spark, more, TXNS)
    assert {c: r.cluster_id for c, r in after.items() if c not in ("c8", "c9")} == {
        c: r.cluster_id for c, r in before.items()
    }
    assert after["c8"].cluster_id == after["c9"].cluster_id
