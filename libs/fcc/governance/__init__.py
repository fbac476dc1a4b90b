"""Model governance: validation against labels, threshold tuning, a supervised model, the report."""

from fcc.governance._truth import LabelsError
from fcc.governance.model import ModelError, TrainedModel, run_model_training, train_model
from fcc.governance.report import report
from fcc.governance.tune import (
    TuneError,
    Tuning,
    detector_grid,
    parse_grid,
    tune,
    tune_detector,
)
from fcc.governance.validate import Validation, validate

__all__ = [
    "LabelsError",
    "ModelError",
    "TrainedModel",
    "TuneError",
    "Tuning",
    "Validation",
    "detector_grid",
    "parse_grid",
    "report",
    "run_model_training",
    "train_model",
    "tune",
    "tune_detector",
    "validate",
]
