"""Name similarity of two analysed names with rapidfuzz (pure Python, one pair at a time).

`aligned` decides (`name_score` = `aligned`). Name parts are paired greedily by best
similarity; a part may also pair with two or three adjacent parts of the other name joined
(Abdul Rahman / Abdulrahman, xi jin ping / Xi Jinping, Jong Un / Jong-un), and two or three
parts with two or three of the other that rigour reads as one name (عبد الحق / Abdul Haq).
Two parts are
- 1.0 when equal or when rigour gives them a shared symbol (given-name equivalents, inflected
  surnames, bin / ibn; for joined parts, a symbol of the joined span: عبد الله / Abdullah);
- `initial_similarity` for an initial and a part starting with that letter (V. / Vladimir),
  but only when another part of the pairing is exact (F. A. Saad is not Abdullah Samad
  Faroqui), and for the same initial on both sides; a letter cut out of an acronym (R&D,
  HUJI-B) is no initial (`is_initial`);
- `skeleton_similarity` for an abjad part (Arabic, Hebrew: short vowels unwritten) and a part
  with the same consonant skeleton (محمود / Mahmoud);
- else Jaro-Winkler, but only when the edit distance is plausible for a typo
  (`max_edit_fraction`, optimal-string-alignment edits: a transposition is one), or
  `phonetic_similarity` for the same metaphone, or, failing both, the same test on the parts'
  romanisation folds (Khloponin / Hloponin) capped at `phonetic_similarity`; patronymics
  compare with a common suffix (Vladimirovich / Wladimirowitsch).
Pairs below `token_min` do not pair. The score is the paired similarity over the pairs plus a
weight per part left over: `unmatched_subject_weight` for a customer part the list name lacks,
`unmatched_list_weight` for a list part the customer lacks (a missing middle name costs less
than a wrong surname); a left-over initial or patronymic is compatible evidence and costs
`unmatched_patronymic_weight` on either side; a particle (al, bin, de, van ...) costs
`unmatched_particle_weight`, but only when at least two parts paired (Al Green is not Green);
half of a two-part given name (Jong of Jong Un) left over costs `unmatched_subject_weight`.
So only a name whose every part is paired exactly scores 1.0.

`token_sort`, `token_set` and `concat` are stored for review only: a bag of tokens never
overrides a surname mismatch.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz
from rapidfuzz.distance import OSA, JaroWinkler
from rigour.text import metaphone

from fcc.screening._names import (
    ACRONYM_LETTER,
    assimilated_join,
    is_initial,
    romanisation_fold,
    skeleton,
)

_VOWEL_START = frozenset("aeiouy")
PARTICLES = frozenset(
    "al el ul ad ud as ash at az bin ibn bint ben bou ould de da di du del della dei der den "
    "van von la le les los las dos das do y e zu".split()
)
_PATRONYMIC = re.compile(
    r"(ovich|evich|ovitch|evitch|owitsch|ewitsch|owicz|ewicz|ovic|evic|ovych|evych|ovna|evna|"
    r"ivna|ichna|ogly|oglu|ogli|uly|kyzy|qizi)$"
)
_PATRONYMIC_CANON = {"ovna": "ovna", "evna": "ovna", "ivna": "ovna", "ichna": "ovna"}


@dataclass(frozen=True)
class ScoreParams:
    token_min: float = 0.85  # token pairs less similar than this are not aligned
    unmatched_subject_weight: float = 0.5  # weight of a subject token the list name lacks
    unmatched_list_weight: float = 0.3  # weight of a list-name token the subject lacks
    phonetic_similarity: float = 0.9  # similarity of two tokens with the same metaphone
    phonetic_min_length: int = 4  # shorter tokens never count as phonetic equals
    max_edit_fraction: float = 0.34  # edits allowed, as a share of the shorter token, to pair
    phonetic_max_edit_fraction: float = 0.5  # the same for tokens paired by metaphone
    initial_similarity: float = 0.85  # an initial and a name part starting with it
    skeleton_similarity: float = 0.9  # an abjad part and a part with its consonant skeleton
    unmatched_particle_weight: float = 0.05  # a left-over particle (al, bin, de, van)
    unmatched_patronymic_weight: float = 0.2  # a left-over patronymic or initial, either side


@dataclass(frozen=True)
class NameScores:
    aligned: float
    token_sort: float
    token_set: float
    concat: float
    name_score: float


ZERO = NameScores(0.0, 0.0, 0.0, 0.0, 0.0)


@lru_cache(maxsize=1 << 18)
def is_patronymic(token: str) -> bool:
    m = _PATRONYMIC.search(token)
    return bool(m) and len(token) - len(m.group(1)) >= 3


def _canonical_patronymic(token: str) -> str:
    m = _PATRONYMIC.search(token)
    assert m is not None
    return token[: m.start()] + _PATRONYMIC_CANON.get(m.group(1), "ovich")


@lru_cache(maxsize=1 << 18)
def _sets(symbols: str) -> tuple[frozenset[str], frozenset[str]]:
    """(name symbols, skeletons) of one token's symbol string; spans and marks excluded."""
    names, skels = set(), set()
    for s in symbols.split():
        if s[1:2] == ":":
            skels.add(s)
        elif "~" not in s and s != ACRONYM_LETTER:
            names.add(s)
    return frozenset(names), frozenset(skels)


