"""The audit ledger ops.runs (one row per run and step) and the run lease in ops.leases.

The ledger is written as the run progresses; the lease lets one run per job and business date
proceed at a time (see docs/reliability.md).
"""

from __future__ import annotations

import json
import logging
import re
import subprocess
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from delta import exceptions as delta_errors
from delta.tables import DeltaTable
from pyspark.sql import functions as F

from fcc import __version__
from fcc.core.config import config_dict, config_hash
from fcc.core.lakehouse import Lakehouse
from fcc.core.settings import AppConfig
from fcc.core.tables import ops
from fcc.core.tables.extra_reliability import LEASES

log = logging.getLogger(__name__)


def new_run_id(job: str, as_of: date | None) -> str:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    return f"{job}-{as_of.isoformat() if as_of else 'na'}-{stamp}-{uuid.uuid4().hex[:6]}"


def git_commit() -> str | None:
    """Source commit: FCC_GIT_COMMIT (baked into the image) or `git rev-parse` of the checkout."""
    import os

    if os.environ.get("FCC_GIT_COMMIT"):
        return os.environ["FCC_GIT_COMMIT"]
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=Path(__file__).resolve().parent,
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
        return out.stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        return None


@dataclass
class StepRecord:
    step: str
    started: float = field(default_factory=time.time)
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    input_versions: dict[str, int] = field(default_factory=dict)
    output_versions: dict[str, int] = field(default_factory=dict)
    row_counts: dict[str, int] = field(default_factory=dict)
    ended_at: datetime | None = None  # set when the step ends; the ledger may write it later

    def end(self) -> None:
        self.ended_at = datetime.now(UTC)


class RunLedger:
    """Writes ops.runs rows (MERGE on run_id, step): the run when it starts, its steps when it ends."""

    def __init__(
        self,
        lakehouse: Lakehouse,
        job: str,
        as_of: date | None,
        cfg: AppConfig,
        run_id: str | None = None,
    ):
        self.lakehouse = lakehouse
        self.job = job
        self.as_of = as_of
        self.cfg = cfg
        self.run_id = run_id or new_run_id(job, as_of)
        self.config_hash = config_hash(cfg)
        self.config_json = json.dumps(config_dict(cfg), sort_keys=True)
        self.commit = git_commit()
        self.config_diff: str | None = None
        self._diffed = False

    def _ensure_columns(self) -> None:
        """Add ops.runs columns registered after the table was created (e.g. config_diff)."""
        if not self.lakehouse.exists(ops.RUNS):
            return
        have = set(self.lakehouse.read(ops.RUNS).columns)
        missing = [f for f in ops.RUNS.schema.fields if f.name not in have]
        if missing:
            cols = ", ".join(f"`{f.name}` {f.dataType.simpleString()}" for f in missing)
            path = self.lakehouse.path(ops.RUNS).replace("`", "``")
            self.lakehouse.spark.sql(f"ALTER TABLE delta.`{path}` ADD COLUMNS ({cols})")

    def _diff_against_previous(self) -> str | None:
        """JSON of keys changed since this job's latest succeeded run; None when there is none."""
        if not self.lakehouse.exists(ops.RUNS):
            return None
        prev = (
            self.lakehouse.read(ops.RUNS)
            .where(
                (F.col("job") == self.job)
                & (F.col("step") == "*")
                & (F.col("status") == "succeeded")
                & (F.col("run_id") != self.run_id)
                & F.col("config_json").isNotNull()
            )
            .orderBy(F.col("ended_at").desc_nulls_last(), F.col("started_at").desc())
            .select("run_id", "config_json")
            .first()
        )
        if prev is None:
            return None
        diff = config_diff(json.loads(prev.config_json), json.loads(self.config_json))
        if diff:
            log.info(
                "run %s: config changed since run %s: %s", self.run_id, prev.run_id, sorted(diff)
            )
        return json.dumps(diff, sort_keys=True)

    def _row(self, rec: StepRecord, status: str, error: str | None, ended: bool) -> tuple:
        end = (rec.ended_at or datetime.now(UTC)) if ended else None
        return (
            self.run_id,
            self.job,
            rec.step,
            self.as_of,
            status,
            rec.started_at,
            end,
            (end - rec.started_at).total_seconds() if end is not None else None,
            __version__,
            self.commit,
            self.config_hash,
            self.config_json if rec.step == "*" else None,
            rec.input_versions,
            rec.output_versions,
            rec.row_counts,
            (error or "")[:4000] or None,
            self.config_diff if rec.step == "*" else None,
        )

    def write(self, *entries: tuple[StepRecord, str, str | None]) -> None:
        """MERGE (record, status, error) rows in one commit; a status other than running ends it.

        A run writes two commits (see fcc.pipeline): its `*` row when it starts, then every
        step's row and its own outcome when it ends, whatever the number of steps.
        """
        if any(rec.step == "*" and status == "running" for rec, status, _ in entries):
            if not self._diffed:
                self._ensure_columns()
                self.config_diff = self._diff_against_previous()
                self._diffed = True
        rows = [
            self._row(rec, status, error, status != "running") for rec, status, error in entries
        ]
        df = self.lakehouse.spark.createDataFrame(rows, ops.RUNS.schema)
        self.lakehouse.merge(ops.RUNS, df, metrics=False)

    def started(self, rec: StepRecord) -> None:
        self.write((rec, "running", None))

    def succeeded(self, rec: StepRecord) -> None:
        self.write((rec, "succeeded", None))

    def failed(self, rec: StepRecord, error: str) -> None:
        self.write((rec, "failed", error))


