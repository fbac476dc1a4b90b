"""Blocking offers only the keys of pairs that could reach the scoring floor (no Spark).

Two kinds of keys paired too much with too little: a subject part's one-part keys, against
one-part list names the rest of the subject caps far below the floor, and a consonant
skeleton beside another part's first letter, between two names in Latin letters.
"""

from __future__ import annotations

import pytest

from fcc.core.settings.screening import ScreeningSettings
from fcc.screening import analyse_name, score_names
from fcc.screening._index import NameIndex
from fcc.screening._match import key_params, score_params
from fcc.screening._names import subject_keys
from fcc.screening._score import reachable_subject_keys

CFG = ScreeningSettings()
KP = key_params(CFG)
SP = score_params(CFG)
FLOOR = min(CFG.evidence.name_floor, CFG.threshold)  # 0.8


def _score(subject: str, listed: str) -> float:
    a, b = analyse_name(subject, "person", KP), analyse_name(listed, "person", KP)
    return score_names(
        list(a.tokens), list(b.tokens), list(a.symbols), list(b.symbols), SP
    ).name_score


def _keys(subject: str) -> set[str]:
    return set(reachable_subject_keys(analyse_name(subject, "person", KP), KP, SP, FLOOR))


@pytest.mark.parametrize(
    ("subject", "one_part", "offered", "score"),
    [
        # the other part left over at 0.5: at most 1 / 1.5 = 0.6667 against a one-part name
        ("Omar Karimov", "Karimov", False, 0.6667),
        ("Omar Karimov", "Omar", False, 0.6667),
        # a patronymic left over costs 0.2: 1 / 1.2 = 0.8333, above the floor of 0.8
        ("Ivan Petrovich", "Ivan", True, 0.8333),
        ("Ivan Petrovich", "Petrovich", False, 0.6667),
    ],
)
def test_a_part_offers_one_part_keys_only_where_a_one_part_name_can_reach_the_floor(
    subject, one_part, offered, score
):
    prefix = "1p" + one_part.lower()[: KP.prefix_length]
    assert prefix in subject_keys(analyse_name(subject, "person", KP), KP)  # without the bound
    assert (prefix in _keys(subject)) is offered
    assert _score(subject, one_part) == score  # the bound holds for the scorer itself


def test_a_part_that_could_pair_a_list_names_stop_word_is_not_counted_left_over():
    # Al Khal has one informative part (al is a stop word) and so only one-part keys; ali
    # pairs with al, so Khan's one-part keys are offered and the pair is found
    assert "1pkha" in _keys("Ali Khan")
    assert "1pali" not in _keys("Ali Khan")
    assert _score("Ali Khan", "Al Khal") >= CFG.threshold


def test_the_in_memory_index_blocks_as_the_nightly_step_does():
    entries = [
        {"entry_id": "E1", "entity_type": "person", "names": [{"name": "Karimov"}]},
        {"entry_id": "E2", "entity_type": "person", "names": [{"name": "Ivan"}]},
        {"entry_id": "E3", "entity_type": "person", "names": [{"name": "Omar Karimov"}]},
    ]
    index = NameIndex.build(entries, CFG)

    def found(name: str) -> set[str]:
        readings = (analyse_name(name, "person", KP),)
        return {index.names[i].entry_id for i in index.candidates(readings)}

    assert found("Omar Karimov") == {"E3"}
    assert found("Ivan Petrovich") == {"E2"}


def test_a_skeleton_and_a_first_letter_meet_across_scripts_only():
    latin = analyse_name("Xandru Kalmar", "person", KP)
    # before, the two Latin names met on (skeleton xndr, first letter k) alone; the scorer
    # pairs the given names but not Kelvo / Kalmar, far below the floor
    assert not set(_keys("Xandro Kelvo")) & set(latin.keys)
    assert _score("Xandro Kelvo", "Xandru Kalmar") < FLOOR
    # with the other part's first two letters they do meet (a given name and a surname each
    # spelt another way; the scorer pairs both parts)
    shared = set(_keys("Hassan Nasser")) & set(analyse_name("Naseer Haqqani", "person", KP).keys)
    assert shared == {"2Lsk:nsr|fha"}
    assert _score("Hassan Nasser", "Naseer Haqqani") >= CFG.threshold
    # an Arabic-script name meets a Latin subject on its abjad skeleton and a first letter
    arabic = analyse_name("محمود كرزاي", "person", KP)
    assert "2Ksk:mhmd|fk" in set(_keys("Mahmud Kerzay")) & set(arabic.keys)
