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
    probs = [i / bins for i in range(1, bins)]
    edges = baseline.where(F.col(column).isNotNull()).approxQuantile(column, probs, 0.0001)
    return sorted(set(edges))


def _shares(df: DataFrame, column: str, edges: list[float]) -> list[float]:
    idx = F.lit(0)
    for edge in edges:
        idx = idx + F.when(F.col(column) > edge, 1).otherwise(0)
    counts = {
        r["b"]: r["n"]
        for r in df.where(F.col(column).isNotNull())
        .groupBy(idx.alias("b"))
        .agg(F.count("*").alias("n"))
        .collect()
    }
    total = sum(counts.values())
    return [counts.get(i, 0) / total if total else 0.0 for i in range(len(edges) + 1)]


def psi(baseline: DataFrame, actual: DataFrame, column: str, bins: int = 10) -> float | None:
    """PSI of `column` in `actual` against `baseline`, bins from baseline quantiles; None if either is empty."""
    edges = bin_edges(baseline, column, bins)
    expected, got = _shares(baseline, column, edges), _shares(actual, column, edges)
    if not sum(expected) or not sum(got):
        return None
    return psi_from_shares(expected, got)
