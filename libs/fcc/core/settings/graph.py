"""Settings of the graph step (conf/graph.yaml)."""

from fcc.core.settings._base import Strict


class GraphSettings(Strict):
    pass
