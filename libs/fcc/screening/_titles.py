"""Titles and honorifics in many languages, removed from person names before analysis.

rigour removes English / German honorifics (Mr, Dr, Herr, His Excellency ...); it does not know
"Presidente", "Predsjednik", "Президент" or the Hungarian "elnök" that follows the name. These
lists fill that gap. A word is only removed at the start of a name (or, for the languages that
put the title after the name, at the end), and never when it would leave the name empty, so a
surname such as King or General in the middle of a name stays.
"""

from __future__ import annotations

import re
import unicodedata

# Titles that precede the name (casefolded, accents kept; dots and hyphens are ignored).
_LEADING = """
president presidente président presidentti präsident prezident prezydent predsjednik predsednik
predsjednica predsednica předseda predseda prezes presidan cumhurbaşkanı başkan presiden
президент председатель президента премьер премьер-министр министр генерал полковник
майор маршал адмирал господин госпожа товарищ доктор профессор депутат сенатор губернатор
патриарх митрополит
πρόεδρος πρωθυπουργός στρατηγός κύριος κυρία
prime premier premiere primeiro primer ministro ministre minister ministerpräsident
chancellor kanzler bundeskanzler kanclerz canciller chancelier
king queen roi reine rey reina könig königin koning koningin emperor
prince princess prinz prinzessin principe príncipe princesa
sheikh shaikh shaykh sheik cheikh
general généřal generál generał général generale lieutenant lt colonel coronel oberst
major marshal admiral capt captain capitán capitano kapitän kapitan commander comandante
commandant sergeant sgt brigadier
mr mrs ms miss dr doctor doctora docteur doktor dott prof professor professeur profesor
señor senor señora senora sr sra srta doña sig signor signora herr frau pani
monsieur madame mme mlle mister sir dame lord lady
hon honourable honorable excellency excelencia excellence exzellenz
senator senador sénateur senatore deputy diputado diputada député deputato governor gobernador
governador gouverneur mayor alcalde bürgermeister
hajji haji hadji hadzhi khadzhi хаджи khatzi chatzi χατζή hajj alhaj alhaji mullah mulla maulana mawlana maulvi mawlawi mufti imam
ayatollah ayatullah hojatoleslam hujjat-ul-islam ustadh ustaz
reverend rev father padre pope bishop archbishop cardinal patriarch
ông bà
bapak ibu
sayın bay bayan
الرئيس رئيس الشيخ شيخ الملك الأمير السيد الدكتور دكتور اللواء العقيد الفريق المشير
العميد الحاج حاج حاجى الحاجى حاجي الإمام المفتي ملا مولوی مولوي
آقای آقا خانم دکتر مهندس سردار سرلشکر سرتیپ سرهنگ آیت‌الله حجت‌الاسلام حاجی
جناب صدر وزیراعظم
מר גברת הנשיא נשיא
श्री श्रीमती सुश्री डॉ डॉक्टर राष्ट्रपति प्रधानमंत्री
นาย นาง นางสาว พลเอก ดร
"""

# Titles that follow the name (Hungarian, Turkish).
_TRAILING = """
elnök úr asszony miniszterelnök főtitkár bey efendi bej pasha pasa paşa
"""

# Han / Hangul / Kana titles written directly before or after the name, without a space.
_CJK_SUFFIXES = (
    "国家主席 國家主席 总书记 總書記 委员长 委員長 国务委员长 국무위원장 위원장 총비서 대통령 "
    "주석 총리 장군 원수 동지 선생님 선생 씨 님 主席 总统 總統 总理 總理 首相 大統領 総理大臣 "
    "総理 総書記 将军 將軍 同志 先生 女士 博士 部长 部長 氏 様 さん 殿"
).split()
_CJK_PREFIXES = "国家主席 國家主席 主席 总统 總統 总理 總理 首相 大統領 대통령 주석".split()
# Thai titles are written attached to the given name.
_THAI_PREFIXES = ("นางสาว", "พลเอก", "นาย", "นาง", "ดร.")

_PUNCT = re.compile(r"[.\u00b7'’`]+")


def _norm(word: str) -> str:
    return unicodedata.normalize("NFC", _PUNCT.sub("", word.casefold())).strip("-,;:()")


LEADING_TITLES = frozenset(_norm(w) for w in _LEADING.split())
TRAILING_TITLES = frozenset(_norm(w) for w in _TRAILING.split()) | {"elnok"}
# Multi-word titles removed first (their words may also be ordinary words).
_LEADING_PHRASES = (
    ("prime", "minister"),
    ("premier", "ministre"),
    ("primeiro", "ministro"),
    ("primer", "ministro"),
    ("his", "excellency"),
    ("her", "excellency"),
    ("his", "majesty"),
    ("her", "majesty"),
    ("tổng", "thống"),
    ("thủ", "tướng"),
    ("chủ", "tịch"),
)


def strip_titles(name: str) -> str:
    """The name without leading / trailing titles; never empties a name."""
    # format characters (zero-width joiners, bidi marks) never change what a word is
    text = "".join(ch for ch in name if unicodedata.category(ch) != "Cf")
    text = unicodedata.normalize("NFC", text).strip()
    text = _strip_attached(text)
    words = text.split()
    if len(words) < 2:
        return text
    changed = True
    while changed and len(words) > 1:
        changed = False
        lowered = [_norm(w) for w in words]
        for phrase in _LEADING_PHRASES:
            n = len(phrase)
            if len(words) > n and tuple(lowered[:n]) == phrase:
                words = words[n:]
                changed = True
                break
        else:
            if lowered[0] in LEADING_TITLES:
                words = words[1:]
                changed = True
            elif lowered[-1] in TRAILING_TITLES:
                words = words[:-1]
                changed = True
    return " ".join(words)


def _strip_attached(text: str) -> str:
    """Han / Hangul / Kana and Thai titles glued to the name."""
    for suffix in _CJK_SUFFIXES:
        if text.endswith(suffix) and len(text) > len(suffix) + 1:
            text = text[: -len(suffix)].strip()
            break
    for prefix in _CJK_PREFIXES:
        if text.startswith(prefix) and len(text) > len(prefix) + 1:
            text = text[len(prefix) :].strip()
            break
    for prefix in _THAI_PREFIXES:
        if text.startswith(prefix) and len(text) > len(prefix) + 1:
            text = text[len(prefix) :].strip()
            break
    return text
