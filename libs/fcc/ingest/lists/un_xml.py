"""UN Security Council consolidated list XML (consolidated.xml): individuals and entities."""

from __future__ import annotations

import logging
import re
import time
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path

from fcc.ingest.lists.countries import to_iso2
from fcc.ingest.lists.model import (
    ListFormatError,
    ParsedList,
    add_unique,
    detect_script,
    name_entry,
    new_row,
    year_range,
)
from fcc.ingest.lists.sources import READ_ERRORS, local, open_bytes, parse_error

log = logging.getLogger(__name__)

FORMAT = "un-xml"
LIST_NAME = "UN"
EXPECTED = "a UN consolidated list XML file (consolidated.xml) with root <CONSOLIDATED_LIST>"

_NAME_PARTS = ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")
_ALIAS_QUALITY = {"good": "strong", "low": "weak", "": "strong"}
_ENTITY_ALIAS_TYPES = {"a.k.a.": "aka", "f.k.a.": "fka", "n.k.a.": "nka"}
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")


def parse(path: Path, list_version: str | None = None) -> ParsedList:
    """Parse the UN consolidated XML into watchlist rows (one per individual or entity)."""
    started = time.monotonic()
    rows: list[dict] = []
    generated: str | None = None
    root_name: str | None = None
    with open_bytes(path, EXPECTED) as f:
        try:
            for event, elem in ET.iterparse(f, events=("start", "end")):
                if root_name is None:
                    root_name = local(elem.tag)
                    if root_name != "CONSOLIDATED_LIST":
                        raise ListFormatError(
                            f"{path}: root element is <{root_name}>; expected {EXPECTED}"
                        )
                    generated = elem.get("dateGenerated")
                if event == "end" and elem.tag in ("INDIVIDUAL", "ENTITY"):
                    rows.append(_row(elem, elem.tag == "INDIVIDUAL", path))
                    elem.clear()
        except ET.ParseError as exc:
            raise parse_error(path, exc, EXPECTED) from exc
        except READ_ERRORS as exc:
            raise ListFormatError(f"{path}: cannot be read ({exc}); expected {EXPECTED}") from exc
    version = list_version or _version(generated)
    if not version:
        raise ListFormatError(
            f"{path}: no dateGenerated on <CONSOLIDATED_LIST>; expected {EXPECTED}"
        )
    for row in rows:
        row["list_version"] = version
    log.info("parsed %s: %d entries in %.1fs", FORMAT, len(rows), time.monotonic() - started)
    return ParsedList(LIST_NAME, version, rows, FORMAT, str(path))


def _version(generated: str | None) -> str | None:
    m = _ISO_DATE.match(generated or "")
    return "-".join(m.groups()) if m else None


def _text(elem: ET.Element, path: str) -> str:
    return " ".join((elem.findtext(path) or "").split())


def _row(elem: ET.Element, individual: bool, path: Path) -> dict:
    reference = _text(elem, "REFERENCE_NUMBER") or _text(elem, "DATAID")
    if not reference:
        raise ListFormatError(f"{path}: an <{elem.tag}> has neither REFERENCE_NUMBER nor DATAID")
    row = new_row(f"{LIST_NAME}:{reference}", LIST_NAME, "", "person" if individual else "entity")
    primary = " ".join(p for p in (_text(elem, tag) for tag in _NAME_PARTS) if p)
    row["primary_name"] = primary or None
    if primary:
        row["names"].append(name_entry(primary, "primary", "strong", detect_script(primary)))
    original = _text(elem, "NAME_ORIGINAL_SCRIPT")
    if original and original != primary:
        row["names"].append(name_entry(original, "primary", "strong", detect_script(original)))
    prefix = "INDIVIDUAL" if individual else "ENTITY"
    for alias in elem.iter(f"{prefix}_ALIAS"):
        _add_alias(alias, individual, row)
    for value in elem.iterfind("NATIONALITY/VALUE"):
        add_unique(row["nationalities"], to_iso2(value.text))
    for country in elem.iterfind(f"{prefix}_ADDRESS/COUNTRY"):
        add_unique(row["countries"], to_iso2(country.text))
    for dob in elem.iter("INDIVIDUAL_DATE_OF_BIRTH"):
        for label in _dob_labels(dob):
            add_unique(row["dobs"], label)
    add_unique(row["programs"], _text(elem, "UN_LIST_TYPE"))
    row["remarks"] = _text(elem, "COMMENTS1") or None
    return row


def _add_alias(alias: ET.Element, individual: bool, row: dict) -> None:
    name = _text(alias, "ALIAS_NAME")
    if not name:
        return
    quality_text = _text(alias, "QUALITY").lower()
    if individual:
        name_type, quality = "aka", _ALIAS_QUALITY.get(quality_text, "strong")
    else:
        name_type, quality = _ENTITY_ALIAS_TYPES.get(quality_text, "aka"), "strong"
    row["names"].append(name_entry(name, name_type, quality, detect_script(name)))
    # An alias may carry the date of birth used with that identity.
    for label in _date_labels(_text(alias, "DATE_OF_BIRTH")):
        add_unique(row["dobs"], label)


def _dob_labels(dob: ET.Element) -> list[str]:
    kind = _text(dob, "TYPE_OF_DATE").upper()
    if kind == "BETWEEN":
        try:
            return year_range(int(_text(dob, "FROM_YEAR")), int(_text(dob, "TO_YEAR")))
        except (ValueError, OverflowError):  # not a year, or one no calendar date has
            return []
    return _date_labels(_text(dob, "DATE")) or _date_labels(_text(dob, "YEAR"))


def _date_labels(text: str) -> list[str]:
    """'yyyy-mm-dd' (with an optional time or zone) or 'yyyy' -> one label; anything else none."""
    m = _ISO_DATE.match(text)
    if m:
        try:
            return [date(*map(int, m.groups())).isoformat()]
        except ValueError:
            return []
    return [text] if re.fullmatch(r"\d{4}", text) else []
