"""Settings of the monitoring step (conf/monitoring.yaml)."""

from __future__ import annotations

from pydantic import Field

from fcc.core.settings._base import Strict


class DriftSettings(Strict):
    bins: int = Field(default=10, ge=2, le=100)
    watch: float = 0.1  # PSI at or above: watch
    shift: float = 0.25  # PSI above: significant shift (breach)
    baseline_days: int = Field(default=7, ge=1)  # compare D with the snapshot this many days earlier
    features: list[str] = Field(default_factory=list)


class KriSettings(Strict):
    control_window_days: int = Field(default=30, ge=3)
    sigma: float = Field(default=3.0, gt=0)
    min_history_days: int = Field(default=5, ge=2)
    max_quarantine_rate: float = Field(default=0.01, ge=0, le=1)


class MonitoringSettings(Strict):
    drift: DriftSettings = Field(default_factory=DriftSettings)
    kri: KriSettings = Field(default_factory=KriSettings)