def _skeleton_match(a: frozenset[str], b: frozenset[str]) -> bool:
    """An abjad skeleton (K:) meets the same skeleton from either side."""
    return any(s[0] == "K" and ("k" + s[1:] in b or s in b) for s in a) or any(
        s[0] == "K" and "k" + s[1:] in a for s in b
    )


@lru_cache(maxsize=1 << 20)
def _spelling_similarity(a: str, b: str, params: ScoreParams) -> float:
    """Typo similarity of two parts; failing that, of their romanisation folds (Khloponin /
    Hloponin, Tsivilev / Civilev), at most `phonetic_similarity`."""
    sim = _typo_similarity(a, b, params)
    if sim < params.phonetic_similarity:
        fa, fb = romanisation_fold(a), romanisation_fold(b)
        if (fa, fb) == (a, b):
            return sim
        if fa == fb and len(fa) >= 3:  # Yuri / Urij (ISO 9 without its diacritics)
            return params.phonetic_similarity
        if min(len(fa), len(fb)) >= params.phonetic_min_length:
            sim = max(sim, min(_typo_similarity(fa, fb, params), params.phonetic_similarity))
    return sim


def _typo_similarity(a: str, b: str, params: ScoreParams) -> float:
    if a[0] != b[0] and not (a[0] in _VOWEL_START and b[0] in _VOWEL_START):
        # a typo rarely hits the first letter (mali / ali, wali / ali, grad / rad are other
        # names); vowels and y interchange there in transliteration (Iurii / Yuriy)
        return _phonetic(a, b, params)
    shorter = min(len(a), len(b))
    edits = OSA.distance(a, b)  # a transposed pair of letters is one edit
    sim = JaroWinkler.normalized_similarity(a, b)
    if edits > max(1, round(shorter * params.max_edit_fraction)):
        sim = 0.0  # Jaro-Winkler is lenient with shared prefixes (shah / shahzad)
    if sim < params.phonetic_similarity:
        return max(sim, _phonetic(a, b, params))
    return sim


def _phonetic(a: str, b: str, params: ScoreParams) -> float:
    """phonetic_similarity for the same metaphone within phonetic_max_edit_fraction, else 0."""
    shorter = min(len(a), len(b))
    if (
        shorter >= params.phonetic_min_length
        and OSA.distance(a, b) <= math.ceil(shorter * params.phonetic_max_edit_fraction)
        and metaphone(a) == metaphone(b)
    ):
        return params.phonetic_similarity
    return 0.0


def _letter_similarity(a: str, b: str, ia: bool, ib: bool, params: ScoreParams) -> float:
    """Two parts of which one has a single character; ia / ib: the part is an initial.

    An initial pairs with a longer part starting with its letter, or with the same initial, at
    `initial_similarity` (two equal initials are no stronger than an initial and a name); a
    letter cut out of an acronym (R&D, HUJI-B) or a digit pairs only with the same character
    of the same kind, never as the initial of a name.
    """
    if not ia and not ib:
        return 1.0 if a == b else 0.0
    if ia and ib:
        return params.initial_similarity if a == b else 0.0
    initial, other = (a, b) if ia else (b, a)
    return params.initial_similarity if len(other) > 1 and other[0] == initial else 0.0


# parts repeat across a population's pairs (common given and family names): each pair of parts
# is compared once per process
@lru_cache(maxsize=1 << 20)
def _token_similarity(a: str, b: str, symbols_a: str, symbols_b: str, params: ScoreParams) -> float:
    """Similarity of two name parts (of two characters or more) given their symbol strings."""
    if a == b:
        return 1.0
    sa, sb = _sets(symbols_a), _sets(symbols_b)
    if sa[0] and sb[0] and not sa[0].isdisjoint(sb[0]):
        return 1.0
    if is_patronymic(a) and is_patronymic(b):
        a, b = _canonical_patronymic(a), _canonical_patronymic(b)
        if a == b:
            return 1.0
    sim = _spelling_similarity(a, b, params)
    if sim < params.skeleton_similarity and sa[1] and sb[1] and _skeleton_match(sa[1], sb[1]):
        return params.skeleton_similarity
    return sim


