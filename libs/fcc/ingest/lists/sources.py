"""Opening list files: plain, bzip2 or gzip (told by magic bytes), with clear errors."""

from __future__ import annotations

import bz2
import gzip
import xml.etree.ElementTree as ET
import zlib
from pathlib import Path
from typing import IO

from fcc.ingest.lists.model import ListFormatError

_MAGIC = {b"BZh": bz2.open, b"\x1f\x8b": gzip.open}
# What reading a damaged or truncated (compressed) file raises.
READ_ERRORS = (OSError, EOFError, zlib.error)


def open_bytes(path: Path, expected: str) -> IO[bytes]:
    """Open a list file for binary reading, decompressing bzip2 / gzip transparently."""
    if not path.is_file():
        raise ListFormatError(f"{path}: no such file; expected {expected}")
    if path.stat().st_size == 0:
        raise ListFormatError(f"{path}: file is empty; expected {expected}")
    with path.open("rb") as f:
        head = f.read(3)
    for magic, opener in _MAGIC.items():
        if head.startswith(magic):
            return opener(path, "rb")
    return path.open("rb")


def local(tag: str) -> str:
    """Element name without its namespace."""
    return tag.rsplit("}", 1)[-1]


def namespace(tag: str) -> str:
    """The `{uri}` prefix of a tag ('' when it has none)."""
    return tag[: tag.index("}") + 1] if tag.startswith("{") else ""


def root_tag(path: Path, expected: str) -> str:
    """The root element's qualified tag, read from the first few bytes of the file."""
    with open_bytes(path, expected) as f:
        try:
            for _, elem in ET.iterparse(f, events=("start",)):
                return elem.tag
        except (ET.ParseError, *READ_ERRORS) as exc:
            raise ListFormatError(f"{path}: not readable XML ({exc}); expected {expected}") from exc
    raise ListFormatError(f"{path}: no XML element found; expected {expected}")


def parse_error(path: Path, exc: Exception, expected: str) -> ListFormatError:
    """A ListFormatError naming the file, where parsing stopped and what was expected."""
    where = ""
    if isinstance(exc, ET.ParseError) and getattr(exc, "position", None):
        line, column = exc.position
        where = f" at line {line}, column {column}"
    return ListFormatError(f"{path}: malformed XML{where} ({exc}); expected {expected}")
