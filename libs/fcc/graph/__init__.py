"""Graph analytics: entity clusters (connected components), ring detector and multi-hop exposure."""

from fcc.graph.components import connected_components
from fcc.graph.run import run_graph

__all__ = ["connected_components", "run_graph"]
