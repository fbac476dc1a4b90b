"""Imported public-benchmark samples go through the unchanged nightly chain and reach validation.

Each sample (AMLworld, AMLSim, plus the vendor address-label file) is imported into its own
lakehouse with `fcc import`'s code path, the nightly chain is backfilled over the sample's dates,
and `validate` scores the alerts against the labels the import wrote.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from pyspark.sql import functions as F

from fcc.core.config import load_config
from fcc.core.lakehouse import Lakehouse
from fcc.core.tables import gold, ops, silver
from fcc.governance.validate import validate
from fcc.pipeline import NIGHTLY, backfill
from tests.integration.opt_in import opt_in
from tests.unit.imports.helpers import (
    import_address_labels_sample,
    import_amlsim_sample,
    import_amlworld_sample,
)

pytestmark = opt_in(
    "FCC_NIGHTLY_IT", "nightly chain over imported samples (about 20 minutes on 2 cores)"
)

REPO_CONF = Path(__file__).resolve().parents[2] / "conf"

SAMPLES = {
    # name: (importer, first date, last date, labelled suspicious customers)
    "amlworld": (
        import_amlworld_sample,
        date(2022, 9, 1),
        date(2022, 9, 2),
        {"AW-1:8000F5340", "AW-70:100428660", "AW-20:8000A1111"},
    ),
    "amlsim": (
        import_amlsim_sample,
        date(2017, 1, 1),
        date(2017, 1, 4),
        {"SIM-1", "SIM-2", "SIM-3"},
    ),
}


@pytest.fixture(scope="module", params=sorted(SAMPLES))
def imported(request, spark, tmp_path_factory):
    name = request.param
    importer, start, end, suspicious = SAMPLES[name]
    root = str(tmp_path_factory.mktemp(f"imported-{name}") / "lakehouse")
    lakehouse = Lakehouse(spark, root)
    counts = importer(spark, lakehouse)
    import_address_labels_sample(spark, lakehouse)
    cfg = load_config(REPO_CONF, env="local", overrides=[f"lakehouse={root}"])
    runs = backfill(spark, lakehouse, cfg, start, end)
    return name, cfg, lakehouse, counts, runs, end, suspicious


def test_every_nightly_step_succeeds_on_every_imported_date(imported):
    name, _, lakehouse, _, runs, _, _ = imported
    assert all(run_id != "skipped" for _, run_id in runs), name
    ledger = lakehouse.read(ops.RUNS).where(F.col("run_id").isin([r for _, r in runs]))
    statuses = {(r.run_id, r.step): r.status for r in ledger.collect()}
    for _, run_id in runs:
        for step in (*NIGHTLY, "*"):
            assert statuses.get((run_id, step)) == "succeeded", (name, run_id, step)


def test_imported_rows_reach_silver_without_loss(imported):
    name, _, lakehouse, counts, _, _, _ = imported
    written = counts["transactions"]
    landed = sum(
        v for k, v in written.items() if k.startswith("bronze.") and k != "bronze.customers"
    )
    legs = lakehouse.read(silver.TRANSACTIONS).count()
    ingest_quarantine = (
        lakehouse.read(ops.QUARANTINE).where(~F.col("source").startswith("import:")).count()
    )
    # every transfer is two legs (debit and credit) or one leg for an external payment
    assert legs >= landed and ingest_quarantine == 0, (name, legs, landed, ingest_quarantine)


def test_every_imported_customer_is_scored_on_the_last_date(imported):
    name, _, lakehouse, _, _, end, _ = imported
    customers = lakehouse.read(silver.CUSTOMERS).select("customer_id")
    scored = lakehouse.read(gold.RISK_SCORES).where(F.col("as_of") == F.lit(end))
    assert scored.count() == customers.count() > 0, name
    assert scored.join(customers, "customer_id", "left_anti").count() == 0


def test_imported_labels_reach_validation(spark, imported):
    name, cfg, lakehouse, _, _, end, suspicious = imported
    result = validate(spark, lakehouse, cfg, end)
    overall = result.table.set_index(["scope", "subject"]).loc[("overall", "all_alerts")]
    alerted = {r.customer_id for r in lakehouse.read(gold.ALERTS).select("customer_id").collect()}
    labelled = {r.customer_id for r in lakehouse.read("truth.customer_labels").collect()}
    # the confusion counts recomputed here from the imported labels and the alerts themselves
    assert overall["tp"] == len(alerted & suspicious), name
    assert overall["fp"] == len((alerted & labelled) - suspicious), name
    assert overall["fn"] == len(suspicious - alerted), name
    assert overall["tn"] == len(labelled - suspicious - alerted), name
    written = lakehouse.read(ops.METRICS).where(
        (F.col("as_of") == F.lit(end)) & (F.col("family") == "validation")
    )
    assert written.count() > 0
