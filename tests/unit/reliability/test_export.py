"""Pseudonymised export: keyed HMAC-SHA256 ids (checked against Python's hmac), PII dropped."""

from __future__ import annotations

import hashlib
import hmac
from datetime import date

import pytest
from pyspark.sql import functions as F

from fcc.cli import EXIT_USAGE, main
from fcc.core.tables import silver, truth
from fcc.privacy import hmac_sha256_hex

KEY = "validator-share-2026-key"


def _expected(key: str | bytes, value: str) -> str:
    key = key.encode() if isinstance(key, str) else key
    return hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()


def _frame(spark, spec, rows):
    names = spec.schema.fieldNames()
    return spark.createDataFrame([tuple(r.get(n) for n in names) for r in rows], spec.schema)


@pytest.mark.parametrize(
    "key",
    [b"0123456789abcdef", b"k" * 64, b"a much longer key " * 8],  # < block, = block, > block
    ids=["short", "block", "long"],
)
def test_spark_hmac_equals_python_hmac(spark, key):
    ids = ["C000001", "C-ü-مرحبا", ""]
    df = spark.createDataFrame([(i,) for i in ids] + [(None,)], "customer_id string")
    got = [r.p for r in df.select(hmac_sha256_hex(F.col("customer_id"), key).alias("p")).collect()]
    assert got == [_expected(key, i) for i in ids] + [None]


def test_hand_computed_pseudonym_of_one_id(spark):
    df = spark.createDataFrame([("C000042",)], "customer_id string")
    got = (
        df.select(hmac_sha256_hex(F.col("customer_id"), b"key-for-hand-check").alias("p")).first().p
    )
    assert got == hmac.new(b"key-for-hand-check", b"C000042", hashlib.sha256).hexdigest()
    assert len(got) == 64 and got != hashlib.sha256(b"C000042").hexdigest()


@pytest.fixture
def shared(spark, lakehouse):
    lakehouse.append(
        silver.CUSTOMERS,
        _frame(
            spark,
            silver.CUSTOMERS,
            [
                {
                    "customer_id": "C1",
                    "full_name": "Marguerite Okonkwo",
                    "given_name": "Marguerite",
                    "family_name": "Okonkwo",
                    "dob": date(1984, 2, 29),
                    "nationality": "FR",
                    "segment": "retail",
                },
                {"customer_id": "C2", "full_name": "Teodor Vasquez", "segment": "business"},
            ],
        ),
    )
    lakehouse.append(
        truth.TYPOLOGY_INSTANCES,
        _frame(
            spark,
            truth.TYPOLOGY_INSTANCES,
            [{"instance_id": "i1", "typology": "fan_in", "customer_ids": ["C2", "C1"]}],
        ),
    )
    return lakehouse


def _export(lakehouse, cli_conf, table, out, *extra):
    return main(
        [
            "export",
            "pseudonymised",
            "--table",
            table,
            "--out",
            str(out),
            "--lakehouse",
            lakehouse.root,
            "--conf",
            cli_conf,
            *extra,
        ]
    )


def test_cli_export_pseudonymises_ids_consistently_and_drops_personal_columns(
    spark, shared, cli_conf, tmp_path, monkeypatch, capsys
):
    monkeypatch.setenv("VALIDATOR_KEY", KEY)
    flags = ["--key-env", "VALIDATOR_KEY"]
    assert _export(shared, cli_conf, "silver.customers", tmp_path / "c", *flags) == 0
    assert _export(shared, cli_conf, "truth.typology_instances", tmp_path / "t", *flags) == 0
    out = capsys.readouterr().out
    assert "rows=2" in out and "dropped_columns=4" in out

    customers = spark.read.parquet(str(tmp_path / "c"))
    assert not {"full_name", "given_name", "family_name", "dob"} & set(customers.columns)
    assert {"nationality", "segment", "name_script"} <= set(customers.columns)
    got = {r.customer_id: r.segment for r in customers.collect()}
    assert got == {_expected(KEY, "C1"): "retail", _expected(KEY, "C2"): "business"}

    instances = spark.read.parquet(str(tmp_path / "t")).first()
    assert instances.customer_ids == [_expected(KEY, "C2"), _expected(KEY, "C1")]
    joined = (
        spark.read.parquet(str(tmp_path / "t"))
        .select(F.explode("customer_ids").alias("customer_id"))
        .join(customers, "customer_id")
    )
    assert joined.count() == 2  # the same key gives the same pseudonym in both tables

    text = "\n".join(str(v) for r in customers.collect() for v in r)
    for secret in ("Marguerite", "Okonkwo", "Vasquez", "1984-02-29", "C1", "C2"):
        assert secret not in text


def test_cli_export_without_the_key_variable_is_a_usage_error(
    shared, cli_conf, tmp_path, monkeypatch, capsys
):
    monkeypatch.delenv("FCC_EXPORT_KEY", raising=False)
    assert _export(shared, cli_conf, "silver.customers", tmp_path / "c") == EXIT_USAGE
    assert "FCC_EXPORT_KEY is not set" in capsys.readouterr().err
    assert not (tmp_path / "c").exists()


def test_cli_export_of_an_unknown_table_is_a_usage_error(
    shared, cli_conf, tmp_path, monkeypatch, capsys
):
    monkeypatch.setenv("FCC_EXPORT_KEY", KEY)
    assert _export(shared, cli_conf, "gold.nope", tmp_path / "x") == EXIT_USAGE
    assert "unknown table 'gold.nope'" in capsys.readouterr().err
