"""Graph detectors: round-tripping cycles, scatter-gather, peel chains."""

from __future__ import annotations

from decimal import Decimal

import pytest

from fcc.core.settings.typologies import CycleSettings, PeelChainSettings, ScatterGatherSettings
from fcc.core.tables import silver
from fcc.graph import motifs
from fcc.typologies import _graph
from tests.unit.typologies.helpers import D, at, hits_by_customer, scaled, txn, txns_df

N = 50
INTERNAL = dict(rail="internal", cp_type="customer")


def internal(tid: str, src: str, dst: str, ts, usd: float) -> list[tuple]:
    """Both legs of an internal transfer src -> dst."""
    return [
        txn(f"INT:{tid}:out", src, ts, "out", usd, cp=dst, **INTERNAL),
        txn(f"INT:{tid}:in", dst, ts, "in", usd, cp=src, **INTERNAL),
    ]


@pytest.fixture(scope="module")
def flows(spark):
    rows = [
        # A -> B -> C -> A over internal transfers, slightly reduced at each hop
        *internal("ab", "A", "B", at(5), 10000),
        *internal("bc", "B", "C", at(3), 9700),
        *internal("ca", "C", "A", at(0), 9400),
        # X: out to a bank account and most of it back from the same account
        txn("x1", "X", at(4), "out", 20000, cp="K1"),
        txn("x2", "X", at(0), "in", 19000, cp="K1"),
        # MM: a market maker moving money to its own registered bank account and back
        txn("mm1", "MM", at(2), "out", 50000, cp="OWN1"),
        txn("mm2", "MM", at(0), "in", 50000, cp="OWN1"),
        # Y: exactly 80% returned; Z: just below
        txn("y1", "Y", at(3), "out", 10000, cp="K2"),
        txn("y2", "Y", at(0), "in", 8000, cp="K2"),
        txn("z1", "Z", at(3), "out", 10000, cp="K3"),
        txn("z2", "Z", at(0), "in", 7999, cp="K3"),
        # W: in first, then out: not a round trip of W's money
        txn("w1", "W", at(3), "in", 10000, cp="K4"),
        txn("w2", "W", at(0), "out", 10000, cp="K4"),
        # V: returns after 20 days, outside the 14-day window
        txn("v1", "V", at(20), "out", 10000, cp="K5"),
        txn("v2", "V", at(0), "in", 9500, cp="K5"),
        # SG: source scatters to mules M1..M3 who each forward to one external sink
        *internal("s1", "SG", "M1", at(3), 5000),
        *internal("s2", "SG", "M2", at(3), 5000),
        *internal("s3", "SG", "M3", at(3), 5000),
        txn("m1o", "M1", at(1), "out", 4800, cp="SINK"),
        txn("m2o", "M2", at(1), "out", 4800, cp="SINK"),
        txn("m3o", "M3", at(0), "out", 4800, cp="SINK"),
        # P -> Q -> R -> P across rails: wires to the next customer's registered bank account
        # (each wire seen on both sides: the sender's debit and the receiver's credit)
        txn("pq", "P", at(4), "out", 10000, cp="QB"),
        txn("qp", "Q", at(4, 14), "in", 10000, cp="PB"),
        *internal("qr", "Q", "R", at(2), 9800),
        txn("rp", "R", at(0, 9), "out", 9600, cp="PB"),
        txn("pr", "P", at(0, 11), "in", 9590, cp="RB"),  # bank fee on arrival
        # G1 -> G2 -> ... -> G6 -> G1: six hops over six days, a little kept at each
        *[
            leg
            for i in range(1, 7)
            for leg in internal(f"g{i}", f"G{i}", f"G{i % 6 + 1}", at(6 - i), 12200 - 200 * i)
        ],
        # T: only two intermediaries
        *internal("t1", "T", "N1", at(3), 5000),
        *internal("t2", "T", "N2", at(3), 5000),
        txn("n1o", "N1", at(1), "out", 4800, cp="SINK2"),
        txn("n2o", "N2", at(0), "out", 4800, cp="SINK2"),
    ]
    return txns_df(spark, rows)


