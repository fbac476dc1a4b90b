"""Settings of the ingest step (conf/ingest.yaml)."""

from __future__ import annotations

from pydantic import Field, model_validator

from fcc.core.settings._base import Strict

_FIAT = ["USD", "EUR", "GBP", "CHF", "JPY", "CAD", "AUD", "SGD", "HKD", "AED", "TRY", "BRL", "NGN"]


class IngestSettings(Strict):
    # Rows whose event time is later than the end of D plus this many minutes are not D's: a row
    # that landed after its event (plus this) waits for the night that covers it, any other is
    # quarantined as FUTURE_TIMESTAMP (clock skew between source systems is tolerated up to this).
    future_tolerance_minutes: int = Field(default=15, ge=0, le=1440)
    # Hours after the end of D within which D's feeds land: the run for D reads bronze rows
    # landed before end of D plus this (6 = daily files arriving by 06:00 UTC belong to D).
    landing_window_hours: int = Field(default=6, ge=0, le=48)
    # True: quarantine keeps only the source keys of a rejected row, not the whole raw row.
    redact_raw: bool = False
    # Currency of amount_usd; an asset equal to it converts at exactly 1 without a rate row.
    base_currency: str = "USD"
    # ISO 4217 codes accepted on fiat rails and in trades / internal transfers.
    fiat_currencies: list[str] = Field(default_factory=lambda: list(_FIAT))
    # Crypto assets accepted (volatile, priced daily).
    crypto_assets: list[str] = Field(default_factory=lambda: ["BTC", "ETH", "TRX"])
    # Stablecoins accepted (asset_class stablecoin).
    stablecoins: list[str] = Field(default_factory=lambda: ["USDT", "USDC"])

    @model_validator(mode="after")
    def _upper_and_disjoint(self) -> IngestSettings:
        self.base_currency = self.base_currency.upper()
        self.fiat_currencies = [c.upper() for c in self.fiat_currencies]
        self.crypto_assets = [c.upper() for c in self.crypto_assets]
        self.stablecoins = [c.upper() for c in self.stablecoins]
        groups = [set(self.fiat_currencies), set(self.crypto_assets), set(self.stablecoins)]
        overlap = (groups[0] & groups[1]) | (groups[0] & groups[2]) | (groups[1] & groups[2])
        if overlap:
            raise ValueError(f"assets listed in more than one class: {sorted(overlap)}")
        return self
