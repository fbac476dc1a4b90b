"""Customer risk scoring: an explainable scorecard whose every factor's points are stored."""

from fcc.scoring.run import run_scoring
from fcc.scoring.scorecard import score_customers

__all__ = ["run_scoring", "score_customers"]