def _joined_skeleton_keys(
    parts: tuple[str, ...], abjad_run: bool, other_abjad: bool
) -> tuple[str, ...]:
    """The skeleton symbols of parts joined that a part of the other name may share, one side
    written in an abjad: abjad parts joined (حمد الله) against any part (k: or K:), also with
    the article of a later part assimilated (حسام الدین / Hesamuddin); Latin parts joined
    (Abdul Rahman) against an abjad part (K:, عبدالرحمان); () when neither is."""
    if abjad_run:
        return tuple(
            f"{kind}:{skeleton(joined, abjad=True)}"
            for joined in dict.fromkeys(("".join(parts), assimilated_join(parts)))
            for kind in ("k", "K")
        )
    if other_abjad:
        return ("K:" + skeleton("".join(parts), abjad=False),)
    return ()


def _span_symbols(symbols: list[str], start: int, n: int) -> set[str]:
    """Symbols of the n-part span starting at start (rigour multi-part symbols)."""
    end = f"~{n}"
    return {s[: -len(end)] for s in symbols[start].split() if s.endswith(end)}


def _candidates(
    q: list[str], c: list[str], qs: list[str], cs: list[str], params: ScoreParams
) -> list[tuple[float, tuple[int, ...], tuple[int, ...]]]:
    """(similarity, subject indices, list indices) of every plausible part pairing."""
    qsets = [_sets(x) for x in qs]
    csets = [_sets(x) for x in cs]
    qi = [is_initial(t, x) for t, x in zip(q, qs, strict=True)]
    ci = [is_initial(t, x) for t, x in zip(c, cs, strict=True)]
    out = [
        (
            _letter_similarity(a, b, qi[i], ci[j], params)
            if len(a) == 1 or len(b) == 1
            else _token_similarity(a, b, qs[i], cs[j], params),
            (i,),
            (j,),
        )
        for i, a in enumerate(q)
        for j, b in enumerate(c)
    ]
    q_abjad = ["K:" in x for x in qs]
    c_abjad = ["K:" in x for x in cs]
    for n in (2, 3):
        sides = ((q, qs, q_abjad, c, csets, c_abjad), (c, cs, c_abjad, q, qsets, q_abjad))
        for side, (x, xs, x_abjad, y, ysets, y_abjad) in enumerate(sides):
            for i in range(len(x) - n + 1):
                joined = "".join(x[i : i + n])
                skel = _joined_skeleton_keys(
                    tuple(x[i : i + n]), any(x_abjad[i : i + n]), any(y_abjad)
                )
                span = _span_symbols(xs, i, n) if "~" in xs[i] else set()
                run = tuple(range(i, i + n))
                for j, b in enumerate(y):
                    if span and not span.isdisjoint(ysets[j][0]):
                        sim = 1.0
                    elif len(b) < 3:
                        continue
                    elif joined == b:
                        sim = 1.0
                    else:
                        sim = 0.0
                        if (
                            b[0] == joined[0]
                            and abs(len(b) - len(joined)) <= 3
                            and OSA.distance(joined, b) <= 1  # joined parts: one edit at most
                        ):
                            sim = _spelling_similarity(joined, b, params)
                        # an abjad side leaves short vowels (and a first ayn) unwritten
                        if sim < params.skeleton_similarity and not ysets[j][1].isdisjoint(skel):
                            sim = params.skeleton_similarity
                    if sim >= params.token_min:
                        out.append((sim, run, (j,)) if side == 0 else (sim, (j,), run))
    out.extend(_shared_span_pairs(qs, cs))
    if any(q_abjad) or any(c_abjad):
        out.extend(_joined_skeleton_pairs(q, c, any(q_abjad), any(c_abjad), params))
    return out


def _joined_skeleton_pairs(
    q: list[str], c: list[str], q_abjad: bool, c_abjad: bool, params: ScoreParams
) -> list[tuple[float, tuple, tuple]]:
    """Two adjacent parts on each side with one consonant skeleton, one side in an abjad: the
    article written with the word after it on one side and before it on the other ('bd
    lhbyb / Abdul Habib)."""
    sides = []
    for x, abjad, other in ((q, q_abjad, c_abjad), (c, c_abjad, q_abjad)):
        sides.append(
            [
                (i, set(_joined_skeleton_keys(tuple(x[i : i + 2]), abjad, other)))
                for i in range(len(x) - 1)
                if min(len(x[i]), len(x[i + 1])) > 1
            ]
        )
    return [
        (params.skeleton_similarity, (i, i + 1), (j, j + 1))
        for i, a in sides[0]
        for j, b in sides[1]
        if _skeleton_match(frozenset(a), frozenset(b))
    ]