@pytest.fixture(scope="module")
def identifiers(spark):
    return spark.createDataFrame(
        [
            ("MM", "bank_account", "OWN1"),
            ("P", "bank_account", "PB"),
            ("Q", "bank_account", "QB"),
            ("R", "bank_account", "RB"),
            ("H1", "bank_account", "HOUSEHOLD"),  # shared: never resolved to one customer
            ("H2", "bank_account", "HOUSEHOLD"),
        ],
        "customer_id string, id_type string, id_value string",
    )


def test_cycles_fire_on_round_trips_and_spare_own_account_market_making(flows, identifiers):
    hits = hits_by_customer(_graph.detect_cycles(flows, D, CycleSettings(), N, identifiers))
    assert set(hits) == {"A", "B", "C", "X", "Y", "P", "Q", "R", *[f"G{i}" for i in range(1, 7)]}
    a = hits["A"]["evidence"]
    assert a["role"] == "origin" and a["path"] == ["A", "B", "C", "A"] and a["length"] == 3
    assert a["return_ratio"] == 0.94 and a["hours"] == 120.0
    assert [h["txn_id"] for h in a["hops"]] == ["INT:ab:out", "INT:bc:out", "INT:ca:out"]
    assert hits["A"]["txn_ids"] == ["INT:ab:out", "INT:bc:out", "INT:ca:out"]
    assert hits["B"]["evidence"]["role"] == "intermediary"
    assert hits["X"]["evidence"]["path"] == ["X", "ext:K1", "X"]
    assert hits["Y"]["evidence"]["return_ratio"] == 0.8
    p = hits["P"]["evidence"]
    assert p["role"] == "origin" and p["path"] == ["P", "Q", "R", "P"]
    assert [h["txn_id"] for h in p["hops"]] == ["pq", "INT:qr:out", "rp"]


def test_cycles_of_six_hops_are_found_in_time_order(flows, identifiers):
    hits = hits_by_customer(_graph.detect_cycles(flows, D, CycleSettings(), N, identifiers))
    g = hits["G1"]["evidence"]
    assert g["role"] == "origin" and g["length"] == 6
    assert g["path"] == ["G1", "G2", "G3", "G4", "G5", "G6", "G1"]
    assert (g["first_hop_usd"], g["returned_usd"], g["return_ratio"]) == (12000.0, 11000.0, 0.9167)
    five = CycleSettings(max_length=5)
    assert "G1" not in hits_by_customer(_graph.detect_cycles(flows, D, five, N, identifiers))


def test_cycle_enumeration_ends_when_no_path_is_left_open(flows, identifiers):
    # with 20 hops allowed the enumeration goes on past lengths where no cycle closes, finds
    # the 6-hop cycle and the shorter ones, and stops once no path is open (none runs past 6);
    # asking for at least 7 hops finds none
    twenty = CycleSettings(max_length=20)
    hits = hits_by_customer(_graph.detect_cycles(flows, D, twenty, N, identifiers))
    assert set(hits) == {"A", "B", "C", "X", "Y", "P", "Q", "R", *[f"G{i}" for i in range(1, 7)]}
    assert hits["G1"]["evidence"]["length"] == 6
    seven_up = CycleSettings(min_length=7, max_length=20)
    assert _graph.detect_cycles(flows, D, seven_up, N, identifiers).count() == 0


@pytest.mark.parametrize("factor", [0.01, 100.0])
def test_cycles_and_scatter_gather_find_the_same_patterns_at_any_money_scale(
    flows, identifiers, factor
):
    other_scale = scaled(flows, factor)
    for detect, s in (
        (_graph.detect_cycles, CycleSettings()),
        (_graph.detect_scatter_gather, ScatterGatherSettings()),
    ):
        base = hits_by_customer(detect(flows, D, s, N, identifiers))
        other = hits_by_customer(detect(other_scale, D, s, N, identifiers))
        assert set(other) == set(base) and base
        assert {k: v["evidence"]["role"] for k, v in other.items()} == {
            k: v["evidence"]["role"] for k, v in base.items()
        }


def test_cycles_ignore_round_trips_of_dust_below_the_windows_usual_payment(spark, flows):
    dust = txns_df(
        spark,
        [txn("d1", "DU", at(3), "out", 5, cp="KD"), txn("d2", "DU", at(0), "in", 5, cp="KD")],
    )
    both = flows.unionByName(dust)
    assert "DU" not in hits_by_customer(_graph.detect_cycles(both, D, CycleSettings(), N))
    s = CycleSettings(min_amount_percentile=0.0)
    assert "DU" in hits_by_customer(_graph.detect_cycles(both, D, s, N))


