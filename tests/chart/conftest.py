"""Helm chart fixtures: find the helm binary (.cache/bin/helm or PATH) and render the chart."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
CHART = REPO / "helm" / "fcc-scoring"
EXAMPLE_VALUES = REPO / "helm" / "examples" / "production-values.yaml"
NAMESPACE = "fcc"


def helm_binary() -> str | None:
    """The helm built by `make helm`, else one on PATH."""
    cached = REPO / ".cache" / "bin" / "helm"
    if cached.is_file() and os.access(cached, os.X_OK):
        return str(cached)
    return shutil.which("helm")


@pytest.fixture(scope="session")
def helm() -> str:
    binary = helm_binary()
    if binary is None:
        pytest.skip("helm not found in .cache/bin/helm or on PATH; build it with `make helm`")
    return binary


def run_helm(helm: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([helm, *args], capture_output=True, text=True, timeout=120)


def render(helm: str, *extra: str) -> list[dict]:
    """`helm template` the chart; returns the non-empty documents."""
    proc = run_helm(helm, "template", "rel", str(CHART), "--namespace", NAMESPACE, *extra)
    assert proc.returncode == 0, proc.stderr
    return [doc for doc in yaml.safe_load_all(proc.stdout) if doc]


@pytest.fixture(scope="session")
def default_docs(helm: str) -> list[dict]:
    return render(helm)


@pytest.fixture(scope="session")
def example_docs(helm: str) -> list[dict]:
    return render(helm, "--values", str(EXAMPLE_VALUES))
