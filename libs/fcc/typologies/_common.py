"""Shared pieces of every detector: the hit shape, time bounds and bounded id lists."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql import types as T

from fcc.core.settings.typologies import Detector

# Columns every detector and rule returns; run_typologies adds as_of, producer and hit_id.
HIT_COLUMNS = (
    "customer_id",
    "rule_id",
    "rule_version",
    "typology",
    "severity",
    "score",
    "evidence",
    "txn_ids",
)
HIT_SCHEMA = T.StructType(
    [
        T.StructField("customer_id", T.StringType()),
        T.StructField("rule_id", T.StringType()),
        T.StructField("rule_version", T.StringType()),
        T.StructField("typology", T.StringType()),
        T.StructField("severity", T.StringType()),
        T.StructField("score", T.DoubleType()),
        T.StructField("evidence", T.StringType()),
        T.StructField("txn_ids", T.ArrayType(T.StringType())),
    ]
)
SEVERITY_RANK = {"low": 1, "medium": 2, "high": 3, "critical": 4}
EXTERNAL = "ext:"  # node prefix of counterparties that are not customers


def day_start(d: date) -> datetime:
    """Midnight UTC at the start of d."""
    return datetime.combine(d, time())


def day_end(d: date) -> datetime:
    """Midnight UTC after d (exclusive upper bound of D's events)."""
    return datetime.combine(d + timedelta(days=1), time())


def in_days(as_of: date, days: int, column: str = "event_date") -> Column:
    """Rows whose date falls in the `days` calendar days ending on as_of inclusive."""
    return F.col(column).between(F.lit(as_of - timedelta(days=days - 1)), F.lit(as_of))


def usd(column: str = "amount_usd") -> Column:
    """A USD amount as double for ratios and comparisons (stored tables keep Decimal)."""
    return F.col(column).cast("double")


def ordered_ids(ts: Column | str, txn_id: Column | str, limit: int) -> Column:
    """Aggregate: distinct txn ids ordered by event time, at most `limit` of them."""
    ts = F.col(ts) if isinstance(ts, str) else ts
    txn_id = F.col(txn_id) if isinstance(txn_id, str) else txn_id
    pairs = F.array_sort(F.collect_set(F.struct(ts.alias("ts"), txn_id.alias("id"))))
    return F.slice(F.transform(pairs, lambda p: p["id"]), 1, limit)


def window_json(start: date, end: date, **extra: object) -> Column:
    """Evidence struct describing the window the pattern was searched in."""
    fields = [F.lit(start.isoformat()).alias("from"), F.lit(end.isoformat()).alias("to")]
    fields += [F.lit(v).alias(k) for k, v in extra.items()]
    return F.struct(*fields)


def to_hits(
    df: DataFrame,
    det: Detector,
    rule_id: str,
    evidence: Column,
    txn_ids: Column,
    score: Column | None = None,
    severity: Column | None = None,
    typology: Column | None = None,
) -> DataFrame:
    """Project detector output rows (one per customer) into the common hit shape."""
    base = F.lit(float(det.score))
    return df.select(
        F.col("customer_id").cast("string").alias("customer_id"),
        F.lit(rule_id).alias("rule_id"),
        F.lit(det.version).alias("rule_version"),
        (typology if typology is not None else F.lit(det.typology)).alias("typology"),
        (severity if severity is not None else F.lit(det.severity)).alias("severity"),
        F.least(F.lit(100.0), F.greatest(F.lit(0.0), score if score is not None else base))
        .cast("double")
        .alias("score"),
        F.to_json(evidence).alias("evidence"),
        txn_ids.cast(T.ArrayType(T.StringType())).alias("txn_ids"),
    )


def best_per_customer(df: DataFrame, *order: Column) -> DataFrame:
    """Keep one row per customer: the first by `order` (strongest pattern first)."""
    from pyspark.sql import Window

    w = Window.partitionBy("customer_id").orderBy(*order)
    return df.withColumn("_rn", F.row_number().over(w)).where("_rn = 1").drop("_rn")


def of_candidates(rows: DataFrame, candidates: DataFrame) -> DataFrame:
    """The rows of the candidates' customers only.

    A detector that compares today's pattern with the customer's own history measures that
    history for the customers whose pattern passed every other test, not for the whole book:
    the history is the costly part (every day of the lookback), the candidates a handful.
    """
    ids = candidates.select("customer_id").distinct()
    return rows.join(F.broadcast(ids), "customer_id", "left_semi")


def with_segment(df: DataFrame, customers: DataFrame) -> DataFrame:
    """df with each customer's `segment` (silver.customers); "unknown" when it has none."""
    seg = customers.select("customer_id", F.col("segment").alias("_segment"))
    return (
        df.join(seg, "customer_id", "left")
        .withColumn("segment", F.coalesce("_segment", F.lit("unknown")))
        .drop("_segment")
    )


def segment_levels(
    values: DataFrame,
    levels: dict[str, tuple[str, float]],
    min_peers: int,
    pooled: bool = True,
) -> DataFrame:
    """Per segment of `values` (one row a customer): each named percentile of a measure column.

    levels maps an output name to (measure column, percentile). A segment with fewer than
    min_peers rows takes the percentile over every row (pooled) or null (not pooled).
    """

    def percentiles(prefix: str = "") -> list[Column]:
        return [
            F.percentile_approx(column, pct).cast("double").alias(prefix + name)
            for name, (column, pct) in levels.items()
        ]

    per_segment = values.groupBy("segment").agg(F.count("*").alias("_peers"), *percentiles())
    enough = F.col("_peers") >= min_peers
    if pooled:
        everyone = values.agg(*percentiles("_all_"))
        per_segment = per_segment.crossJoin(everyone)
        chosen = [F.when(enough, F.col(n)).otherwise(F.col(f"_all_{n}")).alias(n) for n in levels]
    else:
        chosen = [F.when(enough, F.col(n)).alias(n) for n in levels]
    return per_segment.select("segment", *chosen)


def amount_level(
    rows: DataFrame, percentile: float, column: str = "usd", name: str = "_amount_level"
) -> DataFrame:
    """One row, `name`: the given percentile of the rows' `column` (0 = none)."""
    if percentile <= 0:
        return rows.sparkSession.range(1).select(F.lit(0.0).alias(name))
    level = F.coalesce(F.percentile_approx(column, percentile), F.lit(0.0)).cast("double")
    return rows.agg(level.alias(name))


def turnover_level(txns: DataFrame, as_of: date, days: int, percentile: float) -> DataFrame:
    """One row, `_turnover_level`: the given percentile of the USD each active customer moved in
    and out in the `days` ending on D (trades excluded): what the book's customers move, in the
    book's own money."""
    moved = (
        txns.where(in_days(as_of, days) & (F.col("rail") != "trade"))
        .groupBy("customer_id")
        .agg(F.sum(usd()).alias("turnover_usd"))
    )
    return amount_level(moved, percentile, "turnover_usd", "_turnover_level")


def empty_hits(spark) -> DataFrame:
    """A hit frame with no rows."""
    return spark.createDataFrame([], HIT_SCHEMA)


def is_customer_node(node: Column) -> Column:
    """True for graph nodes that are platform customers (not external counterparties)."""
    return ~node.startswith(EXTERNAL)
