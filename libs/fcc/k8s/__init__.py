"""Operations on the deployed CronJobs: run now, backfill a date range, recent runs."""

from fcc.k8s._cli import add_k8s_commands, k8s_backfill, k8s_run_now, k8s_status
from fcc.k8s._jobs import job_from_cronjob, override_as_of
from fcc.k8s._ops import backfill, run_now, status, wait_for_job

__all__ = [
    "add_k8s_commands",
    "backfill",
    "job_from_cronjob",
    "k8s_backfill",
    "k8s_run_now",
    "k8s_status",
    "override_as_of",
    "run_now",
    "status",
    "wait_for_job",
]
