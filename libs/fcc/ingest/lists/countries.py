"""Country names as the lists spell them -> ISO 3166-1 alpha-2 (pycountry plus list spellings)."""

from __future__ import annotations

from functools import lru_cache

import pycountry

# Spellings used by OFAC and the UN that pycountry's names do not cover.
_ALIASES: dict[str, str] = {
    "bahamas, the": "BS",
    "brunei": "BN",
    "burma": "MM",
    "cabo verde": "CV",
    "china, hong kong special administrative region": "HK",
    "china, macao special administrative region": "MO",
    "congo, democratic republic of the": "CD",
    "congo, republic of the": "CG",
    "cote d ivoire": "CI",
    "democratic republic of the congo": "CD",
    "gambia, the": "GM",
    "iran (islamic republic of)": "IR",
    "korea, north": "KP",
    "korea, south": "KR",
    "kosovo": "XK",
    "macau": "MO",
    "macedonia, the former yugoslav republic of": "MK",
    "man, isle of": "IM",
    "north macedonia, the republic of": "MK",
    "palestinian": "PS",
    "region: gaza": "PS",
    "republic of korea": "KR",
    "russia": "RU",
    "state of palestine": "PS",
    "the gambia": "GM",
    "turkey": "TR",
    "west bank": "PS",
}

# Qualifiers put in front of a country by OFAC remarks ("possibly Palestinian").
_PREFIXES = ("possibly ", "reportedly ")


@lru_cache(maxsize=4096)
def to_iso2(name: str | None) -> str | None:
    """ISO alpha-2 of a country name or code; None when it is empty or not a country."""
    text = " ".join((name or "").split()).strip(" .")
    lowered = text.lower()
    for prefix in _PREFIXES:
        if lowered.startswith(prefix):
            text, lowered = text[len(prefix) :], lowered[len(prefix) :]
    if not text or lowered in {"-0-", "na", "n/a", "undetermined", "unknown"}:
        return None
    if lowered in _ALIASES:
        return _ALIASES[lowered]
    try:
        return pycountry.countries.lookup(text).alpha_2
    except LookupError:
        return None
