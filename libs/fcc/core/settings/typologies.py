"""Settings of the typologies step (conf/typologies.yaml and conf/typologies/*.yaml)."""

from typing import Any, Literal

from pydantic import Field, model_validator

from fcc.core.settings._base import Strict
from fcc.core.settings.features import CountryRiskList

Severity = Literal["low", "medium", "high", "critical"]


class Detector(Strict):
    """What every coded detector shares: switch, version, typology tag, severity and score."""

    enabled: bool = True
    version: str = "1"  # bump when the logic or a default threshold changes
    typology: str  # typology tag written to gold.rule_hits (matches truth tags)
    severity: Severity = "medium"
    score: float = Field(50.0, ge=0, le=100)  # base strength 0..100 of a hit
    # customer segments this detector never flags (their business model is the pattern, e.g. a
    # market maker is a pass-through by design); they need scenarios calibrated to them
    exclude_segments: list[str] = Field(default_factory=list)


class StructuringSettings(Detector):
    typology: str = "structuring"
    reporting_threshold_usd: float = 10_000.0  # USD cash-transaction reporting threshold
    band_low: float = 0.80  # share of the threshold where "just below" starts (inclusive)
    band_high: float = 0.99  # share of the threshold where it ends (inclusive)
    window_days: int = 7  # days the banded credits must fall within (ending on D)
    min_count: int = 3  # banded credits needed in the window
    rails: list[str] = Field(
        default_factory=lambda: ["sepa", "swift", "ach", "faster_payments", "card"]
    )
    use_entity_clusters: bool = (
        True  # pool credits of customers in one gold.entity_clusters cluster
    )
    pool_max_cluster_size: int = Field(20, ge=2)  # larger clusters are not one smurfing group


class PassThroughSettings(Detector):
    typology: str = "pass_through"
    window_hours: int = 48  # from an inflow to the outflows that follow it within these hours
    # inflow >= this percentile of the USD each active customer moved (in + out, trades excluded)
    # in turnover_days: a transit account moves in hours what only the busiest customers move in
    # a month (0 = no size test)
    turnover_percentile: float = Field(0.8, ge=0, le=1)
    turnover_days: int = Field(30, ge=1)  # days of turnover that level is taken over
    min_out_ratio: float = 0.90  # out / in at least this: little balance left behind
    max_out_ratio: float = 1.10  # out / in at most this: not a pre-funded account draining
    max_trade_ratio: float = 0.5  # trade turnover / inflow above this looks like a trader
    history_days: int = Field(84, ge=0)  # baseline before the window: its spans, measured as on D
    # the days just before the window left out of the baseline, so a transit pattern that began
    # a week ago (smaller amounts first) does not become its own baseline
    history_gap_days: int = Field(14, ge=0)
    # inflow >= this x the most the customer passed through (min of in, out) in any baseline
    # span: a payment intermediary doing its usual volume stays quiet (0 = no history test)
    history_multiplier: float = Field(2.0, ge=0)


class FanSettings(Detector):
    typology: str
    window_days: int = 7  # counterparties counted over this many days ending on D
    min_counterparties: int = 4  # distinct counterparties: the fewest that make a fan
    history_days: int = 84  # baseline before the window (whole multiples of window_days)
    history_multiplier: float = 3.0  # window count >= this x the busiest baseline window
    min_new_share: float = 0.7  # share of window counterparties never seen in the baseline
    # window count >= this percentile of the segment's counts
    peer_percentile: float = Field(0.99, ge=0, le=1)
    # window USD >= this percentile of the segment's totals
    total_peer_percentile: float = Field(0.5, ge=0, le=1)
    min_peers: int = 5  # active customers a segment needs before the peer checks apply


class FanInSettings(FanSettings):
    typology: str = "fan_in"


class FanOutSettings(FanSettings):
    typology: str = "fan_out"


class GatherScatterSettings(Detector):
    typology: str = "gather_scatter"
    window_days: int = 3  # fan-in and the fan-out that follows within these days
    min_senders: int = 5  # distinct senders into the collector
    min_receivers: int = 3  # distinct receivers out of the collector
    min_out_ratio: float = 0.7  # USD out after the first inflow / USD in
    history_days: int = 84  # baseline for the collector's usual counterparty counts
    history_multiplier: float = 3.0  # senders >= this x the busiest baseline window


