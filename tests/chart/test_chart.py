"""Rendered Helm chart: lint, Kubernetes schemas, RBAC, Spark settings, security, values schema."""

from __future__ import annotations

from pathlib import Path

import kubernetes_validate
import pytest
import yaml

from tests.chart.conftest import CHART, EXAMPLE_VALUES, NAMESPACE, REPO, render, run_helm

K8S_VERSIONS = ["1.30.0", "1.37.0"]
DEFAULT_JOBS = {"nightly", "lists-refresh", "monitoring-report"}


def _kind(docs: list[dict], kind: str) -> list[dict]:
    return [d for d in docs if d["kind"] == kind]


def _executor_template(docs: list[dict]) -> dict:
    (cm,) = [d for d in _kind(docs, "ConfigMap") if d["metadata"]["name"].endswith("-spark")]
    return yaml.safe_load(cm["data"]["executor-pod-template.yaml"])


def _pod_specs(docs: list[dict]) -> list[dict]:
    """Every pod spec the chart runs: CronJob pods, the test pod and the executor template."""
    specs = [cj["spec"]["jobTemplate"]["spec"]["template"]["spec"] for cj in _kind(docs, "CronJob")]
    specs += [p["spec"] for p in _kind(docs, "Pod")]
    specs.append(_executor_template(docs)["spec"])
    return specs


def _containers(spec: dict) -> list[dict]:
    return list(spec.get("initContainers", [])) + list(spec["containers"])


def _spark_conf(container: dict) -> dict[str, str]:
    args = container["args"]
    return dict(args[i + 1].split("=", 1) for i, a in enumerate(args) if a == "--conf")


@pytest.mark.parametrize("values", [None, EXAMPLE_VALUES], ids=["default", "example"])
def test_helm_lint_strict_passes(helm, values):
    extra = ["--values", str(values)] if values else []
    proc = run_helm(helm, "lint", "--strict", str(CHART), *extra)
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.parametrize("version", K8S_VERSIONS)
@pytest.mark.parametrize("which", ["default_docs", "example_docs"])
def test_rendered_objects_validate_strictly_against_kubernetes_schemas(request, which, version):
    docs = request.getfixturevalue(which)
    for doc in [*docs, _executor_template(docs)]:
        kubernetes_validate.validate(doc, version, strict=True)


def test_default_values_render_one_cronjob_per_job(default_docs):
    names = {
        cj["metadata"]["labels"]["app.kubernetes.io/component"]
        for cj in _kind(default_docs, "CronJob")
    }
    assert names == DEFAULT_JOBS


def test_disabled_job_renders_no_cronjob(helm):
    docs = render(helm, "--set", "jobs.monitoring-report.enabled=false")
    assert len(_kind(docs, "CronJob")) == 2


def test_rbac_is_namespaced_and_minimal(default_docs):
    kinds = {d["kind"] for d in default_docs}
    assert not kinds & {"ClusterRole", "ClusterRoleBinding"}
    (role,) = _kind(default_docs, "Role")
    assert role["metadata"]["namespace"] == NAMESPACE
    assert len(role["rules"]) == 1
    rule = role["rules"][0]
    assert rule["apiGroups"] == [""]
    assert sorted(rule["resources"]) == ["configmaps", "persistentvolumeclaims", "pods", "services"]
    assert "*" not in rule["verbs"]
    (binding,) = _kind(default_docs, "RoleBinding")
    (sa,) = _kind(default_docs, "ServiceAccount")
    assert binding["roleRef"] == {
        "apiGroup": "rbac.authorization.k8s.io",
        "kind": "Role",
        "name": role["metadata"]["name"],
    }
    assert binding["subjects"] == [
        {"kind": "ServiceAccount", "name": sa["metadata"]["name"], "namespace": NAMESPACE}
    ]


