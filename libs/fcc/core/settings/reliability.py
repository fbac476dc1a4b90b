"""Settings of run leases and other run-safety guards (conf/reliability.yaml)."""

from __future__ import annotations

from pydantic import Field, model_validator

from fcc.core.settings._base import Strict


class LeaseSettings(Strict):
    enabled: bool = True  # a run takes the (job, as-of) lease in ops.leases before its first step
    expiry_minutes: float = Field(default=30.0, gt=0)  # no heartbeat for this long: abandoned
    heartbeat_seconds: float = Field(default=60.0, ge=0)  # renew interval; 0 = no background renew

    @model_validator(mode="after")
    def _heartbeat_within_expiry(self) -> LeaseSettings:
        if self.heartbeat_seconds >= self.expiry_minutes * 60:
            raise ValueError(
                f"heartbeat_seconds ({self.heartbeat_seconds}) must be shorter than "
                f"expiry_minutes ({self.expiry_minutes}) in seconds"
            )
        return self


class ReliabilitySettings(Strict):
    lease: LeaseSettings = Field(default_factory=LeaseSettings)
