"""Settings of the features step (conf/features.yaml)."""

from fcc.core.settings._base import Strict


class FeaturesSettings(Strict):
    pass
