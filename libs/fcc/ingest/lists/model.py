"""The parsed-list shape shared by every list parser: rows in bronze.watchlists' field order."""

from __future__ import annotations

import calendar
import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from fcc.core.tables.bronze import WATCHLIST_FIELDS

FIELDS: tuple[str, ...] = tuple(f.name for f in WATCHLIST_FIELDS)
ARRAY_FIELDS = ("names", "dobs", "nationalities", "countries", "programs", "crypto_addresses")

# A year range wider than this is kept as its two end years instead of every year between.
MAX_DOB_YEAR_SPAN = 10


class ListFormatError(ValueError):
    """A list file is missing, empty, malformed or not in the format it was expected to be."""


@dataclass(frozen=True)
class ParsedList:
    """One parsed list file: its name, version and watchlist-shaped rows."""

    list_name: str
    list_version: str
    rows: list[dict] = field(repr=False)
    fmt: str = ""
    source: str = ""

    @property
    def batch_id(self) -> str:
        return f"{self.list_name}:{self.list_version}"


def renamed(parsed: ParsedList, list_name: str) -> ParsedList:
    """The same entries under another list name (entry ids re-prefixed: `UN:QDi.001` -> `X:QDi.001`)."""
    rows = []
    for row in parsed.rows:
        native = row["entry_id"].split(":", 1)[-1]
        rows.append({**row, "entry_id": f"{list_name}:{native}", "list_name": list_name})
    return ParsedList(list_name, parsed.list_version, rows, parsed.fmt, parsed.source)


def new_row(entry_id: str, list_name: str, list_version: str, entity_type: str | None) -> dict:
    """An empty watchlist row with every field present and arrays empty."""
    row: dict = dict.fromkeys(FIELDS)
    row.update(entry_id=entry_id, list_name=list_name, list_version=list_version)
    row["entity_type"] = entity_type
    for name in ARRAY_FIELDS:
        row[name] = []
    return row


def name_entry(
    name: str, name_type: str, quality: str = "strong", script: str | None = None
) -> dict:
    """One element of `names`: {name, name_type, quality, script}."""
    return {"name": name, "name_type": name_type, "quality": quality, "script": script}


def add_unique(values: list, value) -> None:
    """Append value when it is not empty and not already present (keeps first-seen order)."""
    if value and value not in values:
        values.append(value)


# Unicode block names -> the project's script vocabulary (bronze.customers.name_script).
_UNICODE_SCRIPTS = {
    "LATIN": "Latin",
    "CYRILLIC": "Cyrillic",
    "ARABIC": "Arabic",
    "CJK": "Han",
    "HANGUL": "Hangul",
    "HIRAGANA": "Japanese",
    "KATAKANA": "Japanese",
    "GREEK": "Greek",
    "HEBREW": "Hebrew",
    "GEORGIAN": "Georgian",
    "ARMENIAN": "Armenian",
    "THAI": "Thai",
    "DEVANAGARI": "Devanagari",
}


def detect_script(text: str | None) -> str | None:
    """Script of the first letter of text in the project's vocabulary (None without letters)."""
    for ch in text or "":
        if ch.isalpha():
            first = unicodedata.name(ch, "").split(" ")[0]
            return _UNICODE_SCRIPTS.get(first, first.title() or None)
    return None


def coarse_dates(lo: date, hi: date) -> list[str]:
    """A date range as the coarsest exact labels: one day, one month, one year, or each year."""
    if lo > hi:
        lo, hi = hi, lo
    if lo == hi:
        return [lo.isoformat()]
    if (lo.year, lo.month) == (hi.year, hi.month):
        return [f"{lo.year:04d}-{lo.month:02d}"]
    if lo.year == hi.year:
        return [f"{lo.year:04d}"]
    if hi.year - lo.year > MAX_DOB_YEAR_SPAN:
        return [f"{lo.year:04d}", f"{hi.year:04d}"]
    return [f"{y:04d}" for y in range(lo.year, hi.year + 1)]


def year_range(y1: int, y2: int) -> list[str]:
    """Years y1..y2 as yyyy labels (ends only when the span is wider than the limit)."""
    return coarse_dates(date(y1, 1, 1), date(y2, 12, 31))


def month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


_NAME_DATE = re.compile(r"(?<!\d)(\d{4})(?:[-_.]?(\d{2}))?(?:[-_.]?(\d{2}))?(?!\d)")


def version_from_name(path: Path) -> str | None:
    """A publication date found in a file or folder name: yyyy, yyyy-MM or yyyy-MM-dd."""
    m = _NAME_DATE.search(path.name)
    if not m or not 1990 <= int(m.group(1)) <= 2100:
        return None
    return "-".join(g for g in m.groups() if g)


def content_version(paths: list[Path]) -> str:
    """A version derived from file contents when no publication date is known."""
    digest = hashlib.sha256()
    for p in sorted(paths):
        digest.update(p.name.encode())
        digest.update(p.read_bytes())
    return f"sha256-{digest.hexdigest()[:12]}"
