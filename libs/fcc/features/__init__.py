"""Behavioural features: gold.customer_daily (per customer and UTC day) and gold.features
(rolling 1/7/30/90-day windows as of D, computed from customer_daily)."""

from fcc.features.daily import daily_from_transactions
from fcc.features.run import run_features
from fcc.features.windows import features_from_daily

__all__ = ["daily_from_transactions", "features_from_daily", "run_features"]
