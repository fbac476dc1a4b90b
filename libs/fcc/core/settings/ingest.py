"""Settings of the ingest step (conf/ingest.yaml)."""

from fcc.core.settings._base import Strict


class IngestSettings(Strict):
    pass
