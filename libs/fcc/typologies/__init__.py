"""The typologies domain: declarative threshold rules and coded pattern detectors -> gold.rule_hits."""

from fcc.typologies.job import detect_all, detected, run_typologies
from fcc.typologies.rules import RuleValidationError, load_rules

__all__ = ["RuleValidationError", "detect_all", "detected", "load_rules", "run_typologies"]
