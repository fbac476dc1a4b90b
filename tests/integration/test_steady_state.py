"""A week of nights on generated data, then reruns, a replay and a failed step on the last one.

The generator lands every source the way an exchange receives it: KYC records and identifiers
the morning after they were made (the history before the window in one initial load), KYC
changes as later versions, transactions per day, lists, address labels and rates before the
window. A backfill over the last seven dates must then run every step every night, quarantine
nothing and account for every bronze row exactly once in the batch reconciliation.

The same week then serves the chain's own guarantees on its last date: a completed date is
skipped, chosen steps run alone, a rerun gives identical alerts and scores, a recorded run
replays identically, and a failed step is recorded, changes no table and a rerun recovers.
One generated world for all of them keeps this affordable: every night is a real local Spark
application over real Delta tables. The tests run in file order; the ones that rerun the last
date come after those that read the week as the backfill left it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
from pyspark.sql import functions as F

from fcc.core.config import load_config
from fcc.core.lakehouse import Lakehouse
from fcc.core.tables import bronze, gold, ops, silver, truth
from fcc.core.tables.extra_screening import SCREENING_RUNS
from fcc.pipeline import NIGHTLY, StepFailed, backfill, completed_dates, replay, run_job
from tests.integration.opt_in import opt_in

pytestmark = opt_in(
    "FCC_NIGHTLY_IT", "a week of nights on generated data (about 20 minutes on 2 cores)"
)

END = date(2026, 11, 27)
FIRST = END - timedelta(days=6)
NIGHTS = [FIRST + timedelta(days=i) for i in range(7)]
CUSTOMERS, DAYS, SEED = 200, 20, 3
REPO_CONF = Path(__file__).resolve().parents[2] / "conf"


@pytest.fixture(scope="module")
def world(spark, tmp_path_factory):
    from fcc.synth import generate

    root = str(tmp_path_factory.mktemp("steady") / "lakehouse")
    cfg = load_config(REPO_CONF, env="local", overrides=[f"lakehouse={root}"])
    generate(spark, root, customers=CUSTOMERS, days=DAYS, seed=SEED, end_date=END, cfg=cfg.synth)
    lakehouse = Lakehouse(spark, root)
    runs = backfill(spark, lakehouse, cfg, FIRST, END)
    return cfg, lakehouse, runs


def _cutoff(cfg, day: date) -> datetime:
    """First landing instant the night of `day` does not read (naive UTC, as Spark returns it)."""
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=UTC)
    return (end + timedelta(hours=cfg.ingest.landing_window_hours)).replace(tzinfo=None)


def _reconciliation(lakehouse: Lakehouse) -> list:
    return (
        lakehouse.read(ops.DQ_RESULTS)
        .where(F.col("check") == "reconciliation")
        .select(
            "as_of",
            "source",
            "batch_id",
            "rows_read",
            "rows_inserted",
            "rows_updated",
            "rows_duplicate",
            "rows_quarantined",
            "passed",
        )
        .collect()
    )


def _bronze_batches(lakehouse: Lakehouse) -> dict[tuple[str, str], tuple[int, datetime, datetime]]:
    """(source, batch_id) -> (rows, first landing, last landing) over every bronze table."""
    out = {}
    for spec in bronze.ALL:
        rows = (
            lakehouse.read(spec)
            .groupBy("batch_id")
            .agg(
                F.count("*").alias("n"),
                F.min("landed_at").alias("lo"),
                F.max("landed_at").alias("hi"),
            )
            .collect()
        )
        out.update({(spec.name, r.batch_id): (r.n, r.lo, r.hi) for r in rows})
    return out


def test_every_night_runs_every_step(world):
    _, lakehouse, runs = world
    assert [d for d, _ in runs] == NIGHTS
    assert completed_dates(lakehouse) >= set(NIGHTS)
    ledger = lakehouse.read(ops.RUNS).where(F.col("run_id").isin([r for _, r in runs])).collect()
    for day, run_id in runs:
        got = {r.step: r.status for r in ledger if r.run_id == run_id}
        assert got == {**{s: "succeeded" for s in NIGHTLY}, "*": "succeeded"}, day
        whole = next(r for r in ledger if r.run_id == run_id and r.step == "*")
        assert whole.config_hash and whole.output_versions["gold.alerts"] >= 0, day
        if day > FIRST:  # the first night creates the silver tables it reads
            assert whole.input_versions["silver.transactions"] >= 0, day
        ingest = next(r for r in ledger if r.run_id == run_id and r.step == "ingest")
        assert ingest.row_counts["rows_deferred"] == 0, day
        assert ingest.row_counts["rows_read"] > 0, day


def test_nothing_is_quarantined(world):
    _, lakehouse, _ = world
    assert lakehouse.read(ops.QUARANTINE).count() == 0


def test_every_bronze_row_is_read_by_exactly_one_night_and_accounted(world):
    _, lakehouse, _ = world
    checks = _reconciliation(lakehouse)
    batches = _bronze_batches(lakehouse)
    assert all(c.passed for c in checks)
    for c in checks:
        outcomes = c.rows_inserted + c.rows_updated + c.rows_duplicate + c.rows_quarantined
        assert c.rows_read == outcomes, c
        assert c.rows_quarantined == 0, c
    read_by = {}
    for c in checks:
        assert (c.source, c.batch_id) not in read_by, f"{c.source} {c.batch_id} read twice"
        read_by[(c.source, c.batch_id)] = c.rows_read
    # every batch landed by the last night's cutoff was read whole, once; none is left over
    assert read_by == {key: n for key, (n, _, _) in batches.items()}
    for spec in bronze.ALL:
        read = sum(n for (source, _), n in read_by.items() if source == spec.name)
        assert read == lakehouse.read(spec).count() > 0, spec.qualified


def test_each_night_reads_only_the_rows_landed_for_it(world):
    cfg, lakehouse, _ = world
    batches = _bronze_batches(lakehouse)
    for c in _reconciliation(lakehouse):
        _, first_landed, last_landed = batches[(c.source, c.batch_id)]
        assert last_landed < _cutoff(cfg, c.as_of), c
        if c.as_of > FIRST:  # the first night also takes in everything landed before it
            assert first_landed >= _cutoff(cfg, c.as_of - timedelta(days=1)), c
    nights = {c.as_of for c in _reconciliation(lakehouse)}
    assert nights == set(NIGHTS)


def test_kyc_changes_are_updates_and_change_no_screening(world):
    _, lakehouse, _ = world
    kyc = [c for c in _reconciliation(lakehouse) if c.source == bronze.CUSTOMERS.name]
    later = [c for c in kyc if c.as_of > FIRST]
    assert sum(c.rows_updated for c in later) > 0, "no KYC change landed after the first night"
    assert sum(c.rows_duplicate for c in later) == 0
    # silver holds one row per customer, at its latest KYC version
    latest = (
        lakehouse.read(bronze.CUSTOMERS)
        .groupBy("customer_id")
        .agg(F.max(F.col("updated_at").cast("timestamp")).alias("updated_at"))
    )
    stored = lakehouse.read(silver.CUSTOMERS).select("customer_id", "updated_at")
    assert stored.count() == CUSTOMERS
    assert sorted(stored.collect()) == sorted(latest.collect())
    # a new version with the same fields is not a changed customer: only new ones are screened
    screened = {
        r.as_of: (r.mode, r.customers_screened) for r in lakehouse.read(SCREENING_RUNS).collect()
    }
    inserted = {day: 0 for day in NIGHTS}
    for c in kyc:
        inserted[c.as_of] += c.rows_inserted
    for day in NIGHTS[1:]:
        assert screened[day] == ("delta", inserted[day]), day


def test_truth_refers_to_landed_customers_and_transactions_in_the_window(world):
    _, lakehouse, _ = world
    customers = {r.customer_id for r in lakehouse.read(silver.CUSTOMERS).collect()}
    labels = {r.customer_id for r in lakehouse.read(truth.CUSTOMER_LABELS).collect()}
    assert labels == customers
    txns = {
        r.txn_id: r.event_date
        for r in lakehouse.read(silver.TRANSACTIONS).select("txn_id", "event_date").collect()
    }
    instances = lakehouse.read(truth.TYPOLOGY_INSTANCES).collect()
    assert instances
    for inst in instances:
        assert set(inst.customer_ids) <= customers, inst.instance_id
        assert set(inst.txn_ids) <= set(txns), inst.instance_id
        assert inst.start_ts <= inst.end_ts < datetime.combine(END + timedelta(days=1), time(0))
        for t in inst.txn_ids:
            assert inst.start_ts.date() <= txns[t] <= inst.end_ts.date(), (inst.instance_id, t)


# The chain's guarantees on the last date. All but the first rerun END, so they come after the
# week's own tests, which read the tables as the backfill left them.


def _without_run_columns(df):
    return df.drop("run_id", "updated_at")


def test_nightly_outputs_exist_for_the_as_of_date(world):
    cfg, lakehouse, _ = world
    on_d = F.col("as_of") == F.lit(END)
    n_customers = lakehouse.read(silver.CUSTOMERS).count()
    assert lakehouse.read(gold.RISK_SCORES).where(on_d).count() == n_customers
    assert lakehouse.read("gold.features").where(on_d).count() == n_customers
    assert lakehouse.read(gold.RULE_HITS).where(on_d).count() > 0
    alerts = lakehouse.read(gold.ALERTS)
    assert alerts.count() > 0
    assert (
        alerts.groupBy("customer_id", "case_type", "opened_as_of")
        .count()
        .where("count > 1")
        .count()
        == 0
    )


def test_backfill_skips_completed_dates(spark, world):
    cfg, lakehouse, _ = world
    again = backfill(spark, lakehouse, cfg, END - timedelta(days=1), END)
    assert again == [(END - timedelta(days=1), "skipped"), (END, "skipped")]


def test_backfill_of_chosen_steps_runs_only_them_and_then_skips_them(spark, world):
    cfg, lakehouse, _ = world
    on_d = F.col("as_of") == F.lit(END)
    hits_before = sorted(_without_run_columns(lakehouse.read(gold.RULE_HITS).where(on_d)).collect())
    [(day, outcome)] = backfill(spark, lakehouse, cfg, END, END, steps=["features", "typologies"])
    assert day == END and outcome.startswith("features=") and " typologies=" in outcome
    assert "skipped" not in outcome  # a nightly run does not complete the single-step jobs
    run_ids = dict(part.split("=") for part in outcome.split())
    runs = lakehouse.read(ops.RUNS).where(F.col("run_id").isin(list(run_ids.values())))
    assert {r.job for r in runs.collect()} == {"features", "typologies"}
    hits_after = sorted(_without_run_columns(lakehouse.read(gold.RULE_HITS).where(on_d)).collect())
    assert hits_after == hits_before
    again = backfill(spark, lakehouse, cfg, END, END, steps=["features", "typologies"])
    assert again == [(END, "features=skipped typologies=skipped")]


def test_rerun_of_a_date_gives_identical_alerts_and_scores(spark, world):
    cfg, lakehouse, _ = world
    on_d = F.col("as_of") == F.lit(END)
    scores_before = _without_run_columns(lakehouse.read(gold.RISK_SCORES).where(on_d)).collect()
    alerts_before = _without_run_columns(lakehouse.read(gold.ALERTS)).collect()
    run_job(spark, lakehouse, cfg, "nightly", END)
    scores_after = _without_run_columns(lakehouse.read(gold.RISK_SCORES).where(on_d)).collect()
    alerts_after = _without_run_columns(lakehouse.read(gold.ALERTS)).collect()
    assert sorted(scores_after) == sorted(scores_before)
    assert sorted(alerts_after) == sorted(alerts_before)


def test_replay_of_a_recorded_run_is_identical(spark, world, tmp_path):
    cfg, lakehouse, runs = world
    result = replay(spark, lakehouse, runs[-1][1], str(tmp_path / "replay"))
    assert result.differences == {"gold.alerts": 0, "gold.risk_scores": 0}
    assert result.identical


def test_failed_step_is_recorded_leaves_tables_consistent_and_rerun_recovers(spark, world):
    cfg, lakehouse, _ = world
    on_d = F.col("as_of") == F.lit(END)
    before = _without_run_columns(lakehouse.read(gold.RISK_SCORES).where(on_d)).collect()
    version_before = lakehouse.version(gold.RISK_SCORES)
    bad = load_config(
        REPO_CONF,
        env="local",
        overrides=[
            f"lakehouse={cfg.lakehouse}",
            "scoring.behaviour=[{feature: no_such_feature, above: 1, points: 1}]",
        ],
    )
    with pytest.raises(StepFailed, match="no_such_feature"):
        run_job(spark, lakehouse, bad, "scoring", END)
    failed = (
        lakehouse.read(ops.RUNS)
        .where((F.col("job") == "scoring") & (F.col("status") == "failed"))
        .orderBy(F.desc("started_at"))
        .first()
    )
    assert failed is not None and "no_such_feature" in failed.error
    assert lakehouse.version(gold.RISK_SCORES) == version_before
    run_job(spark, lakehouse, cfg, "scoring", END)
    after = _without_run_columns(lakehouse.read(gold.RISK_SCORES).where(on_d)).collect()
    assert sorted(after) == sorted(before)
