"""Name analysis on arbitrary Unicode: never raises, ASCII tokens, invisible marks ignored."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from fcc.screening._names import EMPTY, KeyParams, analyse_name, single_token_keys

from ._text import FAST, ZERO_WIDTH, hostile_text, long_text

_TYPES = st.sampled_from(["person", "entity", "vessel", "aircraft", None, "???"])
_TOKEN = re.compile(r"^[a-z0-9]+$")


@FAST
@given(name=st.one_of(hostile_text(0, 60), st.none()), entity_type=_TYPES)
def test_any_text_gives_ascii_tokens_with_parallel_symbols_and_sorted_keys(name, entity_type):
    got = analyse_name(name, entity_type)
    assert all(_TOKEN.match(t) for t in got.tokens)
    assert len(got.symbols) == len(got.tokens)
    assert list(got.keys) == sorted(set(got.keys))
    assert bool(got.keys) == bool(got.tokens) == (got != EMPTY)
    assert all(k.startswith("1") for k in single_token_keys(got.tokens, KeyParams()))


@FAST
@given(
    words=st.lists(
        st.text("abcdefghijklmnopqrstuvwxyz", min_size=2, max_size=8), min_size=1, max_size=4
    ),
    marks=st.lists(st.sampled_from(list(ZERO_WIDTH)), min_size=1, max_size=6),
    at=st.lists(st.integers(0, 40), min_size=1, max_size=6),
    entity_type=_TYPES,
)
def test_zero_width_characters_do_not_change_the_analysis(words, marks, at, entity_type):
    plain = " ".join(words)
    marked = plain
    for mark, i in zip(marks, at, strict=False):
        i = min(i, len(marked))
        marked = marked[:i] + mark + marked[i:]
    assert analyse_name(marked, entity_type) == analyse_name(plain, entity_type)


@FAST
@given(name=long_text(100_000), entity_type=st.sampled_from(["person", "entity", None]))
def test_a_100k_character_name_is_analysed(name, entity_type):
    got = analyse_name(name, entity_type)
    assert got.tokens and all(_TOKEN.match(t) for t in got.tokens)
