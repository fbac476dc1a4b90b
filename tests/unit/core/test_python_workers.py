import sys

from pyspark.sql import functions as F
from pyspark.sql import types as T

from fcc.core import python_worker_daemon
from fcc.core.python_worker_daemon import drop_spark_archives_from_path

SPARK_ARCHIVES = [
    "/opt/spark/python/lib/pyspark.zip",
    "/opt/spark/python/lib/py4j-0.10.9.9-src.zip",
    "/opt/spark/jars/spark-core_2.13-4.1.4.jar",
]


def test_spark_archives_leave_the_path_and_other_zips_stay(monkeypatch):
    path = [*SPARK_ARCHIVES, "/srv/team/deps.zip", "/usr/lib/python3.11"]
    monkeypatch.setattr(sys, "path", list(path))
    assert drop_spark_archives_from_path() is True
    assert sys.path == ["/srv/team/deps.zip", "/usr/lib/python3.11"]


def test_the_path_stays_whole_when_pyspark_lives_only_in_the_zip(monkeypatch):
    path = [*SPARK_ARCHIVES, "/usr/lib/python3.11"]
    monkeypatch.setattr(sys, "path", list(path))
    monkeypatch.setattr(
        python_worker_daemon.importlib.util,
        "find_spec",
        lambda name: None if name == "pyspark" else object(),
    )
    assert drop_spark_archives_from_path() is False
    assert sys.path == path


def _worker_path(_):
    import pyspark

    return [pyspark.__file__, *sys.path]


def test_python_workers_import_pyspark_from_the_package_with_no_archive_on_their_path(spark):
    """The session's Python workers: no jar sent as an include, none of Spark's archives."""
    assert not [f for f in spark.sparkContext._python_includes if f.endswith(".jar")]
    worker_path = F.udf(_worker_path, T.ArrayType(T.StringType()))
    got = spark.range(1).select(worker_path("id")).first()[0]
    pyspark_file, path = got[0], got[1:]
    assert ".zip" not in pyspark_file
    assert pyspark_file.endswith("pyspark/__init__.py")
    assert not [p for p in path if p.endswith(".jar") or p.endswith("pyspark.zip")]
