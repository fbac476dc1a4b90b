"""Settings of the synthetic data generator (conf/synth.yaml)."""

from __future__ import annotations

from pydantic import Field, field_validator

from fcc.core.settings._base import Strict


class TypologyRates(Strict):
    """Planted instances per 10,000 customers, per typology tag."""

    structuring: float = 20.0
    pass_through: float = 15.0
    fan_in: float = 8.0
    fan_out: float = 8.0
    cycle: float = 10.0
    scatter_gather: float = 5.0
    gather_scatter: float = 5.0
    peel_chain: float = 8.0
    direct_exposure: float = 15.0
    indirect_exposure: float = 15.0
    dormant_reactivation: float = 10.0
    high_risk_jurisdiction: float = 12.0
    synthetic_identity_ring: float = 5.0
    watchlist_name_variant: float = 10.0
    profile_mismatch: float = 10.0
    rapid_conversion: float = 12.0


class SegmentMix(Strict):
    """Share of customers per segment (normalised to 1)."""

    retail: float = 0.85
    hnw: float = 0.05
    merchant: float = 0.07
    institutional: float = 0.03


class SegmentActivity(Strict):
    """Background behaviour of one segment."""

    events_per_day: float  # median events per active customer-day (customer rates vary lognormally)
    amount_usd: float  # median transaction amount in USD
    weekend_factor: float  # activity on Saturday / Sunday relative to a weekday


def _activity() -> dict[str, SegmentActivity]:
    return {
        "retail": SegmentActivity(events_per_day=0.12, amount_usd=250.0, weekend_factor=0.8),
        "hnw": SegmentActivity(events_per_day=0.35, amount_usd=4000.0, weekend_factor=0.6),
        "merchant": SegmentActivity(events_per_day=2.5, amount_usd=600.0, weekend_factor=0.5),
        "institutional": SegmentActivity(
            events_per_day=5.0, amount_usd=40000.0, weekend_factor=0.3
        ),
    }


class Lookalikes(Strict):
    """Legitimate behaviour that resembles a typology (the source of false positives)."""

    payroll_merchant_share: float = 0.4  # share of merchants paying monthly payroll (fan-out)
    payroll_employees_max: int = 40  # largest payroll, in employees
    frequent_trader_share: float = 0.02  # share of retail customers trading many times a day
    market_maker_share: float = 0.4  # share of institutional customers moving funds in and out fast
    regular_below_threshold_share: float = (
        0.01  # share paid a fixed monthly sum just under USD 10,000
    )
    remittance_share: float = 0.02  # share sending small monthly wires to a grey-list country
    household_share: float = (
        0.06  # share of customers living in 2-5 person households sharing an IP
    )
    office_share: float = 0.05  # share of customers behind an office NAT IP
    office_size: int = 60  # mean customers per office IP
    public_ip_hubs: int = 3  # carrier-grade NAT / public Wi-Fi IPs shared by very many customers
    public_ip_share: float = 0.08  # share of customers seen on one of those hub IPs
    pep_share: float = 0.005  # share of customers that are true politically exposed persons
    namesake_share: float = 0.003  # share sharing a family name with a watchlist entry


class SynthSettings(Strict):
    """What the generator plants and how the background population behaves."""

    typology_rates: TypologyRates = Field(default_factory=TypologyRates)
    min_instances_per_typology: int = 1  # every typology appears at least this often
    max_planted_share: float = 0.5  # refuse configs that would make more customers suspicious
    segment_mix: SegmentMix = Field(default_factory=SegmentMix)
    activity: dict[str, SegmentActivity] = Field(default_factory=_activity)
    amount_sigma: float = 1.0  # log-scale spread of amounts around a customer's median
    amount_scale: float = Field(1.0, gt=0)  # every amount times this, except threshold-bound ones
    background_density: float = Field(1.0, gt=0)  # everyday events per customer-day times this
    pareto_share: float = 0.03  # share of amounts drawn from the Pareto tail
    pareto_alpha: float = 1.5  # tail index of that Pareto tail (smaller = heavier)
    reporting_threshold_usd: float = 10000.0  # cash / currency transaction reporting threshold
    structuring_band: tuple[float, float] = (0.80, 0.99)  # structured amounts as share of it
    high_risk_countries: list[str] = Field(
        default_factory=lambda: [
            "KP",
            "IR",
            "MM",
            "DZ",
            "AO",
            "BO",
            "BG",
            "CM",
            "CD",
            "HT",
            "KE",
            "LA",
            "LB",
            "MC",
            "NA",
            "NP",
            "SS",
            "SY",
            "VE",
            "VN",
            "YE",
        ]
    )
    watchlist_entries_per_10k: float = 20.0  # synthetic sanctions entries per 10,000 customers
    min_watchlist_entries: int = 30  # at least this many synthetic sanctions entries
    expat_share: float = 0.15  # customers living outside their culture's countries
    native_script_share: float = 0.6  # non-Latin-culture names captured in their own script
    lookalikes: Lookalikes = Field(default_factory=Lookalikes)

    @field_validator("activity")
    @classmethod
    def _all_segments(cls, v: dict[str, SegmentActivity]) -> dict[str, SegmentActivity]:
        missing = {"retail", "hnw", "merchant", "institutional"} - set(v)
        if missing:
            raise ValueError(f"activity lacks segments {sorted(missing)}")
        return v
