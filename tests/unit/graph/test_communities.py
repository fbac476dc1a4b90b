"""Flow communities: strong payment links, their components and PageRank (real GraphFrames)."""

from datetime import date, timedelta

import pytest

from fcc.core.settings.graph import CommunitySettings, ComponentsSettings
from fcc.core.tables import silver
from fcc.graph.communities import flow_communities, strong_payment_links
from tests.unit.graph._builders import (
    AS_OF,
    customer,
    frame,
    identifier,
    internal_transfer,
    txn,
)

SETTINGS = CommunitySettings(min_payments=2, min_flow_share=0.5, max_counterparties=20)
EARLIER = AS_OF - timedelta(days=10)
HUB_PAYEES = [f"p{i:02d}" for i in range(21)]


TXNS = [
    # a collector k: three customers each send it their only outgoing money (material)
    *internal_transfer("m1", "m1", "k", "1000"),
    *internal_transfer("m2", "m2", "k", "900"),
    *internal_transfer("m3", "m3", "k", "1100"),
    # x pays y small sums twice, beside a large outside payment: repeated, not material
    *internal_transfer("xy1", "x", "y", "10"),
    *internal_transfer("xy2", "x", "y", "12", EARLIER),
    txn("x-out", "x", "fiat", "out", "10000", "bank_account", "ACC-OUTSIDE"),
    txn("y-in", "y", "fiat", "in", "10000", "bank_account", "ACC-EMPLOYER"),
    # u pays v once, 10 of 10,010 either side: neither repeated nor material
    *internal_transfer("uv", "u", "v", "10"),
    txn("u-out", "u", "fiat", "out", "10000", "bank_account", "ACC-OUTSIDE"),
    txn("v-in", "v", "fiat", "in", "10000", "bank_account", "ACC-EMPLOYER"),
    # w wires 500 to z's registered bank account, seen from both sides: one payment, material
    txn("wz:out", "w", "fiat", "out", "500", "bank_account", "ACC-Z"),
    txn("wz:in", "z", "fiat", "in", "500", "bank_account", "ACC-W"),
    txn("z-in", "z", "fiat", "in", "4000", "bank_account", "ACC-EMPLOYER"),
    # a payroll hub pays 21 customers their whole income: strongly linked to 21 (> 20), left out
    *[t for p in HUB_PAYEES for t in internal_transfer(f"pay-{p}", "H", p, "2000")],
    # outside the 90-day lookback: not a link
    *internal_transfer("old", "m1", "x", "5000", AS_OF - timedelta(days=120)),
]
PEOPLE = ["k", "m1", "m2", "m3", "x", "y", "u", "v", "w", "z", "H", *HUB_PAYEES]


@pytest.fixture(scope="module")
def communities(spark):
    customers = frame(
        spark,
        silver.CUSTOMERS,
        [customer(c, f"Person {c}", date(1980, 1, 1), date(2025, 1, 1)) for c in PEOPLE],
    )
    identifiers = frame(
        spark,
        silver.IDENTIFIERS,
        [identifier("z", "bank_account", "ACC-Z"), identifier("w", "bank_account", "ACC-W")],
    )
    transactions = frame(spark, silver.TRANSACTIONS, TXNS)
    links = strong_payment_links(transactions, identifiers, customers, SETTINGS, AS_OF)
    rows, labels = flow_communities(links, SETTINGS, ComponentsSettings())
    got = {r["customer_id"]: r.asDict() for r in rows.collect()}
    labels.unpersist()
    return {(r["src"], r["dst"]) for r in links.collect()}, got


def test_strong_links_are_repeated_or_material_payments_between_customers(communities):
    links, _ = communities
    assert links == {("m1", "k"), ("m2", "k"), ("m3", "k"), ("x", "y"), ("w", "z")}


def test_communities_are_components_of_strong_links_named_by_their_smallest_member(communities):
    _, got = communities
    assert {c: (r["community_id"], r["community_size"]) for c, r in got.items()} == {
        "k": ("k", 4),
        "m1": ("k", 4),
        "m2": ("k", 4),
        "m3": ("k", 4),
        "x": ("x", 2),
        "y": ("x", 2),
        "w": ("w", 2),
        "z": ("w", 2),
    }
    assert {c: r["counterparties"] for c, r in got.items()} == {
        "k": 3,
        "m1": 1,
        "m2": 1,
        "m3": 1,
        "x": 1,
        "y": 1,
        "w": 1,
        "z": 1,
    }


def test_the_member_money_flows_to_ranks_first_by_pagerank(communities):
    _, got = communities
    firsts = {r["community_id"]: c for c, r in got.items() if r["pagerank_rank"] == 1}
    assert firsts == {"k": "k", "x": "y", "w": "z"}
    # the three senders to k are alike: equal PageRank, ranked 2-4 by customer id
    assert [got[m]["pagerank_rank"] for m in ("m1", "m2", "m3")] == [2, 3, 4]
    assert got["m1"]["pagerank"] == pytest.approx(got["m3"]["pagerank"])
    assert got["k"]["pagerank"] > got["m1"]["pagerank"]
