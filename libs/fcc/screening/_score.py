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
  (`max_edit_fraction`, optimal-string-alignment edits: a transposition is one), for two
  one-word Arabic compounds with a shared element (-ullah, -uddin, abd-) that of their stems
  too (Asadullah / Abdullah are two names), or
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
So only a name whose every part is paired exactly scores 1.0. A name whose parts, in some
order, spell the other's letters with other word boundaries (Chi Linbaima / Baima Chilin: a
name transcribed syllable by syllable) scores at least `rejoined_similarity`.

`token_sort`, `token_set` and `concat` are stored for review only: a bag of tokens never
overrides a surname mismatch.
"""

from __future__ import annotations

import gc
import math
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import permutations

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA, Indel, JaroWinkler
from rigour.text import metaphone

from fcc.screening._names import (
    ACRONYM_LETTER,
    REJOINED_MIN_LETTERS,
    assimilated_join,
    is_initial,
    romanisation_fold,
    skeleton,
)
from fcc.screening._translit import (
    pinyin_variants,
    reads_as_east_asian,
    reads_as_pinyin,
    wade_giles_of,
)

_VOWEL_START = frozenset("aeiouy")
REJOINED_TYPO_LETTERS = 12  # a name rejoined in other word boundaries may differ by one edit
PARTICLES = frozenset(
    "al el ul ad ud as ash at az bin ibn bint bn bnt ben bou ould de da di du del della dei der "
    "den van von la le les los las dos das do y e zu".split()
)
_PATRONYMIC = re.compile(
    r"(ovich|evich|ovitch|evitch|owitsch|ewitsch|owicz|ewicz|ovic|evic|ovych|evych|ovna|evna|"
    r"ivna|ichna|ogly|oglu|ogli|uly|kyzy|qizi)$"
)
# the shared elements of one-word Arabic compound names: -ullah (God), -uddin (the faith), and
# abd- (servant of); a compound's stem is the part that tells two such names apart
# (ullah, ulla, ulah, allah, ollah ...: romanisation folds included)
_COMPOUND_SUFFIX = re.compile(
    r"^(\w{2,}?)(?:[uao]llah?|[uao]lah|[uoea]dd?e?in|[uoea]dd?eene?|eddine)$"
)
_COMPOUND_PREFIX = re.compile(r"^(?:abdul|abdel|abdol|abdal|abdur|abd)(\w{2,})$")
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
    rejoined_similarity: float = 0.9  # one name's letters in other word boundaries and order
    dot_variant_similarity: float = 0.85  # an abjad part one dotted letter from the other

    def __post_init__(self) -> None:  # the params key every per-part cache: hash them once
        object.__setattr__(self, "_hash", hash(tuple(self.__dict__.values())))

    def __hash__(self) -> int:
        return self._hash


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


@lru_cache(maxsize=1 << 18)
def _skeleton_norms(skeletons: frozenset[str]) -> tuple[frozenset[str], frozenset[str]]:
    """(the abjad skeletons, every skeleton), each written with the k: prefix."""
    return (
        frozenset("k" + s[1:] for s in skeletons if s[0] == "K"),
        frozenset("k" + s[1:] for s in skeletons),
    )


def _skeleton_match(a: frozenset[str], b: frozenset[str]) -> bool:
    """An abjad skeleton (K:) meets the same skeleton (k: or K:) from either side."""
    abjad_a, all_a = _skeleton_norms(a)
    abjad_b, all_b = _skeleton_norms(b)
    return not abjad_a.isdisjoint(all_b) or not abjad_b.isdisjoint(all_a)


# Arabic-script letters told apart only by their dots, as Latin readings write them (ص / ض s / z,
# ر / ز r / z, د / ذ d / z, ح / ج h / j, ب / ت / ن b / t / n, ف / ق f / k, ط / ظ t / z): a dot
# lost or added in typing or OCR (مرتصی for مرتضی, Morteza)
_DOT_PAIRS = frozenset(frozenset(p) for p in ("sz", "rz", "dz", "hj", "bt", "bn", "tn", "fk", "tz"))
DOT_VARIANT_MIN = 4  # consonants a skeleton needs before one dotted letter may differ


def _dot_variant_match(a: frozenset[str], b: frozenset[str]) -> bool:
    """An abjad skeleton (K:) of DOT_VARIANT_MIN letters or more and a skeleton of the other
    part one letter apart, the two letters' Arabic forms differing only in their dots."""
    if not _skeleton_norms(a)[0] and not _skeleton_norms(b)[0]:
        return False  # neither part has an abjad skeleton
    for x, y in ((a, b), (b, a)):
        for s in x:
            if s[0] != "K" or len(s) - 2 < DOT_VARIANT_MIN:
                continue
            for t in y:
                if len(t) != len(s):
                    continue
                diff = [(u, v) for u, v in zip(s[2:], t[2:], strict=True) if u != v]
                if len(diff) == 1 and frozenset(diff[0]) in _DOT_PAIRS:
                    return True
    return False


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