class ScatterGatherSettings(Detector):
    typology: str = "scatter_gather"
    window_days: int = 7  # source -> intermediaries -> sink within these days
    min_intermediaries: int = 3  # distinct intermediaries between one source and one sink
    min_hop_ratio: float = 0.7  # forwarded USD / received USD at each intermediary, at least
    max_hop_ratio: float = 1.05  # and at most (forwarding more than received is something else)
    # scattered leg >= this percentile of the window's payments
    min_amount_percentile: float = Field(0.25, ge=0, le=1)
    # forwarding legs kept per intermediary (bounded on hubs)
    max_legs_per_intermediary: int = Field(50, ge=1)


class CycleSettings(Detector):
    typology: str = "cycle"
    window_days: int = 14  # the whole cycle, first hop to return, within these days
    min_length: int = 2  # edges in the cycle (2 = out and back through one intermediary)
    max_length: int = 6  # up to 5 intermediaries
    # first hop >= this percentile of the window's payments
    min_amount_percentile: float = Field(0.5, ge=0, le=1)
    # partial paths kept per node and length, best retention first
    max_paths_per_node: int = Field(50, ge=1)
    min_hop_ratio: float = 0.7  # each hop carries at least this share of the previous hop
    max_hop_ratio: float = 1.05  # and at most this share
    min_return_ratio: float = 0.8  # returned USD / first hop USD, at least
    exclude_own_accounts: bool = (
        True  # counterparties registered as the customer's own (identifiers)
    )


class PeelChainSettings(Detector):
    typology: str = "peel_chain"
    lookback_days: int = 14  # customer withdrawals this recent are followed on-chain
    min_hops: int = 3  # consecutive peels needed
    max_hops: int = 8  # hops followed at most
    max_peel_share: float = 0.25  # the peeled part / what the hop received, at most
    min_remainder_share: float = 0.6  # the forwarded remainder / what the hop received, at least
    max_hop_hours: int = 72  # hours between receiving and forwarding at each hop
    require_fresh: bool = True  # every remainder address must be new (first funded by this hop)


class DormantSettings(Detector):
    typology: str = "dormant_reactivation"
    dormant_days: int = 180  # days without any activity of the holder before D
    # USD moved on D (in + out) >= this percentile of the USD each active customer moved in
    # turnover_days: a reactivation moving in one day what only the busiest customers move in a
    # month (0 = no size test)
    turnover_percentile: float = Field(0.8, ge=0, le=1)
    turnover_days: int = Field(30, ge=1)  # days of turnover that level is taken over
    max_lookback_days: int = 400  # history read to find the previous activity
    # inbound credits on these rails are made by another customer, not the holder: they do not
    # end a dormancy (a dormant account credited small amounts is still dormant)
    third_party_credit_rails: list[str] = Field(default_factory=lambda: ["internal"])


class HighRiskJurisdictionSettings(Detector):
    typology: str = "high_risk_jurisdiction"
    severity: Severity = "medium"  # lists not named in severity_by_list
    window_days: int = 30  # flows summed over these days ending on D
    # USD to/from listed countries in the window >= this percentile of the USD each active
    # customer moved (in + out, trades excluded) in the same window: a small regular remittance
    # to a listed country stays below it (0 = no size test)
    turnover_percentile: float = Field(0.8, ge=0, le=1)
    # used only when conf/features.yaml has no high_risk_lists (one list of countries, one place)
    lists: list[CountryRiskList] = Field(default_factory=list)
    severity_by_list: dict[str, Severity] = Field(default_factory=dict)  # list name -> severity


