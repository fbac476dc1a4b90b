"""Blocking keys survive one transposed pair of letters (no Spark)."""

from __future__ import annotations

import pytest

from fcc.core.settings.screening import ScreeningSettings
from fcc.screening import analyse_name, score_names
from fcc.screening._match import key_params, score_params
from fcc.screening._names import single_token_keys, subject_keys

CFG = ScreeningSettings()
KP = key_params(CFG)
SP = score_params(CFG)

# OFAC SDN person names with two adjacent letters swapped near the start of a token,
# which changes both the token's metaphone and its 3-letter prefix
TRANSPOSED = [
    ("U Tehin Soe", "U Thein Soe"),
    ("Asesm Rafiq", "Assem RAFIQ"),
    ("Eric Baedge", "Eric BADEGE"),
    ("Fahrad Fatemi", "Farhad Fatemi"),
    ("Adbelhalim Remadna", "Abdelhalim REMADNA"),
    ("Pihci", "PICHI"),
]


@pytest.mark.parametrize(("subject", "listed"), TRANSPOSED)
def test_transposed_letters_share_a_blocking_key_and_score_at_threshold(subject, listed):
    a = analyse_name(subject, "person", KP)
    b = analyse_name(listed, "person", KP)
    assert set(subject_keys(a, KP)) & set(b.keys)
    s = score_names(list(a.tokens), list(b.tokens), list(a.symbols), list(b.symbols), SP)
    assert s.name_score >= CFG.threshold


def test_letters_key_is_the_sorted_characters_of_each_token():
    # farhad -> a a d f h r, fatemi -> a e f i m t; the pair sorted and joined by "|"
    keys = analyse_name("Farhad Fatemi", "person", KP).keys
    assert "2gaadfhr|gaefimt" in keys
    assert "1gchiip" in analyse_name("Pichi", "person", KP).keys
    assert "1gchiip" in single_token_keys(("pihci",), KP)