def _within_typo_reach(a: str, b: str, params: ScoreParams) -> bool:
    """Few enough edits (optimal string alignment: a transposed pair of letters is one) for a
    typo, as a share of the shorter string."""
    return OSA.distance(a, b) <= max(1, round(min(len(a), len(b)) * params.max_edit_fraction))


def _compound_stems(a: str, b: str) -> tuple[str, str] | None:
    """The informative stems of two one-word Arabic compound names with a shared element
    (Asad / Abd of Asadullah / Abdullah, Rahman / Rahim of Abdulrahman / Abdulrahim), None
    unless both have one in the same place."""
    ma, mb = _COMPOUND_SUFFIX.match(a), _COMPOUND_SUFFIX.match(b)
    if ma and mb:
        return ma.group(1), mb.group(1)
    ma, mb = _COMPOUND_PREFIX.match(a), _COMPOUND_PREFIX.match(b)
    if ma and mb:
        return ma.group(1), mb.group(1)
    return None


def _typo_similarity(a: str, b: str, params: ScoreParams) -> float:
    if a[0] != b[0] and not (a[0] in _VOWEL_START and b[0] in _VOWEL_START):
        # a typo rarely hits the first letter (mali / ali, wali / ali, grad / rad are other
        # names); vowels and y interchange there in transliteration (Iurii / Yuriy)
        return _phonetic(a, b, params)
    sim = JaroWinkler.normalized_similarity(a, b)
    stems = _compound_stems(a, b)
    if not _within_typo_reach(a, b, params) or (stems and not _within_typo_reach(*stems, params)):
        # Jaro-Winkler is lenient with shared prefixes (shah / shahzad), and a compound's
        # shared element hides that its informative stem is another name (Asadullah / Abdullah)
        sim = 0.0
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
    if sim < params.skeleton_similarity and sa[1] and sb[1]:
        if _skeleton_match(sa[1], sb[1]):
            return params.skeleton_similarity
        if sim < params.dot_variant_similarity and _dot_variant_match(sa[1], sb[1]):
            return params.dot_variant_similarity
    return sim


# how `_candidates` pairs two names' parts: by every route, or by `_pinyin_similarity` alone
# (both names in pinyin; a name in pinyin and one in another Chinese or Korean romanisation)
_ANY_ROUTE, _BOTH_PINYIN, _PINYIN_AND_OTHER = 0, 1, 2


def _pinyin_similarity(a: str, b: str, params: ScoreParams, mode: int) -> float:
    """Two parts of a pinyin name and another name (`_candidates`): 1.0 when equal,
    `phonetic_similarity` when both read as pinyin one polyphone's reading apart or, when the
    other name is not in pinyin (`_PINYIN_AND_OTHER`), one spells the other's syllables in
    Wade-Giles; else 0."""
    if a == b:
        return 1.0
    if pinyin_variants(a, b) or (mode == _PINYIN_AND_OTHER and wade_giles_of(a, b)):
        return params.phonetic_similarity
    return 0.0


@lru_cache(maxsize=1 << 18)
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


def _span_symbols(symbols: Sequence[str], start: int, n: int) -> frozenset[str]:
    """Symbols of the n-part span starting at start (rigour multi-part symbols)."""
    end = f"~{n}"
    return frozenset(s[: -len(end)] for s in symbols[start].split() if s.endswith(end))


@dataclass(frozen=True)
class _Span:
    """Two or three adjacent parts of one name, joined."""

    run: tuple[int, ...]
    parts: tuple[str, ...]
    joined: str
    abjad: bool  # a part of the run is written in an abjad
    symbols: frozenset[str]  # rigour symbols of the whole span (عبد الحق)
    reach: frozenset[tuple[str, int]]  # (first letter, length) of the parts it could pair with
    # joined skeleton keys, computed when first asked: against a Latin name, an abjad one
    keys: list[tuple[str, ...] | None] = field(
        default_factory=lambda: [None, None], compare=False, repr=False
    )

    @classmethod
    def of(
        cls,
        tokens: tuple[str, ...],
        abjad: tuple[bool, ...],
        symbols: Sequence[str],
        i: int,
        n: int,
    ) -> _Span:
        """The n parts of `tokens` from i."""
        parts = tokens[i : i + n]
        joined = "".join(parts)
        run_abjad = any(abjad[i : i + n])
        return cls(
            tuple(range(i, i + n)),
            parts,
            joined,
            run_abjad,
            _span_symbols(symbols, i, n),
            # _span_pairs pairs a part by spelling within one edit of the span: one letter
            # longer or shorter at most
            frozenset((joined[0], len(joined) + d) for d in (-1, 0, 1)),
        )

    def skeleton_keys(self, other_abjad: bool) -> tuple[str, ...]:
        """The span's joined skeleton keys against a name with (True) or without an abjad part."""
        keys = self.keys[other_abjad]
        if keys is None:
            keys = self.keys[other_abjad] = _joined_skeleton_keys(
                self.parts, self.abjad, other_abjad
            )
        return keys