def test_cycle_enumeration_follows_at_most_k_open_paths_per_node(spark):
    # two open paths reach H2: H0 -> H1 -> H2 keeps 99% of its first hop, H9 -> H1 -> H2 99.5%
    rows = [
        *internal("h01", "H0", "H1", at(4), 1000),
        *internal("h91", "H9", "H1", at(4), 995),
        *internal("h12", "H1", "H2", at(3), 990),
        *internal("h20", "H2", "H0", at(0), 900),
    ]
    df = txns_df(spark, rows)
    full = hits_by_customer(_graph.detect_cycles(df, D, CycleSettings(min_amount_percentile=0), N))
    assert full["H0"]["evidence"]["path"] == ["H0", "H1", "H2", "H0"]
    # one open path per node: H2 follows only H9's (better retention), so H0's cycle is not seen
    one = CycleSettings(min_amount_percentile=0, max_paths_per_node=1)
    assert "H0" not in hits_by_customer(_graph.detect_cycles(df, D, one, N))


def test_flow_edges_resolve_registered_accounts_of_other_customers(flows, identifiers):
    edges = {
        r["txn_id"]: (r["src"], r["dst"])
        for r in _graph.flow_edges(flows, identifiers).collect()
        if r["txn_id"] in ("pq", "qp", "rp", "pr", "mm1", "x1")
    }
    assert edges == {
        "pq": ("P", "Q"),  # P's wire to Q's bank account
        "qp": ("P", "Q"),  # Q's credit from P's bank account: the same transfer
        "rp": ("R", "P"),
        "pr": ("R", "P"),
        "x1": ("X", "ext:K1"),  # unregistered account stays external
    }  # mm1 (to MM's own account) is dropped


def test_flow_edges_keep_shared_accounts_external(spark, identifiers):
    rows = txns_df(spark, [txn("h", "S", at(1), "out", 500, cp="HOUSEHOLD")])
    [edge] = _graph.flow_edges(rows, identifiers).collect()
    assert (edge["src"], edge["dst"]) == ("S", "ext:HOUSEHOLD")


def test_cycles_without_own_account_exclusion_flag_the_market_maker(flows, identifiers):
    s = CycleSettings(exclude_own_accounts=False)
    assert "MM" in hits_by_customer(_graph.detect_cycles(flows, D, s, N, identifiers))


def test_scatter_gather_fires_on_source_mules_and_sink(flows, identifiers):
    hits = hits_by_customer(
        _graph.detect_scatter_gather(flows, D, ScatterGatherSettings(), N, identifiers)
    )
    assert set(hits) == {"SG", "M1", "M2", "M3"}
    ev = hits["SG"]["evidence"]
    assert ev["role"] == "source" and ev["sink"] == "ext:SINK" and ev["intermediaries"] == 3
    assert ev["scattered_usd"] == 15000.0 and ev["gathered_usd"] == 14400.0
    assert hits["M3"]["evidence"]["role"] == "intermediary"
    assert sorted(hits["SG"]["txn_ids"]) == sorted(
        ["INT:s1:out", "m1o", "INT:s2:out", "m2o", "INT:s3:out", "m3o"]
    )


def _motif_roles(found) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for r in found.collect():
        out.setdefault(r.customer_id, set()).add(r.role)
    return out


def test_round_trip_motifs_find_the_coded_detectors_cycles(flows, identifiers):
    # the same settings, another route: GraphFrames `find` with time and amount filters
    coded = hits_by_customer(_graph.detect_cycles(flows, D, CycleSettings(), N, identifiers))
    found = _motif_roles(
        motifs.round_trip_motifs(flows, D, CycleSettings(), identifiers, max_hops=6)
    )
    assert set(found) == set(coded)
    assert found["A"] == {"origin"} and found["B"] == {"intermediary"}
    # up to four hops, the six-hop G ring is out of reach; the others stay
    four = _motif_roles(motifs.round_trip_motifs(flows, D, CycleSettings(), identifiers))
    assert set(four) == {"A", "B", "C", "X", "Y", "P", "Q", "R"}


