"""Settings of the graph step (conf/graph.yaml)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from fcc.core.settings._base import Strict

ID_TYPES = ("device", "ip", "email", "phone", "bank_account", "withdrawal_address", "kyc_document")


def _check_id_types(value: list[str]) -> list[str]:
    unknown = sorted(set(value) - set(ID_TYPES))
    if unknown:
        raise ValueError(f"unknown identifier types {unknown}; known: {list(ID_TYPES)}")
    return value


class ComponentsSettings(Strict):
    """GraphFrames connectedComponents (chosen by bench/bench_graph.py, docs/performance.md)."""

    # graphs of at most this many edges plus labelled vertices are collected once and labelled
    # on the driver (scipy); larger ones go to `algorithm`. 0 = always `algorithm`
    driver_max_edges: int = Field(1_000_000, ge=0)
    # GraphFrames' algorithm: randomized_contraction (measured fastest or second and always
    # right at 1M / 5M edges, docs/performance.md), two_phase, or graphx (wrong labels past
    # max_iterations rounds: a chain longer than that)
    algorithm: Literal["two_phase", "graphx", "randomized_contraction"] = "randomized_contraction"
    # round cap (GraphFrames max_iter; graphx stops there silently)
    max_iterations: int = Field(100, ge=1)
    checkpoint_interval: int = Field(2, ge=1)  # checkpoint the working graph every N rounds
    # vertices whose degree exceeds N are joined by broadcast (hubs); -1 = off, AQE splits skew
    broadcast_threshold: int = Field(-1, ge=-1)


class EntityGraphSettings(Strict):
    id_types: list[str] = Field(
        default_factory=lambda: list(ID_TYPES)
    )  # identifier kinds linking customers
    # an identifier shared by more customers than this is a hub (office NAT, shop device) and pruned
    hub_max_customers: dict[str, int] = Field(
        default_factory=lambda: {
            "device": 10,
            "ip": 20,
            "email": 5,
            "phone": 10,
            "bank_account": 10,
            "withdrawal_address": 10,
            "kyc_document": 3,
        }
    )
    hub_max_customers_default: int = Field(10, ge=1)  # for id types not listed above
    internal_transfers: bool = True  # link customers that sent each other internal transfers
    internal_lookback_days: int = Field(365, ge=1)  # internal transfers of the last N days count
    internal_max_counterparties: int = Field(20, ge=1)  # above: payroll / merchant, links pruned
    internal_min_transfers: int = Field(
        2, ge=1
    )  # transfers a pair needs to be linked (any direction)
    min_cluster_size: int = Field(2, ge=1)  # clusters smaller than this are not written
    evidence_max_items: int = Field(20, ge=1)  # identifiers listed per customer as evidence
    onboarding_window_days: int = Field(30, ge=0)  # "onboarded close together" means within N days
    flow_lookback_days: int = Field(
        90, ge=1
    )  # internal flows inside a cluster over the last N days

    @field_validator("id_types")
    @classmethod
    def _known_types(cls, value: list[str]) -> list[str]:
        return _check_id_types(value)


class RingRule(Strict):
    rule_id: str
    version: str = "1"
    typology: str = "synthetic_identity_ring"
    severity: str = "high"
    anchor_id_types: list[str] = Field(
        default_factory=lambda: ["device", "phone"]
    )  # shared by the ring
    min_members: int = Field(3, ge=2)  # customers sharing one anchor identifier
    onboarding_window_days: int = Field(30, ge=0)  # at least min_members onboarded within N days
    require_distinct_names: bool = True  # every member has a different full name
    require_distinct_dobs: bool = True  # every member has a different date of birth
    exclude_related_surnames: bool = True  # members sharing a surname part look like a household

    @field_validator("anchor_id_types")
    @classmethod
    def _known_anchor_types(cls, value: list[str]) -> list[str]:
        return _check_id_types(value)


class ExposureSettings(Strict):
    max_hops: int = Field(3, ge=1)  # 1 = direct counterparty only
    hop_decay: float = Field(0.5, gt=0, le=1)  # weight of a hop-n hit is decay ** (n - 1)
    lookback_days: int = Field(
        365, ge=1
    )  # customer on-chain transactions and chain edges of N days
    risk_categories: list[str] = Field(
        default_factory=lambda: [
            "sanctioned",
            "mixer",
            "darknet",
            "ransomware",
            "scam",
            "gambling",
            "high_risk_exchange",
        ]
    )
    # labelled addresses of these categories are hubs: the trail stops there (hot wallets)
    hub_categories: list[str] = Field(default_factory=lambda: ["exchange", "payment_processor"])
    degree_cap: int = Field(
        500, ge=1
    )  # an address with more distinct counterparties stops the trail
    min_traced_usd: float = Field(1.0, ge=0)  # paths carrying less traced value are dropped
    max_labelled_addresses: int = Field(10, ge=1)  # labelled addresses listed per row


class CommunitySettings(Strict):
    """Flow communities: components of strong customer-to-customer payment links, PageRank."""

    lookback_days: int = Field(90, ge=1)  # customer-to-customer payments of the last N days
    # a pair with N+ payments between them (either way) is linked ...
    min_payments: int = Field(2, ge=1)
    # ... or a direction that carried this share of the payer's money out or the payee's money
    # in: 0.5, the customer's main counterparty
    min_flow_share: float = Field(0.5, gt=0, le=1)
    # a customer linked to more distinct customers than this is a hub (payroll, a merchant):
    # left out, or it would join everybody it pays into one community
    max_counterparties: int = Field(20, ge=1)
    pagerank_iterations: int = Field(10, ge=1)  # fixed PageRank rounds
    pagerank_reset_probability: float = Field(0.15, gt=0, lt=1)


class GraphSettings(Strict):
    entity: EntityGraphSettings = Field(default_factory=EntityGraphSettings)
    components: ComponentsSettings = Field(default_factory=ComponentsSettings)
    communities: CommunitySettings = Field(default_factory=CommunitySettings)
    rings: list[RingRule] = Field(
        default_factory=lambda: [RingRule(rule_id="GRAPH_SYNTHETIC_ID_RING")]
    )
    exposure: ExposureSettings = Field(default_factory=ExposureSettings)
