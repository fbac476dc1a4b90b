"""Dates of birth known to the year or month only: kept at their precision, never completed."""

from __future__ import annotations

from pyspark.sql import functions as F

from fcc.ingest._common import date_precision, partial_date


def test_partial_dates_keep_their_precision_and_bad_ones_are_null(spark):
    raw = [
        "1952",
        "1952-10",
        "1952-10-07",
        " 1952-10-07 ",
        "1952-13",
        "1952-02-30",
        "31/01/1980",
        "52",
        None,
    ]
    df = spark.createDataFrame([(v,) for v in raw], "v string")
    got = [
        (r.p, r.precision)
        for r in df.select(
            partial_date(F.col("v")).alias("p"),
            date_precision(partial_date(F.col("v"))).alias("precision"),
        ).collect()
    ]
    assert got == [
        ("1952", "year"),
        ("1952-10", "month"),
        ("1952-10-07", "day"),
        ("1952-10-07", "day"),
        (None, None),
        (None, None),
        (None, None),
        (None, None),
        (None, None),
    ]


def test_customers_with_a_year_only_dob_land_with_its_precision(spark, lakehouse):
    from fcc.core.tables import bronze
    from fcc.ingest.engine import prepare
    from fcc.ingest.reference import CUSTOMERS

    from ._bronze import context, frame

    rows = [
        {
            "customer_id": c,
            "full_name": f"Name {c}",
            "dob": dob,
            "updated_at": "2026-11-01T00:00:00Z",
        }
        for c, dob in (
            ("C1", "1952"),
            ("C2", "1952-10"),
            ("C3", "1952-10-07"),
            ("C4", "31/01/1980"),
        )
    ]
    lakehouse.append(bronze.CUSTOMERS, frame(spark, bronze.CUSTOMERS, rows))
    ctx = context(lakehouse)
    p = prepare(ctx, CUSTOMERS)
    quarantined = [
        (r["customer_id"], r["_reasons"]) for r in p.rows.where(F.size("_reasons") > 0).collect()
    ]
    assert quarantined == [("C4", ["BAD_TYPE:dob"])]
    got = {
        r["customer_id"]: (r["dob_partial"], r["dob_precision"], r["dob"] and r["dob"].isoformat())
        for r in CUSTOMERS.to_silver(p.accepted(), ctx).collect()
    }
    assert got == {
        "C1": ("1952", "year", None),
        "C2": ("1952-10", "month", None),
        "C3": ("1952-10-07", "day", "1952-10-07"),
    }
    hashes = {
        r["customer_id"]: r["record_hash"] for r in CUSTOMERS.to_silver(p.accepted(), ctx).collect()
    }
    assert len(set(hashes.values())) == 3
