"""Alerts: rule, screening and exposure hits consolidated per customer and case type."""

from fcc.alerts.run import run_alerts

__all__ = ["run_alerts"]
