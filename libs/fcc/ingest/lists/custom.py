"""Lists kept by the firm or bought from a vendor (internal block lists, PEP files): CSV or JSON
in one documented column layout (docs/lists.md, "Custom lists"), each under its own list name.

CSV is RFC 4180 (a header line, `"` quotes, doubled `""` inside quotes, UTF-8 with or without
BOM); list cells hold several values separated by `;`. JSON is one array of objects or one
object a line, with list fields as arrays (or `;`-separated strings).
"""

from __future__ import annotations

import csv
import io
import json
import logging
import re
import time
from datetime import date
from pathlib import Path

from fcc.ingest.lists.chains import chain_for
from fcc.ingest.lists.countries import to_iso2
from fcc.ingest.lists.model import (
    ListFormatError,
    ParsedList,
    content_version,
    detect_script,
    name_entry,
    new_row,
    version_from_name,
)
from fcc.ingest.lists.sources import READ_ERRORS, open_bytes

log = logging.getLogger(__name__)

FORMATS = ("csv", "json")
COLUMNS = (
    "id",
    "name",
    "entity_type",
    "aliases",
    "weak_aliases",
    "dob",
    "nationalities",
    "countries",
    "crypto_addresses",
    "programs",
    "remarks",
)
REQUIRED = ("id", "name")
ENTITY_TYPES = ("person", "entity", "vessel", "aircraft")
EXPECTED = (
    "a CSV with a header line or a JSON file of objects, columns "
    f"{', '.join(COLUMNS)} (id and name required; see docs/lists.md)"
)
LIST_NAME = re.compile(r"^[A-Z0-9][A-Z0-9_.-]{0,63}$")
_PARTIAL_DATE = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$")
_ADDRESS = re.compile(r"^(?P<chain>[A-Za-z0-9]{2,10}):(?P<address>[A-Za-z0-9:._-]{20,120})$")


def list_name_of(name: str | None) -> str:
    """The list name as stored (upper case, as the nightly ingest writes it); checked."""
    text = (name or "").strip().upper()
    if not LIST_NAME.match(text):
        raise ListFormatError(
            f"list name {name!r}: expected 1-64 letters, digits, '_', '.' or '-' "
            "(e.g. INTERNAL-BLOCK)"
        )
    return text


def parse(
    path: Path, fmt: str, list_name: str | None, list_version: str | None = None
) -> ParsedList:
    """Parse a custom list file into watchlist rows of `list_name` (entry ids `NAME:<id>`)."""
    started = time.monotonic()
    if fmt not in FORMATS:
        raise ListFormatError(f"{path}: unknown custom list format {fmt!r}; expected {FORMATS}")
    if not list_name:
        raise ListFormatError(f"{path}: a {fmt} list needs --list-name (e.g. INTERNAL-BLOCK)")
    name = list_name_of(list_name)
    text = _read_text(path)
    records = _csv_records(path, text) if fmt == "csv" else _json_records(path, text)
    version = list_version or version_from_name(path) or content_version([path])
    rows = [_row(path, where, record, name, version) for where, record in records]
    log.info("parsed %s list: %d entries in %.1fs", fmt, len(rows), time.monotonic() - started)
    return ParsedList(name, version, rows, fmt, str(path))


def _read_text(path: Path) -> str:
    try:
        with open_bytes(path, EXPECTED) as f:
            raw = f.read()
    except READ_ERRORS as exc:
        raise ListFormatError(f"{path}: cannot be read ({exc}); expected {EXPECTED}") from exc
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ListFormatError(f"{path}: not UTF-8 text ({exc}); expected {EXPECTED}") from exc


def _check_columns(path: Path, columns: list[str], where: str) -> None:
    unknown = [c for c in columns if c not in COLUMNS]
    missing = [c for c in REQUIRED if c not in columns]
    if unknown or missing:
        problems = []
        if unknown:
            problems.append(f"unknown column(s) {unknown}")
        if missing:
            problems.append(f"missing column(s) {missing}")
        raise ListFormatError(f"{path}{where}: {'; '.join(problems)}; expected {EXPECTED}")


