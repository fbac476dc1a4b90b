"""Monitoring: KRIs with control limits, data quality, PSI drift (ops.metrics)."""

from fcc.monitoring.psi import psi, psi_from_shares
from fcc.monitoring.run import run_monitoring

__all__ = ["psi", "psi_from_shares", "run_monitoring"]
