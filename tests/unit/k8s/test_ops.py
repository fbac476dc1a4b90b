"""Job objects built from a CronJob and the call sequence of run-now / backfill / status."""

from __future__ import annotations

import copy
from datetime import date
from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

import pytest
from kubernetes import client

from fcc.k8s import (
    job_from_cronjob,
    k8s_backfill,
    k8s_run_now,
    k8s_status,
    override_as_of,
    status,
)

NS = "fcc"
CJ = "rel-fcc-scoring-nightly"
BASE = f"/apis/batch/v1/namespaces/{NS}"

CRONJOB = {
    "apiVersion": "batch/v1",
    "kind": "CronJob",
    "metadata": {"name": CJ, "namespace": NS, "uid": "0f8c-cron-uid"},
    "spec": {
        "schedule": "30 1 * * *",
        "jobTemplate": {
            "metadata": {
                "labels": {
                    "app.kubernetes.io/part-of": "fcc-scoring",
                    "app.kubernetes.io/component": "nightly",
                },
                "annotations": {"team": "fcc"},
            },
            "spec": {
                "backoffLimit": 1,
                "template": {
                    "spec": {
                        "restartPolicy": "Never",
                        "initContainers": [
                            {
                                "name": "refresh",
                                "image": "img:1",
                                "args": ["fcc", "lists", "refresh"],
                            }
                        ],
                        "containers": [
                            {
                                "name": "nightly",
                                "image": "img:1",
                                "args": [
                                    "spark-submit",
                                    "--conf",
                                    "a=b",
                                    "/opt/fcc/jobs/nightly.py",
                                    "--as-of",
                                    "yesterday",
                                    "--out",
                                    "/r/x-@AS_OF@.html",
                                ],
                            }
                        ],
                    }
                },
            },
        },
    },
}


def _job(
    name: str, condition: str | None, as_of: str | None = None, start: str = "2026-11-20T01:30:00Z"
) -> dict:
    status: dict = {"startTime": start}
    if condition:
        status["conditions"] = [
            {"type": condition, "status": "True", "lastTransitionTime": "2026-11-20T02:00:00Z"}
        ]
        if condition == "Complete":
            status["completionTime"] = "2026-11-20T02:00:00Z"
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {
            "name": name,
            "namespace": NS,
            "annotations": {"fcc-scoring/as-of": as_of} if as_of else {},
            "ownerReferences": [
                {"apiVersion": "batch/v1", "kind": "CronJob", "name": CJ, "uid": "u"}
            ],
        },
        "spec": {"template": {"spec": {"containers": [{"name": "c", "image": "i"}]}}},
        "status": status,
    }


def _cronjob_model(batch_api) -> client.V1CronJob:
    """Deserialise the CronJob JSON exactly as the client does for a GET."""
    return batch_api.api_client._ApiClient__deserialize(copy.deepcopy(CRONJOB), "V1CronJob")


def test_override_as_of_replaces_both_spellings_and_reports_absence():
    assert override_as_of(["x", "--as-of", "yesterday"], date(2026, 1, 2)) == (
        ["x", "--as-of", "2026-01-02"],
        True,
    )
    assert override_as_of(["--as-of=2020-01-01", "y"], date(2026, 1, 2)) == (
        ["--as-of=2026-01-02", "y"],
        True,
    )
    assert override_as_of(["fcc", "lists", "refresh"], date(2026, 1, 2)) == (
        ["fcc", "lists", "refresh"],
        False,
    )