def _csv_records(path: Path, text: str) -> list[tuple[str, dict]]:
    """(where, record) per data row; `where` is `:<line>` of the row's first line."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = [h.strip() for h in next(reader, [])]
        if not any(header):
            raise ListFormatError(f"{path}: file is empty; expected {EXPECTED}")
        _check_columns(path, header, ":1 (header)")
        out = []
        line = reader.line_num + 1
        for cells in reader:
            if any(c.strip() for c in cells):
                if len(cells) != len(header):
                    raise ListFormatError(
                        f"{path}:{line}: {len(cells)} fields, the header has {len(header)}; "
                        f"expected {EXPECTED}"
                    )
                out.append((f":{line}", dict(zip(header, cells, strict=True))))
            line = reader.line_num + 1
    except csv.Error as exc:
        raise ListFormatError(
            f"{path}:{reader.line_num}: malformed CSV ({exc}); expected {EXPECTED}"
        ) from exc
    return out


def _json_records(path: Path, text: str) -> list[tuple[str, dict]]:
    """An array of objects, or one object a line; `where` is `[index]` or `:<line>`."""
    stripped = text.lstrip()
    if not stripped:
        raise ListFormatError(f"{path}: file is empty; expected {EXPECTED}")
    if stripped.startswith("["):
        try:
            items = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ListFormatError(
                f"{path}:{exc.lineno}: malformed JSON ({exc.msg}); expected {EXPECTED}"
            ) from exc
        records = [(f"[{i}]", item) for i, item in enumerate(items)]
    else:
        records = []
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                records.append((f":{number}", json.loads(line)))
            except json.JSONDecodeError as exc:
                raise ListFormatError(
                    f"{path}:{number}: malformed JSON ({exc.msg}); expected {EXPECTED}"
                ) from exc
    for where, item in records:
        if not isinstance(item, dict):
            raise ListFormatError(f"{path}{where}: not a JSON object; expected {EXPECTED}")
        _check_columns(path, list(item), where)
    return records


def _values(value) -> list[str]:
    """A list cell: JSON array, or text split on `;`; blanks dropped, order kept."""
    if value is None:
        return []
    items = value if isinstance(value, list) else str(value).split(";")
    out: list[str] = []
    for item in items:
        text = " ".join(str(item).split()) if item is not None else ""
        if text and text not in out:
            out.append(text)
    return out


def _text(value) -> str | None:
    if value is None or isinstance(value, list | dict):
        return None if value is None else json.dumps(value, ensure_ascii=False)
    return " ".join(str(value).split()) or None


def partial_date(text: str) -> str | None:
    """`yyyy`, `yyyy-MM` or `yyyy-MM-dd` when text is a valid date of that precision."""
    m = _PARTIAL_DATE.match(text.strip())
    if not m:
        return None
    year, month, day = m.groups()
    try:
        if day:
            return date(int(year), int(month), int(day)).isoformat()
        if month:
            return f"{year}-{month}" if 1 <= int(month) <= 12 else None
    except ValueError:
        return None
    return year


def _row(path: Path, where: str, record: dict, list_name: str, version: str) -> dict:
    def bad(field: str, value, expected: str) -> ListFormatError:
        return ListFormatError(f"{path}{where}: field {field} = {value!r}: expected {expected}")

    entry = _text(record.get("id"))
    primary = _text(record.get("name"))
    if not entry:
        raise bad("id", record.get("id"), "a list-specific id, unique in the file")
    if not primary:
        raise bad("name", record.get("name"), "the entry's primary name")
    etype = (_text(record.get("entity_type")) or "").lower() or None
    if etype is not None and etype not in ENTITY_TYPES:
        raise bad("entity_type", record.get("entity_type"), " | ".join(ENTITY_TYPES))
    row = new_row(f"{list_name}:{entry}", list_name, version, etype)
    row["primary_name"] = primary
    row["names"] = [name_entry(primary, "primary", "strong", detect_script(primary))]
    for field, quality in (("aliases", "strong"), ("weak_aliases", "weak")):
        for alias in _values(record.get(field)):
            if all(n["name"] != alias for n in row["names"]):
                row["names"].append(name_entry(alias, "aka", quality, detect_script(alias)))
    for value in _values(record.get("dob")):
        label = partial_date(value)
        if label is None:
            raise bad("dob", value, "yyyy, yyyy-MM or yyyy-MM-dd (several separated by ;)")
        if label not in row["dobs"]:
            row["dobs"].append(label)
    for field in ("nationalities", "countries"):
        for value in _values(record.get(field)):
            iso = to_iso2(value)
            if iso is None:
                raise bad(field, value, "ISO 3166 codes or country names separated by ;")
            if iso not in row[field]:
                row[field].append(iso)
    for value in _values(record.get("crypto_addresses")):
        m = _ADDRESS.match(value)
        if not m:
            raise bad("crypto_addresses", value, "CHAIN:address (XBT:1A1z..., ETH:0x...)")
        address = {"chain": chain_for(m["chain"], m["address"]), "address": m["address"]}
        if address not in row["crypto_addresses"]:
            row["crypto_addresses"].append(address)
    row["programs"] = _values(record.get("programs"))
    row["remarks"] = _text(record.get("remarks"))
    return row
