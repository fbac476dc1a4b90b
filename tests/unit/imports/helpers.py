"""Import the sample files of each public format into a lakehouse (unit and integration tests)."""

from __future__ import annotations

from pathlib import Path

from pyspark.sql import SparkSession

from fcc.core.lakehouse import Lakehouse
from fcc.imports import import_file

DATA = Path(__file__).resolve().parent / "data"
MAPPINGS = Path(__file__).resolve().parents[3] / "conf" / "mappings"


def _run(spark, lakehouse, kind, name, mapping, batch_id) -> dict:
    return import_file(
        spark, lakehouse, kind, str(DATA / name), None, str(MAPPINGS / mapping), batch_id=batch_id
    )


def import_amlworld_sample(spark: SparkSession, lakehouse: Lakehouse) -> dict[str, dict]:
    """AMLworld accounts, transactions and their laundering labels (dates 2022-09-01/02)."""
    return {
        "accounts": _run(
            spark,
            lakehouse,
            "customers",
            "amlworld_accounts.csv",
            "amlworld_accounts.yaml",
            "aw-accounts",
        ),
        "transactions": _run(
            spark, lakehouse, "fiat", "amlworld_trans.csv", "amlworld_transactions.yaml", "aw-trans"
        ),
        "labels": _run(
            spark,
            lakehouse,
            "labels",
            "amlworld_trans.csv",
            "amlworld_transactions.yaml",
            "aw-labels",
        ),
    }


def import_amlsim_sample(spark: SparkSession, lakehouse: Lakehouse) -> dict[str, dict]:
    """AMLSim accounts, transactions and SAR labels (dates 2017-01-01..04)."""
    return {
        "accounts": _run(
            spark,
            lakehouse,
            "customers",
            "amlsim_accounts.csv",
            "amlsim_accounts.yaml",
            "sim-accounts",
        ),
        "transactions": _run(
            spark,
            lakehouse,
            "internal",
            "amlsim_transactions.csv",
            "amlsim_transactions.yaml",
            "sim-trans",
        ),
        "labels": _run(
            spark,
            lakehouse,
            "labels",
            "amlsim_transactions.csv",
            "amlsim_transactions.yaml",
            "sim-labels",
        ),
    }


def import_address_labels_sample(spark: SparkSession, lakehouse: Lakehouse) -> dict:
    """The generic vendor address-label CSV."""
    return _run(
        spark,
        lakehouse,
        "address_labels",
        "address_labels.csv",
        "address_labels.yaml",
        "labels-vendor",
    )


def import_amlsim_sample_layout(spark: SparkSession, lakehouse: Lakehouse) -> dict[str, dict]:
    """AMLSim's published sample layout: nodes.csv (customers, labels) and transactions.csv."""
    return {
        "nodes": _run(
            spark,
            lakehouse,
            "customers",
            "amlsim_sample_nodes.csv",
            "amlsim_sample_nodes.yaml",
            "sims-nodes",
        ),
        "transactions": _run(
            spark,
            lakehouse,
            "internal",
            "amlsim_sample_transactions.csv",
            "amlsim_sample_transactions.yaml",
            "sims-trans",
        ),
        "labels": _run(
            spark,
            lakehouse,
            "labels",
            "amlsim_sample_nodes.csv",
            "amlsim_sample_labels.yaml",
            "sims-labels",
        ),
    }


def import_amlworld_patterns(spark: SparkSession, lakehouse: Lakehouse) -> dict[str, dict]:
    """AMLworld transaction labels, then the patterns file (one instance per attempt)."""
    return {
        "labels": _run(
            spark,
            lakehouse,
            "labels",
            "amlworld_trans.csv",
            "amlworld_transactions.yaml",
            "aw-labels",
        ),
        "patterns": _run(
            spark,
            lakehouse,
            "labels",
            "amlworld_patterns.txt",
            "amlworld_patterns.yaml",
            "aw-patterns",
        ),
    }
