"""Currency codes used by OFAC ("Digital Currency Address - XBT") -> the project's chain names."""

from __future__ import annotations

import re

# Currency code -> the chains its addresses may live on, most likely first. A token issued on
# several chains (USDT, USDC) is placed by the shape of the address; a coin maps to its chain.
# Chain names follow bronze.onchain_transfers: BTC, ETH, TRON; other chains keep their ticker.
CURRENCY_TO_CHAIN: dict[str, tuple[str, ...]] = {
    "XBT": ("BTC",),
    "BTC": ("BTC",),
    "ETH": ("ETH",),
    "TRX": ("TRON",),
    "USDT": ("ETH", "TRON"),
    "USDC": ("ETH", "TRON", "SOL"),
    "LTC": ("LTC",),
    "XMR": ("XMR",),
    "ZEC": ("ZEC",),
    "DASH": ("DASH",),
    "BTG": ("BTG",),
    "ETC": ("ETC",),
    "BSV": ("BSV",),
    "BCH": ("BCH",),
    "XVG": ("XVG",),
    "XRP": ("XRP",),
    "BNB": ("BSC", "BNB"),
    "BSC": ("BSC",),
    "ARB": ("ARB",),
    "SOL": ("SOL",),
}

# Address shapes that tell the candidate chains of a multi-chain currency apart.
_SHAPES: dict[str, re.Pattern[str]] = {
    "ETH": re.compile(r"^0x[0-9a-fA-F]{40}$"),
    "BSC": re.compile(r"^0x[0-9a-fA-F]{40}$"),
    "TRON": re.compile(r"^T[1-9A-HJ-NP-Za-km-z]{33}$"),
    "SOL": re.compile(r"^[1-9A-HJ-NP-Za-km-z]{32,44}$"),
    "BNB": re.compile(r"^bnb1[02-9ac-hj-np-z]{38}$"),
}


def chain_for(currency: str, address: str) -> str:
    """The chain of an address listed under an OFAC currency code.

    Unknown currency codes keep the code itself as chain so that no address is dropped.
    """
    code = currency.strip().upper()
    candidates = CURRENCY_TO_CHAIN.get(code)
    if not candidates:
        return code
    if len(candidates) == 1:
        return candidates[0]
    for chain in candidates:
        shape = _SHAPES.get(chain)
        if shape and shape.match(address):
            return chain
    return candidates[0]