_QUOTED = re.compile(r"'(?:[^'\\]|\\.)*'")


def safe_error(exc: BaseException) -> str:
    """`Type: message` for logs and the ledger; Spark errors keep their first line, values withheld.

    Spark's messages quote the offending value (e.g. CAST_INVALID_INPUT: The value 'x' ...),
    which can be a name or a date of birth; column names (backticks) and types stay.
    """
    from py4j.protocol import Py4JJavaError
    from pyspark.errors import PySparkException

    text = str(exc)
    if isinstance(exc, PySparkException | Py4JJavaError):
        first = text.strip().splitlines()[0] if text.strip() else ""
        text = _QUOTED.sub("'<withheld>'", first)
    return f"{type(exc).__name__}: {text}"


def safe_traceback(exc: BaseException) -> str:
    """The traceback of exc and its causes, each exception's message as `safe_error` gives it."""
    import traceback

    parts = []
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        frames = "".join(traceback.format_tb(current.__traceback__))
        parts.append(f"{frames}{safe_error(current)}")
        current = current.__cause__ or current.__context__
    return "\n\ncaused by:\n".join(reversed(parts))


def _flatten(tree: Any, prefix: str = "") -> dict[str, Any]:
    """Nested dicts -> {dotted.key: leaf}; lists and scalars are leaves."""
    if not isinstance(tree, dict) or (prefix and not tree):
        return {prefix: tree} if prefix else {}
    out: dict[str, Any] = {}
    for key, value in tree.items():
        out.update(_flatten(value, f"{prefix}.{key}" if prefix else str(key)))
    return out