@pytest.mark.parametrize("which", ["default_docs", "example_docs"])
def test_every_cronjob_has_schedule_policy_and_limits(request, which):
    for cj in _kind(request.getfixturevalue(which), "CronJob"):
        spec = cj["spec"]
        assert spec["concurrencyPolicy"] == "Forbid"
        for key in (
            "schedule",
            "timeZone",
            "startingDeadlineSeconds",
            "suspend",
            "successfulJobsHistoryLimit",
            "failedJobsHistoryLimit",
        ):
            assert key in spec, (cj["metadata"]["name"], key)
        job = spec["jobTemplate"]["spec"]
        for key in ("backoffLimit", "activeDeadlineSeconds", "ttlSecondsAfterFinished"):
            assert key in job, (cj["metadata"]["name"], key)
        assert job["template"]["spec"]["restartPolicy"] == "Never"


@pytest.mark.parametrize("which", ["default_docs", "example_docs"])
def test_every_spark_step_runs_client_mode_with_driver_identity_from_the_pod(request, which):
    docs = request.getfixturevalue(which)
    (sa,) = _kind(docs, "ServiceAccount")
    for cj in _kind(docs, "CronJob"):
        pod = cj["spec"]["jobTemplate"]["spec"]["template"]["spec"]
        assert pod["serviceAccountName"] == sa["metadata"]["name"]
        spark_containers = [c for c in _containers(pod) if c["args"][0] == "spark-submit"]
        assert spark_containers, cj["metadata"]["name"]
        for c in spark_containers:
            args = c["args"]
            assert args[args.index("--deploy-mode") + 1] == "client"
            assert args[args.index("--master") + 1].startswith("k8s://")
            conf = _spark_conf(c)
            assert conf["spark.driver.host"] == "$(FCC_POD_IP)"
            assert conf["spark.kubernetes.driver.pod.name"] == "$(FCC_POD_NAME)"
            assert conf["spark.kubernetes.namespace"] == NAMESPACE
            assert conf["spark.kubernetes.container.image"] == c["image"]
            assert (
                conf["spark.kubernetes.authenticate.executor.serviceAccountName"]
                == sa["metadata"]["name"]
            )
            assert (
                conf["spark.kubernetes.executor.podTemplateFile"]
                == "/opt/fcc/spark/executor-pod-template.yaml"
            )
            env = {e["name"]: e for e in c["env"]}
            assert env["FCC_POD_IP"]["valueFrom"]["fieldRef"]["fieldPath"] == "status.podIP"
            assert env["FCC_POD_NAME"]["valueFrom"]["fieldRef"]["fieldPath"] == "metadata.name"
            assert any(a.startswith("/opt/fcc/jobs/") and a.endswith(".py") for a in args)
            mounts = {m["mountPath"] for m in c["volumeMounts"]}
            assert "/opt/fcc/spark" in mounts


