"""Deterministic, partitioning-independent randomness and value formats as Column expressions.

Every random draw is a hash of (seed, salt, key columns) mapped to [0, 1), so a value depends
only on what it describes, never on row order, partitioning or the number of cores.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from pyspark.sql import Column
from pyspark.sql import functions as F

_MASK = 0x7FFFFFFFFFFFFFFF
_TWO63 = float(2**63)
# customer ids are an affine permutation of the row index modulo 10^9 (multiplier coprime to 10)
_ID_MOD = 1_000_000_000
_ID_MULT = 738_163_211


def _c(x: Column | str | int | float) -> Column:
    return x if isinstance(x, Column) else F.lit(x)


def u(seed: int, salt: str, *keys: Column | str | int) -> Column:
    """Uniform double in [0, 1) from a 64-bit hash of (seed, salt, keys)."""
    h = F.xxhash64(F.lit(seed), F.lit(salt), *[_c(k) for k in keys])
    return h.bitwiseAND(F.lit(_MASK)).cast("double") / F.lit(_TWO63)


def h64(seed: int, salt: str, *keys: Column | str | int) -> Column:
    """Non-negative 63-bit hash of (seed, salt, keys)."""
    return F.xxhash64(F.lit(seed), F.lit(salt), *[_c(k) for k in keys]).bitwiseAND(F.lit(_MASK))


def between(seed: int, salt: str, lo, hi, *keys) -> Column:
    """Uniform integer in [lo, hi] (inclusive)."""
    lo_c, hi_c = _c(lo), _c(hi)
    return (lo_c + F.floor(u(seed, salt, *keys) * (hi_c - lo_c + 1))).cast("long")


def uniform(seed: int, salt: str, lo, hi, *keys) -> Column:
    """Uniform double in [lo, hi)."""
    return _c(lo) + u(seed, salt, *keys) * (_c(hi) - _c(lo))


def normal(seed: int, salt: str, *keys) -> Column:
    """Standard normal draw (Box-Muller on two hashed uniforms)."""
    u1 = F.lit(1.0) - u(seed, salt + "#n1", *keys)
    u2 = u(seed, salt + "#n2", *keys)
    return F.sqrt(F.lit(-2.0) * F.log(u1)) * F.cos(F.lit(2 * math.pi) * u2)


def lognormal(seed: int, salt: str, median, sigma, *keys) -> Column:
    """Lognormal draw with the given median and log-scale sigma."""
    return _c(median) * F.exp(_c(sigma) * normal(seed, salt, *keys))


def pareto(seed: int, salt: str, scale, alpha, *keys) -> Column:
    """Pareto (type I) draw: scale / U^(1/alpha), heavy right tail."""
    uu = F.lit(1.0) - u(seed, salt, *keys)
    return _c(scale) / F.pow(uu, F.lit(1.0) / _c(alpha))


def pick(values: Sequence, r: Column) -> Column:
    """Element of a literal list chosen by a uniform draw r in [0, 1)."""
    arr = F.array(*[F.lit(v) for v in values])
    return F.element_at(arr, (F.floor(r * len(values)) + 1).cast("int"))


def weighted(options: Sequence[tuple], r: Column) -> Column:
    """Value from (value, weight) pairs chosen by a uniform draw r in [0, 1)."""
    total = float(sum(w for _, w in options))
    acc, expr = 0.0, None
    for value, weight in options[:-1]:
        acc += weight / total
        expr = F.when(r < acc, F.lit(value)) if expr is None else expr.when(r < acc, F.lit(value))
    last = F.lit(options[-1][0])
    return last if expr is None else expr.otherwise(last)


def lookup(mapping: dict, key: Column, default=None) -> Column:
    """Value of a literal dict for a key column (default when absent)."""
    m = F.create_map(*[F.lit(x) for kv in mapping.items() for x in kv])
    v = F.try_element_at(m, key)
    return v if default is None else F.coalesce(v, F.lit(default))


def customer_id(seed: int, idx: Column) -> Column:
    """Customer id: a seeded permutation of the row index, so ids do not reveal roles."""
    offset = (seed * 7919 + 104729) % _ID_MOD
    num = (idx.cast("long") * F.lit(_ID_MULT) + F.lit(offset)) % F.lit(_ID_MOD)
    return F.concat(F.lit("C"), F.lpad(num.cast("string"), 9, "0"))


def hex64(seed: int, salt: str, *keys) -> Column:
    """64 hex characters (SHA-256 of seed, salt and keys)."""
    parts = [F.lit(str(seed)), F.lit(salt), *[_c(k).cast("string") for k in keys]]
    return F.sha2(F.concat_ws("|", *parts), 256)


def uuid(seed: int, salt: str, *keys) -> Column:
    """UUID-shaped 128-bit id from two 64-bit hashes of the keys."""

    def part(s: str) -> Column:
        return F.lpad(
            F.lower(F.hex(F.xxhash64(F.lit(seed), F.lit(s), *[_c(k) for k in keys]))), 16, "0"
        )

    h = F.concat(part(salt + "#a"), part(salt + "#b"))
    return F.concat_ws(
        "-",
        F.substring(h, 1, 8),
        F.substring(h, 9, 4),
        F.substring(h, 13, 4),
        F.substring(h, 17, 4),
        F.substring(h, 21, 12),
    )


def address(chain: Column, hexstr: Column) -> Column:
    """Chain-shaped address from 64 hex characters (bech32-like BTC, 0x ETH, base58-like TRON)."""
    return (
        F.when(
            chain == "BTC",
            F.concat(
                F.lit("bc1q"),
                F.translate(F.substring(hexstr, 1, 38), "0123456789abcdef", "qpzry9x8gf2tvdw0"),
            ),
        )
        .when(chain == "ETH", F.concat(F.lit("0x"), F.substring(hexstr, 1, 40)))
        .otherwise(
            F.concat(
                F.lit("T"),
                F.translate(F.substring(hexstr, 1, 33), "0123456789abcdef", "ABCDEFGHJKLMNPQR"),
            )
        )
    )


def iso(
    ts: Column, offset_min: Column | int = 0, fraction: bool = False, zulu: bool = False
) -> Column:
    """ISO 8601 string of unix seconds `ts`, rendered in local time with its UTC offset."""
    off = _c(offset_min).cast("long")
    fmt = "yyyy-MM-dd'T'HH:mm:ss"
    local = F.from_unixtime(F.floor(ts).cast("long") + off * 60, fmt)
    if fraction:
        millis = F.lpad(((ts * 1000) % 1000).cast("long").cast("string"), 3, "0")
        local = F.concat(local, F.lit("."), millis)
    hh = F.lpad((F.abs(off) / 60).cast("long").cast("string"), 2, "0")
    mm = F.lpad((F.abs(off) % 60).cast("string"), 2, "0")
    sign = F.when(off < 0, F.lit("-")).otherwise(F.lit("+"))
    suffix = F.concat(sign, hh, F.lit(":"), mm)
    if zulu:
        suffix = F.when(off == 0, F.lit("Z")).otherwise(suffix)
    return F.concat(local, suffix)


def decimal_str(x: Column, scale: Column | int) -> Column:
    """Positive decimal string rounded to `scale` places (no exponent, no grouping)."""
    s = _c(scale)
    return (
        F.when(s == 0, F.round(x, 0).cast("decimal(38,0)").cast("string"))
        .when(s == 2, F.round(x, 2).cast("decimal(38,2)").cast("string"))
        .when(s == 6, F.round(x, 6).cast("decimal(38,6)").cast("string"))
        .otherwise(F.round(x, 8).cast("decimal(38,8)").cast("string"))
    )
