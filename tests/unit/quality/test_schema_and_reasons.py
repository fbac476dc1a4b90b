from datetime import datetime

import pytest
from pyspark.sql import functions as F

from fcc.core.tables import bronze
from fcc.quality import Check, SchemaDriftError, conform_bronze, with_reasons


def _fiat(spark, columns: list[str]):
    row = {
        "ledger_id": "L1",
        "amount": "1",
        "batch_id": "b",
        "landed_at": datetime(2026, 1, 1),
        "surprise": "x",
    }
    return spark.createDataFrame([tuple(row.get(c, "v") for c in columns)], columns)


def test_extra_column_is_dropped_with_a_warning(spark):
    cols = [*bronze.FIAT_LEDGER.schema.fieldNames(), "surprise"]
    df, warnings = conform_bronze(_fiat(spark, cols), bronze.FIAT_LEDGER, ["ledger_id", "amount"])
    assert df.columns == bronze.FIAT_LEDGER.schema.fieldNames()
    assert warnings == ["bronze.fiat_ledger: extra column(s) ignored: surprise"]


def test_missing_required_column_names_table_and_column(spark):
    cols = [c for c in bronze.FIAT_LEDGER.schema.fieldNames() if c != "amount"]
    with pytest.raises(
        SchemaDriftError, match=r"^bronze.fiat_ledger: required column\(s\) missing: amount$"
    ):
        conform_bronze(_fiat(spark, cols), bronze.FIAT_LEDGER, ["ledger_id", "amount"])


def test_missing_optional_column_reads_as_null_with_a_warning(spark):
    cols = [c for c in bronze.FIAT_LEDGER.schema.fieldNames() if c != "reference"]
    df, warnings = conform_bronze(_fiat(spark, cols), bronze.FIAT_LEDGER, ["ledger_id", "amount"])
    assert df.first()["reference"] is None
    assert warnings == ["bronze.fiat_ledger: optional column reference missing, read as null"]


def test_reasons_list_every_failing_check_in_order_and_skip_null_conditions(spark):
    df = spark.createDataFrame([(None,), ("-5",), ("7",)], "amount string")
    amount = F.col("amount").cast("decimal(10,2)")
    checks = [
        Check("MISSING_FIELD:amount", F.col("amount").isNull()),
        Check("NON_POSITIVE_AMOUNT", amount <= 0),
        Check("BELOW_TEN", amount < 10),
    ]
    got = [r["_reasons"] for r in df.transform(with_reasons(checks)).collect()]
    assert got == [["MISSING_FIELD:amount"], ["NON_POSITIVE_AMOUNT", "BELOW_TEN"], ["BELOW_TEN"]]
