"""Supply chain: pinned dependencies match the hashed lock files; the chart keeps secrets in Secrets."""

from __future__ import annotations

import base64
import re
import tomllib

import pytest
import yaml

from tests.unit.credential_keys import CREDENTIAL_SPARK_KEYS
from tests.unit.reliability.conftest import REPO

_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)")


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _pyproject_pins(extra: str | None = None) -> dict[str, str]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    reqs = project["dependencies"] + (project["optional-dependencies"][extra] if extra else [])
    pins = {}
    for req in reqs:
        m = _PIN.match(req.strip())
        assert m, f"pyproject.toml: {req!r} is not pinned with =="
        pins[_norm(m.group(1))] = m.group(2)
    return pins


def _lock(name: str) -> dict[str, tuple[str, list[str]]]:
    """package -> (version, hashes) of a `--generate-hashes` lock file."""
    out: dict[str, tuple[str, list[str]]] = {}
    current = None
    for line in (REPO / name).read_text().splitlines():
        m = _PIN.match(line)
        if m:
            current = _norm(m.group(1))
            out[current] = (m.group(2), [])
        elif current and "--hash=sha256:" in line:
            out[current][1].append(line.split("--hash=sha256:")[1].split()[0])
    return out


@pytest.mark.parametrize(
    "lock, extra", [("requirements.lock", None), ("requirements-dev.lock", "dev")]
)
def test_every_pyproject_pin_is_in_the_lock_with_the_same_version(lock, extra):
    locked = _lock(lock)
    wrong = {
        name: (version, locked.get(name, ("missing",))[0])
        for name, version in _pyproject_pins(extra).items()
        if locked.get(name, ("missing",))[0] != version
    }
    assert not wrong, (
        f"{lock} is stale (pyproject pin, lock): {wrong}; regenerate it (docs/reliability.md)"
    )


@pytest.mark.parametrize("lock", ["requirements.lock", "requirements-dev.lock"])
def test_every_locked_package_is_pinned_with_sha256_hashes(lock):
    locked = _lock(lock)
    assert len(locked) > 20
    for name, (_version, hashes) in locked.items():
        assert hashes and all(re.fullmatch(r"[0-9a-f]{64}", h) for h in hashes), name


def test_runtime_lock_holds_no_dev_only_tool():
    dev_only = set(_pyproject_pins("dev")) - set(_pyproject_pins())
    assert dev_only and not dev_only & set(_lock("requirements.lock"))


def test_this_environment_runs_exactly_the_locked_versions():
    """make installs from requirements-dev.lock: every locked package at its locked version."""
    from importlib.metadata import PackageNotFoundError, version

    drift = {}
    for name, (locked, _hashes) in _lock("requirements-dev.lock").items():
        try:
            installed = version(name)
        except PackageNotFoundError:
            installed = None
        if installed != locked:
            drift[name] = (locked, installed)
    assert not drift, f"installed versions differ from requirements-dev.lock: {drift}"


def test_image_installs_the_hashed_runtime_lock_and_the_package_without_dependencies():
    dockerfile = (REPO / "docker" / "Dockerfile").read_text()
    runs = " ".join(dockerfile.replace("\\\n", " ").split())
    assert "COPY requirements.lock" in runs
    assert "pip install --require-hashes --no-deps -r requirements.lock" in runs
    assert "pip install --no-deps ." in runs and "pip check" in runs
    users = re.findall(r"^USER\s+(\S+)", dockerfile, flags=re.MULTILINE)
    # the chart's runAsUser; `make image-smoke` runs the image so, on a read-only root
    assert users and users[-1] == "185"


# --- the chart ---------------------------------------------------------------------------

SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY"
KEY_ID = "AKIAEXAMPLE0000TESTID"


def _render(*extra):
    from tests.chart.conftest import helm_binary, render

    helm = helm_binary()
    if helm is None:
        pytest.skip("helm not found in .cache/bin/helm or on PATH; build it with `make helm`")
    return render(helm, *extra)


def _env_entries(doc):
    """Every env entry of every container in a rendered object (pod templates included)."""
    found = []

    def walk(node):
        if isinstance(node, dict):
            for c in node.get("containers", []) + node.get("initContainers", []):
                found.extend(c.get("env", []))
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)
        elif isinstance(node, str) and node.lstrip().startswith(("apiVersion", "spec:")):
            walk(yaml.safe_load(node))  # pod templates embedded in a ConfigMap

    walk(doc)
    return found


