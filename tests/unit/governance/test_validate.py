from datetime import date

import pytest
from pyspark.sql import functions as F

from fcc.core.lakehouse import Lakehouse
from fcc.core.settings import AppConfig
from fcc.core.tables import ops
from fcc.governance import validate
from fcc.governance.validate import first_scored_date
from tests.unit.governance._tables import D, ten_customers

CFG = AppConfig.model_validate({"monitoring": {"validation": {"lookback_days": 10}}})


def _row(table, scope, subject):
    got = table[(table["scope"] == scope) & (table["subject"] == subject)]
    assert len(got) == 1, f"{scope}:{subject} missing from\n{table}"
    return got.iloc[0]


@pytest.fixture(scope="module")
def lake(spark, tmp_path_factory):
    lh = Lakehouse(spark, str(tmp_path_factory.mktemp("validate") / "lakehouse"))
    ten_customers(lh)
    return lh


@pytest.fixture(scope="module")
def result(spark, lake):
    return validate(spark, lake, CFG, D, run_id="r1")


def test_rule_confusion_matrix_on_ten_labelled_customers(result):
    a = _row(result.table, "rule", "rule_a")  # hits c01 c02 (suspicious) and c05 (payroll)
    assert (a.alerts, a.customers, a.tp, a.fp, a.fn, a.tn) == (3, 3, 2, 1, 2, 5)
    assert a.precision == pytest.approx(2 / 3) and a.recall == pytest.approx(0.5)
    assert a.f1 == pytest.approx(4 / 7)
    assert a.type_i_error == pytest.approx(1 / 6) and a.type_ii_error == pytest.approx(0.5)
    b = _row(result.table, "rule", "rule_b")  # c03 twice, c06, c07; c04's hit predates the window
    assert (b.alerts, b.customers, b.tp, b.fp, b.fn, b.tn) == (4, 3, 1, 2, 3, 4)
    assert b.precision == pytest.approx(1 / 3) and b.recall == pytest.approx(1 / 4)
    assert b.f1 == pytest.approx(2 / 7)
    assert b.type_i_error == pytest.approx(2 / 6) and b.type_ii_error == pytest.approx(3 / 4)


def test_typology_scope_counts_only_customers_planted_with_that_typology(result):
    s = _row(result.table, "typology", "structuring")
    assert (s.tp, s.fp, s.fn, s.tn) == (2, 1, 0, 7)
    assert s.recall == 1.0 and s.type_i_error == pytest.approx(1 / 8)
    f = _row(result.table, "typology", "fan_in")
    assert (f.tp, f.fp, f.fn, f.tn) == (1, 2, 1, 6)
    assert f.precision == pytest.approx(1 / 3) and f.recall == pytest.approx(1 / 2)


def test_overall_uses_alerts_in_the_window_and_conversion_uses_dispositions(result):
    o = _row(result.table, "overall", "all_alerts")  # c01 c03 c05 c06; c08's alert is older
    assert (o.alerts, o.tp, o.fp, o.fn, o.tn) == (4, 2, 2, 2, 4)
    assert (o.precision, o.recall, o.f1) == (0.5, 0.5, 0.5)
    assert o.type_i_error == pytest.approx(2 / 6) and o.type_ii_error == 0.5
    assert o.conversion == pytest.approx(1 / 4)  # one SAR among four alerts
    assert _row(result.table, "rule", "rule_a").conversion == pytest.approx(1 / 2)
    assert _row(result.table, "rule", "rule_b").conversion is None  # neither alert reviewed yet


def test_customer_planted_before_the_window_is_out_of_scope(result):
    assert "suspicious customers planted outside the window (out of scope): 1" in result.notes
    assert "cycle" not in set(result.table["subject"])


def test_coverage_matrix_counts_planted_instances_caught_per_rule(result):
    cov = result.coverage
    assert cov.loc["structuring", "rule_a"] == 1 and cov.loc["structuring", "rule_b"] == 0
    assert cov.loc["fan_in", "rule_b"] == 1 and cov.loc["fan_in", "planted"] == 2
    assert cov.loc["fan_in", "any_alert"] == 1 and cov.loc["structuring", "any_alert"] == 1
    assert "cycle" not in cov.index


def test_validation_is_written_to_ops_metrics_and_a_rerun_replaces_it(spark, lake, result):
    validate(spark, lake, CFG, D, run_id="r2")
    m = lake.read(ops.METRICS).where(F.col("family") == "validation")
    assert m.select("run_id").distinct().collect()[0][0] == "r2"
    assert m.groupBy("subject", "metric").count().where("count > 1").count() == 0
    prec = m.where("subject = 'rule:rule_a' AND metric = 'precision'").first()
    assert prec.value == pytest.approx(2 / 3)
    cov = m.where("subject = 'coverage:fan_in' AND metric = 'caught_by:rule_b'").first()
    assert cov.value == 0.5
    assert "rule_a" in str(result) and "caught / planted" in str(result)


def test_external_labels_table_of_dispositions(spark, lake, tmp_path):
    path = tmp_path / "outcomes.csv"
    path.write_text(
        "customer_id,disposition\nc01,sar_filed\nc03,false_positive\nc05,false_positive\n"
        "c06,sar_filed\n"
    )
    res = validate(spark, lake, CFG, D, labels_table=str(path), write=False)
    o = _row(res.table, "overall", "all_alerts")  # population: the 4 investigated customers
    assert (o.tp, o.fp, o.fn, o.tn) == (2, 2, 0, 0)
    assert o.conversion == pytest.approx(2 / 4)  # alert or label disposition is a case


