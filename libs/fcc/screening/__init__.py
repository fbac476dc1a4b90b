"""The screening domain: customers' names and addresses against watchlists.

`run_screening` is the nightly step (writes gold.screening_hits); `record_decision` stores an
analyst's decision on a hit (false positives are remembered); `analyse_name` and
`score_names` expose the name analysis and similarity for review tools and tests.
`search_name` screens one name at a prompt (`fcc screen`) with the nightly matcher;
`hits_of` and `decide_hit` back `fcc hits list` / `fcc hits decide`.
"""

from fcc.screening._names import analyse_name
from fcc.screening._review import ReviewError, decide_hit, hits_of
from fcc.screening._run import record_decision, run_screening
from fcc.screening._score import score_names
from fcc.screening._search import Query, SearchError, search_name, watchlist_frame

__all__ = [
    "Query",
    "ReviewError",
    "SearchError",
    "analyse_name",
    "decide_hit",
    "hits_of",
    "record_decision",
    "run_screening",
    "score_names",
    "search_name",
    "watchlist_frame",
]
