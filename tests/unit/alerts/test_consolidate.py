from datetime import date, timedelta

from fcc.alerts.consolidate import consolidate_hits, hits_from_rules, plan_alerts
from fcc.core.settings.alerts import AlertsSettings
from fcc.core.tables import gold

D = date(2026, 11, 27)
S = AlertsSettings.model_validate(
    {
        "suppression_window_days": 30,
        "case_type_by_typology": {"synthetic_identity_ring": "entity_ring"},
    }
)
HIT_COLS = (
    "as_of date, hit_id string, customer_id string, producer string, rule_id string, rule_version string, "
    "typology string, severity string, score double, evidence string, txn_ids array<string>"
)


def _hits(spark, rows, as_of=D):
    return spark.createDataFrame([(as_of, *r, 50.0, "{}", []) for r in rows], HIT_COLS)


def _plan(spark, hits, existing, as_of=D):
    candidates = consolidate_hits(hits_from_rules(hits, S))
    risk = spark.createDataFrame([("c1", 50.0)], "customer_id string, score double")
    rows, suppressed = plan_alerts(candidates, existing, risk, S, as_of, "run-1")
    return rows.collect(), suppressed.count()


def _empty_alerts(spark):
    return spark.createDataFrame([], gold.ALERTS.schema)


def _as_existing(spark, rows, **changes):
    out = []
    for r in rows:
        d = {f: r[f] for f in gold.ALERTS.schema.fieldNames()}
        d.update(changes)
        out.append(d)
    return spark.createDataFrame(out, gold.ALERTS.schema)


def test_hits_of_one_customer_and_case_type_make_one_alert_with_top_severity(spark):
    hits = _hits(
        spark,
        [
            ("h1", "c1", "typologies", "structuring", "1", "structuring", "medium"),
            ("h2", "c1", "typologies", "fan_in", "2", "fan_in", "high"),
            ("h3", "c1", "graph", "ring", "1", "synthetic_identity_ring", "high"),
        ],
    )
    rows, suppressed = _plan(spark, hits, _empty_alerts(spark))
    by_case = {r.case_type: r for r in rows}
    assert set(by_case) == {"transaction_monitoring", "entity_ring"} and suppressed == 0
    tm = by_case["transaction_monitoring"]
    assert tm.severity == "high" and [h.hit_id for h in tm.hits] == ["h1", "h2"]
    assert (
        tm.typologies == ["fan_in", "structuring"] and tm.opened_as_of == D and tm.status == "open"
    )
    # priority score = 0.6 * 75 (high) + 0.4 * 50 (risk score) = 65 -> P2
    assert tm.priority_score == 65.0 and tm.priority == "P2"


def test_rerun_and_next_day_update_the_same_alert(spark):
    hits = _hits(spark, [("h1", "c1", "typologies", "structuring", "1", "structuring", "medium")])
    first, _ = _plan(spark, hits, _empty_alerts(spark))
    again, _ = _plan(spark, hits, _as_existing(spark, first))
    assert [r.alert_id for r in again] == [first[0].alert_id]
    nxt = D + timedelta(days=1)
    later, _ = _plan(
        spark,
        _hits(spark, [("h9", "c1", "typologies", "structuring", "1", "structuring", "low")], nxt),
        _as_existing(spark, first),
        as_of=nxt,
    )
    assert later[0].alert_id == first[0].alert_id and later[0].opened_as_of == D
    assert later[0].last_seen_as_of == nxt and later[0].severity == "medium"


def test_rising_severity_opens_a_new_alert(spark):
    first, _ = _plan(
        spark,
        _hits(spark, [("h1", "c1", "typologies", "structuring", "1", "structuring", "medium")]),
        _empty_alerts(spark),
    )
    nxt = D + timedelta(days=2)
    rows, _ = _plan(
        spark,
        _hits(spark, [("h2", "c1", "typologies", "cycle", "1", "cycle", "critical")], nxt),
        _as_existing(spark, first),
        as_of=nxt,
    )
    assert rows[0].alert_id != first[0].alert_id and rows[0].opened_as_of == nxt


def test_same_hits_after_a_closed_alert_inside_the_window_are_suppressed_outside_they_reopen(spark):
    hits = _hits(spark, [("h1", "c1", "typologies", "structuring", "1", "structuring", "medium")])
    first, _ = _plan(spark, hits, _empty_alerts(spark))
    closed = _as_existing(spark, first, status="closed", disposition="false_positive")
    inside = D + timedelta(days=30)
    rows, suppressed = _plan(
        spark,
        _hits(
            spark, [("h5", "c1", "typologies", "structuring", "1", "structuring", "medium")], inside
        ),
        closed,
        as_of=inside,
    )
    assert rows == [] and suppressed == 1
    outside = D + timedelta(days=31)
    rows, suppressed = _plan(
        spark,
        _hits(
            spark,
            [("h6", "c1", "typologies", "structuring", "1", "structuring", "medium")],
            outside,
        ),
        closed,
        as_of=outside,
    )
    assert len(rows) == 1 and rows[0].alert_id != first[0].alert_id and suppressed == 0