@dataclass(frozen=True)
class _Side:
    """What one reading of a name brings to every pairing; computed once per reading."""

    sets: tuple[tuple[frozenset[str], frozenset[str]], ...]  # (name symbols, skeletons) per part
    initials: tuple[bool, ...]
    abjad: tuple[bool, ...]
    spans: tuple[tuple[_Span, ...], tuple[_Span, ...]]  # of two parts, of three parts
    symbols: frozenset[str]  # every part's name symbols
    skeletons: frozenset[str]  # every part's skeletons
    part_shapes: frozenset[tuple[str, int]]  # (first letter, length) of each part of 3+
    span_reach: frozenset[tuple[str, int]]  # the part shapes a joined span could pair with
    span_symbols: frozenset[str]  # every span's symbols
    particles: tuple[bool, ...]  # the part is a particle (al, bin, de, van)
    minor: tuple[bool, ...]  # an initial or a patronymic (a letter cut out of an acronym is not)
    span_partners: tuple[tuple[int, ...], ...]  # parts that form a two-part name with the part
    any_abjad: bool  # a part is written in an abjad
    symbol_spans: tuple[_Span, ...]  # the spans with a rigour symbol of their own
    letters: int  # letters of all parts
    pinyin: bool  # the name reads as a Chinese name in Hanyu Pinyin (`reads_as_pinyin`)
    east_asian: bool  # ... or in any Chinese or Korean romanisation (`reads_as_east_asian`)


def _may_join(side: _Side, other: _Side) -> bool:
    """Some span of `side` could pair with a part of `other` by spelling or a span symbol (a
    necessary test; skeletons aside, which only an abjad side brings)."""
    return not side.span_reach.isdisjoint(other.part_shapes) or not (
        side.span_symbols.isdisjoint(other.symbols)
    )


@lru_cache(maxsize=1 << 16)
def _side(tokens: tuple[str, ...], symbols: tuple[str, ...]) -> _Side:
    abjad = tuple("K:" in x for x in symbols)
    spans = tuple(
        tuple(_Span.of(tokens, abjad, symbols, i, n) for i in range(len(tokens) - n + 1))
        for n in (2, 3)
    )
    sets = tuple(_sets(x) for x in symbols)
    two_part_name = [any(s.endswith("~2") for s in x.split()) for x in symbols]
    # in a Chinese or Korean name, da, de, do, le ... are syllables of the name, not particles
    east_asian = reads_as_east_asian(tokens)
    return _Side(
        sets,
        tuple(is_initial(t, x) for t, x in zip(tokens, symbols, strict=True)),
        abjad,
        spans,  # type: ignore[arg-type]
        frozenset().union(*(names for names, _ in sets)),
        frozenset().union(*(skels for _, skels in sets)),
        frozenset((t[0], len(t)) for t in tokens if len(t) >= 3),
        frozenset().union(*(span.reach for both in spans for span in both)),
        frozenset().union(*(span.symbols for both in spans for span in both)),
        tuple(t in PARTICLES and not east_asian for t in tokens),
        tuple(
            (len(t) == 1 and ACRONYM_LETTER not in x.split()) or is_patronymic(t)
            for t, x in zip(tokens, symbols, strict=True)
        ),
        tuple(
            tuple(
                start + 1 if start == i else start
                for start in (i - 1, i)
                if 0 <= start < len(tokens) - 1 and two_part_name[start]
            )
            for i in range(len(tokens))
        ),
        any(abjad),
        tuple(span for both in spans for span in both if span.symbols),
        sum(len(t) for t in tokens),
        reads_as_pinyin(tokens),
        east_asian,
    )


