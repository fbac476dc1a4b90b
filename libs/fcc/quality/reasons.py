"""Reason codes of rejected rows and the checks that produce them.

A check is data: a reason code and a Column that is true when a row fails it. Checks whose
condition is null (an input it depends on is missing) do not fire, so a row missing its
amount gets MISSING_FIELD:amount and not also NON_POSITIVE_AMOUNT.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

REASONS = "_reasons"

NON_POSITIVE_AMOUNT = "NON_POSITIVE_AMOUNT"
UNKNOWN_CURRENCY = "UNKNOWN_CURRENCY"
NO_FX_RATE = "NO_FX_RATE"
FUTURE_TIMESTAMP = "FUTURE_TIMESTAMP"
UNKNOWN_CUSTOMER = "UNKNOWN_CUSTOMER"
MALFORMED_ADDRESS = "MALFORMED_ADDRESS"


def missing_field(column: str) -> str:
    """Reason code of a required field that is null or blank."""
    return f"MISSING_FIELD:{column}"


def bad_type(column: str) -> str:
    """Reason code of a field that is present but does not parse as its type or domain."""
    return f"BAD_TYPE:{column}"


@dataclass(frozen=True)
class Check:
    code: str
    fails: Column


def is_missing(c: Column | str) -> Column:
    """True when the value is null or a blank string."""
    c = F.col(c) if isinstance(c, str) else c
    return c.isNull() | (F.trim(c.cast("string")) == "")


def required(*columns: str) -> list[Check]:
    """MISSING_FIELD checks for raw bronze columns."""
    return [Check(missing_field(c), is_missing(c)) for c in columns]


def parses(raw: str, typed: Column) -> Check:
    """BAD_TYPE check: the raw value is present but its typed form is null."""
    return Check(bad_type(raw), ~is_missing(raw) & typed.isNull())


def with_reasons(checks: Sequence[Check]) -> Callable[[DataFrame], DataFrame]:
    """Add `_reasons`: the codes of every failing check, in check order (empty when valid)."""

    def _apply(df: DataFrame) -> DataFrame:
        codes = F.array(*[F.when(c.fails, F.lit(c.code)) for c in checks])
        return df.withColumn(REASONS, F.filter(codes, lambda x: x.isNotNull()))

    return _apply


def is_valid() -> Column:
    """True for rows without reason codes."""
    return F.size(F.col(REASONS)) == 0
