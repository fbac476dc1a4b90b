import logging

import numpy as np
import pandas as pd
import pytest
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components as scipy_components

from fcc.core.settings.graph import ComponentsSettings
from fcc.graph import connected_components

# A chain 40-30-20-10 given in no particular order, a hub 7 with leaves 70..74, an edge
# 90-91 between vertices that are not asked for (they still join 50 and 60 into one
# component through 90), a duplicate edge, a self-loop on 8 and the isolated vertex 99.
VERTICES = [40, 30, 20, 10, 7, 70, 71, 72, 73, 74, 50, 60, 8, 99]
EDGES = [
    (30, 40),
    (20, 30),
    (10, 20),
    (20, 30),
    *[(7, leaf) for leaf in (70, 71, 72, 73, 74)],
    (50, 90),
    (90, 91),
    (91, 60),
    (8, 8),
]
# by hand: each component is labelled by its smallest vertex id (90 and 91 are not returned)
EXPECTED = {
    **dict.fromkeys([10, 20, 30, 40], 10),
    **dict.fromkeys([7, 70, 71, 72, 73, 74], 7),
    50: 50,
    60: 50,
    8: 8,
    99: 99,
}


# both routes: labelled on the driver (the default at this size) and by GraphFrames
DRIVER = ComponentsSettings()
GRAPHFRAMES = ComponentsSettings(driver_max_edges=0)


def _labels(spark, vertices, edges, settings=None) -> dict[int, int]:
    labels = connected_components(
        spark.createDataFrame([(v,) for v in vertices], ["id"]),
        spark.createDataFrame(edges, ["src", "dst"]),
        settings,
    )
    got = {r.id: r.component for r in labels.collect()}
    labels.unpersist()
    return got


@pytest.mark.parametrize("algorithm", ["two_phase", "graphx", "randomized_contraction"])
def test_every_algorithm_labels_chains_hubs_and_isolated_vertices_by_their_smallest_id(
    spark, algorithm
):
    # the test session runs with adaptive execution off, which randomized_contraction needs on:
    # connected_components turns it on for that call and back off after it
    assert spark.conf.get("spark.sql.adaptive.enabled") == "false"
    settings = ComponentsSettings(algorithm=algorithm, driver_max_edges=0)
    assert _labels(spark, VERTICES, EDGES, settings) == EXPECTED
    assert spark.conf.get("spark.sql.adaptive.enabled") == "false"


def test_a_graph_within_the_driver_bound_is_labelled_on_the_driver_by_smallest_id(spark, caplog):
    # 11 distinct edges + 1 duplicate + 14 labelled vertices = 26 rows collected
    with caplog.at_level(logging.INFO, logger="fcc.graph.components"):
        got = _labels(spark, VERTICES, EDGES, ComponentsSettings(driver_max_edges=26))
    assert got == EXPECTED
    assert "driver (scipy)" in caplog.text and "GraphFrames" not in caplog.text


def test_a_graph_past_the_driver_bound_goes_to_graphframes_with_the_same_labels(spark, caplog):
    with caplog.at_level(logging.INFO, logger="fcc.graph.components"):
        got = _labels(spark, VERTICES, EDGES, ComponentsSettings(driver_max_edges=25))
    assert got == EXPECTED
    assert "more than 25 edges and vertices, GraphFrames randomized_contraction" in caplog.text
    assert "driver (scipy)" not in caplog.text


@pytest.mark.parametrize("settings", [DRIVER, GRAPHFRAMES], ids=["driver", "graphframes"])
def test_component_ids_are_unchanged_on_a_rerun_with_an_unrelated_new_component(spark, settings):
    before = _labels(spark, VERTICES, EDGES, settings)
    after = _labels(spark, [*VERTICES, 1, 2], [*EDGES, (2, 1)], settings)
    assert {v: after[v] for v in before} == before
    assert (after[1], after[2]) == (1, 1)


@pytest.mark.parametrize("settings", [DRIVER, GRAPHFRAMES], ids=["driver", "graphframes"])
def test_a_new_edge_merges_two_components_under_the_smaller_id(spark, settings):
    got = _labels(spark, VERTICES, [*EDGES, (74, 40)], settings)
    assert {v for v, c in got.items() if c == 7} == {7, 70, 71, 72, 73, 74, 10, 20, 30, 40}
    assert 10 not in got.values()


def test_an_empty_graph_gives_no_labels_on_the_driver(spark):
    labels = connected_components(
        spark.createDataFrame([], "id long"), spark.createDataFrame([], "src long, dst long")
    )
    assert labels.collect() == []
    assert labels.schema.simpleString() == "struct<id:bigint,component:bigint>"


def test_both_routes_give_scipys_partition_on_a_random_graph_with_a_long_path(spark):
    rng = np.random.default_rng(7)
    n = 600
    src = np.concatenate([rng.integers(0, n, 400), np.arange(n, n + 60)])
    dst = np.concatenate([rng.integers(0, n, 400), np.arange(n + 1, n + 61)])
    total = n + 61
    _, scipy_labels = scipy_components(
        coo_matrix((np.ones(len(src)), (src, dst)), shape=(total, total)), directed=False
    )
    ref = pd.DataFrame({"id": np.arange(total), "label": scipy_labels})
    ref["component"] = ref.groupby("label")["id"].transform("min")
    edges = spark.createDataFrame(pd.DataFrame({"src": src, "dst": dst}))
    for settings in (DRIVER, GRAPHFRAMES):
        labels = connected_components(spark.range(total), edges, settings)
        got = labels.toPandas().sort_values("id")
        labels.unpersist()
        assert list(got["id"]) == list(range(total))
        assert list(got["component"]) == list(ref["component"])
