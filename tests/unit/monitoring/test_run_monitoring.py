from pyspark.sql import functions as F

from fcc.core.settings import AppConfig
from fcc.core.tables import ops
from fcc.monitoring import run_monitoring
from fcc.monitoring.run import _validation
from tests.unit.governance._tables import D, ten_customers


def test_nightly_monitoring_also_validates_when_labels_exist(spark, lakehouse):
    ten_customers(lakehouse)
    cfg = AppConfig.model_validate(
        {"monitoring": {"validation": {"lookback_days": 10}, "drift": {"features": ["in_usd_7d"]}}}
    )
    counts = run_monitoring(spark, lakehouse, cfg, D, "run-1")
    assert counts["validated_subjects"] == 5  # overall, rule_a, rule_b, structuring, fan_in
    families = {r.family for r in lakehouse.read(ops.METRICS).select("family").distinct().collect()}
    assert {"kri", "validation"} <= families
    hits = (
        lakehouse.read(ops.METRICS)
        .where((F.col("family") == "kri") & (F.col("subject") == "rule_a"))
        .first()
    )
    assert hits.value == 3.0 and hits.run_id == "run-1"


def test_nightly_validation_can_be_switched_off(spark, lakehouse):
    cfg = AppConfig.model_validate({"monitoring": {"validation": {"nightly": False}}})
    assert _validation(spark, lakehouse, cfg, D, "run-2") == 0
    assert not lakehouse.exists(ops.METRICS)  # nothing read or written