def test_job_from_cronjob_matches_kubectl_create_job_from_cronjob(batch_api):
    job = job_from_cronjob(
        _cronjob_model(batch_api), as_of=date(2026, 11, 3), name="nightly-manual-1"
    )
    body = batch_api.api_client.sanitize_for_serialization(job)
    roundtrip = batch_api.api_client._ApiClient__deserialize(body, "V1Job")
    assert isinstance(roundtrip, client.V1Job)
    assert body["metadata"]["name"] == "nightly-manual-1"
    assert body["metadata"]["labels"] == CRONJOB["spec"]["jobTemplate"]["metadata"]["labels"]
    assert body["metadata"]["annotations"] == {
        "cronjob.kubernetes.io/instantiate": "manual",
        "fcc-scoring/trigger": "run-now",
        "fcc-scoring/as-of": "2026-11-03",
        "team": "fcc",
    }
    assert body["metadata"]["ownerReferences"] == [
        {
            "apiVersion": "batch/v1",
            "kind": "CronJob",
            "name": CJ,
            "uid": "0f8c-cron-uid",
            "controller": True,
        }
    ]
    pod = body["spec"]["template"]["spec"]
    assert pod["containers"][0]["args"][-4:] == [
        "--as-of",
        "2026-11-03",
        "--out",
        "/r/x-@AS_OF@.html",
    ]
    assert pod["initContainers"][0]["args"] == ["fcc", "lists", "refresh"]
    assert body["spec"]["backoffLimit"] == 1


def test_job_from_cronjob_leaves_the_template_untouched_and_names_fit_a_label(batch_api):
    cron = _cronjob_model(batch_api)
    cron.metadata.name = "x" * 70
    job = job_from_cronjob(cron, as_of=date(2026, 11, 3))
    assert len(job.metadata.name) <= 63
    assert "-20261103-" in job.metadata.name
    assert cron.spec.job_template.spec.template.spec.containers[0].args[-3] == "yesterday"


def test_job_from_cronjob_without_as_of_argument_is_an_error(batch_api):
    cron = _cronjob_model(batch_api)
    cron.spec.job_template.spec.template.spec.containers[0].args = ["fcc", "doctor"]
    with pytest.raises(ValueError, match="no --as-of"):
        job_from_cronjob(cron, as_of=date(2026, 11, 3))


def test_run_now_reads_the_cronjob_then_posts_the_job(batch_api, transport, capsys):
    transport.respond("GET", f"/cronjobs/{CJ}", CRONJOB)
    transport.respond("POST", "/jobs", _job("created-1", None), status=201)
    args = SimpleNamespace(namespace=NS, cronjob=CJ, as_of="2026-11-05", wait=False)
    assert k8s_run_now(args, api=batch_api) == 0
    assert transport.summary() == [("GET", f"{BASE}/cronjobs/{CJ}"), ("POST", f"{BASE}/jobs")]
    posted = transport.calls[1][2]
    assert posted["kind"] == "Job"
    assert posted["metadata"]["annotations"]["fcc-scoring/as-of"] == "2026-11-05"
    assert "--as-of" in posted["spec"]["template"]["spec"]["containers"][0]["args"]
    assert "2026-11-05" in posted["spec"]["template"]["spec"]["containers"][0]["args"]
    assert "job.batch/created-1 created in fcc" in capsys.readouterr().out


def test_run_now_with_wait_polls_until_the_job_fails_and_exits_one(
    batch_api, transport, monkeypatch
):
    monkeypatch.setattr("time.sleep", lambda _s: None)
    transport.respond("GET", f"/cronjobs/{CJ}", CRONJOB)
    transport.respond("POST", "/jobs", _job("created-2", None), status=201)
    transport.respond("GET", "/jobs/created-2/status", _job("created-2", None))
    transport.respond("GET", "/jobs/created-2/status", _job("created-2", "Failed"))
    args = SimpleNamespace(namespace=NS, cronjob=CJ, as_of=None, wait=True, timeout=60, poll=0)
    assert k8s_run_now(args, api=batch_api) == 1
    assert [m for m, _ in transport.summary()] == ["GET", "POST", "GET", "GET"]


