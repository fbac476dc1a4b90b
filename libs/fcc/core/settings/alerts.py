"""Settings of the alerts step (conf/alerts.yaml)."""

from __future__ import annotations

from pydantic import Field

from fcc.core.settings._base import Strict


class ExposureCase(Strict):
    """Open an exposure case straight from gold.exposure for these categories."""

    categories: list[str] = Field(default_factory=lambda: ["sanctioned"])
    direct_only: bool = True
    min_exposure_usd: float = Field(default=0, ge=0)
    severity: str = "critical"


class Priority(Strict):
    severity_weight: float = Field(default=0.6, ge=0, le=1)  # the rest weighs the risk score
    severity_scores: dict[str, float] = Field(
        default_factory=lambda: {"low": 25, "medium": 50, "high": 75, "critical": 100}
    )
    p1: float = 80
    p2: float = 60
    p3: float = 40


class AlertsSettings(Strict):
    suppression_window_days: int = Field(default=30, ge=0)
    default_case_type: str = "transaction_monitoring"
    case_type_by_typology: dict[str, str] = Field(default_factory=dict)
    exposure_case: ExposureCase = Field(default_factory=ExposureCase)
    priority: Priority = Field(default_factory=Priority)
