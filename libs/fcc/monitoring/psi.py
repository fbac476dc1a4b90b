"""Population stability index: sum over bins of (a% - e%) * ln(a% / e%)."""

from __future__ import annotations

import math

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

EPSILON = 1e-4  # share given to an empty bin so the logarithm stays finite


def psi_from_shares(expected: list[float], actual: list[float]) -> float:
    """PSI of two binned distributions given as shares (each summing to 1)."""
    if len(expected) != len(actual):
        raise ValueError("expected and actual need the same number of bins")
    total = 0.0
    for e, a in zip(expected, actual, strict=True):
        e, a = max(e, EPSILON), max(a, EPSILON)
        total += (a - e) * math.log(a / e)
    return total


def bin_edges(baseline: DataFrame, column: str, bins: int) -> list[float]:
    """Inner quantile edges of the baseline (deduplicated, so ties make fewer bins)."""
    return bin_edges_many(baseline, [column], bins)[column]


def bin_edges_many(baseline: DataFrame, columns: list[str], bins: int) -> dict[str, list[float]]:
    """`bin_edges` of several columns in one pass (approxQuantile skips each column's nulls)."""
    if not columns:
        return {}
    probs = [i / bins for i in range(1, bins)]
    edges = baseline.select(*columns).approxQuantile(columns, probs, 0.0001)
    return {c: sorted(set(e)) for c, e in zip(columns, edges, strict=True)}


def _bin_index(column: str, edges: list[float]):
    idx = F.lit(0)
    for edge in edges:
        idx = idx + F.when(F.col(column) > edge, 1).otherwise(0)
    return idx


def bin_count_names(edges: dict[str, list[float]]) -> list[str]:
    """Names of the `bin_count_columns` aggregates, in their order: `<column>#<bin>`."""
    return [f"{column}#{i}" for column, e in edges.items() for i in range(len(e) + 1)]


def bin_count_columns(edges: dict[str, list[float]]) -> list:
    """Aggregate expressions `<column>#<bin>`: the non-null rows of each column in each bin."""
    out = []
    for column, e in edges.items():
        idx = _bin_index(column, e)
        for i in range(len(e) + 1):
            hit = F.col(column).isNotNull() & (idx == i)
            out.append(F.sum(hit.cast("long")).alias(f"{column}#{i}"))
    return out


def shares_of(row, column: str, edges: list[float]) -> list[float]:
    """Shares per bin of `column` from an aggregate row of `bin_count_columns`."""
    counts = [row[f"{column}#{i}"] or 0 for i in range(len(edges) + 1)]
    total = sum(counts)
    return [c / total if total else 0.0 for c in counts]


def psi_of_shares_or_none(expected: list[float], actual: list[float]) -> float | None:
    """PSI of two share lists; None when either side has no rows."""
    if not sum(expected) or not sum(actual):
        return None
    return psi_from_shares(expected, actual)


def psi(baseline: DataFrame, actual: DataFrame, column: str, bins: int = 10) -> float | None:
    """PSI of `column` in `actual` against `baseline`, bins from baseline quantiles; None if either is empty."""
    edges = bin_edges(baseline, column, bins)
    counts = bin_count_columns({column: edges})
    expected = shares_of(baseline.agg(*counts).first(), column, edges)
    got = shares_of(actual.agg(*counts).first(), column, edges)
    return psi_of_shares_or_none(expected, got)
