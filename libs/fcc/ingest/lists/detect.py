"""Telling a list file's format from its name and first element, and dispatching to its parser."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path

from fcc.ingest.lists import custom, ofac_addresses, ofac_advanced, ofac_csv, un_xml
from fcc.ingest.lists.model import ListFormatError, ParsedList, renamed
from fcc.ingest.lists.sources import READ_ERRORS, local, open_bytes, root_tag

PARSERS: dict[str, Callable[[Path, str | None], ParsedList]] = {
    ofac_advanced.FORMAT: ofac_advanced.parse,
    ofac_csv.FORMAT: ofac_csv.parse,
    un_xml.FORMAT: un_xml.parse,
    ofac_addresses.FORMAT: ofac_addresses.parse,
}
FORMATS = (*PARSERS, *custom.FORMATS)
_ANY = (
    "one of: an OFAC advanced XML (.xml or .xml.bz2/.gz), a folder with the OFAC legacy CSV "
    "trio (sdn.csv, alt.csv, add.csv), a UN consolidated XML, or OFAC "
    "sanctioned_addresses_<CODE>.txt files; or a custom list (.csv, .json) with --list-name"
)
_XML_ROOTS = {"Sanctions": ofac_advanced.FORMAT, "CONSOLIDATED_LIST": un_xml.FORMAT}


def detect_format(path: Path) -> str:
    """The format of a list file or folder; ListFormatError when it is none we know."""
    if path.is_dir():
        if (path / "sdn.csv").is_file():
            return ofac_csv.FORMAT
        if ofac_addresses.files_in(path):
            return ofac_addresses.FORMAT
        raise ListFormatError(f"{path}: folder holds no list files; expected {_ANY}")
    if not path.exists():
        raise ListFormatError(f"{path}: no such file or folder; expected {_ANY}")
    if path.name.lower() in ofac_csv.FILES:
        return ofac_csv.FORMAT
    if ofac_addresses.FILE_NAME.match(path.name):
        return ofac_addresses.FORMAT
    suffix = path.name.lower().removesuffix(".gz").removesuffix(".bz2").rsplit(".", 1)[-1]
    if suffix in ("csv", "json", "jsonl"):
        return "json" if suffix.startswith("json") else "csv"
    try:
        with open_bytes(path, _ANY) as f:
            head = f.read(512).lstrip(b"\xef\xbb\xbf \t\r\n")
    except READ_ERRORS as exc:
        raise ListFormatError(f"{path}: cannot be read ({exc}); expected {_ANY}") from exc
    if not head:
        raise ListFormatError(f"{path}: file is empty; expected {_ANY}")
    if not head.startswith(b"<"):
        raise ListFormatError(f"{path}: not XML and not a known list file name; expected {_ANY}")
    name = local(root_tag(path, _ANY))
    if name not in _XML_ROOTS:
        raise ListFormatError(f"{path}: unknown XML root <{name}>; expected {_ANY}")
    return _XML_ROOTS[name]


def parse_list(
    path: str | Path,
    fmt: str | None = None,
    list_version: str | None = None,
    list_name: str | None = None,
) -> ParsedList:
    """Parse a list file (format detected when fmt is None) into watchlist rows.

    `list_version` overrides the version read from the file (or its name) when given.
    `list_name` names the list the rows belong to: required for the custom formats (csv, json);
    for an official format it loads the file under that name instead of the publisher's (a
    test or partial file then never replaces the real list).
    """
    source = Path(path)
    if fmt is not None and fmt not in FORMATS:
        raise ListFormatError(f"{source}: unknown list format {fmt!r}; expected one of {FORMATS}")
    chosen = fmt or detect_format(source)
    if chosen in custom.FORMATS:
        parsed = custom.parse(source, chosen, list_name, list_version)
    else:
        parsed = PARSERS[chosen](source, list_version)
        if list_name:
            parsed = renamed(parsed, custom.list_name_of(list_name))
    if not parsed.rows:
        raise ListFormatError(f"{source}: no entries found; expected {_ANY}")
    ids = [row["entry_id"] for row in parsed.rows]
    if len(set(ids)) != len(ids):
        dupes = sorted(i for i, n in Counter(ids).items() if n > 1)[:5]
        raise ListFormatError(
            f"{source}: {len(ids) - len(set(ids))} duplicate entry ids (e.g. {', '.join(dupes)})"
        )
    return parsed
