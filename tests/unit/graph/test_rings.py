import json
from datetime import date

from fcc.core.settings.graph import EntityGraphSettings, RingRule
from fcc.core.tables import silver
from fcc.graph.entity import build_entity_graph
from fcc.graph.rings import ring_hits
from tests.unit.graph._builders import AS_OF, customer, frame, identifier

RULE = RingRule(rule_id="GRAPH_SYNTHETIC_ID_RING", min_members=3, onboarding_window_days=30)

CUSTOMERS = [
    # ring: one device, three unrelated names and DOBs, onboarded within 10 days
    customer("r1", "Alice Brown", date(1990, 1, 1), date(2026, 10, 1)),
    customer("r2", "Bob Chen", date(1985, 5, 5), date(2026, 10, 5)),
    customer("r3", "Carl Diaz", date(1979, 9, 9), date(2026, 10, 11)),
    # household: family tablet and home IP, related surnames, onboarded the same week
    customer("h1", "John Smith", date(1970, 2, 2), date(2026, 10, 1)),
    customer("h2", "Mary Smith", date(1972, 3, 3), date(2026, 10, 2)),
    customer("h3", "Kate Smith-Jones", date(2001, 4, 4), date(2026, 10, 3)),
    # one phone, unrelated names, but onboarded years apart (shared landline of successive tenants)
    customer("s1", "Dan Evans", date(1980, 1, 2), date(2020, 1, 1)),
    customer("s2", "Eve Fox", date(1981, 1, 2), date(2022, 6, 1)),
    customer("s3", "Gus Hall", date(1982, 1, 2), date(2025, 3, 1)),
    # flatmates: unrelated names onboarded together, but they share only the home IP
    customer("f1", "Ian King", date(1995, 1, 2), date(2026, 9, 1)),
    customer("f2", "Joe Lane", date(1996, 1, 2), date(2026, 9, 2)),
    customer("f3", "Kim Moss", date(1997, 1, 2), date(2026, 9, 3)),
    # only two customers behind one device: below the ring size
    customer("p1", "Leo North", date(1990, 6, 6), date(2026, 11, 1)),
    customer("p2", "Max Owen", date(1991, 7, 7), date(2026, 11, 2)),
]
IDENTIFIERS = [
    *[identifier(c, "device", "ring-device") for c in ["r1", "r2", "r3"]],
    *[identifier(c, "device", "family-tablet") for c in ["h1", "h2", "h3"]],
    *[identifier(c, "ip", "home-ip") for c in ["h1", "h2", "h3"]],
    *[identifier(c, "phone", "+4420") for c in ["s1", "s2", "s3"]],
    *[identifier(c, "ip", "flat-ip") for c in ["f1", "f2", "f3"]],
    *[identifier(c, "device", "pair-device") for c in ["p1", "p2"]],
]


def _hits(spark, customers, identifiers):
    """Ring hits of RULE over the given rows."""
    graph = build_entity_graph(
        frame(spark, silver.IDENTIFIERS, identifiers), None, EntityGraphSettings(), AS_OF
    )
    clusters = spark.createDataFrame(
        [("r1", 11, 3), ("r2", 11, 3), ("r3", 11, 3)],
        "customer_id string, cluster_id long, cluster_size int",
    )
    return ring_hits(
        graph.links, frame(spark, silver.CUSTOMERS, customers), clusters, RULE, AS_OF
    ).collect()


def test_ring_fires_on_a_planted_ring_and_not_on_look_alikes(spark):
    hits = _hits(spark, CUSTOMERS, IDENTIFIERS)
    assert sorted(h.customer_id for h in hits) == ["r1", "r2", "r3"]
    hit = next(h for h in hits if h.customer_id == "r2")
    assert (hit.producer, hit.rule_id, hit.typology, hit.score) == (
        "graph",
        "GRAPH_SYNTHETIC_ID_RING",
        "synthetic_identity_ring",
        60.0,
    )
    evidence = json.loads(hit.evidence)
    assert evidence["cluster_id"] == "11" and evidence["members"] == 3
    shared = evidence["shared_identifiers"]
    assert [(s["id_type"], s["id_value"], s["members"]) for s in shared] == [
        ("device", "ring-device", 3)
    ]
    assert shared[0]["member_ids"] == ["r1", "r2", "r3"]
    assert (
        shared[0]["distinct_names"],
        shared[0]["distinct_dobs"],
        shared[0]["onboarded_close"],
    ) == (3, 3, 3)
    assert evidence["thresholds"]["min_members"] == 3
    assert evidence["thresholds"]["onboarding_window_days"] == 30
