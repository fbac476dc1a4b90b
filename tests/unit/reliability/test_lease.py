"""The run lease in ops.leases: one run per job and as-of, takeover of abandoned runs."""

from __future__ import annotations

import threading
import time
from datetime import UTC, date, datetime, timedelta

import pytest
from pyspark.sql import functions as F

from fcc import pipeline
from fcc.cli import EXIT_BUSY, Terminated, main, stop_on_sigterm
from fcc.core.lakehouse import Lakehouse
from fcc.core.runs import LeaseHeld, LeaseLost, RunLease, RunLedger, StepRecord
from fcc.core.tables import ops
from fcc.core.tables.extra_reliability import LEASES
from fcc.pipeline import Step, run_job

D = date(2026, 3, 31)


def _lease(lakehouse, run_id, job="nightly", expiry=timedelta(minutes=30)):
    return RunLease(lakehouse, job, D, run_id, expiry=expiry, heartbeat_seconds=0)


def _race(lakehouse, run_ids):
    """Acquire the same lease from one thread per run id, released together; id -> outcome."""
    barrier = threading.Barrier(len(run_ids))
    outcome: dict[str, object] = {}

    def go(run_id):
        lease = _lease(lakehouse, run_id)
        barrier.wait()
        try:
            lease.acquire()
            outcome[run_id] = "won"
        except LeaseHeld as exc:
            outcome[run_id] = exc

    threads = [threading.Thread(target=go, args=(r,)) for r in run_ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    return outcome


def test_two_runs_racing_for_a_fresh_lease_exactly_one_wins(lakehouse):
    outcome = _race(lakehouse, ["run-a", "run-b"])
    winners = [r for r, o in outcome.items() if o == "won"]
    assert len(outcome) == 2 and len(winners) == 1
    (loser,) = [o for o in outcome.values() if o != "won"]
    assert loser.holder == winners[0]
    rows = lakehouse.read(LEASES).collect()
    assert [(r.lease_id, r.holder_run_id, r.released_at) for r in rows] == [
        (f"nightly/{D}", winners[0], None)
    ]


def test_three_runs_creating_the_lease_table_at_once_leave_one_winner(spark, tmp_path):
    # Each race starts on a lakehouse with no lease table, so the three threads also race to
    # create it; before creation was serialised, about one race in six lost a thread.
    for i in range(5):
        outcome = _race(Lakehouse(spark, str(tmp_path / f"lh{i}")), ["run-x", "run-y", "run-z"])
        assert len(outcome) == 3 and list(outcome.values()).count("won") == 1, outcome


def test_three_runs_racing_for_a_released_lease_exactly_one_wins(lakehouse):
    _lease(lakehouse, "run-0").acquire().release()
    outcome = _race(lakehouse, ["run-x", "run-y", "run-z"])
    winners = [r for r, o in outcome.items() if o == "won"]
    assert len(winners) == 1
    assert {o.holder for o in outcome.values() if o != "won"} == set(winners)


def test_loser_message_names_the_holder_run_and_the_date(lakehouse):
    _lease(lakehouse, "nightly-2026-03-31-holder").acquire()
    with pytest.raises(LeaseHeld) as info:
        _lease(lakehouse, "nightly-2026-03-31-late").acquire()
    msg = str(info.value)
    assert "already running as run nightly-2026-03-31-holder" in msg
    assert "nightly for as-of 2026-03-31" in msg and "not starting a second run" in msg


def test_leases_are_per_job_and_date(lakehouse):
    _lease(lakehouse, "a").acquire()
    _lease(lakehouse, "b", job="screening").acquire()  # another job, same date: its own lease
    RunLease(lakehouse, "nightly", D + timedelta(days=1), "c", heartbeat_seconds=0).acquire()
    assert lakehouse.read(LEASES).count() == 3


def test_released_lease_is_taken_without_takeover(lakehouse):
    _lease(lakehouse, "first").acquire().release()
    second = _lease(lakehouse, "second").acquire()
    assert second.taken_over_from is None


def test_expired_lease_is_taken_over_and_the_old_holder_loses_it(lakehouse):
    old = _lease(lakehouse, "stalled", expiry=timedelta(seconds=1)).acquire()
    time.sleep(1.5)
    new = _lease(lakehouse, "fresh").acquire()
    assert new.taken_over_from == "stalled"
    assert old.heartbeat() is False and old.lost
    with pytest.raises(LeaseLost):
        old.check()
    old.release()  # a late release of the old holder must not free the new holder's lease
    with pytest.raises(LeaseHeld, match="run fresh"):
        _lease(lakehouse, "third").acquire()


class _Clock:
    """A settable UTC clock: the lease instants follow it, not the machine's speed."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now


def _wait_for(condition, what: str, timeout: float = 600.0) -> None:
    """Poll `condition` until true; the timeout only stops a broken test from hanging."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def _expires_at(lakehouse, when: datetime) -> bool:
    return (
        lakehouse.read(LEASES)
        .where((F.col("lease_id") == f"nightly/{D}") & (F.col("expires_at") == F.lit(when)))
        .count()
        == 1
    )


def test_heartbeat_keeps_a_lease_alive_past_its_first_expiry(lakehouse):
    clock = _Clock()
    t0 = clock.now
    lease = RunLease(
        lakehouse, "nightly", D, "alive", timedelta(minutes=10), heartbeat_seconds=0.05, clock=clock
    )
    lease.acquire()
    try:
        clock.now = t0 + timedelta(minutes=9)  # the heartbeat thread renews at this time
        _wait_for(lambda: _expires_at(lakehouse, t0 + timedelta(minutes=19)), "a heartbeat")
        late = t0 + timedelta(minutes=15)  # past the first expiry (t0 + 10 min)
        intruder = RunLease(
            lakehouse, "nightly", D, "intruder", heartbeat_seconds=0, clock=lambda: late
        )
        with pytest.raises(LeaseHeld, match="run alive"):
            intruder.acquire()
    finally:
        lease.release()
    assert lease.lost is False
    # without the heartbeat the same intruder takes the lease over
    clock.now = t0
    stalled = RunLease(lakehouse, "nightly", D, "stalled", timedelta(minutes=10), 0, clock=clock)
    stalled.acquire()
    intruder = RunLease(
        lakehouse, "nightly", D, "intruder", heartbeat_seconds=0, clock=lambda: late
    )
    assert intruder.acquire().taken_over_from == "stalled"


def test_heartbeat_renews_through_a_real_commit_conflict_with_another_writer(lakehouse):
    lease = _lease(lakehouse, "alive").acquire()
    stop = threading.Event()
    commits = []

    def other_runs() -> None:  # other jobs taking and freeing their own leases in ops.leases
        while not stop.is_set():
            n = len(commits)
            other = RunLease(
                lakehouse, "screening", D + timedelta(days=n + 1), f"o{n}", heartbeat_seconds=0
            )
            other.acquire().release()
            commits.append(n)

    writer = threading.Thread(target=other_runs)
    writer.start()
    renewed = []
    try:
        for _ in range(60):
            renewed.append(lease.heartbeat())
            if lease.conflicts:
                break
    finally:
        stop.set()
        writer.join(timeout=600)
    assert lease.conflicts >= 1, f"no conflicting commit in {len(renewed)} heartbeats"
    assert all(renewed) and lease.lost is False
    row = lease.current()
    assert (row.holder_run_id, row.released_at, row.live) == ("alive", None, True)
    assert commits  # the other writer committed too


# --- wiring into run_job and the CLI --------------------------------------------------------


def _fake_step(monkeypatch, fn, name="ingest"):
    monkeypatch.setitem(pipeline.STEPS, name, Step(name, fn, (), ()))


def test_second_run_during_the_first_fails_fast_and_leaves_no_ledger_rows(
    spark, lakehouse, cfg, monkeypatch
):
    seen = {}

    def step(ctx):
        with pytest.raises(LeaseHeld) as info:
            run_job(spark, lakehouse, cfg, "ingest", D, run_id="second")
        seen["error"] = str(info.value)
        return {"rows_out": 1}

    _fake_step(monkeypatch, step)
    run_id, _ = run_job(spark, lakehouse, cfg, "ingest", D, run_id="first")
    assert "already running as run first" in seen["error"]
    runs = {(r.run_id, r.step): r.status for r in lakehouse.read(ops.RUNS).collect()}
    assert runs == {("first", "*"): "succeeded", ("first", "ingest"): "succeeded"}
    assert lakehouse.read(LEASES).first().released_at is not None  # freed at the end


def test_lease_is_released_when_a_step_fails(spark, lakehouse, cfg, monkeypatch):
    def boom(ctx):
        raise RuntimeError("boom")

    _fake_step(monkeypatch, boom)
    with pytest.raises(pipeline.StepFailed):
        run_job(spark, lakehouse, cfg, "ingest", D, run_id="failing")
    row = lakehouse.read(LEASES).first()
    assert row.holder_run_id == "failing" and row.released_at is not None
    rerun = RunLease(lakehouse, "ingest", D, "rerun", heartbeat_seconds=0).acquire()
    assert rerun.taken_over_from is None


def test_run_taking_over_an_abandoned_lease_marks_the_abandoned_run_failed(
    spark, lakehouse, cfg, monkeypatch
):
    stalled = RunLedger(lakehouse, "ingest", D, cfg, run_id="stalled")
    stalled.started(StepRecord("*"))
    stalled.started(StepRecord("ingest"))
    RunLease(
        lakehouse, "ingest", D, "stalled", expiry=timedelta(seconds=1), heartbeat_seconds=0
    ).acquire()
    time.sleep(1.5)
    _fake_step(monkeypatch, lambda ctx: {"rows_out": 0})
    run_job(spark, lakehouse, cfg, "ingest", D, run_id="taker")
    rows = lakehouse.read(ops.RUNS).where(F.col("run_id") == "stalled").collect()
    assert {r.step: r.status for r in rows} == {"*": "failed", "ingest": "failed"}
    assert all("abandoned" in r.error and "run taker took over" in r.error for r in rows)
    assert lakehouse.read(LEASES).first().taken_over_from == "stalled"


def test_cli_run_exits_3_naming_the_holder_when_the_lease_is_held(lakehouse, cli_conf, capsys):
    import signal

    RunLease(lakehouse, "ingest", D, "ingest-holder-42", heartbeat_seconds=0).acquire()
    handler = signal.getsignal(signal.SIGTERM)
    code = main(
        ["run", "ingest", "--as-of", str(D), "--lakehouse", lakehouse.root, "--conf", cli_conf]
    )
    assert code == EXIT_BUSY == 3
    assert signal.getsignal(signal.SIGTERM) == handler  # main() leaves no SIGTERM handler behind
    err = capsys.readouterr().err
    assert "already running as run ingest-holder-42" in err
    assert not lakehouse.exists(ops.RUNS)


def _stopped_by_sigterm(spark, lakehouse, cfg, monkeypatch, fn, step, run_id) -> dict:
    """Run `step` (doing `fn`) under the CLI's SIGTERM handler; assert the run failed, freed its
    lease and was stopped by the signal; return {step: (status, error)} from ops.runs."""
    import signal

    _fake_step(monkeypatch, fn, name=step)
    previous = signal.getsignal(signal.SIGTERM)
    stop_on_sigterm()
    try:
        with pytest.raises(pipeline.StepFailed) as info:
            run_job(spark, lakehouse, cfg, step, D, run_id=run_id)
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert isinstance(info.value.__cause__, Terminated)
    runs = {r.step: (r.status, r.error) for r in lakehouse.read(ops.RUNS).collect()}
    assert {name: status for name, (status, _) in runs.items()} == {"*": "failed", step: "failed"}
    row = lakehouse.read(LEASES).first()
    assert row.holder_run_id == run_id and row.released_at is not None
    return runs


def test_sigterm_during_a_step_records_the_run_failed_and_frees_the_lease(
    spark, lakehouse, cfg, monkeypatch
):
    """A pod deletion (SIGTERM) must not leave a "running" run holding the lease."""
    import os
    import signal

    def killed(ctx):
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(5)  # the handler raises in the main thread before this returns
        return {"rows_out": 1}

    runs = _stopped_by_sigterm(spark, lakehouse, cfg, monkeypatch, killed, "ingest", "killed")
    assert "terminated by SIGTERM" in runs["ingest"][1]


def test_sigterm_while_spark_runs_a_job_cancels_it_records_failed_and_frees_the_lease(
    spark, lakehouse, cfg, monkeypatch
):
    """The signal interrupts the driver inside a Py4J call: the Py4J error behind it is the stop."""
    import os
    import signal

    def send_sigterm_once_running() -> None:
        _wait_for(lambda: spark.sparkContext.statusTracker().getActiveJobsIds(), "the Spark job")
        os.kill(os.getpid(), signal.SIGTERM)

    def endless(ctx):
        threading.Thread(target=send_sigterm_once_running, daemon=True).start()
        ctx.spark.range(0, 10**12, 1, 100_000).selectExpr("sum(id % 7) AS s").collect()  # hours
        return {"rows_out": 1}

    runs = _stopped_by_sigterm(spark, lakehouse, cfg, monkeypatch, endless, "monitoring", "stopped")
    assert runs["monitoring"][1] == "Terminated: terminated by SIGTERM"
    assert runs["*"][1] == "step monitoring failed: Terminated: terminated by SIGTERM"
    _wait_for(lambda: not spark.sparkContext.statusTracker().getActiveJobsIds(), "cancelled job")
