"""The typologies domain: declarative threshold rules and coded pattern detectors -> gold.rule_hits."""

from fcc.typologies._graph import flow_edges
from fcc.typologies.job import (
    DETECTORS,
    DetectorInputs,
    detect_all,
    detect_one,
    detected,
    lookback_days,
    read_inputs,
    run_typologies,
    typology_tags,
)
from fcc.typologies.rules import RuleValidationError, load_rules

__all__ = [
    "DETECTORS",
    "DetectorInputs",
    "RuleValidationError",
    "detect_all",
    "detect_one",
    "detected",
    "flow_edges",
    "load_rules",
    "lookback_days",
    "read_inputs",
    "run_typologies",
    "typology_tags",
]
