from decimal import Decimal

from fcc.core.settings.graph import ExposureSettings
from fcc.core.tables import silver
from fcc.graph.exposure import trace_exposure
from tests.unit.graph._builders import AS_OF, chain_edge, frame, label, txn

# Customer C1 on ETH:
#   deposit 100 from A1; A1 received 60 from mixer M and 40 from X; X received 40 from sanctioned S
#   withdrawal 200 to D1 (scam, direct); withdrawal 50 to B1, which sent 30 to gambling G, 70 to Y
#   deposit 80 from hot wallet H (exchange label), which received from mixer M2
#   deposit 10 from Z, an unlabelled address with 12 senders (above the degree cap of 10),
#   one of them sanctioned S2
TXNS = [
    txn("t1", "C1", "onchain", "in", "100", "address", "A1", chain="ETH"),
    txn("t2", "C1", "onchain", "out", "200", "address", "D1", chain="ETH"),
    txn("t3", "C1", "onchain", "out", "50", "address", "B1", chain="ETH"),
    txn("t4", "C1", "onchain", "in", "80", "address", "H", chain="ETH"),
    txn("t5", "C1", "onchain", "in", "10", "address", "Z", chain="ETH"),
    txn("t6", "C2", "sepa", "in", "999", "bank_account", "IBAN1"),
]
EDGES = [
    chain_edge("M", "A1", "60"),
    chain_edge("X", "A1", "40"),
    chain_edge("S", "X", "40"),
    chain_edge("B1", "G", "30"),
    chain_edge("B1", "Y", "70"),
    chain_edge("M2", "H", "500"),
    *[chain_edge(f"W{i}", "H", "100") for i in range(7)],
    chain_edge("S2", "Z", "5"),
    *[chain_edge(f"V{i}", "Z", "5") for i in range(11)],
]
LABELS = [
    label("M", "mixer"),
    label("S", "sanctioned"),
    label("D1", "scam"),
    label("G", "gambling"),
    label("H", "exchange"),
    label("M2", "mixer"),
    label("S2", "sanctioned"),
]


def _trace(spark, **overrides):
    settings = ExposureSettings(degree_cap=10, hop_decay=0.5, **overrides)
    return trace_exposure(
        frame(spark, silver.TRANSACTIONS, TXNS),
        frame(spark, silver.ADDRESS_LABELS, LABELS),
        frame(spark, silver.CHAIN_EDGES, EDGES),
        settings,
        AS_OF,
    )


def test_exposure_gives_hop_counts_and_decayed_amounts_both_directions(spark):
    result = _trace(spark, max_hops=3)
    got = {
        (r.customer_id, r.category, r.direction): (
            r.min_hops,
            r.exposure_usd,
            r.traced_usd,
            r.direct,
            r.example_path,
            r.labelled_addresses,
        )
        for r in result.rows.collect()
    }
    q = Decimal("0.000001")
    assert got == {
        # hop 2: 100 x 60/100 = 60 traced, x 0.5
        ("C1", "mixer", "in"): (
            2,
            Decimal("30").quantize(q),
            Decimal("60").quantize(q),
            False,
            ["A1", "M"],
            ["M"],
        ),
        # hop 3: 100 x 40/100 x 40/40 = 40 traced, x 0.25
        ("C1", "sanctioned", "in"): (
            3,
            Decimal("10").quantize(q),
            Decimal("40").quantize(q),
            False,
            ["A1", "X", "S"],
            ["S"],
        ),
        # direct: the whole withdrawal
        ("C1", "scam", "out"): (
            1,
            Decimal("200").quantize(q),
            Decimal("200").quantize(q),
            True,
            ["D1"],
            ["D1"],
        ),
        # hop 2 forwards: 50 x 30/100 = 15 traced, x 0.5
        ("C1", "gambling", "out"): (
            2,
            Decimal("7.5").quantize(q),
            Decimal("15").quantize(q),
            False,
            ["B1", "G"],
            ["G"],
        ),
    }
    # the hot wallet H and the high-degree Z stop the trail: 5 seeds, then M, X, G, Y, then S
    assert sum(frontier.count() for frontier in result.frontiers) == 10
    result.release()


def test_max_hops_bounds_the_trace(spark):
    result = _trace(spark, max_hops=2)
    got = {(r.category, r.direction): r.min_hops for r in result.rows.collect()}
    assert got == {("mixer", "in"): 2, ("scam", "out"): 1, ("gambling", "out"): 2}
    result.release()
