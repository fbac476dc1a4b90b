"""Lakehouse.merge restricted to the partitions of the source rows, and cheap table versions."""

from datetime import date

import pytest
from pyspark.sql import types as T

from fcc.core.tables import TableSpec, col, schema

SPEC = TableSpec(
    "gold",
    "t_prune",
    schema(
        col("d", T.DateType(), "partition", False),
        col("k", T.StringType(), "key", False),
        col("v", T.LongType(), "value"),
    ),
    "demo keyed on k alone, partitioned by d",
    partition_by=("d",),
    keys=("k",),
)
D1, D2, D3 = date(2026, 11, 25), date(2026, 11, 26), date(2026, 11, 27)


def _rows(lakehouse):
    return sorted((r.d, r.k, r.v) for r in lakehouse.read(SPEC).collect())


def test_pruned_merge_only_matches_target_rows_in_the_source_rows_partitions(spark, lakehouse):
    lakehouse.append(SPEC, spark.createDataFrame([(D1, "a", 1), (D2, "b", 2)], SPEC.schema))
    source = spark.createDataFrame([(D2, "b", 20), (D3, "a", 30), (D3, "c", 3)], SPEC.schema)

    counts = lakehouse.merge(SPEC, source, prune_on="d")

    # "a" is stored under D1, outside the source's dates {D2, D3}: the MERGE does not see it
    assert counts == {"inserted": 2, "updated": 1}
    assert _rows(lakehouse) == [(D1, "a", 1), (D2, "b", 20), (D3, "a", 30), (D3, "c", 3)]


def test_unpruned_merge_matches_a_key_in_any_partition(spark, lakehouse):
    lakehouse.append(SPEC, spark.createDataFrame([(D1, "a", 1)], SPEC.schema))

    counts = lakehouse.merge(SPEC, spark.createDataFrame([(D3, "a", 30)], SPEC.schema))

    assert counts == {"inserted": 0, "updated": 1}
    assert _rows(lakehouse) == [(D3, "a", 30)]


def test_pruning_on_a_column_that_is_not_a_partition_is_an_error(spark, lakehouse):
    with pytest.raises(ValueError, match="gold.t_prune: k is not a partition column"):
        lakehouse.merge(SPEC, spark.createDataFrame([(D1, "a", 1)], SPEC.schema), prune_on="k")


def test_version_is_the_latest_delta_commit_and_none_for_a_missing_table(spark, lakehouse):
    from delta.tables import DeltaTable

    assert lakehouse.version(SPEC) is None
    lakehouse.append(SPEC, spark.createDataFrame([(D1, "a", 1)], SPEC.schema))
    lakehouse.merge(SPEC, spark.createDataFrame([(D2, "b", 2)], SPEC.schema), prune_on="d")
    lakehouse.replace_where(SPEC, spark.createDataFrame([(D2, "b", 5)], SPEC.schema), d=D2)

    history = DeltaTable.forPath(spark, lakehouse.path(SPEC)).history(1).first()["version"]
    assert lakehouse.version(SPEC) == history == 3  # create, append, merge, replace
    assert lakehouse.read(SPEC, version=2).where("k = 'b'").first().v == 2
