"""Customer risk scoring: an explainable scorecard whose every factor's points are stored."""

from fcc.scoring.run import risk_scores, run_scoring
from fcc.scoring.scorecard import score_customers

__all__ = ["risk_scores", "run_scoring", "score_customers"]
