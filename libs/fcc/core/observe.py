"""Row counts gathered while a DataFrame is written, instead of counting it again afterwards.

`counted(df, n=F.count(F.lit(1)), ...)` attaches aggregate expressions to df (Spark's observed
metrics): they are computed by the tasks of the first action that runs df's plan (a Delta write
or MERGE), so they cost no Spark job of their own. `Counts.get()` returns them once that action
has finished. When adaptive execution finds df's input empty it replaces df's plan by an empty
relation and no metrics arrive: that is read as no rows (every aggregate 0).
"""

from __future__ import annotations

import time
from typing import Any

from pyspark.sql import Column, DataFrame, Observation


class MetricsMissing(RuntimeError):
    """The observed metrics did not arrive: no action ran the observed DataFrame's plan."""


class Counts:
    """The observed aggregates of one DataFrame (see `counted`)."""

    def __init__(self, observation: Observation, names: list[str]):
        self._observation = observation
        self._names = names

    def get(self, timeout_s: float = 120.0) -> dict[str, Any]:
        """{name: value} of the first finished action over the DataFrame; a sum over no rows is 0.

        Spark delivers the values to the driver right after the action (through its listener
        bus); raises MetricsMissing when they have not come within timeout_s.
        """
        future = self._observation._jo.future()
        deadline = time.monotonic() + timeout_s
        while not future.isCompleted():
            if time.monotonic() > deadline:
                raise MetricsMissing(f"observed metrics {self._names} did not arrive")
            time.sleep(0.005)
        if self._observation._jo.getRow().length() == 0:  # plan pruned as empty: no rows
            return dict.fromkeys(self._names, 0)
        values = self._observation.get
        return {n: 0 if values.get(n) is None else values[n] for n in self._names}


def counted(df: DataFrame, **metrics: Column) -> tuple[DataFrame, Counts]:
    """(df with the aggregate expressions attached, their Counts); run one action over df first."""
    if not metrics:
        raise ValueError("counted needs at least one aggregate expression")
    observation = Observation()
    observed = df.observe(observation, *[e.alias(n) for n, e in metrics.items()])
    return observed, Counts(observation, list(metrics))