def config_diff(old: dict[str, Any], new: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Changed leaf keys of two config trees: {dotted.key: {"old": a, "new": b}} (None = absent)."""
    before, after = _flatten(old), _flatten(new)
    return {
        key: {"old": before.get(key), "new": after.get(key)}
        for key in sorted(before.keys() | after.keys())
        if before.get(key) != after.get(key) or (key in before) != (key in after)
    }


# --- run lease -------------------------------------------------------------------------------


class LeaseHeld(RuntimeError):
    """Another live run holds the lease of this job and business date."""

    def __init__(self, job: str, as_of: date | None, holder: str, expires: str | None):
        self.job, self.as_of, self.holder = job, as_of, holder
        super().__init__(
            f"{job} for as-of {as_of} is already running as run {holder} "
            f"(its lease runs until {expires or 'unknown'} unless renewed); "
            "not starting a second run"
        )


class LeaseLost(RuntimeError):
    """The run's lease was taken over (it stopped renewing for longer than the expiry)."""


_RETRIES = 8
# What Delta says when another process creates the same table at the same moment: it exists
# already, a concurrent commit, or its half-made log was just removed from under this one.
_CONCURRENT_CREATION = ("already exists", "concurrent", "delta_table_not_found")

# Delta's commit conflicts. The Python classes of the specific conflicts (ConcurrentAppend...)
# do not derive from DeltaConcurrentModificationException, so each is named.
COMMIT_CONFLICTS: tuple[type[Exception], ...] = (
    delta_errors.DeltaConcurrentModificationException,
    delta_errors.ConcurrentWriteException,
    delta_errors.MetadataChangedException,
    delta_errors.ProtocolChangedException,
    delta_errors.ConcurrentAppendException,
    delta_errors.ConcurrentDeleteReadException,
    delta_errors.ConcurrentDeleteDeleteException,
    delta_errors.ConcurrentTransactionException,
)


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _backoff(attempt: int) -> None:
    """Sleep before retry `attempt` (0-based): 0.2 s, 0.4 s, ... with jitter, so racers spread."""
    import random

    time.sleep(0.2 * (attempt + 1) * (0.5 + random.random()))


def retry_conflicts(
    commit: Any, what: str, retries: int = _RETRIES, on_conflict: Any = None
) -> Any:
    """Run `commit()` again after a Delta commit conflict, at most `retries` times in all."""
    for attempt in range(retries):
        try:
            return commit()
        except COMMIT_CONFLICTS as exc:
            if on_conflict is not None:
                on_conflict(exc)
            if attempt == retries - 1:
                raise
            log.info("%s: concurrent commit (%s), retrying", what, type(exc).__name__)
            _backoff(attempt)
    return None


class RunLease:
    """The (job, as-of) lease row in ops.leases; Delta's optimistic concurrency picks one winner.

    `acquire` MERGEs this run in as holder when the row is missing, released or expired. Two
    runs racing conflict on the same table (ConcurrentAppendException and friends): the loser
    re-reads the row, sees the winner and raises LeaseHeld.
    """

    def __init__(
        self,
        lakehouse: Lakehouse,
        job: str,
        as_of: date | None,
        run_id: str,
        expiry: timedelta = timedelta(minutes=30),
        heartbeat_seconds: float = 60.0,
        clock: Any = _utcnow,
    ):
        self.lakehouse = lakehouse
        self.clock = clock  # now in UTC; the stored acquired / heartbeat / expiry instants use it
        self.job, self.as_of, self.run_id = job, as_of, run_id
        self.lease_id = f"{job}/{as_of.isoformat() if as_of else 'na'}"
        self.expiry = expiry
        self.heartbeat_seconds = heartbeat_seconds
        self.taken_over_from: str | None = None
        self.lost = False
        self.conflicts = 0  # commit conflicts its own updates met (and retried)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @classmethod
    def for_run(cls, lakehouse: Lakehouse, cfg: AppConfig, job: str, as_of, run_id: str):
        lease = cfg.reliability.lease
        return cls(
            lakehouse,
            job,
            as_of,
            run_id,
            expiry=timedelta(minutes=lease.expiry_minutes),
            heartbeat_seconds=lease.heartbeat_seconds,
        )

    def _table(self) -> DeltaTable:
        return DeltaTable.forPath(self.lakehouse.spark, self.lakehouse.path(LEASES))

    def current(self):
        """The lease row as stored now (plus `live` and `expires` in UTC text), or None."""
        if not self.lakehouse.exists(LEASES):
            return None
        live = F.col("released_at").isNull() & (F.col("expires_at") >= F.current_timestamp())
        expires = F.concat(F.date_format("expires_at", "yyyy-MM-dd HH:mm:ss"), F.lit(" UTC"))
        return (
            self.lakehouse.read(LEASES)
            .where(F.col("lease_id") == self.lease_id)
            .select(
                "holder_run_id",
                "taken_over_from",
                "released_at",
                live.alias("live"),
                expires.alias("expires"),
            )
            .first()
        )

    def _try_merge(self) -> None:
        now = self.clock()
        source = self.lakehouse.spark.createDataFrame(
            [
                (
                    self.lease_id,
                    self.job,
                    self.as_of,
                    self.run_id,
                    now,
                    now,
                    now + self.expiry,
                    None,
                    None,
                )
            ],
            LEASES.schema,
        )
        free = "t.released_at IS NOT NULL OR t.expires_at < s.acquired_at"
        updates = {c: f"s.`{c}`" for c in LEASES.schema.fieldNames()}
        updates["taken_over_from"] = "CASE WHEN t.released_at IS NULL THEN t.holder_run_id END"
        (
            self._table()
            .alias("t")
            .merge(source.alias("s"), "t.lease_id = s.lease_id")
            .whenMatchedUpdate(condition=free, set=updates)
            .whenNotMatchedInsertAll()
            .execute()
        )

    def acquire(self) -> RunLease:
        """Take the lease or raise LeaseHeld naming the live holder."""
        for attempt in range(_RETRIES):
            try:
                self.lakehouse.ensure(LEASES)
                self._try_merge()
            except COMMIT_CONFLICTS as exc:
                log.info("lease %s: concurrent commit (%s)", self.lease_id, type(exc).__name__)
            except Exception as exc:  # another process creating the table at the same moment
                if not any(sign in str(exc).lower() for sign in _CONCURRENT_CREATION):
                    raise
                log.info("lease %s: concurrent table creation", self.lease_id)
            row = self.current()
            if row is not None and row.holder_run_id == self.run_id and row.released_at is None:
                self.taken_over_from = row.taken_over_from
                if self.taken_over_from:
                    log.warning(
                        "lease %s: took over from abandoned run %s",
                        self.lease_id,
                        self.taken_over_from,
                    )
                self._start_heartbeat()
                return self
            if row is not None and row.live:
                raise LeaseHeld(self.job, self.as_of, row.holder_run_id, row.expires)
            _backoff(attempt)  # freed or expired meanwhile, or a conflict: retry
        raise RuntimeError(f"lease {self.lease_id}: could not settle after {_RETRIES} attempts")

    def _update_own(self, values: Any) -> None:
        """UPDATE this run's lease row with `values()` (evaluated per attempt); retries conflicts."""
        cond = (
            (F.col("lease_id") == self.lease_id)
            & (F.col("holder_run_id") == self.run_id)
            & F.col("released_at").isNull()
        )

        def commit() -> None:
            self._table().update(cond, {k: F.lit(v) for k, v in values().items()})

        retry_conflicts(commit, f"lease {self.lease_id}", on_conflict=self._conflicted)

    def _conflicted(self, exc: Exception) -> None:
        self.conflicts += 1

    def heartbeat(self) -> bool:
        """Renew the lease; False (and `lost`) when another run has taken it over.

        A commit conflict with another writer of ops.leases (a run taking another lease) is
        retried with the expiry counted from the retry, so a live run keeps its lease.
        """

        def renewed() -> dict[str, datetime]:
            now = self.clock()
            return {"heartbeat_at": now, "expires_at": now + self.expiry}

        self._update_own(renewed)
        row = self.current()
        held = row is not None and row.holder_run_id == self.run_id and row.released_at is None
        if not held and not self.lost:
            self.lost = True
            log.error("lease %s: lost to run %s", self.lease_id, row.holder_run_id if row else None)
        return held

    def check(self) -> None:
        """Raise LeaseLost when the lease was taken over."""
        if self.lost:
            raise LeaseLost(f"lease {self.lease_id} of run {self.run_id} was taken over")

    def _start_heartbeat(self) -> None:
        if self.heartbeat_seconds <= 0:
            return

        def beat() -> None:
            while not self._stop.wait(self.heartbeat_seconds):
                try:
                    if not self.heartbeat():
                        return
                except Exception as exc:  # keep renewing; expiry bounds the damage
                    log.warning("lease %s: heartbeat failed: %s", self.lease_id, type(exc).__name__)

        self._thread = threading.Thread(target=beat, name=f"lease-{self.lease_id}", daemon=True)
        self._thread.start()

    def release(self) -> None:
        """Stop renewing and free the lease (only if this run still holds it)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        self._update_own(lambda: {"released_at": self.clock()})


def mark_abandoned(lakehouse: Lakehouse, run_id: str, taken_by: str) -> None:
    """Record a run whose lease expired as failed in ops.runs (its still-running rows)."""
    if not lakehouse.exists(ops.RUNS):
        return
    now = _utcnow()
    msg = f"abandoned: its lease expired without a heartbeat and run {taken_by} took over"
    target = DeltaTable.forPath(lakehouse.spark, lakehouse.path(ops.RUNS))
    retry_conflicts(
        lambda: target.update(
            (F.col("run_id") == run_id) & (F.col("status") == "running"),
            {"status": F.lit("failed"), "ended_at": F.lit(now), "error": F.lit(msg)},
        ),
        f"mark run {run_id} abandoned",
    )
