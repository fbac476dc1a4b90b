"""Settings of the scoring step (conf/scoring.yaml)."""

from fcc.core.settings._base import Strict


class ScoringSettings(Strict):
    pass
