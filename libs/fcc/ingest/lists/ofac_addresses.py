"""Per-currency OFAC address files (sanctioned_addresses_<CODE>.txt, one address a line).

These files list addresses only, without the party behind them, so each distinct
(chain, address) becomes one address-only entry: no names, entity_type null, the currency
codes it was listed under in remarks. An address listed under two codes of the same chain
(the same 0x address in the ETH and the USDT file) is one entry.
"""

from __future__ import annotations

import logging
import re
import time
from pathlib import Path

from fcc.ingest.lists.chains import chain_for
from fcc.ingest.lists.model import (
    ListFormatError,
    ParsedList,
    content_version,
    new_row,
    version_from_name,
)

log = logging.getLogger(__name__)

FORMAT = "ofac-addresses"
LIST_NAME = "OFAC-CRYPTO"
FILE_NAME = re.compile(r"^sanctioned_addresses_(?P<code>[A-Za-z0-9]+)\.txt$")
EXPECTED = "OFAC address files named sanctioned_addresses_<CODE>.txt, one address per line"
_ADDRESS = re.compile(r"^[A-Za-z0-9:._-]{20,120}$")
# EVM addresses are case-insensitive (mixed case is only a checksum): compare them lowercased.
_EVM = re.compile(r"^0x[0-9a-fA-F]{40}$")


def files_in(folder: Path) -> list[Path]:
    """The address files of a folder, sorted by name."""
    return sorted(p for p in folder.iterdir() if p.is_file() and FILE_NAME.match(p.name))


def parse(path: Path, list_version: str | None = None) -> ParsedList:
    """Parse one address file or a folder of them into one entry per (chain, address)."""
    started = time.monotonic()
    files = files_in(path) if path.is_dir() else [path]
    if not files:
        raise ListFormatError(
            f"{path}: no sanctioned_addresses_<CODE>.txt files; expected {EXPECTED}"
        )
    entries: dict[tuple[str, str], dict] = {}
    codes: dict[tuple[str, str], list[str]] = {}
    for file in files:
        m = FILE_NAME.match(file.name)
        if not m:
            raise ListFormatError(
                f"{file}: file name does not tell the currency; expected {EXPECTED}"
            )
        code = m.group("code").upper()
        for address in _addresses(file):
            chain = chain_for(code, address)
            key = (chain, address.lower() if _EVM.match(address) else address)
            if key not in entries:
                entries[key] = {"chain": chain, "address": address}
                codes[key] = []
            if code not in codes[key]:
                codes[key].append(code)
    folder = path if path.is_dir() else path.parent
    version = list_version or version_from_name(folder) or content_version(files)
    rows = []
    for key, address in entries.items():
        row = new_row(f"{LIST_NAME}:{key[0]}:{key[1]}", LIST_NAME, version, None)
        row["crypto_addresses"] = [address]
        row["remarks"] = "OFAC digital currency address listed as " + ", ".join(sorted(codes[key]))
        rows.append(row)
    log.info(
        "parsed %s: %d files, %d addresses in %.1fs",
        FORMAT,
        len(files),
        len(rows),
        time.monotonic() - started,
    )
    return ParsedList(LIST_NAME, version, rows, FORMAT, str(path))


def _addresses(file: Path) -> list[str]:
    if not file.is_file():
        raise ListFormatError(f"{file}: no such file; expected {EXPECTED}")
    text = file.read_bytes()
    try:
        lines = text.decode("utf-8-sig").splitlines()
    except UnicodeDecodeError as exc:
        raise ListFormatError(f"{file}: not UTF-8 text ({exc}); expected {EXPECTED}") from exc
    out = []
    for number, line in enumerate(lines, start=1):
        value = line.strip()
        if not value or value.startswith("#"):
            continue
        if not _ADDRESS.match(value):
            raise ListFormatError(
                f"{file}:{number}: {value[:40]!r} is not an address; expected {EXPECTED}"
            )
        out.append(value)
    return out
