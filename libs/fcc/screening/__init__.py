"""The screening domain: customers' names and addresses against watchlists.

`run_screening` is the nightly step (writes gold.screening_hits); `record_decision` stores an
analyst's decision on a hit (false positives are remembered); `analyse_name` and
`score_names` expose the name analysis and similarity for review tools and tests.
"""

from fcc.screening._names import analyse_name
from fcc.screening._run import record_decision, run_screening
from fcc.screening._score import score_names

__all__ = ["analyse_name", "record_decision", "run_screening", "score_names"]
