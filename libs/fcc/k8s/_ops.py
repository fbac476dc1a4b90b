"""Calls against the Kubernetes API (BatchV1Api): create, wait, backfill, list."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from kubernetes import client

from fcc.k8s._jobs import AS_OF_ANNOTATION, job_from_cronjob

log = logging.getLogger(__name__)

PART_OF_SELECTOR = "app.kubernetes.io/part-of=fcc-scoring"
SUCCEEDED, FAILED, RUNNING, TIMED_OUT = "Succeeded", "Failed", "Running", "TimedOut"


@dataclass(frozen=True)
class RunStatus:
    """One Job as `status()` reports it."""

    job: str
    cronjob: str | None
    as_of: str | None
    started: datetime | None
    finished: datetime | None
    outcome: str

    @property
    def seconds(self) -> float | None:
        """Wall-clock duration, when the Job has finished."""
        if self.started and self.finished:
            return (self.finished - self.started).total_seconds()
        return None


def run_now(
    api: client.BatchV1Api,
    namespace: str,
    cronjob: str,
    as_of: date | None = None,
    trigger: str = "run-now",
) -> client.V1Job:
    """Create a Job from the CronJob's template, with the as-of date overridden when given."""
    cron = api.read_namespaced_cron_job(name=cronjob, namespace=namespace)
    job = job_from_cronjob(cron, as_of=as_of, trigger=trigger)
    created = api.create_namespaced_job(namespace=namespace, body=job)
    log.info("created job %s from cronjob %s as_of=%s", created.metadata.name, cronjob, as_of)
    return created


def outcome(job: client.V1Job) -> str:
    """Succeeded / Failed from the Job's conditions, else Running."""
    for cond in (job.status and job.status.conditions) or []:
        if cond.status == "True" and cond.type in ("Complete", "SuccessCriteriaMet"):
            return SUCCEEDED
        if cond.status == "True" and cond.type in ("Failed", "FailureTarget"):
            return FAILED
    return RUNNING


def _finished_at(job: client.V1Job) -> datetime | None:
    """Completion time, or when the Failed condition was set."""
    if not job.status:
        return None
    if job.status.completion_time:
        return job.status.completion_time
    for cond in job.status.conditions or []:
        if cond.status == "True" and cond.type == "Failed":
            return cond.last_transition_time
    return None


def wait_for_job(
    api: client.BatchV1Api,
    namespace: str,
    name: str,
    timeout_seconds: float = 6 * 3600,
    poll_seconds: float = 30,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> str:
    """Poll the Job until it succeeds, fails or the timeout passes; return the outcome."""
    deadline = clock() + timeout_seconds
    while True:
        result = outcome(api.read_namespaced_job_status(name=name, namespace=namespace))
        if result != RUNNING:
            log.info("job %s finished: %s", name, result)
            return result
        if clock() >= deadline:
            log.warning("job %s still running after %ss", name, timeout_seconds)
            return TIMED_OUT
        sleep(poll_seconds)


def backfill(
    api: client.BatchV1Api,
    namespace: str,
    cronjob: str,
    start: date,
    end: date,
    timeout_seconds: float = 6 * 3600,
    poll_seconds: float = 30,
    keep_going: bool = False,
    sleep: Callable[[float], None] = time.sleep,
) -> list[tuple[date, str, str]]:
    """Run each date from start to end (inclusive) one after another, waiting for each.

    Stops at the first date that does not succeed unless keep_going; returns
    (date, job name, outcome) per date started.
    """
    if end < start:
        raise ValueError(f"backfill range is empty: {start} > {end}")
    results: list[tuple[date, str, str]] = []
    day = start
    while day <= end:
        job = run_now(api, namespace, cronjob, as_of=day, trigger="backfill")
        result = wait_for_job(
            api, namespace, job.metadata.name, timeout_seconds, poll_seconds, sleep=sleep
        )
        results.append((day, job.metadata.name, result))
        if result != SUCCEEDED and not keep_going:
            log.error("backfill stopped at %s (%s)", day, result)
            break
        day += timedelta(days=1)
    return results


def status(
    api: client.BatchV1Api, namespace: str, cronjob: str | None = None, limit: int = 20
) -> list[RunStatus]:
    """The most recent Jobs of the release (optionally of one CronJob), newest first."""
    jobs = api.list_namespaced_job(namespace=namespace, label_selector=PART_OF_SELECTOR).items
    rows = []
    for job in jobs:
        owner = next(
            (ref.name for ref in job.metadata.owner_references or [] if ref.kind == "CronJob"), None
        )
        if cronjob and owner != cronjob:
            continue
        rows.append(
            RunStatus(
                job=job.metadata.name,
                cronjob=owner,
                as_of=(job.metadata.annotations or {}).get(AS_OF_ANNOTATION),
                started=job.status.start_time if job.status else None,
                finished=_finished_at(job),
                outcome=outcome(job),
            )
        )
    rows.sort(key=lambda r: r.started.timestamp() if r.started else float("inf"), reverse=True)
    return rows[:limit]