def test_chart_secret_value_appears_only_in_a_secret_and_reaches_pods_by_reference():
    docs = _render(
        "--set",
        f"storage.credentials.AWS_SECRET_ACCESS_KEY={SECRET}",
        "--set",
        f"storage.credentials.AWS_ACCESS_KEY_ID={KEY_ID}",
    )
    encoded = {base64.b64encode(v.encode()).decode() for v in (SECRET, KEY_ID)}
    (secret,) = [d for d in docs if d["kind"] == "Secret"]
    assert secret["metadata"]["name"] == "rel-fcc-scoring-storage"
    assert {k: base64.b64decode(v).decode() for k, v in secret["data"].items()} == {
        "AWS_SECRET_ACCESS_KEY": SECRET,
        "AWS_ACCESS_KEY_ID": KEY_ID,
    }
    refs = 0
    for doc in docs:
        if doc["kind"] == "Secret":
            continue
        text = yaml.safe_dump(doc)
        assert SECRET not in text and KEY_ID not in text, doc["kind"]
        assert not any(e in text for e in encoded), doc["kind"]
        for env in _env_entries(doc):
            if env["name"] in ("AWS_SECRET_ACCESS_KEY", "AWS_ACCESS_KEY_ID"):
                assert "value" not in env
                ref = env["valueFrom"]["secretKeyRef"]
                assert ref == {"name": "rel-fcc-scoring-storage", "key": env["name"]}
                refs += 1
    assert refs >= 2 * 4  # drivers of every CronJob step, the executor template, the test pod


def test_chart_existing_secret_wins_and_no_chart_secret_is_rendered():
    docs = _render(
        "--set",
        "storage.existingSecret=mine",
        "--set",
        "storage.secretEnv.AWS_SECRET_ACCESS_KEY=sk",
        "--set",
        f"storage.credentials.AWS_SECRET_ACCESS_KEY={SECRET}",
    )
    assert not [d for d in docs if d["kind"] == "Secret"]
    assert SECRET not in yaml.safe_dump_all(docs)


@pytest.mark.parametrize("key", CREDENTIAL_SPARK_KEYS)
def test_chart_schema_refuses_credentials_as_spark_settings(key):
    from tests.chart.conftest import CHART, helm_binary, run_helm

    helm = helm_binary()
    if helm is None:
        pytest.skip("helm not found in .cache/bin/helm or on PATH; build it with `make helm`")
    escaped = key.replace(".", "\\.")
    proc = run_helm(helm, "template", "rel", str(CHART), "--set", f"spark.conf.{escaped}={SECRET}")
    assert proc.returncode != 0 and f"invalid propertyName {key!r}" in proc.stderr
    assert SECRET not in proc.stdout
    ok = run_helm(
        helm,
        "template",
        "rel",
        str(CHART),
        "--set",
        "spark.conf.spark\\.hadoop\\.fs\\.s3a\\.aws\\.credentials\\.provider=x",
    )
    assert ok.returncode == 0, ok.stderr


# --- what goes into the image ------------------------------------------------------------

_CREDENTIAL_FILE = re.compile(
    r"(?i)(^\.env$|\.pem$|\.key$|\.p12$|\.pfx$|\.jks$|^id_(rsa|ed25519|ecdsa)|credentials|"
    r"kubeconfig|^\.netrc$|^\.pypirc$|\.keytab$)"
)
_CREDENTIAL_TEXT = re.compile(
    r"-----BEGIN [A-Z ]*PRIVATE KEY-----|AKIA[0-9A-Z]{16}|ASIA[0-9A-Z]{16}"
    r"|(?i:aws_secret_access_key|client_secret|password)\s*[:=]\s*['\"]?[^\s'\"]{6,}"
)


def _image_context() -> list:
    """Files of the repository that docker/Dockerfile.dockerignore lets into the build context."""
    from fnmatch import fnmatch

    rules = []
    for line in (REPO / "docker" / "Dockerfile.dockerignore").read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            rules.append((line.startswith("!"), line.lstrip("!")))

    def ignored(rel: str) -> bool:
        parts = rel.split("/")
        prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
        verdict = False
        for include, pattern in rules:  # the last matching rule wins, as in Docker
            if any(fnmatch(p, pattern) for p in prefixes):
                verdict = not include
        return verdict

    skip = {".git", ".venv", ".cache", "lakehouse", "spark-warehouse", "node_modules"}
    return [
        p
        for p in REPO.rglob("*")
        if p.is_file()
        and not skip & set(p.relative_to(REPO).parts)
        and not ignored(p.relative_to(REPO).as_posix())
    ]


def test_image_build_context_holds_no_credentials():
    files = _image_context()
    rels = {p.relative_to(REPO).as_posix() for p in files}
    assert {"pyproject.toml", "requirements.lock", "docker/entrypoint.sh"} <= rels
    assert not any(r.startswith(("tests/", "helm/", "bench/")) for r in rels)
    assert [r for r in rels if _CREDENTIAL_FILE.search(r.rsplit("/", 1)[-1])] == []
    leaks = [
        f"{p.relative_to(REPO)}: {m.group(0)[:40]}"
        for p in files
        for m in [_CREDENTIAL_TEXT.search(p.read_text(errors="replace"))]
        if m
    ]
    assert leaks == []


@pytest.mark.parametrize(
    "text",
    ["-----BEGIN OPENSSH PRIVATE KEY-----", "key = AKIAIOSFODNN7EXAMPLE", "password: hunter22"],
)
def test_credential_patterns_catch_the_usual_leaks(text):
    assert _CREDENTIAL_TEXT.search(text)
