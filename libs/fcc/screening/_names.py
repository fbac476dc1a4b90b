"""Name analysis with rigour: prefixes, legal forms, transliteration, name-part symbols, keys.

Pure Python on one name at a time; the Spark side wraps `analyse_names` in a pandas UDF.

A name becomes
- `tokens`: ASCII, case-folded name parts in their original order, honorific prefixes and
  legal-form words removed (rigour's person prefixes and org-type tagging);
- `symbols`: per token, the space-joined ids of the rigour symbols that explain it (NAME
  symbols from its Wikidata-based name-part data, e.g. Vladimir / Volodymyr / Wladimir share
  one; SYMBOL and DOMAIN symbols for words such as bin / ibn or neft / oil);
- `keys`: blocking keys (see `_blocking_keys`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from rigour.names import NamePartTag, NameTypeTag, SymbolCategory, analyze_names
from rigour.text import ascii_text, is_stopword, metaphone

# Symbol kinds that say two tokens are the same name part.
_EQUIVALENCE = {SymbolCategory.NAME, SymbolCategory.SYMBOL, SymbolCategory.NICK}
_TYPE_TAGS = {
    "person": NameTypeTag.PER,
    "entity": NameTypeTag.ORG,
    "vessel": NameTypeTag.OBJ,
    "aircraft": NameTypeTag.OBJ,
}
_NON_ALNUM = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class AnalysedName:
    tokens: tuple[str, ...]
    symbols: tuple[str, ...]  # parallel to tokens: space-joined symbol ids ("" when none)
    keys: tuple[str, ...]


EMPTY = AnalysedName((), (), ())


@dataclass(frozen=True)
class KeyParams:
    prefix_length: int = 3  # characters of a token used as its prefix key
    min_token_length: int = 2  # shorter tokens never form keys
    symbol_keys: bool = True  # given-name equivalents (rigour NAME symbols) form keys


def _latin_tokens(form: str) -> list[str]:
    """ASCII tokens of one name part (a Han part can transliterate to several syllables)."""
    text = form if form.isascii() else ascii_text(form)
    return [t for t in _NON_ALNUM.split(text.casefold()) if t]


@lru_cache(maxsize=200_000)
def analyse_name(
    name: str | None, entity_type: str | None, params: KeyParams = KeyParams()
) -> AnalysedName:
    """Analyse one name of a person / entity / vessel / aircraft (unknown type: no rewrites)."""
    if not name or not name.strip():
        return EMPTY
    tag = _TYPE_TAGS.get((entity_type or "").lower(), NameTypeTag.UNK)
    analysed = analyze_names(tag, [name], consolidate=False, phonetics=False)
    if not analysed:
        return EMPTY
    parsed = max(analysed, key=lambda n: len(n.parts))
    part_symbols: dict[int, set[str]] = {}
    for span in parsed.spans:
        if len(span.parts) == 1 and span.symbol.category in _EQUIVALENCE:
            part_symbols.setdefault(span.parts[0].index, set()).add(str(span.symbol.id))
    tokens: list[str] = []
    symbols: list[str] = []
    for part in parsed.parts:
        if part.tag == NamePartTag.LEGAL and len(parsed.parts) > 1:
            continue
        found = " ".join(sorted(part_symbols.get(part.index, ())))
        for token in _latin_tokens(part.comparable):
            tokens.append(token)
            symbols.append(found)
    return AnalysedName(tuple(tokens), tuple(symbols), _blocking_keys(tokens, symbols, params))


def _token_keys(token: str, params: KeyParams) -> tuple[str, str, str]:
    """Phonetic (metaphone), prefix and sorted-letters key of one token."""
    return (
        "m" + (metaphone(token) or token),
        "p" + token[: params.prefix_length],
        "g" + "".join(sorted(token)),
    )


def _blocking_keys(tokens: list[str], symbols: list[str], params: KeyParams) -> tuple[str, ...]:
    """Blocking keys: pairs of token keys, so a candidate shares two name parts.

    For every two informative tokens a, b: (metaphone a, metaphone b), (prefix a, prefix b),
    (letters a, letters b) and (symbol of a, metaphone b) / (metaphone a, symbol of b).
    "Letters" is a token's characters sorted, so a transposed pair of letters anywhere in a
    token keeps its key (Thein / Tehin changes both metaphone and prefix). Names with a
    single informative token key on that token alone. Every name also keys on its tokens
    sorted and concatenated ("c" key), which catches split / merged parts (Abdul Rahman vs
    Abdulrahman, xi jin ping vs Xi Jinping).
    """
    useful = [
        i for i, t in enumerate(tokens) if len(t) >= params.min_token_length and not is_stopword(t)
    ] or [i for i, t in enumerate(tokens) if len(t) >= params.min_token_length]
    keys: set[str] = set()
    if tokens:
        keys.add("c" + "".join(sorted(tokens)))
    base = {i: _token_keys(tokens[i], params) for i in useful}
    syms = {i: (symbols[i].split() if params.symbol_keys and symbols[i] else []) for i in useful}
    if len(useful) == 1:
        i = useful[0]
        keys.update(f"1{k}" for k in base[i])
        keys.update(f"1s{s}" for s in syms[i])
        return tuple(sorted(keys))
    for x, i in enumerate(useful):
        for j in useful[x + 1 :]:
            (mi, pi, gi), (mj, pj, gj) = base[i], base[j]
            if tokens[i] == tokens[j]:
                continue
            keys.add("2" + "|".join(sorted((mi, mj))))
            keys.add("2" + "|".join(sorted((pi, pj))))
            keys.add("2" + "|".join(sorted((gi, gj))))
            keys.update("2" + "|".join(sorted(("s" + s, mj))) for s in syms[i])
            keys.update("2" + "|".join(sorted((mi, "s" + s))) for s in syms[j])
    return tuple(sorted(keys))


def single_token_keys(tokens: tuple[str, ...], params: KeyParams) -> tuple[str, ...]:
    """The one-token keys a subject offers so one-token list names can find it."""
    keys: set[str] = set()
    for t in tokens:
        if len(t) >= params.min_token_length and not is_stopword(t):
            keys.update(f"1{k}" for k in _token_keys(t, params))
    return tuple(sorted(keys))
