"""Sanctions lists (OFAC advanced XML, OFAC legacy CSV, UN XML, OFAC address files) and custom
lists (CSV, JSON) parsed into the watchlist shape and landed in bronze.watchlists / silver.watchlist."""

from fcc.ingest.lists.chains import CURRENCY_TO_CHAIN, chain_for
from fcc.ingest.lists.detect import FORMATS, detect_format, parse_list
from fcc.ingest.lists.load import list_to_dataframe, load_list, load_parsed
from fcc.ingest.lists.model import ListFormatError, ParsedList

__all__ = [
    "CURRENCY_TO_CHAIN",
    "FORMATS",
    "ListFormatError",
    "ParsedList",
    "chain_for",
    "detect_format",
    "list_to_dataframe",
    "load_list",
    "load_parsed",
    "parse_list",
]
