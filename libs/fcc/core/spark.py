"""One SparkSession builder for laptop, tests and cluster."""

from __future__ import annotations

import os
import signal
import sys
import tempfile
import threading
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from pyspark.sql import SparkSession

SPARK_VERSION = "4.1.4"
DELTA_VERSION = "4.4.0"
GRAPHFRAMES_VERSION = "0.11.0"
# Delta ships one jar per Spark minor version since 4.x.
DELTA_PACKAGE = f"io.delta:delta-spark_4.1_2.13:{DELTA_VERSION}"
# GraphFrames' core jar; its pom pulls in graphframes-graphx-spark4_2.13 (its copy of GraphX).
GRAPHFRAMES_PACKAGE = f"io.graphframes:graphframes-spark4_2.13:{GRAPHFRAMES_VERSION}"
JVM_PACKAGES = [DELTA_PACKAGE, GRAPHFRAMES_PACKAGE]
# comma-separated extra Maven repository URLs (a corporate mirror, a local folder as file://...),
# searched after Spark's default chain; the config key spark.maven_repos adds to them
MAVEN_REPOS_ENV = "FCC_MAVEN_REPOS"


@contextmanager
def session_conf(spark: SparkSession, key: str, value: str) -> Iterator[None]:
    """Set a session configuration key for the block, then restore (or unset) it."""
    with session_settings(spark, {key: value}):
        yield


FIXED_SETTING = (
    "cannot be set on a running Spark session; set it for the whole application under spark.conf"
)


def fixed_settings(spark: SparkSession, keys: Iterable[str]) -> list[str]:
    """The keys of `keys` that a running session cannot change (static or unknown to Spark)."""
    return [key for key in keys if not spark.conf.isModifiable(key)]


@contextmanager
def session_settings(spark: SparkSession, settings: Mapping[str, str]) -> Iterator[None]:
    """Set session configuration keys for the block, then restore (or unset) each.

    Raises ValueError naming the key when Spark does not let a running session change it (a
    static setting such as spark.driver.memory belongs in spark.conf)."""
    fixed = fixed_settings(spark, settings)
    if fixed:
        raise ValueError(f"{fixed[0]} {FIXED_SETTING}")
    before = {key: spark.conf.get(key, None) for key in settings}
    for key, value in settings.items():
        spark.conf.set(key, value)
    try:
        yield
    finally:
        for key, value in before.items():
            if value is None:
                spark.conf.unset(key)
            else:
                spark.conf.set(key, value)


DEFAULT_IVY_DIR = Path(
    os.environ.get("FCC_IVY_DIR", Path.home() / ".cache" / "fcc-scoring" / "ivy")
)


def jars_on_classpath() -> bool:
    """True when the Delta jar is already on Spark's classpath (the container image)."""
    spark_home = os.environ.get("SPARK_HOME")
    if os.environ.get("FCC_JARS_BAKED") == "1":
        return True
    if not spark_home:
        return False
    return any(Path(spark_home, "jars").glob("delta-spark_*.jar"))


def maven_repositories(configured: list[str] | tuple[str, ...] = ()) -> list[str]:
    """Extra Maven repositories: the configured ones, then those in FCC_MAVEN_REPOS, without repeats."""
    from_env = [r.strip() for r in os.environ.get(MAVEN_REPOS_ENV, "").split(",")]
    repos: list[str] = []
    for repo in [*configured, *from_env]:
        if repo and repo not in repos:
            repos.append(repo)
    return repos