class ExposureSettings(Detector):
    typology: str = "exposure"
    direct_typology: str = "direct_exposure"
    indirect_typology: str = "indirect_exposure"
    # category -> severity of a direct hit (indirect hits are one level lower)
    categories: dict[str, Severity] = Field(default_factory=dict)
    direct_min_usd: float = 0.0  # USD of direct exposure needed (0: any direct exposure counts)
    # hop-decayed indirect exposure / the USD the customer moved on-chain in that direction over
    # the exposure lookback (conf/graph.yaml exposure.lookback_days), at least: the share of the
    # customer's own funds that traces back to the category
    indirect_min_share: float = Field(0.1, ge=0, le=1)
    indirect_max_hops: int = 3  # hops beyond which indirect exposure is ignored
    # indirect hits whose (one-level-lower) severity is below this are not raised: low-risk
    # categories (gambling) stay in gold.exposure for scoring but do not alert on their own
    indirect_min_severity: Severity = "low"


class RapidConversionSettings(Detector):
    typology: str = "rapid_conversion"
    window_hours: int = 24  # fiat in -> trade -> on-chain out within these hours
    # USD deposited >= this percentile of the USD each active customer moved (in + out, trades
    # excluded) in turnover_days: converting in hours what only the busiest customers move in a
    # month (0 = no size test)
    turnover_percentile: float = Field(0.8, ge=0, le=1)
    turnover_days: int = Field(30, ge=1)  # days of turnover that level is taken over
    min_ratio: float = 0.8  # traded and withdrawn USD / deposited USD, at least
    include_reverse: bool = True  # crypto in -> sell -> fiat out as well


class ProfileSettings(Detector):
    typology: str = "profile_mismatch"
    volume_expression: str = "turnover_usd_30d"  # gold.features expression, USD per 30 days
    # volume >= this percentile of the segment's volumes (customers with some volume) before a
    # mismatch matters: ordinary activity far above a tiny declared volume is not a case
    min_volume_percentile: float = Field(0.95, ge=0, le=1)
    declared_multiplier: float = 5.0  # volume >= this x declared expected monthly volume
    peer_multiplier: float = 10.0  # volume >= this x the segment median volume
    peer_min_percentile: float = Field(0.999, gt=0.0, lt=1.0)  # and at/above this segment quantile
    min_peers: int = 5  # segment size needed for the peer comparison


class TypologiesSettings(Strict):
    # file name -> parsed content of conf/typologies/*.yaml; validated by the typologies domain
    rule_sets: dict[str, Any] = Field(default_factory=dict)
    segments: list[str] = Field(
        default_factory=lambda: ["retail", "hnw", "merchant", "institutional"]
    )
    max_txn_ids: int = 50  # transaction ids kept per hit
    structuring: StructuringSettings = Field(default_factory=StructuringSettings)
    pass_through: PassThroughSettings = Field(default_factory=PassThroughSettings)
    fan_in: FanInSettings = Field(default_factory=FanInSettings)
    fan_out: FanOutSettings = Field(default_factory=FanOutSettings)
    gather_scatter: GatherScatterSettings = Field(default_factory=GatherScatterSettings)
    scatter_gather: ScatterGatherSettings = Field(default_factory=ScatterGatherSettings)
    cycle: CycleSettings = Field(default_factory=CycleSettings)
    peel_chain: PeelChainSettings = Field(default_factory=PeelChainSettings)
    dormant: DormantSettings = Field(default_factory=DormantSettings)
    high_risk_jurisdiction: HighRiskJurisdictionSettings = Field(
        default_factory=HighRiskJurisdictionSettings
    )
    exposure: ExposureSettings = Field(default_factory=ExposureSettings)
    rapid_conversion: RapidConversionSettings = Field(default_factory=RapidConversionSettings)
    profile: ProfileSettings = Field(default_factory=ProfileSettings)

    @model_validator(mode="after")
    def _excluded_segments_are_known(self) -> "TypologiesSettings":
        """A misspelt segment in a detector's exclude_segments would silently exclude nothing."""
        for name in type(self).model_fields:
            detector = getattr(self, name)
            unknown = sorted(set(getattr(detector, "exclude_segments", [])) - set(self.segments))
            if unknown:
                raise ValueError(
                    f"typologies.{name}.exclude_segments: unknown segment(s) {unknown}; "
                    f"expected some of {self.segments}"
                )
        return self