def _shared_span_pairs(qs: list[str], cs: list[str]) -> list[tuple[float, tuple, tuple]]:
    """Multi-part spans of both names with one rigour symbol (عبد الحق / Abdul Haq): 1.0."""
    spans = [
        [(i, n, _span_symbols(xs, i, n)) for n in (2, 3) for i in range(len(xs) - n + 1)]
        for xs in (qs, cs)
    ]
    return [
        (1.0, tuple(range(i, i + n)), tuple(range(j, j + m)))
        for i, n, a in spans[0]
        if a
        for j, m, b in spans[1]
        if not a.isdisjoint(b)
    ]


def _in_half_span(i: int, used: set[int], symbols: list[str]) -> bool:
    """Token i is part of a two-part name (rigour span) whose other part was paired alone."""
    for start in (i - 1, i):
        if start < 0 or start + 1 >= len(symbols):
            continue
        if any(s.endswith("~2") for s in symbols[start].split()):
            other = start + 1 if start == i else start
            if other in used:
                return True
    return False


def _leftover_weight(
    tokens: list[str],
    symbols: list[str],
    used: set[int],
    full: float,
    params: ScoreParams,
    pairs: int,
) -> float:
    weight = 0.0
    for i, t in enumerate(tokens):
        if i in used:
            continue
        if t in PARTICLES and pairs >= 2:
            weight += params.unmatched_particle_weight
        elif _in_half_span(i, used, symbols):
            weight += params.unmatched_subject_weight
        elif (len(t) == 1 and ACRONYM_LETTER not in symbols[i].split()) or is_patronymic(t):
            weight += min(full, params.unmatched_patronymic_weight)
        else:
            weight += full
    return weight


def _initial_for_name(
    i: tuple[int, ...], j: tuple[int, ...], q: list[str], c: list[str], qs: list[str], cs: list[str]
) -> bool:
    """The pair of parts i / j is an initial paired with a name (not with the same initial)."""
    qi = len(i) == 1 and is_initial(q[i[0]], qs[i[0]])
    ci = len(j) == 1 and is_initial(c[j[0]], cs[j[0]])
    return qi != ci


def _greedy(
    pairs: list[tuple[float, tuple[int, ...], tuple[int, ...]]],
    q: list[str],
    c: list[str],
    qs: list[str],
    cs: list[str],
    params: ScoreParams,
) -> float:
    used_q: set[int] = set()
    used_c: set[int] = set()
    total = 0.0
    matched = 0
    initials = exact = False
    for sim, i, j in pairs:
        if sim < params.token_min:
            continue
        if used_q.intersection(i) or used_c.intersection(j):
            continue
        used_q.update(i)
        used_c.update(j)
        total += sim
        matched += 1
        for_name = _initial_for_name(i, j, q, c, qs, cs)
        initials |= for_name
        exact |= not for_name and sim >= 1.0
    if initials and not exact:
        # an initial standing for a name is compatible evidence, not agreement: without one
        # name part paired exactly it pairs with nothing (F. A. Saad is not Abdullah Samad
        # Faroqui); the same initial on both sides (S.M. / S.M.) pairs regardless
        return _greedy(
            [p for p in pairs if not _initial_for_name(p[1], p[2], q, c, qs, cs)],
            q,
            c,
            qs,
            cs,
            params,
        )
    if not matched:
        return 0.0
    weight = _leftover_weight(q, qs, used_q, params.unmatched_subject_weight, params, matched)
    weight += _leftover_weight(c, cs, used_c, params.unmatched_list_weight, params, matched)
    return total / (matched + weight)


def _aligned(
    q: list[str], c: list[str], qs: list[str], cs: list[str], params: ScoreParams
) -> float:
    """Greedy pairing, best pairs first; when joined parts are possible, also joined first."""
    pairs = sorted(
        (p for p in _candidates(q, c, qs, cs, params) if p[0] >= params.token_min),
        key=lambda p: (-p[0], len(p[1]) + len(p[2])),
    )
    best = _greedy(pairs, q, c, qs, cs, params)
    if any(len(i) + len(j) > 2 for _, i, j in pairs):
        joined_first = sorted(pairs, key=lambda p: (len(p[1]) + len(p[2]) == 2, -p[0]))
        best = max(best, _greedy(joined_first, q, c, qs, cs, params))
    return best


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
    return NameScores(
        round(aligned, 4),
        round(token_sort, 4),
        round(token_set, 4),
        round(concat, 4),
        round(aligned, 4),
    )
