"""Shared pieces of the ingest adapters: run context, parsers, FX and customer lookups."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql import types as T

from fcc.core.lakehouse import Lakehouse
from fcc.core.settings.ingest import IngestSettings
from fcc.core.tables import AMOUNT, USD, TableSpec
from fcc.ingest.addresses import trim_whitespace
from fcc.quality.reasons import Check, bad_type, is_missing, missing_field

RAW = "r_"  # prefix of the raw bronze columns inside an adapter
RATE = T.DecimalType(38, 12)
_EPOCH = r"^[0-9]{1,11}(\.[0-9]{1,9})?$"
_ISO_DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"


@dataclass
class IngestContext:
    """What one ingest run of business date `as_of` needs besides the bronze rows."""

    lakehouse: Lakehouse
    settings: IngestSettings
    as_of: date
    run_id: str
    now: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def day_end(self) -> datetime:
        """First instant after D (UTC): rows landed before it belong to D's run."""
        return datetime.combine(self.as_of + timedelta(days=1), time(0), tzinfo=UTC)

    @property
    def landing_cutoff(self) -> datetime:
        """First landing instant not read by D's run: end of D plus the landing window."""
        return self.day_end + timedelta(hours=self.settings.landing_window_hours)

    @property
    def future_cutoff(self) -> datetime:
        """Latest acceptable event time: end of D plus the configured tolerance."""
        return self.day_end + timedelta(minutes=self.settings.future_tolerance_minutes)

    def rates(self) -> DataFrame:
        from fcc.core.tables import silver

        return self.lakehouse.read(silver.FX_RATES).select("rate_date", "currency", "usd_per_unit")

    def customer_ids(self) -> DataFrame:
        from fcc.core.tables import silver

        return self.lakehouse.read(silver.CUSTOMERS).select("customer_id").distinct()


@dataclass(frozen=True)
class Source:
    """How one bronze table becomes silver rows.

    `validate` adds typed columns, the silver key columns `match_keys` and `_reasons`;
    `to_silver` turns accepted rows into rows of the silver table (`legs` rows each).
    `version` names a column for upsert sources: an accepted row replaces the silver row when
    its version is better (`max` or `min`); without it a source is insert-only.
    `clock` is the raw column holding the row's event time and its parser: a row whose event
    time is early for D (after D's future cutoff) but not after its own landing is deferred to
    the night whose window covers it instead of being quarantined.
    """

    bronze: TableSpec
    silver: TableSpec
    required: tuple[str, ...]
    validate: Callable[[DataFrame, IngestContext], DataFrame]
    to_silver: Callable[[DataFrame, IngestContext], DataFrame]
    match_keys: tuple[str, ...]
    version: str | None = None
    version_wins: str = "max"
    legs: int = 1
    late_dates: bool = False
    clock: tuple[str, Callable[[Column], Column]] | None = None

    @property
    def name(self) -> str:
        return self.bronze.name


def r(name: str) -> Column:
    """The raw bronze column `name` inside an adapter."""
    return F.col(RAW + name)


def strip(c: Column) -> Column:
    """Trim leading and trailing ASCII whitespace; blank becomes null."""
    s = trim_whitespace(c.cast("string"))
    return F.when(s != "", s)


def required(*names: str) -> list[Check]:
    """MISSING_FIELD checks on raw columns."""
    return [Check(missing_field(n), is_missing(r(n))) for n in names]


def parses(name: str, typed: Column | str) -> Check:
    """BAD_TYPE check: raw column present, typed value null."""
    typed = F.col(typed) if isinstance(typed, str) else typed
    return Check(bad_type(name), ~is_missing(r(name)) & typed.isNull())


def iso_ts(c: Column) -> Column:
    """ISO 8601 timestamp (any offset, or none = UTC) -> UTC timestamp; null when unparseable."""
    return strip(c).try_cast(T.TimestampType())


