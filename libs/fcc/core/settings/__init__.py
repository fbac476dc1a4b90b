"""Pydantic models of the configuration, one module per domain section.

`conf/base.yaml` holds the top-level keys; each domain reads `conf/<section>.yaml`.
"""

from __future__ import annotations

import re

from pydantic import Field, field_validator
from pydantic_core import PydanticCustomError

from fcc.core.settings._base import Strict
from fcc.core.settings.alerts import AlertsSettings
from fcc.core.settings.features import FeaturesSettings
from fcc.core.settings.graph import GraphSettings
from fcc.core.settings.ingest import IngestSettings
from fcc.core.settings.monitoring import MonitoringSettings
from fcc.core.settings.reliability import ReliabilitySettings
from fcc.core.settings.scoring import ScoringSettings
from fcc.core.settings.screening import ScreeningSettings
from fcc.core.settings.synth import SynthSettings
from fcc.core.settings.typologies import TypologiesSettings

# section name -> file under conf/ whose whole content is that section
SECTION_FILES = {
    "ingest": "ingest.yaml",
    "features": "features.yaml",
    "graph": "graph.yaml",
    "screening": "screening.yaml",
    "typologies": "typologies.yaml",
    "scoring": "scoring.yaml",
    "alerts": "alerts.yaml",
    "monitoring": "monitoring.yaml",
    "synth": "synth.yaml",
    "reliability": "reliability.yaml",
}


# setting names that hold a credential (same rule as the chart's values schema)
CREDENTIAL_KEY = re.compile(
    r"(?i)(secret|password|passwd|(access|session|account|private)[._-]?key|[._-]token$|sas[._-]?token)"
)


class SparkSettings(Strict):
    master: str | None = None  # e.g. local[*]; None lets spark-submit decide
    checkpoint_dir: str | None = None  # defaults to <lakehouse>/_checkpoints
    conf: dict[str, str] = Field(default_factory=dict)  # extra spark.* settings
    # extra Maven repository URLs for the jars (Delta, GraphFrames), searched after Spark's
    # default chain; FCC_MAVEN_REPOS (comma-separated) adds more; unused where jars are baked in
    maven_repos: list[str] = Field(default_factory=list)
    # session settings of one step of a job (step name -> {spark.sql.* key: value}): set when
    # the step starts, restored when it ends; only settings a running session may change
    step_conf: dict[str, dict[str, str]] = Field(default_factory=dict)

    @field_validator("conf")
    @classmethod
    def _no_credentials(cls, conf: dict[str, str]) -> dict[str, str]:
        """The config is stored in the run ledger, so it must never carry a credential."""
        _refuse_credentials(conf, "spark.conf")
        return conf

    @field_validator("step_conf")
    @classmethod
    def _no_step_credentials(cls, step_conf: dict[str, dict[str, str]]) -> dict:
        for step, conf in step_conf.items():
            _refuse_credentials(conf, f"spark.step_conf.{step}")
        return step_conf


def _refuse_credentials(conf: dict[str, str], where: str) -> None:
    for key in conf:
        if CREDENTIAL_KEY.search(key):
            raise PydanticCustomError(  # its own type: the error never echoes the value
                "credential_setting",
                "{where}.{key} looks like a credential; the config is recorded in ops.runs, "
                "so pass credentials through the environment or a Hadoop credential provider "
                "(the chart's Secret), never as a setting",
                {"key": key, "where": where},
            )


class AppConfig(Strict):
    lakehouse: str = "./lakehouse"  # root folder or URI; FCC_LAKEHOUSE / --lakehouse override
    environment: str = "local"
    spark: SparkSettings = Field(default_factory=SparkSettings)
    ingest: IngestSettings = Field(default_factory=IngestSettings)
    features: FeaturesSettings = Field(default_factory=FeaturesSettings)
    graph: GraphSettings = Field(default_factory=GraphSettings)
    screening: ScreeningSettings = Field(default_factory=ScreeningSettings)
    typologies: TypologiesSettings = Field(default_factory=TypologiesSettings)
    scoring: ScoringSettings = Field(default_factory=ScoringSettings)
    alerts: AlertsSettings = Field(default_factory=AlertsSettings)
    monitoring: MonitoringSettings = Field(default_factory=MonitoringSettings)
    synth: SynthSettings = Field(default_factory=SynthSettings)
    reliability: ReliabilitySettings = Field(default_factory=ReliabilitySettings)