def _span_pairs(
    span: _Span,
    other: tuple[str, ...],
    other_side: _Side,
    params: ScoreParams,
    pinyin: int = _ANY_ROUTE,
    exact: bool = False,
    skeletons: bool = True,
) -> list[tuple[float, int]]:
    """(similarity, part index) of the other name's parts that the joined span pairs with;
    with `pinyin` (a pinyin name and an East Asian one, `_candidates`), only by
    `_pinyin_similarity` (Guowei / Kuo-wei); with `exact`, only a part equal to it or sharing
    a span symbol; without `skeletons`, not by consonant skeletons."""
    joined = span.joined
    if pinyin:
        return [
            (sim, j)
            for j, b in enumerate(other)
            if (sim := _pinyin_similarity(joined, b, params, pinyin)) >= params.token_min
        ]
    skel = span.skeleton_keys(other_side.any_abjad) if skeletons else ()
    # what any part must offer to pair below; most spans meet no such part
    if (
        span.symbols.isdisjoint(other_side.symbols)
        and span.reach.isdisjoint(other_side.part_shapes)
        and (not skel or other_side.skeletons.isdisjoint(skel))
    ):
        return []
    out = []
    for j, b in enumerate(other):
        if span.symbols and not span.symbols.isdisjoint(other_side.sets[j][0]):
            sim = 1.0
        elif len(b) < 3:
            continue
        elif joined == b:
            sim = 1.0
        elif exact:
            continue
        else:
            sim = 0.0
            if (
                b[0] == joined[0]
                and abs(len(b) - len(joined)) <= 1
                and OSA.distance(joined, b) <= 1  # joined parts: one edit at most
            ):
                sim = _spelling_similarity(joined, b, params)
            # an abjad side leaves short vowels (and a first ayn) unwritten
            if (
                skel
                and sim < params.skeleton_similarity
                and not other_side.sets[j][1].isdisjoint(skel)
            ):
                sim = params.skeleton_similarity
        if sim >= params.token_min:
            out.append((sim, j))
    return out


class PartIndex:
    """The parts (two letters or more) of a set of list names, indexed to tell which of them a
    subject part may pair with at `token_min` or above (`pairable`).

    A necessary test run in bulk, route by route of `_token_similarity`: Jaro-Winkler over
    the parts with the same first letter (or both starting with a vowel), on the parts and
    on their romanisation folds; the same metaphone, of the parts or of their folds; the same
    fold; both patronymics; a shared name symbol; a shared consonant skeleton, one side's
    abjad; an abjad skeleton one dotted letter from the other's. Only the list parts it
    keeps are compared one by one.
    """

    def __init__(self, readings: Iterable[tuple[Sequence[str], Sequence[str]]]) -> None:
        symbols_of: dict[str, set[str]] = defaultdict(set)
        for tokens, symbols in readings:
            for t, x in zip(tokens, symbols, strict=True):
                if len(t) > 1:
                    symbols_of[t].add(x)
        self._by_letter: dict[str, list[str]] = defaultdict(list)  # first letter -> parts
        self._folds_by_letter: dict[str, list[str]] = defaultdict(list)  # the same, of folds
        self._fold_parts: dict[str, list[str]] = defaultdict(list)  # fold -> its parts
        self._keyed: dict[tuple[str, str], set[str]] = defaultdict(set)  # (route, key) -> parts
        for t, xs in symbols_of.items():
            fold = romanisation_fold(t)
            self._by_letter[t[0]].append(t)
            if fold:
                if fold not in self._fold_parts:
                    self._folds_by_letter[fold[0]].append(fold)
                self._fold_parts[fold].append(t)
            self._keyed["metaphone", metaphone(t)].add(t)
            self._keyed["fold metaphone", metaphone(fold)].add(t)
            if is_patronymic(t):
                self._keyed["patronymic", ""].add(t)
            for x in xs:
                names, skeletons = _sets(x)
                for name in names:
                    self._keyed["symbol", name].add(t)
                abjad, every = _skeleton_norms(skeletons)
                for k in every:
                    self._keyed["skeleton", k].add(t)
                    self._keyed["skeleton body", k[2:]].add(t)
                for k in abjad:
                    self._keyed["abjad skeleton", k].add(t)
                    if len(k) - 2 >= DOT_VARIANT_MIN:
                        self._keyed["abjad skeleton body", k[2:]].add(t)
        self._pairable: dict[tuple[str, str], frozenset[str]] = {}

    def _similar_spelling(
        self, text: str, by_letter: dict[str, list[str]], cutoff: float
    ) -> Iterator[str]:
        """The texts of by_letter Jaro-Winkler similar to `text` at `cutoff` or above, among
        those a typo could give (`_typo_similarity`: the same first letter, or two vowels)."""
        letters = _VOWEL_START if text[0] in _VOWEL_START else (text[0],)
        for letter in letters:
            for found, _, _ in process.extract(
                text,
                by_letter.get(letter, ()),
                scorer=JaroWinkler.normalized_similarity,
                score_cutoff=cutoff,
                limit=None,
            ):
                yield found

    def pairable(self, a: str, symbols: str, params: ScoreParams) -> frozenset[str]:
        """The list parts the subject part `a` (two letters or more, with its symbol string)
        may pair with at `token_min` or above: a superset of those it does pair with."""
        known = self._pairable.get((a, symbols))
        if known is not None:
            return known
        # rapidfuzz's own cutoff can drop a score a hair above it (0.85 at 0.8499): kept loose
        cutoff = params.token_min - 0.05
        found: set[str] = set(self._similar_spelling(a, self._by_letter, cutoff))
        fold = romanisation_fold(a)
        if fold:
            for f in self._similar_spelling(fold, self._folds_by_letter, cutoff):
                found.update(self._fold_parts[f])
            found.update(self._fold_parts.get(fold, ()))
        keys = [("metaphone", metaphone(a)), ("fold metaphone", metaphone(fold))]
        if is_patronymic(a):
            keys.append(("patronymic", ""))
        names, skeletons = _sets(symbols)
        keys.extend(("symbol", name) for name in names)
        abjad, every = _skeleton_norms(skeletons)
        keys.extend(("skeleton", k) for k in abjad)
        keys.extend(("abjad skeleton", k) for k in every)
        for k in skeletons:  # one dotted letter apart, either side's skeleton the abjad one
            if len(k) - 2 < DOT_VARIANT_MIN:
                continue
            variants = _dot_variants(k[2:])
            keys.extend(("abjad skeleton body", v) for v in variants)
            if k[0] == "K":
                keys.extend(("skeleton body", v) for v in variants)
        for key in keys:
            found.update(self._keyed.get(key, ()))
        self._pairable[(a, symbols)] = result = frozenset(found)
        return result


