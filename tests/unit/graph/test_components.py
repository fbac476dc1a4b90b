import numpy as np
import pandas as pd
import pytest
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components as scipy_components

from fcc.graph import connected_components


def test_components_of_a_small_graph_are_labelled_by_their_smallest_vertex(spark):
    vertices = spark.createDataFrame([(i,) for i in [1, 2, 3, 4, 5, 9]], ["id"])
    edges = spark.createDataFrame([(1, 2), (4, 3), (2, 3), (5, 9)], ["src", "dst"])
    got = {r.id: r.component for r in connected_components(vertices, edges).collect()}
    assert got == {1: 1, 2: 1, 3: 1, 4: 1, 5: 5, 9: 5}


def test_isolated_vertex_is_its_own_component(spark):
    vertices = spark.createDataFrame([(7,), (8,)], ["id"])
    edges = spark.createDataFrame([(8, 8)], ["src", "dst"])
    got = {r.id: r.component for r in connected_components(vertices, edges).collect()}
    assert got == {7: 7, 8: 8}


@pytest.mark.parametrize(
    "local_finish_max_edges", [0, 10_000], ids=["distributed", "finished_locally"]
)
def test_partition_equals_scipy_on_a_random_graph_with_a_long_path(spark, local_finish_max_edges):
    rng = np.random.default_rng(7)
    n = 600
    src = np.concatenate([rng.integers(0, n, 400), np.arange(n, n + 60)])
    dst = np.concatenate([rng.integers(0, n, 400), np.arange(n + 1, n + 61)])
    total = n + 61
    edges = spark.createDataFrame(pd.DataFrame({"src": src, "dst": dst}))
    got = (
        connected_components(
            spark.range(total), edges, local_finish_max_edges=local_finish_max_edges
        )
        .toPandas()
        .sort_values("id")
    )
    _, labels = scipy_components(
        coo_matrix((np.ones(len(src)), (src, dst)), shape=(total, total)), directed=False
    )
    ref = pd.DataFrame({"id": np.arange(total), "label": labels})
    ref["component"] = ref.groupby("label")["id"].transform("min")
    assert list(got["component"]) == list(ref["component"])
