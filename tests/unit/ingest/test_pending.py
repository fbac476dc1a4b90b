"""Which bronze rows a night reads: reconciled rows (and their files) are left out, nothing is lost."""

import os
from datetime import UTC, datetime, timedelta

from pyspark.sql import functions as F

from fcc.core.settings import AppConfig
from fcc.core.tables import bronze, ops, silver
from fcc.ingest import run_ingest
from fcc.ingest.engine import pending_rows, read_bronze
from fcc.ingest.transactions import FIAT

from ._bronze import PREV, D, at, context, fiat_row, frame, seed_reference


def _land(spark, lakehouse, ids, batch_id, landed_at):
    rows = [fiat_row(i) for i in ids]
    lakehouse.append(
        bronze.FIAT_LEDGER, frame(spark, bronze.FIAT_LEDGER, rows, batch_id, landed_at).coalesce(1)
    )


def _dq(spark, lakehouse, rows):
    """(as_of, batch_id, passed) reconciliation rows of the fiat ledger."""
    names = ops.DQ_RESULTS.schema.fieldNames()
    full = [
        {
            "run_id": f"r-{a}",
            "as_of": a,
            "source": "fiat_ledger",
            "batch_id": b,
            "check": "reconciliation",
            "passed": p,
        }
        for a, b, p in rows
    ]
    df = spark.createDataFrame(
        [tuple(r.get(n) for n in names) for r in full], ops.DQ_RESULTS.schema
    )
    lakehouse.append(ops.DQ_RESULTS, df)


def _files_of(lakehouse, batch_id, landed_before):
    """Data files of bronze.fiat_ledger holding rows of `batch_id` landed before an instant."""
    df = lakehouse.read(bronze.FIAT_LEDGER).where(
        (F.col("batch_id") == batch_id) & (F.col("landed_at") < F.lit(landed_before))
    )
    return {r[0] for r in df.select(F.input_file_name()).distinct().collect()}


def test_reconciled_rows_are_skipped_by_file_but_failed_unreconciled_and_late_landed_rows_are_read(
    spark, lakehouse
):
    d5 = PREV - timedelta(days=4)
    _land(spark, lakehouse, ["OLD1", "OLD2"], "done", at(d5))  # reconciled on d5
    _land(spark, lakehouse, ["FAIL1"], "failed", at(d5))  # its only run failed
    _land(spark, lakehouse, ["NEW1"], "never", at(d5 - timedelta(days=3)))  # old stamp, no run yet
    _land(spark, lakehouse, ["PART1"], "part", at(PREV, 20))  # landed by PREV's cutoff
    _land(spark, lakehouse, ["PART2"], "part", at(D, 7))  # same batch, after PREV's cutoff
    _land(spark, lakehouse, ["LATER"], "later", datetime(2026, 11, 28, 6, 0, tzinfo=UTC))
    _dq(spark, lakehouse, [(d5, "done", True), (d5, "failed", False), (PREV, "part", True)])
    # the reconciled rows' files can no longer be opened: a read that is not pruned would fail
    cutoff_prev = datetime(2026, 11, 27, 6, 0, tzinfo=UTC)
    gone = _files_of(lakehouse, "done", at(PREV)) | _files_of(lakehouse, "part", cutoff_prev)
    assert len(gone) == 2
    for uri in gone:
        os.remove(uri.removeprefix("file:"))

    ctx = context(lakehouse)
    bronze_rows, _ = read_bronze(ctx, bronze.FIAT_LEDGER, FIAT.required)
    pending = pending_rows(bronze_rows, ctx, "fiat_ledger")

    got = sorted((r["batch_id"], r["ledger_id"]) for r in pending.collect())
    assert got == [("failed", "FAIL1"), ("never", "NEW1"), ("part", "PART2")]


def test_rows_without_batch_or_landing_time_stay_pending_until_their_batch_reconciles(
    spark, lakehouse
):
    names = bronze.FIAT_LEDGER.schema.fieldNames()
    row = {**fiat_row("NB1"), "batch_id": None, "landed_at": None}
    lakehouse.append(
        bronze.FIAT_LEDGER,
        spark.createDataFrame([tuple(row.get(n) for n in names)], bronze.FIAT_LEDGER.schema),
    )
    _land(spark, lakehouse, ["B1"], "b1", at(PREV))
    _dq(spark, lakehouse, [(PREV, "b1", True)])
    ctx = context(lakehouse)

    def pending():
        rows, _ = read_bronze(ctx, bronze.FIAT_LEDGER, FIAT.required)
        return sorted(
            (r["batch_id"], r["ledger_id"])
            for r in pending_rows(rows, ctx, "fiat_ledger").collect()
        )

    assert pending() == [("(none)", "NB1")]
    _dq(spark, lakehouse, [(PREV, "(none)", True)])
    assert pending() == []


def test_resent_transaction_with_a_corrected_date_stays_one_silver_row(spark, lakehouse):
    seed_reference(spark, lakehouse)
    lakehouse.append(
        bronze.FIAT_LEDGER,
        frame(spark, bronze.FIAT_LEDGER, [fiat_row("X1", "2026-11-26T23:30:00Z")], "f1", at(PREV)),
    )
    run_ingest(spark, lakehouse, AppConfig(), PREV, "run-prev")
    lakehouse.append(  # same ledger id, booking time corrected into the next day
        bronze.FIAT_LEDGER,
        frame(spark, bronze.FIAT_LEDGER, [fiat_row("X1", "2026-11-27T00:30:00Z")], "f2", at(D)),
    )

    out = run_ingest(spark, lakehouse, AppConfig(), D, "run-d")

    assert (out["fiat_ledger.read"], out["fiat_ledger.duplicate"], out["rows_inserted"]) == (
        1,
        1,
        0,
    )
    rows = [(r["txn_id"], r["event_date"]) for r in lakehouse.read(silver.TRANSACTIONS).collect()]
    assert rows == [("FIAT:X1", PREV)]
