"""PySpark's Python worker daemon, started with no zip or jar on the import path.

Spark puts pyspark.zip, the py4j zip and the spark-core jar first on every Python worker's
path, even when pyspark is installed as a package. Each Python task then re-reads their zip
directories (the worker calls importlib.invalidate_caches per task), about 0.1 s per task, and
imports pyspark from the zip without cached bytecode. When pyspark is importable without them
(a pip-installed pyspark, as in the venv and the image), the daemon drops them before its
workers fork (other zips on the path stay); otherwise it keeps the path as Spark gave it.
Selected by spark.python.daemon.module (see fcc.core.spark).
"""

from __future__ import annotations

import fnmatch
import importlib.util
import os
import sys

# what Spark's PythonUtils.sparkPythonPath adds
SPARK_ARCHIVES = ("pyspark.zip", "py4j-*-src.zip", "spark-core_*.jar")


def drop_spark_archives_from_path() -> bool:
    """Remove Spark's own zips and jar from sys.path when pyspark and py4j stay importable
    without them; True when removed."""
    given = list(sys.path)
    sys.path[:] = [
        p for p in given if not any(fnmatch.fnmatch(os.path.basename(p), a) for a in SPARK_ARCHIVES)
    ]
    if any(importlib.util.find_spec(m) is None for m in ("pyspark", "py4j")):
        sys.path[:] = given
        return False
    return True


if __name__ == "__main__":
    drop_spark_archives_from_path()
    from pyspark import daemon

    daemon.manager()
