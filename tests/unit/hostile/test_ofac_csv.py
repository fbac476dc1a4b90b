"""OFAC legacy CSV trio: hostile rows parse entry for entry or fail naming file and line."""

from __future__ import annotations

import csv
import io
import re

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from fcc.ingest.lists import ListFormatError, parse_list
from fcc.ingest.lists.ofac_csv import FORMAT

from ._text import FAST, hostile_text, long_text, name_text, scratch

LABEL = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
_REMARKS = st.one_of(
    hostile_text(0, 30),
    st.sampled_from(
        [
            "DOB 0000-1962.",
            "DOB 1962-0000; nationality Iran.",
            "DOB 31 Feb 1960 to 1 Jan 1950.",
            "DOB circa 1960 to Aug 99999.",
            "a.k.a. 'ع\u200dلي'; Digital Currency Address - XBT 1Kuf2Rd8mDyAViwBozGTNYnvWL8uYFrkVo.",
            "Digital Currency Address - ; DOB",
        ]
    ),
)


@st.composite
def _lists(draw) -> dict:
    ents = draw(st.lists(st.integers(1, 10**9), min_size=1, max_size=6, unique=True))
    sdn = [
        [
            str(e),
            draw(name_text()),
            draw(st.sampled_from(["individual", "-0- ", "vessel", "ENTITY?", ""])),
            draw(hostile_text(0, 12)),
            *["-0- "] * 7,
            draw(_REMARKS),
        ]
        for e in ents
    ]
    alt = [
        [
            str(draw(st.sampled_from(ents))),
            str(i),
            draw(st.sampled_from(["aka", "fka", "", "?"])),
            draw(name_text()),
            "-0-",
        ]
        for i in range(draw(st.integers(0, 5)))
    ]
    add = [
        [
            str(draw(st.sampled_from(ents))),
            str(i),
            draw(hostile_text(0, 20)),
            "-0-",
            draw(st.one_of(hostile_text(0, 12), st.sampled_from(["Iran", "Korea, North", "-0-"]))),
            "-0-",
        ]
        for i in range(draw(st.integers(1, 4)))
    ]
    return {
        "sdn.csv": sdn,
        "alt.csv": alt or [[str(ents[0]), "0", "aka", "X", "-0-"]],
        "add.csv": add,
    }


def _csv(rows: list[list[str]], crlf: bool, quote_all: bool) -> str:
    out = io.StringIO()
    writer = csv.writer(
        out,
        lineterminator="\r\n" if crlf else "\n",
        quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL,
    )
    writer.writerows(rows)
    return out.getvalue()


def _write(folder, tables: dict, crlf=False, quote_all=False, bom=False, eof_marker=False):
    for name, rows in tables.items():
        text = (
            ("\ufeff" if bom else "") + _csv(rows, crlf, quote_all) + ("\x1a" if eof_marker else "")
        )
        (folder / name).write_bytes(text.encode("utf-8", "surrogatepass"))


_RISKY = re.compile("[\r\ud800-\udfff]")


def _risky(tables: dict) -> bool:
    """True when a field holds a bare CR (csv.writer leaves it unquoted) or is not UTF-8."""
    return any(_RISKY.search(v) for rows in tables.values() for r in rows for v in r)


def _clean(tables: dict) -> dict:
    return {k: [[_RISKY.sub("?", v) for v in r] for r in rows] for k, rows in tables.items()}


_NASTY = {
    "sdn.csv": [["1", "NAME, \u202bمحمد", "individual", "X", *["-0-"] * 7, "DOB 0000-1962."]],
    "alt.csv": [["1", "1", "aka", '"Q" \x00 \u200d', "-0-"]],
    "add.csv": [["1", "1", "-0-", "-0-", "\u202e", "-0-"]],
}


@FAST
@given(
    tables=_lists(),
    crlf=st.booleans(),
    quote_all=st.booleans(),
    bom=st.booleans(),
    eof_marker=st.booleans(),
)
@example(tables=_NASTY, crlf=True, quote_all=False, bom=True, eof_marker=True)
def test_every_sdn_row_becomes_one_entry_with_every_alias(tables, crlf, quote_all, bom, eof_marker):
    with scratch() as folder:
        _write(folder, tables, crlf, quote_all, bom, eof_marker)
        try:
            parsed = parse_list(folder)
        except ListFormatError as exc:
            # Only a file that is not well-formed CSV may fail, and the error names file and line.
            assert re.search(rf"{re.escape(str(folder))}/(sdn|alt|add)\.csv:\d+: ", str(exc)), exc
            assert _risky(tables)
            return
    assert parsed.fmt == FORMAT
    by_id = {row["entry_id"]: row for row in parsed.rows}
    assert len(parsed.rows) == len(by_id) == len(tables["sdn.csv"])
    for rec in tables["sdn.csv"]:
        row = by_id[f"OFAC-SDN:{rec[0]}"]
        aliases = sum(1 for a in tables["alt.csv"] if a[0] == rec[0])
        strong = [n for n in row["names"] if n["quality"] == "strong"]
        assert len(strong) == 1 + aliases
        assert strong[0]["name_type"] == "primary" and row["primary_name"] == strong[0]["name"]
        assert all(LABEL.match(d) for d in row["dobs"])
        assert all(re.fullmatch("[A-Z]{2}", c) for c in row["countries"] + row["nationalities"])