def test_example_values_reach_executor_settings(example_docs):
    cj = next(
        c for c in _kind(example_docs, "CronJob") if c["metadata"]["name"].endswith("-nightly")
    )
    conf = _spark_conf(cj["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0])
    assert conf["spark.executor.instances"] == "8"
    assert conf["spark.executor.memory"] == "14g"
    assert conf["spark.dynamicAllocation.enabled"] == "false"
    assert conf["spark.sql.shuffle.partitions"] == "256"
    executor = _executor_template(example_docs)["spec"]
    assert executor["nodeSelector"] == {"workload": "spark"}
    assert executor["tolerations"][0]["key"] == "workload"


def test_per_step_resources_override_job_defaults(example_docs):
    cj = next(
        c
        for c in _kind(example_docs, "CronJob")
        if c["metadata"]["name"].endswith("-lists-refresh")
    )
    pod = cj["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    assert pod["initContainers"][0]["resources"]["requests"] == {"cpu": "500m", "memory": "2Gi"}
    assert pod["containers"][0]["resources"]["requests"] == {"cpu": "2", "memory": "8Gi"}
    assert pod["initContainers"][0]["args"] == ["fcc", "lists", "refresh"]


@pytest.mark.parametrize("which", ["default_docs", "example_docs"])
def test_security_contexts_are_restrictive_everywhere(request, which):
    for spec in _pod_specs(request.getfixturevalue(which)):
        psc = spec["securityContext"]
        assert psc["runAsNonRoot"] is True and psc["runAsUser"] == 185
        assert psc["seccompProfile"] == {"type": "RuntimeDefault"}
        volumes = {v["name"]: v for v in spec["volumes"]}
        assert "emptyDir" in volumes["tmp"] and "emptyDir" in volumes["work-dir"]
        for c in _containers(spec):
            sc = c["securityContext"]
            assert sc["allowPrivilegeEscalation"] is False
            assert sc["readOnlyRootFilesystem"] is True
            assert sc["capabilities"] == {"drop": ["ALL"]}
            assert {"/tmp", "/opt/spark/work-dir"} <= {m["mountPath"] for m in c["volumeMounts"]}


def test_storage_credentials_appear_only_as_secret_references(example_docs):
    text = yaml.safe_dump_all(example_docs)
    assert "kind: Secret\n" not in text
    found = 0
    for spec in _pod_specs(example_docs):
        for c in _containers(spec):
            for e in c["env"]:
                if e["name"] in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
                    assert "value" not in e
                    assert e["valueFrom"]["secretKeyRef"]["name"] == "fcc-object-store"
                    found += 1
    assert found >= 2 * 6  # driver containers, executor template and test pod each carry both


def test_no_credentials_without_an_existing_secret(default_docs):
    text = yaml.safe_dump_all(default_docs)
    assert "secretKeyRef" not in text


def test_conf_configmap_mirrors_the_repository_conf_folder(default_docs):
    (cm,) = [d for d in _kind(default_docs, "ConfigMap") if d["metadata"]["name"].endswith("-conf")]
    conf_dir = REPO / "conf"
    files = sorted(p.relative_to(conf_dir).as_posix() for p in conf_dir.rglob("*.yaml"))
    assert files, "conf/ is empty"
    assert sorted(k.replace("__", "/") for k in cm["data"]) == files
    for rel in files:
        assert cm["data"][rel.replace("/", "__")].strip() == (conf_dir / rel).read_text().strip()
    cj = _kind(default_docs, "CronJob")[0]
    volumes = {
        v["name"]: v for v in cj["spec"]["jobTemplate"]["spec"]["template"]["spec"]["volumes"]
    }
    assert sorted(i["path"] for i in volumes["conf"]["configMap"]["items"]) == files


def test_helm_test_hook_runs_fcc_doctor(default_docs):
    (pod,) = _kind(default_docs, "Pod")
    assert pod["metadata"]["annotations"]["helm.sh/hook"] == "test"
    assert pod["spec"]["containers"][0]["args"] == ["fcc", "doctor"]


def test_standard_labels_on_every_object(default_docs):
    for doc in default_docs:
        labels = doc["metadata"]["labels"]
        assert labels["app.kubernetes.io/name"] == "fcc-scoring"
        assert labels["app.kubernetes.io/instance"] == "rel"
        assert labels["app.kubernetes.io/managed-by"] == "Helm"


@pytest.mark.parametrize(
    "bad, message",
    [
        (["--set", "jobs.nightly.concurrencyPolicy=Sometimes"], "concurrencyPolicy"),
        (["--set", "jobs.nightly.schedule=every night"], "schedule"),
        (["--set", "storage.accessKey=AKIA0000"], "accessKey"),
        (["--set", "securityContext.allowPrivilegeEscalation=true"], "allowPrivilegeEscalation"),
        (["--set", "podSecurityContext.runAsNonRoot=false"], "runAsNonRoot"),
        (["--set", "spark.executor.instances=0"], "instances"),
        (["--set", "spark.executor.memory=lots"], "memory"),
        (["--set", "jobs.Bad_Name.schedule=0 1 * * *"], "Bad_Name"),
        (
            [
                "--set-json",
                'jobs.nightly.steps=[{"name":"x","fcc":["doctor"],"sparkJob":"nightly"}]',
            ],
            "steps",
        ),
        (["--set", "image.pullPolicy=Sometimes"], "pullPolicy"),
    ],
)
def test_values_schema_rejects_bad_values(helm, bad, message):
    proc = run_helm(helm, "template", "rel", str(CHART), *bad)
    assert proc.returncode != 0
    assert message in proc.stderr


def test_chart_files_link_to_the_single_conf_folder():
    link = CHART / "files" / "conf"
    assert link.is_symlink()
    assert link.resolve() == (REPO / "conf").resolve()
    assert Path(CHART / "values.schema.json").is_file()
