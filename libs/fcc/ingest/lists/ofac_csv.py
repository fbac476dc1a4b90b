"""OFAC legacy CSV trio (sdn.csv, alt.csv, add.csv): headerless, `-0-` for null.

DOB, nationality, citizenship, weak aliases and digital-currency addresses exist only inside
the free-text remarks of sdn.csv, which OFAC truncates at a fixed width; the last, cut-off
remark of a truncated text is not parsed.
"""

from __future__ import annotations

import csv
import io
import logging
import re
import time
from datetime import date, datetime
from pathlib import Path

from fcc.ingest.lists.chains import chain_for
from fcc.ingest.lists.countries import to_iso2
from fcc.ingest.lists.model import (
    ListFormatError,
    ParsedList,
    add_unique,
    coarse_dates,
    content_version,
    month_end,
    name_entry,
    new_row,
    version_from_name,
    year_range,
)

log = logging.getLogger(__name__)

FORMAT = "ofac-csv"
LIST_NAME = "OFAC-SDN"
FILES = {"sdn.csv": 12, "alt.csv": 5, "add.csv": 6}  # file -> columns
EXPECTED = "a folder with the OFAC legacy CSV files sdn.csv, alt.csv and add.csv (no header row)"
NULL = "-0-"

_ENTITY_TYPES = {"individual": "person", "vessel": "vessel", "aircraft": "aircraft"}
_ALIAS_TYPES = {"aka": "aka", "fka": "fka", "nka": "nka"}
_DOB = re.compile(r"^(?:alt\. )?DOB (?:circa )?(?P<from>[^;]+?)(?: to (?P<to>.+))?$")
_NATIONALITY = re.compile(r"^(?:alt\. )?(?:nationality|citizen) (?P<country>.+)$")
_WEAK_ALIAS = re.compile(r"^(?P<kind>[afn])\.k\.a\. '(?P<name>.+)'$")
_CURRENCY = re.compile(r"^(?:alt\. )?Digital Currency Address - (?P<code>\w+) (?P<address>\S+)$")


def parse(path: Path, list_version: str | None = None) -> ParsedList:
    """Parse the legacy CSV trio in folder `path` (or the folder of a given sdn.csv)."""
    started = time.monotonic()
    folder = path if path.is_dir() else path.parent
    tables = {name: _read(folder / name, columns) for name, columns in FILES.items()}
    version = (
        list_version
        or version_from_name(folder)
        or content_version([folder / name for name in FILES])
    )
    rows: dict[str, dict] = {}
    for line, rec in tables["sdn.csv"]:
        row = _sdn_row(rec, version)
        if row["entry_id"] in rows:
            raise ListFormatError(f"{folder / 'sdn.csv'}:{line}: duplicate ent_num {rec[0]}")
        rows[row["entry_id"]] = row
    for line, rec in tables["alt.csv"]:
        row = _owner(rows, rec[0], folder / "alt.csv", line)
        name = _person_name(rec[3]) if row["entity_type"] == "person" else rec[3]
        if name:
            kind = _ALIAS_TYPES.get((rec[2] or "aka").strip().lower(), "aka")
            row["names"].append(name_entry(name, kind, "strong", "Latin"))
    for line, rec in tables["add.csv"]:
        row = _owner(rows, rec[0], folder / "add.csv", line)
        add_unique(row["countries"], to_iso2(rec[4]))
    log.info("parsed %s: %d entries in %.1fs", FORMAT, len(rows), time.monotonic() - started)
    return ParsedList(LIST_NAME, version, list(rows.values()), FORMAT, str(folder))


