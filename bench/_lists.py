"""Shared by the name-matching benchmarks: the real lists, parsed by the project's parsers."""

from __future__ import annotations

import re
from pathlib import Path

DATA = Path(__file__).resolve().parents[2] / "shared/data/sanctions"
SDN = DATA / "ofac_sdn_advanced_2025-11-19.xml.bz2"
UN = DATA / "un_consolidated_2026-02-27.xml"
FIGURES = Path(__file__).resolve().parents[1] / "tests/unit/screening/data/public_figures.txt"
_LATIN = re.compile(r"^[\x00-\u024f\u1e00-\u1eff\s'‘’“”.,()-]+$")


def load_entries() -> list[dict]:
    """OFAC SDN (advanced XML) and UN consolidated entries, as the list parsers give them."""
    from fcc.ingest.lists.ofac_advanced import parse as parse_ofac
    from fcc.ingest.lists.un_xml import parse as parse_un

    return [*parse_ofac(SDN).rows, *parse_un(UN).rows]


def is_latin(name: str) -> bool:
    return bool(_LATIN.match(name))


def public_figures() -> list[str]:
    return [
        line.strip()
        for line in FIGURES.read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