def _dot_variants(body: str) -> list[str]:
    """The skeleton body with one letter swapped for a letter differing from it only in its
    dots (`_DOT_PAIRS`)."""
    out = []
    for i, letter in enumerate(body):
        for pair in _DOT_PAIRS:
            if letter in pair:
                (other,) = pair - {letter}
                out.append(body[:i] + other + body[i + 1 :])
    return out


@dataclass
class _SubjectMemo:
    """What scoring one subject reading carries from one list name to the next: each list
    part's pairings with the reading's parts (keyed by part and its symbols) and, with a
    `PartIndex`, the list parts each of the reading's parts may pair with (None: any)."""

    rows: dict[tuple[str, str, int], tuple[tuple[int, float], ...]] = field(default_factory=dict)
    pairable: tuple[frozenset[str] | None, ...] | None = None


def _part_row(
    q: tuple[str, ...],
    qs: tuple[str, ...],
    qside: _Side,
    b: str,
    b_symbols: str,
    params: ScoreParams,
    pairable: tuple[frozenset[str] | None, ...] | None,
    pinyin: int,
) -> tuple[tuple[int, float], ...]:
    """(subject index, similarity) of the subject parts that pair with the list part b; with
    `pinyin` (a pinyin name and an East Asian one, `_candidates`), only by
    `_pinyin_similarity`."""
    b_initial = is_initial(b, b_symbols)
    row = []
    for i, a in enumerate(q):
        if len(a) == 1 or len(b) == 1:
            sim = _letter_similarity(a, b, qside.initials[i], b_initial, params)
        elif pinyin:
            sim = _pinyin_similarity(a, b, params, pinyin)
        elif pairable is not None and b not in pairable[i]:  # type: ignore[operator]
            continue
        else:
            sim = _token_similarity(a, b, qs[i], b_symbols, params)
        if sim >= params.token_min:
            row.append((i, sim))
    return tuple(row)


def _candidates(
    q: tuple[str, ...],
    c: tuple[str, ...],
    qs: tuple[str, ...],
    cs: tuple[str, ...],
    qside: _Side,
    cside: _Side,
    params: ScoreParams,
    memo: _SubjectMemo,
) -> list[tuple[float, tuple[int, ...], tuple[int, ...]]]:
    """(similarity, subject indices, list indices) of every part pairing similar enough to
    pair (`token_min`).

    A name that reads as Hanyu Pinyin and a name in a Chinese or Korean romanisation (pinyin,
    Wade-Giles, Hong Kong Cantonese, Korean: as Latin names and as the readings of Han and
    Hangul) pair only equal parts, joined parts equal to a part (Jin Ping / Jinping), pinyin
    parts one polyphone's reading apart (`_pinyin_similarity`: Leicheng / Lecheng), and, when
    the other name is not in pinyin, a pinyin part and its Wade-Giles spelling (Xiao /
    Hsiao). Pinyin spells each syllable of Mandarin one way, so a pinyin part and a different
    part of such a name are other characters or another language's reading of them: another
    name (Mingjun / Mingfu, Cai / Qi, Yu / Yang, Cheng / Ching), which the spelling routes and
    rigour's symbols (shared across dialects' readings) would pair.

    Against any other name, a pinyin name's parts join only into a part spelt the same (Ren
    Tao is not Renato, Ma Lin not Moalin), and no joined consonant skeleton pairs it with a
    name in an abjad: its one-syllable parts joined leave a skeleton of a few common
    consonants that Arabic and Persian names share (Li Jian / ولی جان, Wei Leijian / ولی
    جان). Part by part, skeletons still pair: short Arabic names read as pinyin too (Sami
    Nima / سامی نعمة, Ali Hasan).
    """
    cells = []
    rows = memo.rows
    if qside.pinyin and cside.pinyin:
        pinyin = _BOTH_PINYIN
    elif (qside.pinyin and cside.east_asian) or (cside.pinyin and qside.east_asian):
        pinyin = _PINYIN_AND_OTHER
    else:
        pinyin = _ANY_ROUTE
    for j, b in enumerate(c):
        key = (b, cs[j], pinyin)
        row = rows.get(key)
        if row is None:
            row = rows[key] = _part_row(q, qs, qside, b, cs[j], params, memo.pairable, pinyin)
        for i, sim in row:
            cells.append((i, j, sim))
    cells.sort()  # subject part first, as ties between equal pairings are broken
    out = [(sim, (i,), (j,)) for i, j, sim in cells]
    # joined skeletons: not between a pinyin name and an abjad one
    skeletons = not ((qside.pinyin and cside.any_abjad) or (cside.pinyin and qside.any_abjad))
    abjad = skeletons and (qside.any_abjad or cside.any_abjad)
    q_joins = abjad or pinyin or _may_join(qside, cside)
    c_joins = abjad or pinyin or _may_join(cside, qside)
    for n in (0, 1) if q_joins or c_joins else ():  # spans of two parts, then of three
        for span in qside.spans[n] if q_joins else ():
            out.extend(
                (sim, span.run, (j,))
                for sim, j in _span_pairs(span, c, cside, params, pinyin, qside.pinyin, skeletons)
            )
        for span in cside.spans[n] if c_joins else ():
            out.extend(
                (sim, (j,), span.run)
                for sim, j in _span_pairs(span, q, qside, params, pinyin, cside.pinyin, skeletons)
            )
    if pinyin:
        return out
    if qside.symbol_spans and cside.symbol_spans:
        out.extend(_shared_span_pairs(qside, cside))
    if abjad:
        out.extend(_joined_skeleton_pairs(q, c, qside.any_abjad, cside.any_abjad, params))
    return out