def test_backfill_runs_dates_in_order_waiting_for_each(batch_api, transport, monkeypatch):
    monkeypatch.setattr("time.sleep", lambda _s: None)
    for i, day in enumerate(["2026-11-01", "2026-11-02", "2026-11-03"]):
        transport.respond("GET", f"/cronjobs/{CJ}", CRONJOB)
        transport.respond("POST", "/jobs", _job(f"bf-{i}", None, as_of=day), status=201)
        transport.respond("GET", f"/jobs/bf-{i}/status", _job(f"bf-{i}", None))
        transport.respond("GET", f"/jobs/bf-{i}/status", _job(f"bf-{i}", "Complete"))
    args = SimpleNamespace(
        namespace=NS,
        cronjob=CJ,
        date_from=date(2026, 11, 1),
        date_to=date(2026, 11, 3),
        timeout=60,
        poll=0,
    )
    assert k8s_backfill(args, api=batch_api) == 0
    summary = transport.summary()
    assert [m for m, _ in summary] == ["GET", "POST", "GET", "GET"] * 3
    posted_dates = [
        c[2]["metadata"]["annotations"]["fcc-scoring/as-of"]
        for c in transport.calls
        if c[0] == "POST"
    ]
    assert posted_dates == ["2026-11-01", "2026-11-02", "2026-11-03"]
    triggers = {
        c[2]["metadata"]["annotations"]["fcc-scoring/trigger"]
        for c in transport.calls
        if c[0] == "POST"
    }
    assert triggers == {"backfill"}


def test_backfill_stops_at_the_first_failed_date(batch_api, transport, monkeypatch):
    monkeypatch.setattr("time.sleep", lambda _s: None)
    transport.respond("GET", f"/cronjobs/{CJ}", CRONJOB)
    transport.respond("POST", "/jobs", _job("bf-0", None), status=201)
    transport.respond("GET", "/jobs/bf-0/status", _job("bf-0", "Failed"))
    args = SimpleNamespace(
        namespace=NS,
        cronjob=CJ,
        date_from=date(2026, 11, 1),
        date_to=date(2026, 11, 3),
        timeout=60,
        poll=0,
    )
    assert k8s_backfill(args, api=batch_api) == 1
    assert len(transport.calls) == 3


def test_backfill_rejects_a_reversed_range_without_calling_the_api(batch_api, transport):
    args = SimpleNamespace(
        namespace=NS, cronjob=CJ, date_from=date(2026, 11, 3), date_to=date(2026, 11, 1)
    )
    assert k8s_backfill(args, api=batch_api) == 2
    assert transport.calls == []


def test_status_lists_jobs_newest_first_with_outcomes(batch_api, transport, capsys):
    transport.respond(
        "GET",
        "/jobs",
        {
            "apiVersion": "batch/v1",
            "kind": "JobList",
            "metadata": {},
            "items": [
                _job("old", "Complete", as_of="2026-11-18", start="2026-11-19T01:30:00Z"),
                _job("new", None, as_of="2026-11-20", start="2026-11-21T01:30:00Z"),
                _job("mid", "Failed", as_of="2026-11-19", start="2026-11-20T01:30:00Z"),
            ],
        },
    )
    rows = status(batch_api, NS)
    method, path, _ = transport.calls[0]
    assert method == "GET"
    assert parse_qs(urlsplit(path).query) == {
        "labelSelector": ["app.kubernetes.io/part-of=fcc-scoring"]
    }
    assert [(r.job, r.outcome, r.as_of) for r in rows] == [
        ("new", "Running", "2026-11-20"),
        ("mid", "Failed", "2026-11-19"),
        ("old", "Succeeded", "2026-11-18"),
    ]
    # started 2026-11-19T01:30Z, completed 2026-11-20T02:00Z
    assert rows[2].seconds == 24 * 3600 + 30 * 60
    assert rows[0].seconds is None
    transport.respond(
        "GET", "/jobs", {"apiVersion": "batch/v1", "kind": "JobList", "metadata": {}, "items": []}
    )
    assert k8s_status(SimpleNamespace(namespace=NS, cronjob=None, limit=5), api=batch_api) == 0
    assert "OUTCOME" in capsys.readouterr().out
