"""Fixtures for run-safety tests: the repository config and in-process CLI calls."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
CONF = REPO / "conf"

# runtime settings the CLI's session_for() sets on the shared test session
_RUNTIME_KEYS = ("spark.sql.shuffle.partitions", "spark.sql.adaptive.enabled")


@pytest.fixture
def cfg(lakehouse):
    from fcc.core.config import load_config

    return load_config(CONF, env="local", overrides=[f"lakehouse={lakehouse.root}"])


@pytest.fixture
def cli_conf(spark, tmp_path):
    """A --conf file keeping the shared test session's settings; restores them afterwards."""
    saved = {k: spark.conf.get(k) for k in _RUNTIME_KEYS}
    path = tmp_path / "test-spark.yaml"
    lines = ["spark:", "  conf:"] + [f'    {k}: "{v}"' for k, v in saved.items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    yield str(path)
    for key, value in saved.items():
        spark.conf.set(key, value)
