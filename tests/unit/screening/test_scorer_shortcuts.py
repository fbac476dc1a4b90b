"""The scorer's shortcuts change no score (no Spark): the list parts' index (`PartIndex`) keeps
every list part a subject part pairs with, the score ceiling drops only pairs below the floor,
and a subject scored against many list names gets the scores of one pair at a time."""

from __future__ import annotations

import gc

import pytest

from fcc.core.settings.screening import ScreeningSettings
from fcc.screening._match import key_params, score_params
from fcc.screening._names import analyse_readings
from fcc.screening._score import (
    PartIndex,
    SubjectScorer,
    _score_ceiling,
    _side,
    _token_similarity,
    aligned_score,
    best_reading_scores,
    cyclic_gc_paused,
)

CFG = ScreeningSettings()
KP = key_params(CFG)
SP = score_params(CFG)
FLOOR = min(CFG.evidence.name_floor, CFG.threshold)

# list names in several scripts, with patronymics, particles, initials and joined parts
LISTED = [
    "Vladimir Vladimirovich PUTIN",
    "Владимир Путин",
    "Yuriy Ivanovich Khloponin",
    "Igar Bialiatski",
    "Christina Jabri",
    "Mahmoud Ahmadinejad",
    "محمود احمدی نژاد",
    "مرتضی رضایی",
    "Abdul Rahman Yasin",
    "عبد الله ابن سعد",
    "Mikhail Fridman",
    "Kim Jong Un",
    "金正恩",
    "V. V. Putin",
    "Hassan al Turabi",
    "Jose Maria Garcia de la Torre",
    "Shumilova Irina",
    "Mohammed Omar",
    "Ivan Iman",
    "Aayadh Javad",
]
# customers' names: variants of the listed ones (typos, other romanisations, scripts) and
# namesakes that share one part
SUBJECTS = [
    "Wladimir Wladimirowitsch Putin",
    "Iurii Khloponin",
    "Ihar Bialiatsky",
    "Kristina Ajri",
    "Mahmud Ahmadinezhad",
    "مرتصی رضائی",
    "Abdulrahman Yaseen",
    "Abdallah bin Saad",
    "Michael Fridman",
    "Kim Jong-un",
    "Young Kim",
    "James Smith",
    "Hassan Turabi",
    "Jose Garcia",
    "Irina Smirnova",
    "Muhammad Umar",
    "Ivan Ivanov",
    "Ayad Jawad",
]


def _readings(names: list[str]) -> list[list[tuple[tuple[str, ...], tuple[str, ...]]]]:
    return [[(a.tokens, a.symbols) for a in analyse_readings(n, "person", KP)] for n in names]


def _parts(readings) -> set[tuple[str, str]]:
    return {
        (t, x)
        for name in readings
        for tokens, symbols in name
        for t, x in zip(tokens, symbols, strict=True)
        if len(t) > 1
    }


def test_part_index_keeps_every_list_part_a_subject_part_pairs_with():
    listed, subjects = _readings(LISTED), _readings(SUBJECTS)
    index = PartIndex(r for name in listed for r in name)
    paired = kept = 0
    for a, x in _parts(subjects):
        pairable = index.pairable(a, x, SP)
        for b, y in _parts(listed):
            if _token_similarity(a, b, x, y, SP) >= SP.token_min:
                paired += 1
                assert b in pairable, (a, b)
        kept += len(pairable)
    assert paired >= 20  # the sets above pair by many routes
    # and it is a filter: most subject parts may pair with few of the list parts
    assert kept < len(_parts(subjects)) * len({b for b, _ in _parts(listed)}) / 4


@pytest.mark.parametrize(
    ("subject", "listed", "route"),
    [
        (
            "Ihar",
            "Igar",
            "Jaro-Winkler at exactly token_min (0.85), kept despite rapidfuzz's cutoff",
        ),
        ("Ajri", "Jabri", "romanisation folds (airi / abri) at exactly token_min"),
        ("مرتصی", "Morteza", "an abjad skeleton one dotted letter apart"),
        ("محمود", "Mahmoud", "the consonant skeleton"),
        ("Vladimirovich", "Wladimirowitsch", "two patronymics"),
    ],
)
def test_part_index_keeps_each_route(subject: str, listed: str, route: str):
    (a,) = analyse_readings(subject, "person", KP)
    (b,) = analyse_readings(listed, "person", KP)
    sim = _token_similarity(a.tokens[0], b.tokens[0], a.symbols[0], b.symbols[0], SP)
    assert sim >= SP.token_min, route
    index = PartIndex([(b.tokens, b.symbols)])
    assert b.tokens[0] in index.pairable(a.tokens[0], a.symbols[0], SP), route


def test_part_index_drops_a_part_no_route_pairs():
    (b,) = analyse_readings("Mohammed", "person", KP)
    (a,) = analyse_readings("Smith", "person", KP)
    index = PartIndex([(b.tokens, b.symbols)])
    assert index.pairable(a.tokens[0], a.symbols[0], SP) == frozenset()


def test_score_ceiling_by_hand():
    # James Smith / John Edward Smith: smith pairs alone (1.0); james is left over at the
    # subject's weight 0.5, john and edward at the list's 0.3 each: 1 / (1 + 1.1)
    q = analyse_readings("James Smith", "person", KP)[0]
    c = analyse_readings("John Edward Smith", "person", KP)[0]
    pairs = [(1.0, (1,), (2,))]
    ceiling = _score_ceiling(pairs, _side(q.tokens, q.symbols), _side(c.tokens, c.symbols), SP)
    assert ceiling == pytest.approx(1 / 2.1)
    assert aligned_score(q.tokens, c.tokens, q.symbols, c.symbols, SP) == pytest.approx(1 / 2.1)


def test_scores_with_the_shortcuts_equal_those_without():
    listed, subjects = _readings(LISTED), _readings(SUBJECTS)
    index = PartIndex(r for name in listed for r in name)
    above = 0
    for subject in subjects:
        fast = SubjectScorer(subject, SP, FLOOR, index)
        for name in listed:
            plain = best_reading_scores(subject, name, SP)
            got = fast.best(name)
            if plain.name_score >= FLOOR:
                above += 1
                assert got == plain
            else:
                assert got.name_score < FLOOR
    assert above >= 12  # the variants above reach the floor against their listed names


def test_cyclic_gc_is_paused_while_scoring_and_back_after():
    assert gc.isenabled()
    with cyclic_gc_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