def _read(path: Path, columns: int) -> list[tuple[int, list[str | None]]]:
    """Records of one headerless CSV with `-0-` as None; line numbers for error messages."""
    if not path.is_file():
        raise ListFormatError(f"{path}: missing; expected {EXPECTED}")
    out: list[tuple[int, list[str | None]]] = []
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")  # older OFAC files are Windows-1252
    with io.StringIO(text, newline="") as f:
        reader = csv.reader(f)
        try:
            for rec in reader:
                if not rec or (len(rec) == 1 and rec[0].strip() in ("", "\x1a")):
                    continue  # blank lines and the DOS end-of-file marker OFAC appends
                line = reader.line_num
                if line == 1 and rec[0].strip().lower() in ("ent_num", "entnum"):
                    continue  # tolerate a header row although OFAC ships none
                if len(rec) != columns:
                    raise ListFormatError(
                        f"{path}:{line}: {len(rec)} columns, expected {columns}; expected {EXPECTED}"
                    )
                if not rec[0].strip().isdigit():
                    raise ListFormatError(
                        f"{path}:{line}: ent_num {rec[0]!r} is not a number; expected {EXPECTED}"
                    )
                out.append((line, [_value(v) for v in rec]))
        except csv.Error as exc:
            raise ListFormatError(f"{path}:{reader.line_num}: {exc}; expected {EXPECTED}") from exc
    if not out:
        raise ListFormatError(f"{path}: no records; expected {EXPECTED}")
    return out


def _value(text: str) -> str | None:
    text = text.strip()
    return None if text == NULL or not text else text


def _owner(rows: dict[str, dict], ent_num: str | None, path: Path, line: int) -> dict:
    row = rows.get(f"{LIST_NAME}:{ent_num}")
    if row is None:
        raise ListFormatError(f"{path}:{line}: ent_num {ent_num} is not in sdn.csv")
    return row


def _person_name(text: str | None) -> str | None:
    """'LAST, First Middle' -> 'First Middle LAST' (given names first, as in the XML parser)."""
    if not text:
        return None
    last, sep, given = text.partition(", ")
    return f"{given.strip()} {last.strip()}" if sep and given.strip() else text


def _sdn_row(rec: list[str | None], version: str) -> dict:
    ent_num, sdn_name, sdn_type, program, *_, remarks = rec
    entity_type = _ENTITY_TYPES.get((sdn_type or "").lower(), "entity")
    row = new_row(f"{LIST_NAME}:{ent_num}", LIST_NAME, version, entity_type)
    name = _person_name(sdn_name) if entity_type == "person" else sdn_name
    row["primary_name"] = name
    if name:
        row["names"].append(name_entry(name, "primary", "strong", "Latin"))
    for p in re.split(r"\]\s*\[", program or ""):
        add_unique(row["programs"], p.strip(" []"))
    row["remarks"] = remarks
    _parse_remarks(remarks, row)
    return row


def _parse_remarks(remarks: str | None, row: dict) -> None:
    if not remarks:
        return
    segments = [s.strip() for s in remarks.split(";")]
    if not remarks.rstrip().endswith("."):
        segments = segments[:-1]  # truncated by OFAC: the last remark is cut off
    for seg in segments:
        seg = seg.rstrip(".").strip()
        if m := _DOB.match(seg):
            for label in _dob_labels(m.group("from"), m.group("to")):
                add_unique(row["dobs"], label)
        elif m := _NATIONALITY.match(seg):
            add_unique(row["nationalities"], to_iso2(m.group("country")))
        elif m := _WEAK_ALIAS.match(seg):
            row["names"].append(
                name_entry(m.group("name"), f"{m.group('kind')}ka", "weak", "Latin")
            )
        elif m := _CURRENCY.match(seg):
            address = m.group("address")
            add_unique(
                row["crypto_addresses"],
                {"chain": chain_for(m.group("code"), address), "address": address},
            )


def _dob_labels(start: str, end: str | None) -> list[str]:
    """'12 Aug 1960' | 'Aug 1960' | '1960' | '1960-1962', optionally '... to ...'."""
    start = start.strip()
    if end is None and (m := re.fullmatch(r"(\d{4})\s*-\s*(\d{4})", start)):
        try:
            return year_range(int(m.group(1)), int(m.group(2)))
        except ValueError:  # year 0000 has no calendar date
            return []
    lo = _date_bounds(start)
    hi = _date_bounds(end.strip()) if end else lo
    if lo is None or hi is None:
        return []
    return coarse_dates(lo[0], hi[1])


def _date_bounds(text: str) -> tuple[date, date] | None:
    for fmt, kind in (("%d %b %Y", "day"), ("%b %Y", "month"), ("%Y", "year")):
        try:
            d = datetime.strptime(text, fmt).date()
        except ValueError:
            continue
        if kind == "day":
            return d, d
        if kind == "month":
            return d, month_end(d.year, d.month)
        return date(d.year, 1, 1), date(d.year, 12, 31)
    return None
