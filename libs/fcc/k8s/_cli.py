"""`fcc k8s run-now|backfill|status`: argument parsing helpers and handlers taking parsed args.

Handlers read these attributes (argparse names): namespace, kubeconfig, context, cronjob,
as_of, date_from, date_to, wait, timeout, poll, keep_going, limit. They return the exit code
(0 success, 1 a Job failed or timed out, 2 bad usage).
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from typing import Any

from kubernetes import client, config

from fcc.k8s._ops import SUCCEEDED, backfill, run_now, status, wait_for_job

DEFAULT_CRONJOB = "fcc-scoring-nightly"


def add_k8s_commands(k8s_parser: argparse.ArgumentParser) -> None:
    """Add run-now / backfill / status sub-commands to an `fcc k8s` parser."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "-n", "--namespace", default=None, help="namespace (default: current context's)"
    )
    common.add_argument(
        "--kubeconfig",
        default=None,
        help="kubeconfig file (default: in-cluster, then ~/.kube/config)",
    )
    common.add_argument("--context", default=None, help="kubeconfig context")
    sub = k8s_parser.add_subparsers(dest="k8s_command", required=True)

    p = sub.add_parser("run-now", parents=[common], help="create a Job from a CronJob now")
    p.add_argument("--cronjob", default=DEFAULT_CRONJOB, help="CronJob name")
    p.add_argument(
        "--as-of", type=date.fromisoformat, default=None, help="business date YYYY-MM-DD"
    )
    p.add_argument("--wait", action="store_true", help="wait for the Job to finish")
    p.add_argument("--timeout", type=float, default=6 * 3600, help="seconds to wait")
    p.add_argument("--poll", type=float, default=30, help="seconds between status checks")
    p.set_defaults(k8s_handler=k8s_run_now)

    p = sub.add_parser(
        "backfill", parents=[common], help="run a date range, one date after another"
    )
    p.add_argument("--cronjob", default=DEFAULT_CRONJOB, help="CronJob name")
    p.add_argument("--from", dest="date_from", type=date.fromisoformat, required=True)
    p.add_argument("--to", dest="date_to", type=date.fromisoformat, required=True)
    p.add_argument("--timeout", type=float, default=6 * 3600, help="seconds to wait per date")
    p.add_argument("--poll", type=float, default=30, help="seconds between status checks")
    p.add_argument("--keep-going", action="store_true", help="continue after a failed date")
    p.set_defaults(k8s_handler=k8s_backfill)

    p = sub.add_parser("status", parents=[common], help="recent runs and their outcome")
    p.add_argument("--cronjob", default=None, help="only this CronJob's runs")
    p.add_argument("--limit", type=int, default=20)
    p.set_defaults(k8s_handler=k8s_status)


def _namespace(args: Any) -> str:
    """--namespace, else the kubeconfig context's namespace, else the pod's, else default."""
    if getattr(args, "namespace", None):
        return args.namespace
    try:
        _, active = config.list_kube_config_contexts(config_file=getattr(args, "kubeconfig", None))
        ns = (active or {}).get("context", {}).get("namespace")
        if ns:
            return ns
    except (config.ConfigException, OSError):
        pass
    try:
        with open(
            "/var/run/secrets/kubernetes.io/serviceaccount/namespace", encoding="utf-8"
        ) as fh:
            return fh.read().strip()
    except OSError:
        return "default"


def _batch_api(args: Any) -> client.BatchV1Api:
    """In-cluster config inside a pod, else the kubeconfig file / context."""
    kubeconfig = getattr(args, "kubeconfig", None)
    if kubeconfig is None:
        try:
            config.load_incluster_config()
            return client.BatchV1Api()
        except config.ConfigException:
            pass
    config.load_kube_config(config_file=kubeconfig, context=getattr(args, "context", None))
    return client.BatchV1Api()


def _as_date(value: Any) -> date | None:
    """Accept a date or an ISO string (already parsed or not)."""
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def k8s_run_now(args: Any, api: client.BatchV1Api | None = None) -> int:
    """Create a Job from the CronJob now; with --wait, block until it finishes."""
    api = api or _batch_api(args)
    ns = _namespace(args)
    job = run_now(api, ns, args.cronjob, as_of=_as_date(getattr(args, "as_of", None)))
    print(f"job.batch/{job.metadata.name} created in {ns}")
    if not getattr(args, "wait", False):
        return 0
    result = wait_for_job(
        api, ns, job.metadata.name, getattr(args, "timeout", 6 * 3600), getattr(args, "poll", 30)
    )
    print(f"job.batch/{job.metadata.name} {result}")
    return 0 if result == SUCCEEDED else 1


def k8s_backfill(args: Any, api: client.BatchV1Api | None = None) -> int:
    """Run every date of --from..--to in order, waiting for each; stop at the first failure."""
    start, end = _as_date(args.date_from), _as_date(args.date_to)
    if end < start:
        print(f"error: --from {start} is after --to {end}", file=sys.stderr)
        return 2
    api = api or _batch_api(args)
    ns = _namespace(args)
    results = backfill(
        api,
        ns,
        args.cronjob,
        start,
        end,
        timeout_seconds=getattr(args, "timeout", 6 * 3600),
        poll_seconds=getattr(args, "poll", 30),
        keep_going=getattr(args, "keep_going", False),
    )
    for day, name, result in results:
        print(f"{day.isoformat()}  {name}  {result}")
    ok = len(results) == (end - start).days + 1 and all(r == SUCCEEDED for _, _, r in results)
    return 0 if ok else 1


def k8s_status(args: Any, api: client.BatchV1Api | None = None) -> int:
    """Print the most recent runs: job, cronjob, as-of, start, duration, outcome."""
    api = api or _batch_api(args)
    rows = status(api, _namespace(args), getattr(args, "cronjob", None), getattr(args, "limit", 20))
    print(f"{'JOB':<52} {'AS-OF':<10} {'STARTED':<20} {'SECONDS':>8} OUTCOME")
    for row in rows:
        started = row.started.strftime("%Y-%m-%d %H:%M:%S") if row.started else "-"
        seconds = f"{row.seconds:.0f}" if row.seconds is not None else "-"
        print(f"{row.job:<52} {row.as_of or '-':<10} {started:<20} {seconds:>8} {row.outcome}")
    return 0
