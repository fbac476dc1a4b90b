"""Settings of the features step (conf/features.yaml)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import Field, field_validator, model_validator

from fcc.core.settings._base import Strict
from fcc.core.tables.gold_features import FEATURE_WINDOWS, RAIL_FAMILIES

# The families and windows are columns of the registered schemas, so config picks among them.
RAIL_FAMILY_NAMES = tuple(RAIL_FAMILIES)
SUPPORTED_WINDOWS = FEATURE_WINDOWS


class RailFamilies(Strict):
    """Which silver `rail` values belong to each rail family (the families are fixed columns)."""

    wire: list[str] = Field(default_factory=lambda: ["sepa", "swift", "ach", "faster_payments"])
    card: list[str] = Field(default_factory=lambda: ["card"])
    onchain: list[str] = Field(default_factory=lambda: ["onchain"])
    internal: list[str] = Field(default_factory=lambda: ["internal"])
    trade: list[str] = Field(default_factory=lambda: ["trade"])

    @model_validator(mode="after")
    def _disjoint(self) -> RailFamilies:
        seen: dict[str, str] = {}
        for family in RAIL_FAMILY_NAMES:
            for rail in getattr(self, family):
                if rail in seen:
                    raise ValueError(f"rail {rail!r} is in both {seen[rail]} and {family}")
                seen[rail] = family
        return self


class ReportingThreshold(Strict):
    """A cash-reporting threshold; credits in [band_low_share * amount_usd, amount_usd) are 'just below'."""

    name: str
    amount_usd: Decimal = Field(gt=0)
    band_low_share: Decimal = Field(default=Decimal("0.8"), gt=0, lt=1)


class CountryRiskList(Strict):
    """One published jurisdiction list (e.g. FATF call for action) with its publication date."""

    name: str
    published: date
    source: str = ""
    countries: list[str]

    @field_validator("countries")
    @classmethod
    def _iso2(cls, value: list[str]) -> list[str]:
        bad = [c for c in value if len(c) != 2 or not c.isalpha()]
        if bad:
            raise ValueError(f"not ISO alpha-2 country codes: {bad}")
        return [c.upper() for c in value]


class FeaturesSettings(Strict):
    windows_days: list[int] = Field(default_factory=lambda: list(SUPPORTED_WINDOWS))
    rail_families: RailFamilies = Field(default_factory=RailFamilies)
    cash_like_families: list[str] = Field(default_factory=lambda: ["wire", "card"])
    reporting_thresholds: list[ReportingThreshold] = Field(
        default_factory=lambda: [ReportingThreshold(name="us_ctr", amount_usd=Decimal("10000"))]
    )
    pass_through_hours: int = Field(default=24, gt=0, le=24 * 14)
    pass_through_out_families: list[str] = Field(default_factory=lambda: ["onchain"])
    velocity_baseline_days: int = Field(default=90, ge=7)
    dormancy_lookback_days: int = Field(default=730, ge=1)
    high_risk_lists: list[CountryRiskList] = Field(default_factory=list)

    @field_validator("windows_days")
    @classmethod
    def _windows(cls, value: list[int]) -> list[int]:
        bad = [w for w in value if w not in SUPPORTED_WINDOWS]
        if bad or not value:
            raise ValueError(
                f"windows must be a non-empty subset of {SUPPORTED_WINDOWS}, got {value}"
            )
        return sorted(set(value))

    @field_validator("cash_like_families", "pass_through_out_families")
    @classmethod
    def _families(cls, value: list[str]) -> list[str]:
        bad = [f for f in value if f not in RAIL_FAMILY_NAMES]
        if bad:
            raise ValueError(f"unknown rail families {bad}; known: {RAIL_FAMILY_NAMES}")
        return value

    @property
    def high_risk_countries(self) -> list[str]:
        """Union of every configured jurisdiction list, sorted."""
        return sorted({c for lst in self.high_risk_lists for c in lst.countries})