def test_scatter_gather_motifs_find_source_and_mules_not_two_mules(flows, identifiers):
    found = motifs.scatter_gather_motifs(flows, D, ScatterGatherSettings(), identifiers)
    roles = _motif_roles(found)
    assert roles == {
        "SG": {"source"},
        "M1": {"intermediary"},
        "M2": {"intermediary"},
        "M3": {"intermediary"},
    }
    txn_ids = {t for r in found.where("customer_id = 'SG'").collect() for t in r.txn_ids}
    assert txn_ids == {"INT:s1:out", "m1o", "INT:s2:out", "m2o", "INT:s3:out", "m3o"}


def test_peel_chain_follows_fresh_addresses_from_a_withdrawal(spark):
    onchain = dict(
        rail="onchain", asset="BTC", asset_class="crypto", cp_type="address", chain="BTC"
    )
    rows = [
        txn("pc", "PC", at(0, 1), "out", 1_000_000, amount=10, cp="a0", **onchain),
        txn("sp", "SP", at(0, 1), "out", 1_000_000, amount=10, cp="b0", **onchain),
        txn("q", "Q", at(0, 1), "out", 1_000_000, amount=10, cp="c0", **onchain),
        txn("r", "R", at(0, 1), "out", 1_000_000, amount=10, cp="d0", **onchain),
    ]

    def edge(tx, frm, to, amount, hour, days_before=0):
        return ("BTC", tx, frm, to, "BTC", Decimal(str(amount)), None, at(days_before, hour))

    edges = [
        # PC: three peels of ~10% each onto fresh addresses
        edge("h1", "a0", "a1", 9.0, 2),
        edge("h1", "a0", "p1", 1.0, 2),
        edge("h2", "a1", "a2", 8.1, 3),
        edge("h2", "a1", "p2", 0.9, 3),
        edge("h3", "a2", "a3", 7.3, 4),
        edge("h3", "a2", "p3", 0.8, 4),
        # SP: an even split is not a peel
        edge("i1", "b0", "b1", 5.0, 2),
        edge("i1", "b0", "b2", 5.0, 2),
        # Q: only two peel hops
        edge("j1", "c0", "c1", 9.0, 2),
        edge("j1", "c0", "q1", 1.0, 2),
        edge("j2", "c1", "c2", 8.1, 3),
        edge("j2", "c1", "q2", 0.9, 3),
        # R: the remainder address was funded days before: not fresh, the chain stops
        edge("k0", "zz", "d1", 0.5, 2, days_before=5),
        edge("k1", "d0", "d1", 9.0, 2),
        edge("k1", "d0", "r1", 1.0, 2),
        edge("k2", "d1", "d2", 8.1, 3),
        edge("k2", "d1", "r2", 0.9, 3),
        edge("k3", "d2", "d3", 7.3, 4),
        edge("k3", "d2", "r3", 0.8, 4),
    ]
    chain_edges = spark.createDataFrame(edges, silver.CHAIN_EDGES.schema)
    withdrawals = txns_df(spark, rows).cache()
    withdrawals.count()
    sc = spark.sparkContext

    def with_jobs(settings: PeelChainSettings, group: str):
        sc.setJobGroup(group, "peel chains")
        try:
            found = _graph.detect_peel_chains(withdrawals, chain_edges, D, settings, N)
        finally:
            sc.setLocalProperty("spark.jobGroup.id", None)
        return found, len(sc.statusTracker().getJobIdsForGroup(group))

    found, jobs = with_jobs(PeelChainSettings(), "peel-chain-8")
    # the 4th hop finds no chain going on, so hops 5-8 are not run: the 8 configured hops cost
    # the jobs of 4, and each hop followed costs a job (3 hops fewer than 4)
    assert PeelChainSettings().max_hops == 8
    _, jobs_4 = with_jobs(PeelChainSettings(max_hops=4), "peel-chain-4")
    _, jobs_3 = with_jobs(PeelChainSettings(max_hops=3), "peel-chain-3")
    assert jobs == jobs_4 and jobs_3 < jobs_4
    hits = hits_by_customer(found)
    assert set(hits) == {"PC"}
    ev = hits["PC"]["evidence"]
    assert ev["hops"] == 3 and ev["path"] == ["a0", "a1", "a2", "a3"]
    assert [p["peel_to"] for p in ev["peels"]] == [["p1"], ["p2"], ["p3"]]
    assert [p["tx_hash"] for p in ev["peels"]] == ["h1", "h2", "h3"]
    assert hits["PC"]["txn_ids"] == ["pc"]
