"""Settings of the monitoring step (conf/monitoring.yaml)."""

from fcc.core.settings._base import Strict


class MonitoringSettings(Strict):
    pass
