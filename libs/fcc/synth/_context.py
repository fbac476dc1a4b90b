"""Run context of one generation: sizes, window, seed and the customer-index layout."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from pyspark.sql import Column, SparkSession
from pyspark.sql import functions as F

from fcc.core.settings.synth import SynthSettings
from fcc.synth import _rand as R
from fcc.synth._reference import FX

DAY = 86400
FX_EPOCH = int(datetime(2020, 1, 1, tzinfo=UTC).timestamp())
HISTORY_DAYS = 730  # dormant accounts' past activity and FX rates reach this far back
LANDING_HOUR = 2  # a day's feed lands at 02:00 UTC the next morning

# (typology tag, customers reserved per instance, min members, max members)
SLOTS: list[tuple[str, int, int, int]] = [
    ("structuring", 3, 1, 3),
    ("pass_through", 1, 1, 1),
    ("fan_in", 4, 1, 4),
    ("fan_out", 4, 1, 4),
    ("cycle", 4, 2, 4),
    ("scatter_gather", 9, 5, 9),
    ("gather_scatter", 7, 4, 7),
    ("peel_chain", 1, 1, 1),
    ("direct_exposure", 1, 1, 1),
    ("indirect_exposure", 1, 1, 1),
    ("dormant_reactivation", 1, 1, 1),
    ("high_risk_jurisdiction", 1, 1, 1),
    ("synthetic_identity_ring", 8, 3, 8),
    ("watchlist_name_variant", 1, 1, 1),
    ("profile_mismatch", 1, 1, 1),
    ("rapid_conversion", 1, 1, 1),
]
HOUSEHOLD_SLOT = 5


@dataclass(frozen=True)
class Block:
    tag: str
    base: int
    count: int
    slot: int
    lo: int
    hi: int


@dataclass
class Ctx:
    spark: SparkSession
    seed: int
    n: int
    days: int
    end_date: date
    cfg: SynthSettings
    blocks: dict[str, Block] = field(default_factory=dict)
    n_entries: int = 0

    @property
    def start_unix(self) -> int:
        end = int(
            datetime(
                self.end_date.year, self.end_date.month, self.end_date.day, tzinfo=UTC
            ).timestamp()
        )
        return end - (self.days - 1) * DAY

    @property
    def end_unix(self) -> int:
        return self.start_unix + self.days * DAY

    @property
    def initial_day(self) -> date:
        """The last day before the window: what was known then lands in one initial load."""
        return self.end_date - timedelta(days=self.days)

    def initial_batch(self, prefix: str) -> list[Column]:
        """batch_id and landed_at of a source loaded once, at the window's start (00:00 UTC)."""
        return [
            F.lit(prefix + self.initial_day.strftime("%Y%m%d")).alias("batch_id"),
            F.timestamp_seconds(F.lit(self.start_unix)).alias("landed_at"),
        ]

    def daily_batch(self, prefix: str, ts: Column) -> list[Column]:
        """batch_id and landed_at of a daily feed row with event time `ts` (unix seconds).

        A day's rows land together the next morning at LANDING_HOUR, in batch
        `<prefix>YYYYMMDD` of their UTC day; rows dated before the window land in the initial
        load `<prefix>init-YYYYMMDD` at the window's start (a migration, not one batch per day).
        """
        day0 = F.floor(ts / DAY) * DAY
        before = ts < F.lit(self.start_unix)
        daily_id = F.concat(F.lit(prefix), F.from_unixtime(day0.cast("long"), "yyyyMMdd"))
        landed = day0 + (DAY + LANDING_HOUR * 3600)
        return [
            F.when(before, F.lit(prefix + "init-" + self.initial_day.strftime("%Y%m%d")))
            .otherwise(daily_id)
            .alias("batch_id"),
            F.timestamp_seconds(
                F.when(before, F.lit(self.start_unix)).otherwise(landed).cast("long")
            ).alias("landed_at"),
        ]

    # randomness bound to the run seed
    def u(self, salt: str, *keys) -> Column:
        return R.u(self.seed, salt, *keys)

    def between(self, salt: str, lo, hi, *keys) -> Column:
        return R.between(self.seed, salt, lo, hi, *keys)

    def uniform(self, salt: str, lo, hi, *keys) -> Column:
        return R.uniform(self.seed, salt, lo, hi, *keys)

    def lognormal(self, salt: str, median, sigma, *keys) -> Column:
        return R.lognormal(self.seed, salt, median, sigma, *keys)

    def cid(self, idx: Column) -> Column:
        return R.customer_id(self.seed, idx)

    def fx(self, currency: Column, ts: Column) -> Column:
        """USD per unit of `currency` on the UTC day of unix time `ts` (matches bronze fx_rates)."""
        day = F.floor((ts - F.lit(FX_EPOCH)) / DAY)
        base = R.lookup({c: b for c, b, _, _ in FX}, currency, 1.0)
        vol = R.lookup({c: v for c, _, v, _ in FX}, currency, 0.0)
        p1 = self.u("fxp1", currency) * (2 * math.pi)
        p2 = self.u("fxp2", currency) * (2 * math.pi)
        wave = (
            F.lit(9.0) * F.sin(day * (2 * math.pi / 211.0) + p1)
            + F.lit(4.0) * F.sin(day * (2 * math.pi / 37.0) + p2)
            + F.lit(1.5) * (self.u("fxd", currency, day) - 0.5)
        )
        return base * F.exp(vol * wave)


def threshold_bound(ctx: Ctx, usd: Column | float) -> Column | float:
    """A USD amount defined by the absolute reporting threshold, made to stay at it once the
    writers apply the amount scale (a regulation's threshold does not scale with the data)."""
    return usd / ctx.cfg.amount_scale


def build_layout(ctx: Ctx) -> None:
    """Reserve contiguous index blocks for planted instances and households; the rest is background."""
    rates = ctx.cfg.typology_rates.model_dump()
    base = 0
    for tag, slot, lo, hi in SLOTS:
        count = max(ctx.cfg.min_instances_per_typology, round(rates[tag] * ctx.n / 10_000))
        ctx.blocks[tag] = Block(tag, base, count, slot, lo, hi)
        base += count * slot
    if base > ctx.cfg.max_planted_share * ctx.n:
        raise ValueError(
            f"{ctx.n} customers are too few for the planted typologies ({base} reserved); "
            f"use more customers or lower synth.typology_rates"
        )
    households = int(ctx.cfg.lookalikes.household_share * ctx.n / 3.5)
    households = min(households, (ctx.n - base) // HOUSEHOLD_SLOT)
    ctx.blocks["household"] = Block("household", base, households, HOUSEHOLD_SLOT, 2, 5)
    ctx.n_entries = max(
        ctx.cfg.min_watchlist_entries, round(ctx.cfg.watchlist_entries_per_10k * ctx.n / 10_000)
    )