def _joined_skeleton_pairs(
    q: tuple[str, ...], c: tuple[str, ...], q_abjad: bool, c_abjad: bool, params: ScoreParams
) -> list[tuple[float, tuple, tuple]]:
    """Two or three adjacent parts on each side with one consonant skeleton, one side in an
    abjad: the article written with the word after it on one side and before it on the other
    ('bd lhbyb / Abdul Habib), two words written as one (محمدعبد البصیر / Mohammad Abdul
    Basir)."""
    return [
        (params.skeleton_similarity, i, j)
        for i, abjad_a, all_a in _joined_skeleton_runs(q, q_abjad, c_abjad)
        for j, abjad_b, all_b in _joined_skeleton_runs(c, c_abjad, q_abjad)
        if len(i) + len(j) < 6 and (not abjad_a.isdisjoint(all_b) or not abjad_b.isdisjoint(all_a))
    ]


@lru_cache(maxsize=1 << 16)
def _joined_skeleton_runs(
    parts: tuple[str, ...], abjad: bool, other_abjad: bool
) -> tuple[tuple[tuple[int, ...], frozenset[str], frozenset[str]], ...]:
    """(run, abjad skeletons, every skeleton) of each run of two or three parts of a name
    without a one-letter part, its joined skeleton keys as `_skeleton_match` compares them."""
    return tuple(
        (
            tuple(range(i, i + n)),
            *_skeleton_norms(
                frozenset(_joined_skeleton_keys(parts[i : i + n], abjad, other_abjad))
            ),
        )
        for n in (2, 3)
        for i in range(len(parts) - n + 1)
        if min(len(t) for t in parts[i : i + n]) > 1
    )


def _shared_span_pairs(qside: _Side, cside: _Side) -> list[tuple[float, tuple, tuple]]:
    """Multi-part spans of both names with one rigour symbol (عبد الحق / Abdul Haq): 1.0."""
    return [
        (1.0, a.run, b.run)
        for a in qside.symbol_spans
        for b in cside.symbol_spans
        if not a.symbols.isdisjoint(b.symbols)
    ]


def _leftover_weight(
    side: _Side, used: set[int], full: float, params: ScoreParams, pairs: int
) -> float:
    """The weight of the parts of one name left unpaired: a particle (when two parts or more
    paired), half of a two-part name whose other half paired alone, an initial or patronymic,
    or `full`."""
    weight = 0.0
    for i in range(len(side.initials)):
        if i in used:
            continue
        if side.particles[i] and pairs >= 2:
            weight += params.unmatched_particle_weight
        elif not used.isdisjoint(side.span_partners[i]):
            weight += params.unmatched_subject_weight
        elif side.minor[i]:
            weight += min(full, params.unmatched_patronymic_weight)
        else:
            weight += full
    return weight


def _initial_for_name(i: tuple[int, ...], j: tuple[int, ...], qside: _Side, cside: _Side) -> bool:
    """The pair of parts i / j is an initial paired with a name (not with the same initial)."""
    qi = len(i) == 1 and qside.initials[i[0]]
    ci = len(j) == 1 and cside.initials[j[0]]
    return qi != ci


