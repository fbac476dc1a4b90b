"""`fcc doctor`: checks that this machine can run the jobs, one line per check."""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Callable
from pathlib import Path

from fcc.core.settings import AppConfig

MIN_JAVA = 17


class CheckFailed(RuntimeError):
    pass


def java_version() -> int:
    """Major version of the `java` on PATH (or JAVA_HOME)."""
    import os

    java = (
        Path(os.environ["JAVA_HOME"], "bin", "java")
        if os.environ.get("JAVA_HOME")
        else shutil.which("java")
    )
    if not java or not Path(java).exists():
        raise CheckFailed(
            "java not found: install a Java 17 runtime (e.g. `apt-get install openjdk-17-jre-headless`)"
        )
    out = subprocess.run(
        [str(java), "-version"], capture_output=True, text=True, check=False
    ).stderr
    match = re.search(r'version "(\d+)(?:\.(\d+))?', out)
    if not match:
        raise CheckFailed(f"could not read the Java version from: {out.strip()[:200]}")
    major = int(match.group(1))
    if major == 1 and match.group(2):
        major = int(match.group(2))
    if major < MIN_JAVA:
        raise CheckFailed(f"Java {major} found, Java {MIN_JAVA}+ required")
    return major


def _check_delta(spark) -> str:
    from pyspark.sql import types as T

    from fcc.core.lakehouse import Lakehouse
    from fcc.core.tables import TableSpec, col, schema

    spec = TableSpec(
        "ops", "doctor", schema(col("k", T.LongType(), "k", False)), "doctor check", keys=("k",)
    )
    with tempfile.TemporaryDirectory(prefix="fcc-doctor-") as tmp:
        lh = Lakehouse(spark, tmp)
        lh.append(spec, spark.range(3).withColumnRenamed("id", "k"))
        lh.merge(spec, spark.range(2, 5).withColumnRenamed("id", "k"))
        got = sorted(r.k for r in lh.read(spec).collect())
        if got != [0, 1, 2, 3, 4]:
            raise CheckFailed(f"Delta round trip returned {got}, expected [0, 1, 2, 3, 4]")
        return f"write, merge and read a table (version {lh.version(spec)})"


def _check_graphframes(spark, settings) -> str:
    """A real GraphFrames connectedComponents on a 6-vertex graph with an isolated vertex."""
    from importlib.metadata import version

    from fcc.graph import connected_components

    vertices = spark.createDataFrame([(i,) for i in (5, 1, 9, 4, 7, 8)], ["id"])
    edges = spark.createDataFrame([(5, 1), (9, 5), (7, 4)], ["src", "dst"])
    labels = connected_components(vertices, edges, settings)
    got = {r.id: r.component for r in labels.collect()}
    labels.unpersist()
    expected = {1: 1, 5: 1, 9: 1, 4: 4, 7: 4, 8: 8}
    if got != expected:
        raise CheckFailed(
            f"connectedComponents of a 6-vertex graph gave {got}, expected {expected}"
        )
    return (
        f"GraphFrames {version('graphframes-py')} connectedComponents "
        f"({settings.algorithm}): 6-vertex graph -> 3 components"
    )


def _check_lakehouse(spark, root: str) -> str:
    probe = f"{root.rstrip('/')}/_doctor/{uuid.uuid4().hex}"
    jvm = spark.sparkContext._jvm
    hconf = spark.sparkContext._jsc.hadoopConfiguration()
    path = jvm.org.apache.hadoop.fs.Path(probe)
    fs = path.getFileSystem(hconf)
    try:
        stream = fs.create(path, True)
        stream.write(bytearray(b"ok"))
        stream.close()
        fs.delete(path, False)
    except Exception as exc:  # the JVM error names the path and the cause
        raise CheckFailed(f"lakehouse root {root} is not writable: {exc}") from exc
    return f"{root} is writable"


def run_doctor(cfg: AppConfig, echo: Callable[[str], None] = print) -> int:
    """Run every check in order; stop at the first failure. Returns the exit code."""
    spark_holder = {}

    def spark_session() -> str:
        from fcc.core.spark import session_for

        spark_holder["spark"] = session_for(cfg, app_name="fcc-doctor")
        return f"Spark {spark_holder['spark'].version} with Delta"

    checks: list[tuple[str, Callable[[], str]]] = [
        ("java", lambda: f"Java {java_version()}"),
        ("spark", spark_session),
        ("delta", lambda: _check_delta(spark_holder["spark"])),
        ("graphframes", lambda: _check_graphframes(spark_holder["spark"], cfg.graph.components)),
        ("lakehouse", lambda: _check_lakehouse(spark_holder["spark"], cfg.lakehouse)),
    ]
    for name, check in checks:
        try:
            detail = check()
        except Exception as exc:
            echo(f"FAIL {name:<11} {exc}")
            return 1
        echo(f"ok   {name:<11} {detail}")
    return 0
