"""Settings of the screening step (conf/screening.yaml)."""

from fcc.core.settings._base import Strict


class ScreeningSettings(Strict):
    pass