def _greedy(
    pairs: list[tuple[float, tuple[int, ...], tuple[int, ...]]],
    qside: _Side,
    cside: _Side,
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
        for_name = _initial_for_name(i, j, qside, cside)
        initials |= for_name
        exact |= not for_name and sim >= 1.0
    if initials and not exact:
        # an initial standing for a name is compatible evidence, not agreement: without one
        # name part paired exactly it pairs with nothing (F. A. Saad is not Abdullah Samad
        # Faroqui); the same initial on both sides (S.M. / S.M.) pairs regardless
        return _greedy(
            [p for p in pairs if not _initial_for_name(p[1], p[2], qside, cside)],
            qside,
            cside,
            params,
        )
    if not matched:
        return 0.0
    weight = _leftover_weight(qside, used_q, params.unmatched_subject_weight, params, matched)
    weight += _leftover_weight(cside, used_c, params.unmatched_list_weight, params, matched)
    return total / (matched + weight)


@lru_cache(maxsize=1 << 16)
def _rejoined_similarity(q: tuple[str, ...], c: tuple[str, ...], params: ScoreParams) -> float:
    """`rejoined_similarity` when one name's parts, in some order, spell the other's letters
    with other word boundaries (Chi Linbaima / Baima Chilin, Tu Niyaziaierken / Aierken
    Tuniyazi: a name transcribed syllable by syllable), one edit allowed in a name of
    REJOINED_TYPO_LETTERS letters or more; else 0. Names with an initial or of more than four
    parts never rejoin."""
    jq, jc = "".join(q), "".join(c)
    shorter = min(len(jq), len(jc))
    if (
        abs(len(jq) - len(jc)) > 1
        or shorter < REJOINED_MIN_LETTERS
        or max(len(q), len(c)) > 4
        or len(q) + len(c) < 3
    ):
        return 0.0
    if any(len(t) < 2 for t in (*q, *c)):
        return 0.0
    edits = 1 if shorter >= REJOINED_TYPO_LETTERS else 0
    if Indel.distance("".join(sorted(jq)), "".join(sorted(jc))) > 2 * edits:
        return 0.0  # not the same letters: no order of the parts can spell them
    for parts, joined in ((c, jq), (q, jc)):
        if any(OSA.distance("".join(p), joined) <= edits for p in permutations(parts)):
            return params.rejoined_similarity
    return 0.0


def _least_leftover_weight(side: _Side, i: int, full: float, params: ScoreParams) -> float:
    """The least weight part i can cost when left unpaired, whatever else pairs (the cases of
    `_leftover_weight`)."""
    weight = min(full, params.unmatched_patronymic_weight) if side.minor[i] else full
    if side.particles[i]:
        weight = min(weight, params.unmatched_particle_weight)
    if side.span_partners[i]:
        weight = min(weight, params.unmatched_subject_weight)
    return weight


def _score_ceiling(
    pairs: list[tuple[float, tuple[int, ...], tuple[int, ...]]],
    qside: _Side,
    cside: _Side,
    params: ScoreParams,
) -> float:
    """The most a greedy pairing drawn from `pairs` can score: every pairing exact, as many
    pairings as the fewer parts either side can pair, and each part no candidate pairing
    covers left over at its least weight."""
    if not pairs:
        return 0.0
    covered_q: set[int] = set()
    covered_c: set[int] = set()
    for _, i, j in pairs:
        covered_q.update(i)
        covered_c.update(j)
    most = min(len(covered_q), len(covered_c))
    weight = 0.0
    for side, covered, full in (
        (qside, covered_q, params.unmatched_subject_weight),
        (cside, covered_c, params.unmatched_list_weight),
    ):
        for i in range(len(side.initials)):
            if i not in covered:
                weight += _least_leftover_weight(side, i, full, params)
    return most / (most + weight)


def aligned_score(
    q: Sequence[str], c: Sequence[str], qs: Sequence[str], cs: Sequence[str], params: ScoreParams
) -> float:
    """The deciding similarity: greedy pairing, best pairs first; when joined parts are
    possible, also joined first (unrounded; 0 when either name has no part)."""
    if not q or not c:
        return 0.0
    q, c, qs, cs = tuple(q), tuple(c), tuple(qs), tuple(cs)
    return _aligned(q, c, qs, cs, _side(q, qs), _side(c, cs), params, 0.0, _SubjectMemo())


def _aligned(
    q: tuple[str, ...],
    c: tuple[str, ...],
    qs: tuple[str, ...],
    cs: tuple[str, ...],
    qside: _Side,
    cside: _Side,
    params: ScoreParams,
    floor: float,
    memo: _SubjectMemo,
) -> float:
    """`aligned_score` of two non-empty readings. A pair that cannot reach `floor` once
    rounded to 4 places (`_score_ceiling`) is not aligned: its rejoined similarity is
    returned, which is the score when it reaches the floor and below the floor otherwise."""
    pairs = [
        p for p in _candidates(q, c, qs, cs, qside, cside, params, memo) if p[0] >= params.token_min
    ]
    shorter = min(qside.letters, cside.letters)
    if abs(qside.letters - cside.letters) > 1 or shorter < REJOINED_MIN_LETTERS:
        rejoined = 0.0  # the first test of _rejoined_similarity, before its cache
    else:
        rejoined = _rejoined_similarity(q, c, params)
    if floor > 0 and round(_score_ceiling(pairs, qside, cside, params), 4) < floor:
        return rejoined
    pairs.sort(key=lambda p: (-p[0], len(p[1]) + len(p[2])))
    best = max(_greedy(pairs, qside, cside, params), rejoined)
    if any(len(i) + len(j) > 2 for _, i, j in pairs):
        # among joined pairings equally similar, the one covering more parts first: عبد الله /
        # Abd Allah before عبد الله / Abdel when both are possible
        joined_first = sorted(
            pairs, key=lambda p: (len(p[1]) + len(p[2]) == 2, -p[0], -len(p[1]) - len(p[2]))
        )
        best = max(best, _greedy(joined_first, qside, cside, params))
    return best


def _with_review_components(
    q_tokens: Sequence[str], c_tokens: Sequence[str], aligned: float
) -> NameScores:
    """The aligned score with the bag-of-tokens ratios stored beside it for review."""
    q_text, c_text = " ".join(q_tokens), " ".join(c_tokens)
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


def score_names(
    q_tokens: Sequence[str],
    c_tokens: Sequence[str],
    q_symbols: Sequence[str],
    c_symbols: Sequence[str],
    params: ScoreParams = ScoreParams(),
) -> NameScores:
    """Similarity components of a subject name and a list name (token lists from analysis)."""
    if not q_tokens or not c_tokens:
        return ZERO
    aligned = aligned_score(q_tokens, c_tokens, q_symbols, c_symbols, params)
    return _with_review_components(q_tokens, c_tokens, aligned)


def best_reading_scores(
    subject: Iterable[tuple[Sequence[str], Sequence[str]]],
    listed: Iterable[tuple[Sequence[str], Sequence[str]]],
    params: ScoreParams,
) -> NameScores:
    """Components of the best-scoring (subject reading, list reading) pair, readings given as
    (tokens, symbols); the first best pair wins a tie, and ZERO when none scores."""
    return SubjectScorer(subject, params).best([(tuple(t), tuple(s)) for t, s in listed])


class SubjectScorer:
    """One subject name scored against many list names: each list part's pairings with a
    subject reading's parts are computed once; with `parts` (the list names' `PartIndex`)
    only the part pairs it keeps are compared; with `floor` a pair that cannot reach it is
    not aligned (its scores may then be anything below the floor)."""

    def __init__(
        self,
        subject: Iterable[tuple[Sequence[str], Sequence[str]]],
        params: ScoreParams,
        floor: float = 0.0,
        parts: PartIndex | None = None,
    ) -> None:
        self.readings = []
        for tokens, symbols in subject:
            q, qs = tuple(tokens), tuple(symbols)
            memo = _SubjectMemo()
            if parts is not None:
                memo.pairable = tuple(
                    parts.pairable(a, x, params) if len(a) > 1 else None
                    for a, x in zip(q, qs, strict=True)
                )
            self.readings.append((q, qs, _side(q, qs), memo))
        self.params = params
        self.floor = floor

    def best(self, listed: Sequence[tuple[tuple[str, ...], tuple[str, ...]]]) -> NameScores:
        """Components of the best (subject reading, list reading) pair, list readings given as
        (tokens, symbols) tuples; the first best pair wins a tie, and ZERO when none scores."""
        best, best_pair = 0.0, None
        for q, qs, qside, memo in self.readings:
            if not q:
                continue
            for c, cs in listed:
                if not c:
                    continue
                aligned = _aligned(q, c, qs, cs, qside, _side(c, cs), self.params, self.floor, memo)
                s = round(aligned, 4)
                if s > best:
                    best, best_pair = s, (q, c)
        if best_pair is None:
            return ZERO
        return _with_review_components(*best_pair, best)


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """Python's cyclic garbage collector paused while scoring: the per-part caches hold
    millions of objects, none in a cycle, which every collection would traverse again (a
    third of the scoring time). Reference counting still frees what scoring drops."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def caches_kept_from_collector() -> None:
    """Every object alive now (the scorer's caches, the list part index) out of the cyclic
    collector's reach for good. A Python worker runs many tasks and collects garbage after
    each one; at 1M customers each such collection walked the caches kept for the next task
    for 1.3-1.5 s. They hold no cycle: reference counting still frees what is dropped."""
    gc.freeze()