def test_labels_without_outcome_columns_are_bad_input(spark, lakehouse, tmp_path):
    from fcc.governance import LabelsError

    path = tmp_path / "bad.csv"
    path.write_text("customer_id,note\nc01,x\n")
    with pytest.raises(LabelsError, match="is_suspicious and/or disposition"):
        validate(spark, lakehouse, CFG, date(2026, 3, 31), labels_table=str(path), write=False)


def test_window_starts_at_the_first_night_the_typologies_step_succeeded(spark, tmp_path):
    """Nights before the first scored one are not counted as misses."""
    from datetime import timedelta

    from tests.unit.governance._tables import put

    lh = Lakehouse(spark, str(tmp_path / "lakehouse"))
    start = D - timedelta(days=9)
    assert first_scored_date(lh, start, D) is None  # no ledger yet

    def run(step, status, days_before):
        return {
            "run_id": f"r{days_before}{step}",
            "job": "nightly",
            "step": step,
            "as_of": D - timedelta(days=days_before),
            "status": status,
        }

    put(
        lh,
        ops.RUNS,
        [
            run("typologies", "succeeded", 20),  # before the window
            run("ingest", "succeeded", 6),  # another step
            run("typologies", "failed", 5),  # not scored
            run("typologies", "succeeded", 3),
            run("typologies", "succeeded", 1),
        ],
    )
    assert first_scored_date(lh, start, D) == D - timedelta(days=3)
    assert first_scored_date(lh, D, D) is None


def test_a_run_that_has_just_scored_d_starts_the_window_at_d(spark, lake):
    """The nightly's own typologies step is in the ledger only when the run ends."""
    from datetime import timedelta

    assert validate(spark, lake, CFG, D, write=False, scored_now=True).window == (D, D)
    lookback = validate(spark, lake, CFG, D, write=False).window
    assert lookback == (D - timedelta(days=9), D)


def test_standing_typologies_stay_visible_and_others_only_on_their_own_days(spark, tmp_path):
    """A run reports a pattern on the day it gains a transaction; names and rings every night."""
    from fcc.core.tables import truth
    from fcc.governance._truth import load_instances, visible_between
    from tests.unit.governance._tables import instance, put

    lh = Lakehouse(spark, str(tmp_path / "lakehouse"))
    put(
        lh,
        truth.TYPOLOGY_INSTANCES,
        [
            instance("before", "cycle", ["a"], date(2026, 3, 10), date(2026, 3, 21)),
            instance("across", "cycle", ["b"], date(2026, 3, 20), date(2026, 3, 22)),
            instance("name", "watchlist_name_variant", ["c"], date(2025, 1, 1), date(2025, 1, 1)),
            instance("ring", "synthetic_identity_ring", ["d"], date(2026, 1, 2), date(2026, 1, 6)),
            instance("later", "watchlist_name_variant", ["e"], date(2026, 4, 1), date(2026, 4, 1)),
            instance("mixer", "direct_exposure", ["f"], date(2025, 6, 1), date(2025, 6, 2)),
            instance("volume", "profile_mismatch", ["g"], date(2026, 2, 1), date(2026, 2, 21)),
        ],
    )
    instances = load_instances(lh, CFG)
    assert {r.instance_id: r.seen_until for r in instances.collect()} == {
        "before": date(2026, 3, 21),
        "across": date(2026, 3, 22),
        "name": None,
        "ring": None,
        "later": None,
        "mixer": date(2026, 6, 1),  # exposure is reported for 364 more days
        "volume": date(2026, 3, 22),  # in a 30-day volume for 29 more days
    }
    window = visible_between(date(2026, 3, 22), D)
    assert {r.instance_id for r in instances.where(window).collect()} == {
        "across",
        "name",
        "ring",
        "mixer",
        "volume",
    }
    assert "volume" not in {
        r.instance_id for r in instances.where(visible_between(date(2026, 3, 23), D)).collect()
    }


@pytest.mark.parametrize("source", ["defaults", "conf"])
def test_reported_for_days_follow_the_detector_windows(source):
    """Exposure counts a transfer for graph.exposure.lookback_days; profile uses 30-day volume."""
    from fcc.core.config import load_config

    cfg = CFG if source == "defaults" else load_config(env="local")
    days = cfg.monitoring.validation.reported_for_days
    lookback = cfg.graph.exposure.lookback_days
    assert days["direct_exposure"] == days["indirect_exposure"] == lookback - 1
    assert cfg.typologies.profile.volume_expression.endswith("_30d")
    assert days["profile_mismatch"] == 30 - 1


def test_precision_any_counts_customers_suspicious_for_another_typology(spark):
    """A fan-in hit on a structuring customer is a strict FP but still a suspicious customer."""
    from fcc.governance._confusion import confusion_table

    truth = spark.createDataFrame(
        [
            ("s1", True, True, ["structuring"]),
            ("f1", True, True, ["fan_in"]),
            ("n1", False, True, []),
            ("n2", False, True, []),
            ("old", False, False, ["cycle"]),  # out of scope: neither TP nor FP
        ],
        "customer_id string, positive boolean, in_scope boolean, typologies array<string>",
    )
    flags = spark.createDataFrame(
        [("typology", "fan_in", c) for c in ("f1", "s1", "n1", "old")],
        "scope string, subject string, customer_id string",
    )
    row = confusion_table(flags, truth).set_index(["scope", "subject"]).loc[("typology", "fan_in")]
    assert (row.tp, row.fp, row.fn, row.tn) == (1, 2, 0, 1)
    assert row.precision == pytest.approx(1 / 3)
    assert row.precision_any == pytest.approx(2 / 3)
