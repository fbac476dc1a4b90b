"""Name similarity of two analysed names with rapidfuzz (pure Python, one pair at a time).

Components (each 0..1):
- `aligned`: tokens paired greedily by best similarity, where two tokens are similar by
  Jaro-Winkler or equal (1.0) when rigour gives them a shared symbol (given-name equivalents,
  inflected surnames, bin / ibn ...). Pairs below `token_min` do not align. The score is the
  aligned similarity over aligned tokens plus `unmatched_weight` per token left over on
  either side (stop words such as al / de excepted), so a missing middle name costs less
  than a wrong surname. A token pair needing more edits than `max_edit_fraction` of the
  shorter token does not pair by Jaro-Winkler; tokens with the same metaphone (and within
  `phonetic_max_edit_fraction`) count as `phonetic_similarity`.
- `token_sort`: rapidfuzz token_sort_ratio (order-free edit similarity of whole names).
- `token_set`: rapidfuzz token_set_ratio (stored for review only: it is 1.0 whenever one
  name's tokens are a subset of the other's, too loose to decide on).
- `concat`: edit similarity of the names with spaces removed, in original and sorted token
  order (split / merged parts: Abdulrahman vs Abdul Rahman).
`name_score` = max(aligned, token_sort, concat).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from rapidfuzz import fuzz
from rapidfuzz.distance import JaroWinkler, Levenshtein
from rigour.text import is_stopword, metaphone


@dataclass(frozen=True)
class ScoreParams:
    token_min: float = 0.85  # token pairs less similar than this are not aligned
    unmatched_subject_weight: float = 0.5  # weight of a subject token the list name lacks
    unmatched_list_weight: float = 0.2  # weight of a list-name token the subject lacks
    phonetic_similarity: float = 0.9  # similarity of two tokens with the same metaphone
    phonetic_min_length: int = 4  # shorter tokens never count as phonetic equals
    max_edit_fraction: float = 0.34  # edits allowed, as a share of the shorter token, to pair
    phonetic_max_edit_fraction: float = 0.5  # the same for tokens paired by metaphone


@dataclass(frozen=True)
class NameScores:
    aligned: float
    token_sort: float
    token_set: float
    concat: float
    name_score: float


ZERO = NameScores(0.0, 0.0, 0.0, 0.0, 0.0)


def _token_similarity(a: str, b: str, sym_a: str, sym_b: str, params: ScoreParams) -> float:
    if a == b:
        return 1.0
    if sym_a and sym_b and set(sym_a.split()) & set(sym_b.split()):
        return 1.0
    shorter = min(len(a), len(b))
    edits = Levenshtein.distance(a, b)
    sim = JaroWinkler.normalized_similarity(a, b)
    if edits > math.ceil(shorter * params.max_edit_fraction):
        sim = 0.0  # Jaro-Winkler is lenient with shared prefixes (shah / shahzad)
    if (
        sim < params.phonetic_similarity
        and shorter >= params.phonetic_min_length
        and edits <= math.ceil(shorter * params.phonetic_max_edit_fraction)
        and metaphone(a) == metaphone(b)
    ):
        return params.phonetic_similarity
    return sim


def _aligned(
    q: list[str], c: list[str], qs: list[str], cs: list[str], params: ScoreParams
) -> float:
    pairs = sorted(
        (
            (_token_similarity(a, b, qs[i], cs[j], params), i, j)
            for i, a in enumerate(q)
            for j, b in enumerate(c)
        ),
        reverse=True,
    )
    used_q: set[int] = set()
    used_c: set[int] = set()
    total = 0.0
    for sim, i, j in pairs:
        if sim < params.token_min:
            break
        if i in used_q or j in used_c:
            continue
        used_q.add(i)
        used_c.add(j)
        total += sim
    matched = len(used_q)
    if not matched:
        return 0.0
    left_q = sum(1 for i, t in enumerate(q) if i not in used_q and not is_stopword(t))
    left_c = sum(1 for j, t in enumerate(c) if j not in used_c and not is_stopword(t))
    weight = params.unmatched_subject_weight * left_q + params.unmatched_list_weight * left_c
    return total / (matched + weight)


def score_names(
    q_tokens: list[str],
    c_tokens: list[str],
    q_symbols: list[str],
    c_symbols: list[str],
    params: ScoreParams = ScoreParams(),
) -> NameScores:
    """Similarity components of a subject name and a list name (token lists from analysis)."""
    if not q_tokens or not c_tokens:
        return ZERO
    q_text, c_text = " ".join(q_tokens), " ".join(c_tokens)
    aligned = _aligned(q_tokens, c_tokens, q_symbols, c_symbols, params)
    token_sort = fuzz.token_sort_ratio(q_text, c_text) / 100.0
    token_set = fuzz.token_set_ratio(q_text, c_text) / 100.0
    concat = (
        max(
            fuzz.ratio("".join(q_tokens), "".join(c_tokens)),
            fuzz.ratio("".join(sorted(q_tokens)), "".join(sorted(c_tokens))),
        )
        / 100.0
    )
    best = max(aligned, token_sort, concat)
    return NameScores(
        round(aligned, 4),
        round(token_sort, 4),
        round(token_set, 4),
        round(concat, 4),
        round(best, 4),
    )
