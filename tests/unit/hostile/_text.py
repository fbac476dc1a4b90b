"""Hypothesis strategies of hostile text shared by the hostile-input tests."""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

# Deterministic runs for CI: no database, fixed derivation, no deadline on a shared machine.
FAST = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
RTL_MARKS = "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
COMBINING = "\u0301\u0308\u0327\u064b\u0651\u05b7\u05bc"
CONTROL = "\x00\x01\x07\x08\x0b\x0c\x1a\x1b\x1f\x7f\x85"

# Letters of the scripts names are written in, plus the invisible and control marks above.
_SCRIPT_LETTERS = st.sampled_from(
    list("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
    + list("محمدعليأبوحسنعبدالله")  # Arabic
    + list("משהכהןדוידלוי")  # Hebrew
    + list("АлександрЛукашенко")  # Cyrillic
    + list("颜晓兵金正恩")  # Han
    + list(" -'.,")
)
_MARKS = st.sampled_from(list(ZERO_WIDTH + RTL_MARKS + COMBINING))
_ANY = st.characters(codec="utf-8")

# XML 1.0 forbids most C0 controls, surrogates and U+FFFE/U+FFFF anywhere in a document.
_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def hostile_text(min_size: int = 0, max_size: int = 40) -> st.SearchStrategy[str]:
    """Names-like text: mixed scripts, zero-width / bidi / combining marks, controls, any char."""
    char = st.one_of(_SCRIPT_LETTERS, _SCRIPT_LETTERS, _SCRIPT_LETTERS, _MARKS, _ANY)
    return st.text(char, min_size=min_size, max_size=max_size)


def name_text() -> st.SearchStrategy[str]:
    """A name that has at least one letter, with hostile marks around and inside it."""
    return st.tuples(hostile_text(0, 15), st.sampled_from("AمשЖ颜z"), hostile_text(0, 15)).map(
        "".join
    )


def long_text(size: int = 100_000) -> st.SearchStrategy[str]:
    """One very long field: a repeated name-like unit of `size` characters."""
    return st.sampled_from(["A", "م", "ש", "a\u200d"]).map(lambda u: (u * size)[:size])


def xml_safe(text: str) -> bool:
    """True when `text` may appear in an XML 1.0 document."""
    return not _XML_BAD.search(text)


def xml_escape(text: str) -> str:
    """Escape text for an XML element or attribute."""
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


def collapse(text: str) -> str:
    """Whitespace runs folded to one space, ends stripped (what the XML parsers do to text)."""
    return " ".join(text.split())


@contextmanager
def scratch() -> Iterator[Path]:
    """A fresh folder per Hypothesis example (tmp_path is per test, not per example)."""
    with tempfile.TemporaryDirectory(prefix="fcc-hostile-") as folder:
        yield Path(folder)
