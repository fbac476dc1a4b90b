"""Graph analytics: entity clusters (connected components) and multi-hop exposure."""

from fcc.graph.components import connected_components

__all__ = ["connected_components"]