@FAST
@given(
    tables=_lists(),
    file=st.sampled_from(["sdn.csv", "alt.csv", "add.csv"]),
    defect=st.sampled_from(["extra_column", "missing_column", "ent_num", "orphan", "huge_field"]),
)
@example(tables=_NASTY, file="sdn.csv", defect="orphan")  # its alias / address would be orphaned
def test_row_defects_fail_naming_the_file_and_line(tables, file, defect):
    tables = _clean(tables)
    rows = tables[file]
    line = len(rows)
    bad = list(rows[-1])
    expected = {
        "extra_column": "columns, expected",
        "missing_column": "columns, expected",
        "ent_num": "is not a number",
        "orphan": "is not in sdn.csv",
        "huge_field": "field larger than field limit",
    }[defect]
    if defect == "extra_column":
        bad.append("x")
    elif defect == "missing_column":
        bad.pop()
    elif defect == "ent_num":
        bad[0] = "12a"
    elif defect == "orphan":
        if file == "sdn.csv":  # renumbering an sdn row orphans nothing once its aliases and
            # addresses follow it to the new number: the lists then simply parse
            for other in ("alt.csv", "add.csv"):
                tables[other] = [["0", *r[1:]] if r[0] == bad[0] else r for r in tables[other]]
            expected = None
        bad[0] = "0"
    elif defect == "huge_field":
        bad[-1] = "x" * 200_000
    rows[-1] = bad
    with scratch() as folder:
        _write(folder, tables)
        if expected is None:  # an sdn row cannot be an orphan: it simply parses
            assert len(parse_list(folder).rows) == line
            return
        with pytest.raises(ListFormatError, match=re.escape(expected)) as exc:
            parse_list(folder)
    assert re.match(rf"{re.escape(str(folder / file))}:\d+: ", str(exc.value))


@FAST
@given(tables=_lists(), missing=st.sampled_from(["sdn.csv", "alt.csv", "add.csv"]))
def test_missing_empty_or_duplicate_files_fail_naming_the_file(tables, missing):
    tables = _clean(tables)
    dup = tables["sdn.csv"][0]
    with scratch() as folder:
        _write(folder, tables)
        (folder / missing).unlink()
        with pytest.raises(ListFormatError, match="missing") as exc:
            parse_list(folder, FORMAT)
        assert str(folder / missing) in str(exc.value)
        _write(folder, {**tables, missing: []})
        with pytest.raises(ListFormatError, match="no records") as exc:
            parse_list(folder)
        assert str(folder / missing) in str(exc.value)
        _write(folder, {**tables, "sdn.csv": [*tables["sdn.csv"], dup]})
        with pytest.raises(ListFormatError, match=f"duplicate ent_num {dup[0]}") as exc:
            parse_list(folder)
        assert re.match(rf"{re.escape(str(folder / 'sdn.csv'))}:\d+: ", str(exc.value))


@FAST
@given(name=long_text(100_000), remarks=long_text(100_000))
def test_100k_character_name_and_remarks_are_kept_whole(name, remarks):
    tables = {
        "sdn.csv": [["7", name, "-0-", "SDGT", *["-0-"] * 7, remarks]],
        "alt.csv": [["7", "1", "aka", name, "-0-"]],
        "add.csv": [["7", "1", "-0-", "-0-", "Iran", "-0-"]],
    }
    with scratch() as folder:
        _write(folder, tables)
        (row,) = parse_list(folder).rows
    assert row["primary_name"] == name.strip() and row["remarks"] == remarks.strip()
    assert [n["name"] for n in row["names"]] == [name.strip(), name.strip()]


@FAST
@given(garbage=st.binary(min_size=1, max_size=40))
def test_bytes_that_are_not_utf8_are_read_as_windows_1252_and_keep_every_entry(garbage):
    with scratch() as folder:
        _write(folder, _NASTY)
        raw = b'1,"' + garbage.replace(b'"', b"'").replace(b"\r", b"").replace(b"\n", b"") + b'"'
        (folder / "sdn.csv").write_bytes(raw + b",-0-,X,-0-,-0-,-0-,-0-,-0-,-0-,-0-,-0-\n")
        try:
            parsed = parse_list(folder)
        except ListFormatError as exc:
            assert str(folder / "sdn.csv") in str(exc)
            return
    assert [row["entry_id"] for row in parsed.rows] == ["OFAC-SDN:1"]
