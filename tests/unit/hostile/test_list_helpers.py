"""OFAC address files, format detection and the small list helpers on hostile input."""

from __future__ import annotations

import bz2
import gzip
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fcc.ingest.lists import CURRENCY_TO_CHAIN, FORMATS, ListFormatError, chain_for, parse_list
from fcc.ingest.lists.countries import to_iso2
from fcc.ingest.lists.detect import detect_format
from fcc.ingest.lists.model import coarse_dates, detect_script, version_from_name
from fcc.ingest.lists.ofac_addresses import FORMAT as ADDRESSES

from ._text import FAST, hostile_text, scratch

_HEX = "0123456789abcdefABCDEF"
_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_ADDRESS = st.one_of(
    st.text(_HEX, min_size=40, max_size=40).map(lambda h: "0x" + h),
    st.text(_B58, min_size=33, max_size=33).map(lambda b: "T" + b),
    st.text(_B58, min_size=25, max_size=34).map(lambda b: "1" + b),
)


@FAST
@given(
    files=st.dictionaries(
        st.sampled_from(["XBT", "ETH", "USDT", "TRX", "usdc", "ZZZ9"]),
        st.lists(_ADDRESS, min_size=1, max_size=6),
        min_size=1,
        max_size=4,
    ),
    crlf=st.booleans(),
    bom=st.booleans(),
    noise=st.lists(st.sampled_from(["", "   ", "# comment \u202e", "\t"]), max_size=3),
)
def test_every_distinct_chain_address_becomes_one_entry(files, crlf, bom, noise):
    expected = set()
    with scratch() as folder:
        for code, addresses in files.items():
            lines = [*noise, *(f"  {a} " for a in addresses), *noise]
            text = ("\ufeff" if bom else "") + ("\r\n" if crlf else "\n").join(lines)
            (folder / f"sanctioned_addresses_{code}.txt").write_text(text, encoding="utf-8")
            for a in addresses:
                evm = re.fullmatch("0x[0-9a-fA-F]{40}", a)
                expected.add((chain_for(code.upper(), a), a.lower() if evm else a))
        parsed = parse_list(folder)
    assert parsed.fmt == ADDRESSES
    got = {(r["crypto_addresses"][0]["chain"], r["entry_id"].split(":", 2)[2]) for r in parsed.rows}
    assert len(parsed.rows) == len(expected) and got == expected


@FAST
@given(line=hostile_text(1, 60), good=_ADDRESS)
def test_a_line_that_is_not_an_address_fails_naming_file_and_line(line, good):
    value = line.strip()
    if not value or value.startswith("#") or re.fullmatch(r"[A-Za-z0-9:._-]{20,120}", value):
        return  # blank, comment or address-shaped: not a defect
    if any(c in line for c in "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"):
        return  # splits into several lines; each is checked on its own
    with scratch() as folder:
        path = folder / "sanctioned_addresses_ETH.txt"
        path.write_bytes(f"{good}\n{line}\n".encode("utf-8", "surrogatepass"))
        with pytest.raises(ListFormatError) as exc:
            parse_list(path)
    assert str(exc.value).startswith(f"{path}:2: ") or "not UTF-8" in str(exc.value)


@FAST
@given(
    name=st.sampled_from(["list.xml", "list.xml.gz", "list.bz2", "data", "sdn_advanced.xml"]),
    head=st.sampled_from([b"", b"BZh9", b"\x1f\x8b\x08\x00", b"<", b"\xef\xbb\xbf<", b"  "]),
    body=st.binary(max_size=200),
)
def test_detect_format_returns_a_known_format_or_an_error_naming_the_file(name, head, body):
    with scratch() as folder:
        path = folder / name
        path.write_bytes(head + body)
        try:
            fmt = detect_format(path)
        except ListFormatError as exc:
            assert str(exc).startswith(f"{path}: ")
            return
    assert fmt in FORMATS


@FAST
@given(
    root=st.sampled_from(["CONSOLIDATED_LIST", "Sanctions", "html"]),
    compress=st.sampled_from([None, gzip.compress, bz2.compress]),
    cut=st.integers(1, 60),
)
def test_damaged_compressed_lists_fail_naming_the_file(root, compress, cut):
    data = f"<?xml version='1.0'?><{root} dateGenerated='2026-01-01'><X/></{root}>".encode()
    data = compress(data) if compress else data
    with scratch() as folder:
        path = folder / "list.xml"
        path.write_bytes(data[:-cut] if cut < len(data) else data[:1])
        with pytest.raises(ListFormatError) as exc:
            parse_list(path)
    assert str(exc.value).startswith(f"{path}: ")


@FAST
@given(currency=hostile_text(0, 8), address=st.one_of(hostile_text(0, 50), _ADDRESS))
def test_chain_for_never_drops_an_address(currency, address):
    chain = chain_for(currency, address)
    code = currency.strip().upper()
    assert chain in CURRENCY_TO_CHAIN.get(code, (code,))


@FAST
@given(
    name=st.one_of(hostile_text(0, 60), st.sampled_from(["Iran", "possibly Palestinian", "-0-"]))
)
def test_to_iso2_returns_an_alpha2_code_or_none(name):
    code = to_iso2(name)
    assert code is None or re.fullmatch("[A-Z]{2}", code)


@FAST
@given(lo=st.dates(), hi=st.dates())
def test_coarse_dates_gives_at_most_eleven_labels_covering_both_ends(lo, hi):
    labels = coarse_dates(lo, hi)
    assert 1 <= len(labels) <= 11
    assert labels[0] <= min(lo, hi).isoformat() and labels[-1][:4] == max(lo, hi).isoformat()[:4]
    assert all(re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", x) for x in labels)


@FAST
@given(name=hostile_text(0, 60))
def test_version_from_name_and_detect_script_accept_any_text(name):
    version = version_from_name(Path(name.replace("/", "_") or "x"))
    assert version is None or re.fullmatch(r"\d{4}(-\d{2}){0,2}", version)
    script = detect_script(name)
    assert script is None or (isinstance(script, str) and script)
