"""The alerts step on real Delta tables: a rerun of D withdraws what D's hits no longer support."""

from datetime import date

from delta.tables import DeltaTable
from pyspark.sql import functions as F

from fcc.alerts.run import run_alerts
from fcc.core.settings import AppConfig
from fcc.core.tables import gold

D = date(2026, 11, 27)


def _hits(spark, customers):
    rows = [
        (D, f"h-{c}", c, "typologies", "structuring", "1", "structuring", "medium", 50.0, "{}", [])
        for c in customers
    ]
    return spark.createDataFrame(rows, gold.RULE_HITS.schema)


def test_rerun_of_a_date_withdraws_untouched_alerts_its_hits_no_longer_support(spark, lakehouse):
    cfg = AppConfig()
    lakehouse.replace_where(gold.RULE_HITS, _hits(spark, ["c1", "c2", "c3"]), as_of=D)
    first = run_alerts(spark, lakehouse, cfg, D, "run-1")
    assert (first["alerts_new"], first["alerts_withdrawn"]) == (3, 0)
    # an analyst closes c3's alert before the date is rerun
    DeltaTable.forPath(spark, lakehouse.path(gold.ALERTS)).update(
        "customer_id = 'c3'", {"status": "'closed'", "disposition": "'false_positive'"}
    )
    # the rerun (e.g. a corrected threshold) hits c1 only
    lakehouse.replace_where(gold.RULE_HITS, _hits(spark, ["c1"]), as_of=D)
    second = run_alerts(spark, lakehouse, cfg, D, "run-2")
    assert (second["alerts_new"], second["alerts_updated"], second["alerts_withdrawn"]) == (0, 1, 1)
    rows = {r.customer_id: r for r in lakehouse.read(gold.ALERTS).collect()}
    assert set(rows) == {"c1", "c3"}  # c2's untouched alert is gone, the worked c3 stays
    assert rows["c1"].run_id == "run-2" and rows["c3"].disposition == "false_positive"
    # the withdrawn alert is still in the table's history
    before = lakehouse.read(gold.ALERTS, version=lakehouse.version(gold.ALERTS) - 1)
    assert before.where(F.col("customer_id") == "c2").count() == 1
