"""Pure builders: a Job from a CronJob's jobTemplate, as `kubectl create job --from=cronjob`."""

from __future__ import annotations

import copy
import secrets
from datetime import date

from kubernetes import client

AS_OF_ANNOTATION = "fcc-scoring/as-of"
TRIGGER_ANNOTATION = "fcc-scoring/trigger"
INSTANTIATE_ANNOTATION = "cronjob.kubernetes.io/instantiate"
_MAX_NAME = 63


def override_as_of(args: list[str] | None, as_of: date) -> tuple[list[str] | None, bool]:
    """Replace the value of `--as-of D` / `--as-of=D` in an argument list; says whether it did."""
    if not args:
        return args, False
    out: list[str] = []
    replaced = False
    expect_value = False
    for arg in args:
        if expect_value:
            out.append(as_of.isoformat())
            expect_value = False
            replaced = True
        elif arg == "--as-of":
            out.append(arg)
            expect_value = True
        elif arg.startswith("--as-of="):
            out.append(f"--as-of={as_of.isoformat()}")
            replaced = True
        else:
            out.append(arg)
    return out, replaced


def _job_name(cronjob_name: str, as_of: date | None, suffix: str) -> str:
    """`<cronjob>-<yyyymmdd|manual>-<suffix>`, cut so the whole name fits a label value."""
    middle = as_of.strftime("%Y%m%d") if as_of else "manual"
    tail = f"-{middle}-{suffix}"
    return cronjob_name[: _MAX_NAME - len(tail)].rstrip("-") + tail


def job_from_cronjob(
    cronjob: client.V1CronJob,
    as_of: date | None = None,
    name: str | None = None,
    trigger: str = "run-now",
) -> client.V1Job:
    """A Job built from the CronJob's jobTemplate with every `--as-of` argument set to `as_of`.

    Like `kubectl create job --from=cronjob/NAME`: template labels and annotations, the
    `cronjob.kubernetes.io/instantiate: manual` annotation and a controller owner reference
    to the CronJob (so history limits and garbage collection treat it like a scheduled run).
    """
    template = cronjob.spec.job_template
    spec = copy.deepcopy(template.spec)
    if as_of is not None:
        pod_spec = spec.template.spec
        containers = list(pod_spec.init_containers or []) + list(pod_spec.containers or [])
        found = False
        for container in containers:
            container.args, replaced = override_as_of(container.args, as_of)
            found = found or replaced
        if not found:
            raise ValueError(f"cronjob {cronjob.metadata.name} has no --as-of argument to override")
    meta = template.metadata or client.V1ObjectMeta()
    annotations = {INSTANTIATE_ANNOTATION: "manual", TRIGGER_ANNOTATION: trigger}
    annotations.update(meta.annotations or {})
    if as_of is not None:
        annotations[AS_OF_ANNOTATION] = as_of.isoformat()
    job_name = name or _job_name(cronjob.metadata.name, as_of, secrets.token_hex(3))
    return client.V1Job(
        api_version="batch/v1",
        kind="Job",
        metadata=client.V1ObjectMeta(
            name=job_name,
            namespace=cronjob.metadata.namespace,
            labels=dict(meta.labels or {}),
            annotations=annotations,
            owner_references=[
                client.V1OwnerReference(
                    api_version="batch/v1",
                    kind="CronJob",
                    name=cronjob.metadata.name,
                    uid=cronjob.metadata.uid,
                    controller=True,
                )
            ],
        ),
        spec=spec,
    )
