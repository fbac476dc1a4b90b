"""The quality domain: reason codes, schema drift and reconciliation of bronze batches."""

from fcc.quality.reasons import Check, bad_type, missing_field, with_reasons
from fcc.quality.reconcile import BatchCounts, ReconciliationError, assert_balanced, reconcile
from fcc.quality.schema import SchemaDriftError, conform_bronze

__all__ = [
    "BatchCounts",
    "Check",
    "ReconciliationError",
    "SchemaDriftError",
    "assert_balanced",
    "bad_type",
    "conform_bronze",
    "missing_field",
    "reconcile",
    "with_reasons",
]
