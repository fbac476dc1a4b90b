"""Settings of the scoring step (conf/scoring.yaml): the customer risk scorecard."""

from __future__ import annotations

from pydantic import Field, model_validator

from fcc.core.settings._base import Strict


class Tiers(Strict):
    """Lower bounds of each tier on the 0-100 score; below `medium` is `low`."""

    medium: float = 25
    high: float = 50
    very_high: float = 75

    @model_validator(mode="after")
    def _ordered(self) -> Tiers:
        if not 0 < self.medium < self.high < self.very_high <= 100:
            raise ValueError("tiers must satisfy 0 < medium < high < very_high <= 100")
        return self


class KycFactors(Strict):
    high_risk_residence_points: float = 15
    high_risk_nationality_points: float = 10
    pep_points: float = 20
    segment_points: dict[str, float] = Field(default_factory=dict)
    high_risk_occupations: list[str] = Field(default_factory=list)
    high_risk_occupation_points: float = 10
    new_customer_days: int = Field(default=90, ge=0)
    new_customer_points: float = 5


class BehaviourFactor(Strict):
    """Points when a gold.features column is strictly above a threshold."""

    feature: str
    above: float
    points: float
    meaning: str = ""


class ExposureFactors(Strict):
    category_points: dict[str, float] = Field(default_factory=dict)
    indirect_multiplier: float = Field(default=0.5, ge=0, le=1)
    min_exposure_usd: float = Field(default=0, ge=0)


class ScreeningFactors(Strict):
    open_hit_points: float = 35


class RuleHitFactors(Strict):
    severity_points: dict[str, float] = Field(default_factory=dict)


class AlertHistoryFactors(Strict):
    lookback_days: int = Field(default=180, ge=1)
    points_per_alert: float = 5
    true_positive_points: float = 15


class ClusterFactors(Strict):
    min_size: int = Field(default=3, ge=2)
    size_points: float = 5
    flagged_member_points: float = 10


class CommunityFactors(Strict):
    """Guilt by association over gold.flow_communities (group `cluster`)."""

    min_size: int = Field(default=3, ge=2)  # communities of at least N customers
    # share of the customer's fellow members flagged on D (a rule hit or an open screening hit)
    # at or above which the factor fires
    min_flagged_share: float = Field(default=0.5, gt=0, le=1)
    flagged_share_points: float = 10
    # the member the community's payments flow to most (highest PageRank), in such a community
    central_member_points: float = 5
    evidence_max_members: int = Field(default=10, ge=1)  # flagged members named in the value


class ScoringSettings(Strict):
    tiers: Tiers = Field(default_factory=Tiers)
    group_caps: dict[str, float] = Field(default_factory=dict)
    kyc: KycFactors = Field(default_factory=KycFactors)
    behaviour: list[BehaviourFactor] = Field(default_factory=list)
    exposure: ExposureFactors = Field(default_factory=ExposureFactors)
    screening: ScreeningFactors = Field(default_factory=ScreeningFactors)
    rule_hits: RuleHitFactors = Field(default_factory=RuleHitFactors)
    alert_history: AlertHistoryFactors = Field(default_factory=AlertHistoryFactors)
    cluster: ClusterFactors = Field(default_factory=ClusterFactors)
    community: CommunityFactors = Field(default_factory=CommunityFactors)