def build_spark(
    app_name: str = "fcc-scoring",
    master: str | None = None,
    conf: dict[str, str] | None = None,
    checkpoint_dir: str | None = None,
    maven_repos: list[str] | tuple[str, ...] = (),
) -> SparkSession:
    """Build (or reuse) the SparkSession with Delta, GraphFrames, a checkpoint dir and our defaults.

    Locally the jars are resolved once into an Ivy cache folder, from Spark's default chain plus
    the extra repositories (`maven_repos` and FCC_MAVEN_REPOS, appended to any
    spark.jars.repositories in `conf`); in the image they are already on the classpath and nothing
    is resolved. `conf` entries win over defaults. GraphFrames' connected components need the
    checkpoint dir set here.
    """
    # Python workers (pandas UDFs) must run this interpreter, which has the fcc package installed.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = SparkSession.builder.appName(app_name)
    # Under spark-submit the launcher already chose the master (PYSPARK_GATEWAY_PORT is set).
    if master or not os.environ.get("PYSPARK_GATEWAY_PORT"):
        builder = builder.master(master or os.environ.get("FCC_SPARK_MASTER", "local[*]"))
    defaults: dict[str, str] = {
        "spark.sql.extensions": "io.delta.sql.DeltaSparkSessionExtension",
        "spark.sql.catalog.spark_catalog": "org.apache.spark.sql.delta.catalog.DeltaCatalog",
        "spark.sql.session.timeZone": "UTC",
        # overflow is an error, not a wrapped or null number (the micro-dollar sums rely on it)
        "spark.sql.ansi.enabled": "true",
        "spark.sql.adaptive.enabled": "true",
        "spark.sql.adaptive.skewJoin.enabled": "true",
        "spark.databricks.delta.schema.autoMerge.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        # PySpark records the Python call site of every column expression for error messages:
        # several JVM round trips per expression, a sixth of the generator's time; Spark's
        # errors keep their own context, and its query-context loggers quote row values anyway
        "spark.python.sql.dataFrameDebugging.enabled": "false",
        # Python workers forked without Spark's zips on their path (no per-task re-read)
        "spark.python.daemon.module": "fcc.core.python_worker_daemon",
        "spark.driver.extraJavaOptions": "-Duser.timezone=UTC",
        "spark.executor.extraJavaOptions": "-Duser.timezone=UTC",
    }
    if not jars_on_classpath():
        DEFAULT_IVY_DIR.mkdir(parents=True, exist_ok=True)
        defaults["spark.jars.packages"] = ",".join(JVM_PACKAGES)
        defaults["spark.jars.ivy"] = str(DEFAULT_IVY_DIR)
    settings = {**defaults, **(conf or {})}
    if not jars_on_classpath():
        given = [r for r in settings.get("spark.jars.repositories", "").split(",") if r]
        repos = [*given, *(r for r in maven_repositories(maven_repos) if r not in given)]
        if repos:
            settings["spark.jars.repositories"] = ",".join(repos)
    for key, value in settings.items():
        builder = builder.config(key, value)
    spark = _get_or_create(builder)
    _keep_jars_off_python_path(spark)
    spark.sparkContext.setLogLevel(os.environ.get("FCC_SPARK_LOG_LEVEL", "WARN"))
    ckpt = (
        checkpoint_dir
        or os.environ.get("FCC_CHECKPOINT_DIR")
        or tempfile.mkdtemp(prefix="fcc-ckpt-")
    )
    spark.sparkContext.setCheckpointDir(ckpt)
    return spark


def _keep_jars_off_python_path(spark: SparkSession) -> None:
    """Send Python workers no jar as an import path.

    PySpark treats every jar resolved from spark.jars.packages (Delta, GraphFrames and their 33
    dependencies) as a possible Python package: each Python task puts it on the worker's
    sys.path and re-reads its zip directory (importlib.invalidate_caches), about a quarter of a
    second per task on two cores. Our jars carry no Python (delta-spark and graphframes-py are
    pip packages), so they stay on the JVM classpath only.
    """
    includes = spark.sparkContext._python_includes
    if includes:
        includes[:] = [f for f in includes if not f.lower().endswith(".jar")]


def _get_or_create(builder: SparkSession.Builder) -> SparkSession:
    """getOrCreate; a driver JVM started here inherits SIGTERM ignored.

    A SIGTERM sent to the whole process group (`timeout`, `kill -- -PGID`, a service manager)
    would otherwise stop the JVM at once, and the Python side could no longer record the run as
    failed nor free its lease. The Python process decides (see fcc.cli.stop_on_sigterm); the
    JVM still ends when the Python process does (its stdin closes). A SIGTERM arriving during
    those seconds of JVM start is ignored as well.
    """
    from pyspark import SparkContext

    launches = (
        SparkContext._gateway is None
        and not under_spark_submit()
        and threading.current_thread() is threading.main_thread()
    )
    if not launches:
        return builder.getOrCreate()
    previous = signal.signal(signal.SIGTERM, signal.SIG_IGN)
    try:
        return builder.getOrCreate()
    finally:
        signal.signal(signal.SIGTERM, previous)


def under_spark_submit() -> bool:
    return bool(os.environ.get("PYSPARK_GATEWAY_PORT"))


def session_for(cfg, app_name: str = "fcc-scoring") -> SparkSession:
    """The session for a job, from the effective config (spark.master is ignored under spark-submit)."""
    master = None if under_spark_submit() else (cfg.spark.master or "local[*]")
    checkpoint = cfg.spark.checkpoint_dir or f"{cfg.lakehouse.rstrip('/')}/_checkpoints"
    return build_spark(
        app_name=app_name,
        master=master,
        conf=dict(cfg.spark.conf),
        checkpoint_dir=checkpoint,
        maven_repos=cfg.spark.maven_repos,
    )
