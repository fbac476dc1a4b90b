"""Field mappings -> columns: pick, default, value-map, cast and render one target field.

Every field yields an output column (what bronze stores: strings as feeds deliver them,
timestamps as ISO 8601 with offset) and checks that send a row to quarantine.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql import types as T

from fcc.imports.mapping import EPOCH_FORMATS, FieldMap
from fcc.quality.reasons import Check, bad_type, missing_field

UNMAPPED = "UNMAPPED_VALUE"
MALFORMED_RECORD = "MALFORMED_RECORD"
CORRUPT = "_corrupt_record"
AMOUNT = T.DecimalType(38, 18)
_OFFSET = r"(Z|[+-][0-9]{2}(:?[0-9]{2})?)$"
_OFFSET_LETTERS = re.compile(r"[XxZOVz]")
_TRUE = ("TRUE", "T", "YES", "Y", "1")
_FALSE = ("FALSE", "F", "NO", "N", "0")
ISO_SECONDS = "yyyy-MM-dd'T'HH:mm:ss"


@dataclass(frozen=True)
class Target:
    """A field to compute: its mapping, semantic type and whether it is required."""

    name: str
    mapping: FieldMap
    kind_type: str
    required: bool


def quote(name: str) -> str:
    """Backquoted column name for Spark SQL."""
    return "`" + name.replace("`", "``") + "`"


def raw_column(fm: FieldMap) -> Column:
    """The source value of a field before any processing."""
    if fm.has_const:
        return F.lit(fm.const) if fm.const is not None else F.lit(None).cast("string")
    if fm.column is not None:
        return F.col(quote(fm.column))
    return F.expr(fm.expr)


def _clean(c: Column) -> Column:
    """Trimmed string; blank becomes null."""
    s = F.trim(c.cast("string"))
    return F.when(s != "", s)


def _plain_decimal(d: Column) -> Column:
    """Decimal -> string without exponent and without trailing fractional zeros."""
    s = d.cast("string")
    return F.regexp_replace(F.regexp_replace(s, r"(\.[0-9]*?)0+$", "$1"), r"\.$", "")


def utc_wall_to_iso(w: Column) -> Column:
    """UTC wall-clock TIMESTAMP_NTZ -> ISO 8601 string with +00:00 (fraction only when set)."""
    frac = F.date_format(w, "SSSSSS")
    body = F.when(frac == "000000", F.date_format(w, ISO_SECONDS)).otherwise(
        F.concat(F.date_format(w, ISO_SECONDS), F.lit("."), frac)
    )
    return F.concat(body, F.lit("+00:00"))


def utc_wall_to_instant(w: Column, session_tz: str) -> Column:
    """UTC wall-clock TIMESTAMP_NTZ -> TIMESTAMP (instant)."""
    return F.convert_timezone(F.lit("UTC"), F.lit(session_tz), w).cast("timestamp")


def _instant_to_utc_wall(ts: Column, session_tz: str) -> Column:
    return F.convert_timezone(F.lit(session_tz), F.lit("UTC"), ts.cast("timestamp_ntz"))


def _wall_to_utc_wall(wall: Column, tz: str) -> Column:
    return F.convert_timezone(F.lit(tz), F.lit("UTC"), wall)


def _timestamp(pre: Column, dtype: T.DataType, fm: FieldMap, tz: str, session_tz: str) -> Column:
    """Source value -> UTC wall-clock TIMESTAMP_NTZ (null when it does not parse)."""
    if isinstance(dtype, T.TimestampType):
        return _instant_to_utc_wall(pre, session_tz)
    if isinstance(dtype, T.TimestampNTZType):
        return _wall_to_utc_wall(pre, tz)
    if isinstance(dtype, T.DateType):
        return _wall_to_utc_wall(pre.cast("timestamp_ntz"), tz)
    s = _clean(pre)
    if fm.steps is not None:
        n = s.try_cast(T.LongType())
        seconds = F.lit(fm.steps.start_epoch_seconds) + n * F.lit(fm.steps.length_seconds)
        return _instant_to_utc_wall(F.timestamp_seconds(seconds), session_tz)
    if fm.format in EPOCH_FORMATS:
        n = s.try_cast(T.DecimalType(20, 3))
        if fm.format == "epoch_millis":
            n = n / 1000
        return _instant_to_utc_wall(F.timestamp_seconds(n), session_tz)
    if fm.format:
        parsed = F.try_to_timestamp(s, F.lit(fm.format))
        if _OFFSET_LETTERS.search(re.sub(r"'[^']*'", "", fm.format)):
            return _instant_to_utc_wall(parsed, session_tz)
        return _wall_to_utc_wall(parsed.cast("timestamp_ntz"), tz)
    with_offset = _instant_to_utc_wall(s.try_cast(T.TimestampType()), session_tz)
    naive = _wall_to_utc_wall(s.try_cast(T.TimestampNTZType()), tz)
    return F.when(s.rlike(_OFFSET), with_offset).otherwise(naive)


def _date(pre: Column, dtype: T.DataType, fm: FieldMap) -> Column:
    if isinstance(dtype, (T.DateType, T.TimestampType, T.TimestampNTZType)):
        return pre.cast("date")
    s = _clean(pre)
    if fm.format:
        return F.to_date(F.try_to_timestamp(s, F.lit(fm.format)))
    return F.when(s.rlike(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}"), s.try_cast(T.DateType()))


def _partial_date(pre: Column, dtype: T.DataType, fm: FieldMap) -> Column:
    """A date of birth at the precision the source has: yyyy, yyyy-MM or yyyy-MM-dd string.

    With a format, its letters decide the precision (yyyy -> year, MM/yyyy -> month, a pattern
    with d -> day); nothing is completed to 1 January.
    """
    if isinstance(dtype, (T.DateType, T.TimestampType, T.TimestampNTZType)):
        return F.date_format(pre.cast("date"), "yyyy-MM-dd")
    s = _clean(pre)
    if fm.format:
        letters = re.sub(r"'[^']*'", "", fm.format)
        out = "yyyy-MM-dd" if "d" in letters else ("yyyy-MM" if "M" in letters else "yyyy")
        return F.date_format(F.try_to_timestamp(s, F.lit(fm.format)), out)
    full = s.rlike(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$") & s.try_cast(T.DateType()).isNotNull()
    month = (
        s.rlike(r"^[0-9]{4}-[0-9]{2}$")
        & F.concat(s, F.lit("-01")).try_cast(T.DateType()).isNotNull()
    )
    return F.when(full | month | s.rlike(r"^[0-9]{4}$"), s)


def _boolean(pre: Column, dtype: T.DataType) -> Column:
    if isinstance(dtype, T.BooleanType):
        return pre
    if isinstance(dtype, T.NumericType):
        return pre != 0
    u = F.upper(_clean(pre))
    return F.when(u.isin(*_TRUE), F.lit(True)).when(u.isin(*_FALSE), F.lit(False))


def _value_map(s: Column, fm: FieldMap, name: str) -> tuple[Column, list[Check]]:
    """Map values (trimmed, case-insensitive); unmapped values kept, nulled or rejected."""
    pairs = []
    for k, v in fm.values.items():
        pairs += [F.lit(str(k).strip().upper()), F.lit(v).cast("string")]
    table = F.create_map(*pairs)
    key = F.upper(s)
    hit = F.map_contains_key(table, key)
    mapped = F.try_element_at(table, key)
    keep = s if fm.unmapped == "keep" else F.lit(None).cast("string")
    out = F.when(s.isNull(), s).when(hit, mapped).otherwise(keep)
    checks = []
    if fm.unmapped == "reject":
        checks.append(Check(f"{UNMAPPED}:{name}", s.isNotNull() & ~hit))
    return out, checks


@dataclass(frozen=True)
class Built:
    """Output column (bronze value), typed column (for dates and times) and checks."""

    value: Column
    typed: Column
    checks: list[Check]


def build(t: Target, pre: Column, dtype: T.DataType, tz: str, session_tz: str) -> Built:
    """Turn the staged source value `pre` (of type `dtype`) into the target field."""
    fm = t.mapping
    kind = fm.type or t.kind_type
    tz = fm.time_zone or tz
    checks: list[Check] = []
    typed_input = not isinstance(dtype, (T.StringType, T.NullType))
    if fm.values is not None or not typed_input or kind in ("string", "list"):
        s = _clean(pre)
        if fm.default is not None:
            s = F.coalesce(s, F.lit(fm.default))
        present = s.isNotNull()
        if fm.values is not None:
            s, more = _value_map(s, fm, t.name)
            checks += more
        pre, dtype = s, T.StringType()
    else:
        present = pre.isNotNull()
        if fm.default is not None:
            pre = F.coalesce(pre.cast("string"), F.lit(fm.default))
            dtype = T.StringType()
            present = pre.isNotNull()
    if t.required:
        checks.append(Check(missing_field(t.name), ~present))

    if kind == "timestamp":
        typed = _timestamp(pre, dtype, fm, tz, session_tz)
        value = utc_wall_to_iso(typed)
    elif kind == "date" and t.name == "dob":
        typed = _partial_date(pre, dtype, fm)
        value = typed
    elif kind == "date":
        typed = _date(pre, dtype, fm)
        value = F.date_format(typed, "yyyy-MM-dd")
    elif kind == "decimal":
        src = _clean(pre)
        if fm.thousands:
            src = F.regexp_replace(src, re.escape(fm.thousands), "")
        typed = src.try_cast(AMOUNT)
        value = _plain_decimal(typed) if typed_input else F.when(typed.isNotNull(), src)
    elif kind == "integer":
        typed = _clean(pre).try_cast(T.LongType())
        value = typed.cast("string")
    elif kind == "double":
        typed = _clean(pre).try_cast(T.DoubleType())
        value = typed
    elif kind == "boolean":
        typed = _boolean(pre, dtype)
        value = typed
    elif kind == "list":
        s = _clean(pre)
        typed = F.filter(F.transform(F.split(s, r"[,;|]"), lambda x: F.trim(x)), lambda x: x != "")
        value = F.coalesce(typed, F.array().cast("array<string>"))
    else:
        typed = _clean(pre)
        value = typed
    if kind not in ("string", "list"):
        checks.append(Check(bad_type(t.name), present & pre.isNotNull() & typed.isNull()))
    if fm.case == "upper":
        value = F.upper(value)
    elif fm.case == "lower":
        value = F.lower(value)
    if fm.hash:
        value = F.sha2(value.cast("string"), 256)
    return Built(value, typed, checks)


def apply_targets(
    df: DataFrame, targets: list[Target], tz: str, session_tz: str, prefix: str
) -> tuple[DataFrame, list[Check]]:
    """Add `<prefix><name>` (output) and `<prefix>t_<name>` (typed) for every target."""
    staged = df.withColumns({f"{prefix}raw_{t.name}": raw_column(t.mapping) for t in targets})
    types = {f.name: f.dataType for f in staged.schema.fields}
    cols: dict[str, Column] = {}
    checks: list[Check] = []
    for t in targets:
        pre_name = f"{prefix}raw_{t.name}"
        b = build(t, F.col(quote(pre_name)), types[pre_name], tz, session_tz)
        cols[f"{prefix}{t.name}"] = b.value
        cols[f"{prefix}t_{t.name}"] = b.typed
        checks += b.checks
    return staged.withColumns(cols), checks


def malformed_check(df: DataFrame) -> list[Check]:
    """MALFORMED_RECORD for rows the reader could not split into the header's columns."""
    return [Check(MALFORMED_RECORD, F.col(CORRUPT).isNotNull())] if CORRUPT in df.columns else []


def expression_type(df: DataFrame, expr: str) -> T.DataType:
    """Analyse `expr` against df's schema (raises on syntax or unknown columns)."""
    return df.selectExpr(expr).schema.fields[0].dataType


Transform = Callable[[DataFrame], DataFrame]