def iso_or_epoch_ts(c: Column) -> Column:
    """Like iso_ts, but a number is read as epoch seconds."""
    s = strip(c)
    return F.when(s.rlike(_EPOCH), F.timestamp_seconds(s.try_cast(T.DecimalType(20, 9)))).otherwise(
        s.try_cast(T.TimestampType())
    )


def iso_date(c: Column) -> Column:
    """yyyy-MM-dd -> date; partial or malformed dates are null."""
    s = strip(c)
    return F.when(s.rlike(_ISO_DATE), s.try_cast(T.DateType()))


def partial_date(c: Column) -> Column:
    """yyyy, yyyy-MM or yyyy-MM-dd (a real year / month / day) -> the same string; else null.

    A date of birth is often known to the year or month only (KYC, PEP data, the lists):
    it is kept at the precision given, never completed to a day.
    """
    s = strip(c)
    return (
        F.when(s.rlike(_ISO_DATE) & s.try_cast(T.DateType()).isNotNull(), s)
        .when(
            s.rlike(r"^[0-9]{4}-[0-9]{2}$")
            & F.concat(s, F.lit("-01")).try_cast(T.DateType()).isNotNull(),
            s,
        )
        .when(s.rlike(r"^[0-9]{4}$") & (s.cast("int") > 0), s)
    )


def date_precision(partial: Column) -> Column:
    """day | month | year of a partial_date value."""
    n = F.length(partial)
    return F.when(n == 10, "day").when(n == 7, "month").when(n == 4, "year")


def decimal(c: Column, dtype: T.DecimalType = AMOUNT) -> Column:
    """Decimal string -> exact decimal; null when unparseable or too large."""
    return strip(c).try_cast(dtype)


def country(c: Column) -> Column:
    """ISO alpha-2 upper-cased; anything else null."""
    s = F.upper(strip(c))
    return F.when(s.rlike("^[A-Z]{2}$"), s)


def asset_class(asset: Column, s: IngestSettings) -> Column:
    """fiat | crypto | stablecoin per configuration; null for an unknown asset."""
    return (
        F.when(asset.isin(s.fiat_currencies), F.lit("fiat"))
        .when(asset.isin(s.stablecoins), F.lit("stablecoin"))
        .when(asset.isin(s.crypto_assets), F.lit("crypto"))
    )


def with_rate(
    rates: DataFrame, asset: str, on_date: str, out: str, base: str
) -> Callable[[DataFrame], DataFrame]:
    """Add `out`: USD per unit of `asset` on `on_date` (1 for the base currency, else the rate)."""

    def _apply(df: DataFrame) -> DataFrame:
        rr = rates.select(
            F.col("rate_date").alias(f"{out}__d"),
            F.col("currency").alias(f"{out}__c"),
            F.col("usd_per_unit").cast(RATE).alias(f"{out}__r"),
        )
        joined = df.join(
            rr,
            (F.col(on_date) == F.col(f"{out}__d")) & (F.col(asset) == F.col(f"{out}__c")),
            "left",
        )
        rate = F.when(F.col(asset) == F.lit(base), F.lit(1).cast(RATE)).otherwise(
            F.col(f"{out}__r")
        )
        return joined.withColumn(out, rate).drop(f"{out}__d", f"{out}__c", f"{out}__r")

    return _apply


def usd(amount: Column, rate: Column) -> Column:
    """amount x rate rounded HALF_UP to 6 decimals; null on overflow or missing rate."""
    return F.round(F.try_multiply(amount.cast(AMOUNT), rate.cast(RATE)), 6).try_cast(USD)


def with_known_customer(ids: DataFrame, column: str, flag: str) -> Callable[[DataFrame], DataFrame]:
    """Add boolean `flag`: the customer in `column` exists in silver.customers."""

    def _apply(df: DataFrame) -> DataFrame:
        known = ids.select(F.col("customer_id").alias(f"{flag}__id"), F.lit(True).alias(flag))
        joined = df.join(known, F.col(column) == F.col(f"{flag}__id"), "left")
        return joined.withColumn(flag, F.coalesce(F.col(flag), F.lit(False))).drop(f"{flag}__id")

    return _apply
