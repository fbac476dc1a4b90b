"""Counts gathered by the write that reads a DataFrame (observed metrics), without a count."""

from __future__ import annotations

from datetime import date

import pytest
from pyspark.sql import functions as F

from fcc.core.observe import MetricsMissing, counted
from fcc.core.tables import ops

D = date(2026, 11, 27)


def _metrics(spark, values):
    rows = [(D, "r", "kri", f"s{i}", "hits", float(v), None, False, "{}") for i, v in values]
    return spark.createDataFrame(rows, ops.METRICS.schema)


def test_a_replace_where_write_counts_the_rows_it_writes(spark, lakehouse):
    df, counts = counted(
        _metrics(spark, [(1, 5), (2, 0), (3, 7)]),
        rows=F.count(F.lit(1)),
        positive=F.sum((F.col("value") > 0).cast("long")),
    )
    lakehouse.replace_where(ops.METRICS, df, as_of=D)
    assert counts.get() == {"rows": 3, "positive": 2}


def test_an_empty_write_counts_zero_and_a_sum_over_no_rows_is_zero(spark, lakehouse):
    df, counts = counted(
        _metrics(spark, [(1, 5)]).where("value < 0"),
        rows=F.count(F.lit(1)),
        positive=F.sum((F.col("value") > 0).cast("long")),
    )
    lakehouse.replace_where(ops.METRICS, df, as_of=D)
    assert counts.get() == {"rows": 0, "positive": 0}


def test_a_cached_frame_is_counted_by_the_merge_that_first_reads_it(spark, lakehouse):
    df, counts = counted(_metrics(spark, [(1, 5), (2, 6)]), rows=F.count(F.lit(1)))
    df = df.cache()
    got = lakehouse.merge(ops.METRICS, df)
    df.unpersist()
    assert got["inserted"] == 2 and counts.get() == {"rows": 2}


def test_counts_of_a_frame_no_action_ran_are_an_error(spark):
    _, counts = counted(_metrics(spark, [(1, 5)]), rows=F.count(F.lit(1)))
    with pytest.raises(MetricsMissing):
        counts.get(timeout_s=0.2)


def test_a_cached_frame_adaptive_execution_prunes_as_empty_counts_zero(spark, tmp_path):
    # the shape of screening's candidate pairs on a night with nobody to screen: an observed,
    # cached join of an empty cached side. Adaptive execution replaces it by an empty relation,
    # so the write delivers no metrics for it, which means no rows.
    spark.conf.set("spark.sql.adaptive.enabled", "true")
    try:
        nobody = spark.range(50).where("id < 0").withColumnRenamed("id", "k").persist()
        names = spark.range(50).withColumnRenamed("id", "k").persist()
        pairs, counts = counted(nobody.join(names, "k"), n=F.count(F.lit(1)), total=F.sum("k"))
        pairs = pairs.persist()
        hits = pairs.join(nobody, "k").select("k")
        hits.unionByName(spark.range(3).withColumnRenamed("id", "k")).write.parquet(
            str(tmp_path / "out")
        )
        assert counts._observation._jo.getRow().length() == 0  # the case this covers
        assert counts.get() == {"n": 0, "total": 0}
    finally:
        spark.conf.set("spark.sql.adaptive.enabled", "false")
    assert spark.read.parquet(str(tmp_path / "out")).count() == 3
