"""One SparkSession per test process (real local Spark + Delta), scratch dirs per test."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
# the GraphFrames jars resolve from ../shared/maven when it is beside the checkout (as `make test`
# sets it); elsewhere from Maven Central or the repositories FCC_MAVEN_REPOS names
if (SHARED / "maven" / "io").is_dir():
    os.environ.setdefault("FCC_MAVEN_REPOS", (SHARED / "maven").as_uri())


@pytest.fixture(scope="session")
def spark(tmp_path_factory):
    base = tmp_path_factory.mktemp("spark")
    # test processes (make test runs two) start their sessions one at a time: the first
    # resolves the Spark packages into the shared Ivy cache, the others then find them there
    lock_path = tmp_path_factory.getbasetemp().parent / "spark-start.lock"
    with open(lock_path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        session = _start_spark(base)
    yield session
    session.stop()


def _start_spark(base: Path):
    from fcc.core.spark import build_spark

    return build_spark(
        app_name="fcc-tests",
        master="local[2]",
        conf={
            "spark.sql.shuffle.partitions": "1",
            "spark.default.parallelism": "2",
            "spark.ui.enabled": "false",
            "spark.sql.adaptive.enabled": "false",
            "spark.sql.warehouse.dir": str(base / "warehouse"),
            "spark.driver.memory": "2g",
            # Every hash aggregate or sort holding rows in a task takes at least one memory page.
            # Spark sizes a page from the heap (64 MiB at 2g), so one task of a plan with a dozen
            # aggregates can claim its whole share of execution memory on a few rows and fail
            # with UNABLE_TO_ACQUIRE_MEMORY when two such tasks run at once. Test data is small.
            "spark.buffer.pageSize": "2m",
            "spark.databricks.delta.snapshotPartitions": "1",
            "spark.sql.sources.parallelPartitionDiscovery.parallelism": "1",
        },
        checkpoint_dir=str(base / "checkpoints"),
    )


@pytest.fixture(autouse=True)
def _clean_spark_state(request):
    """Clear caches and temp views between tests that use Spark."""
    yield
    if "spark" in request.fixturenames:
        session = request.getfixturevalue("spark")
        session.catalog.clearCache()
        for view in session.catalog.listTables():
            if view.isTemporary:
                session.catalog.dropTempView(view.name)


@pytest.fixture
def lakehouse(spark, tmp_path):
    from fcc.core.lakehouse import Lakehouse

    return Lakehouse(spark, str(tmp_path / "lakehouse"))


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """../shared/data beside the checkout; tests that need it skip when it is absent."""
    path = Path(os.environ.get("FCC_SHARED_DATA", SHARED / "data"))
    if not path.is_dir():
        pytest.skip(f"reference data folder {path} is absent")
    return path
