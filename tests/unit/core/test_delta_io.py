from datetime import date

from pyspark.sql import types as T

from fcc.core.tables import TableSpec, col, schema

SPEC = TableSpec(
    "gold",
    "t_demo",
    schema(
        col("as_of", T.DateType(), "d", False),
        col("k", T.StringType(), "key", False),
        col("v", T.LongType(), "value"),
    ),
    "demo",
    partition_by=("as_of",),
    keys=("as_of", "k"),
)


def test_merge_inserts_new_keys_and_updates_existing(spark, lakehouse):
    d = date(2026, 11, 27)
    lakehouse.append(SPEC, spark.createDataFrame([(d, "a", 1), (d, "b", 2)], ["as_of", "k", "v"]))
    counts = lakehouse.merge(
        SPEC, spark.createDataFrame([(d, "b", 20), (d, "c", 3)], ["as_of", "k", "v"])
    )
    assert counts == {"inserted": 1, "updated": 1}
    rows = sorted((r.k, r.v) for r in lakehouse.read(SPEC).collect())
    assert rows == [("a", 1), ("b", 20), ("c", 3)]


def test_replace_where_rewrites_one_as_of_partition_only(spark, lakehouse):
    d1, d2 = date(2026, 11, 26), date(2026, 11, 27)
    lakehouse.append(
        SPEC, spark.createDataFrame([(d1, "a", 1), (d2, "a", 2), (d2, "b", 3)], ["as_of", "k", "v"])
    )
    lakehouse.replace_where(
        SPEC, spark.createDataFrame([(d2, "z", 9)], ["as_of", "k", "v"]), as_of=d2
    )
    rows = sorted((r.as_of, r.k, r.v) for r in lakehouse.read(SPEC).collect())
    assert rows == [(d1, "a", 1), (d2, "z", 9)]


def test_time_travel_reads_an_earlier_version(spark, lakehouse):
    d = date(2026, 11, 27)
    lakehouse.append(SPEC, spark.createDataFrame([(d, "a", 1)], ["as_of", "k", "v"]))
    first = lakehouse.version(SPEC)
    lakehouse.replace_where(
        SPEC, spark.createDataFrame([(d, "a", 5)], ["as_of", "k", "v"]), as_of=d
    )
    assert lakehouse.version(SPEC) == first + 1
    assert lakehouse.read(SPEC, version=first).first().v == 1
    assert lakehouse.read(SPEC).first().v == 5


def test_missing_column_is_a_clear_error(spark, lakehouse):
    import pytest

    from fcc.core.lakehouse import SchemaMismatch

    with pytest.raises(SchemaMismatch, match="gold.t_demo: DataFrame lacks columns \\['v'\\]"):
        lakehouse.append(SPEC, spark.createDataFrame([(date(2026, 1, 1), "a")], ["as_of", "k"]))


def test_a_creation_killed_before_its_commit_does_not_block_the_table(spark, lakehouse):
    """A driver killed inside CREATE leaves `_delta_log/_staged_commits/` and no commit; Delta
    then refuses both reading and creating there. The next write must still succeed."""
    from pathlib import Path

    remnant = Path(lakehouse.path(SPEC)) / "_delta_log" / "_staged_commits"
    remnant.mkdir(parents=True)
    assert lakehouse.version(SPEC) is None
    assert not lakehouse.exists(SPEC)
    d = date(2026, 11, 27)
    lakehouse.replace_where(
        SPEC, spark.createDataFrame([(d, "a", 1)], ["as_of", "k", "v"]), as_of=d
    )
    assert lakehouse.version(SPEC) is not None
    assert lakehouse.exists(SPEC)
    assert [(r.k, r.v) for r in lakehouse.read(SPEC).collect()] == [("a", 1)]


def test_last_commit_metrics_hold_the_row_counts_of_the_latest_write(spark, lakehouse):
    d = date(2026, 11, 27)
    rows = [(d, "a", 1), (d, "b", 2), (d, "c", 3)]
    lakehouse.replace_where(SPEC, spark.createDataFrame(rows, ["as_of", "k", "v"]), as_of=d)
    assert lakehouse.last_commit_metrics(SPEC)["numOutputRows"] == "3"
    lakehouse.merge(SPEC, spark.createDataFrame([(d, "a", 9), (d, "e", 5)], ["as_of", "k", "v"]))
    metrics = lakehouse.last_commit_metrics(SPEC)
    assert (metrics["numTargetRowsInserted"], metrics["numTargetRowsUpdated"]) == ("1", "1")


def test_replace_where_with_a_tuple_replaces_the_listed_values_only(spark, lakehouse):
    d = date(2026, 11, 27)
    cols = ["as_of", "k", "v"]
    lakehouse.append(SPEC, spark.createDataFrame([(d, "a", 1), (d, "b", 2), (d, "c", 3)], cols))
    new = spark.createDataFrame([(d, "a", 10), (d, "b", 20)], cols)
    lakehouse.replace_where(SPEC, new, as_of=d, k=("a", "b"))
    assert sorted((r.k, r.v) for r in lakehouse.read(SPEC).collect()) == [
        ("a", 10),
        ("b", 20),
        ("c", 3),
    ]
