"""The ingest domain: bronze sources -> validated, normalised, deduplicated silver tables."""

from fcc.ingest.addresses import (
    infer_chain,
    is_valid_address,
    is_valid_address_py,
    normalize_address,
    normalize_address_py,
)
from fcc.ingest.run import late_dates, run_ingest

__all__ = [
    "infer_chain",
    "is_valid_address",
    "is_valid_address_py",
    "late_dates",
    "normalize_address",
    "normalize_address_py",
    "run_ingest",
]
