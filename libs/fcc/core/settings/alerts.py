"""Settings of the alerts step (conf/alerts.yaml)."""

from fcc.core.settings._base import Strict


class AlertsSettings(Strict):
    pass
