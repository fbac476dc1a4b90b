"""Settings of the synth step (conf/synth.yaml)."""

from fcc.core.settings._base import Strict


class SynthSettings(Strict):
    pass
