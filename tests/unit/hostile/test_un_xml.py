"""UN consolidated XML: hostile documents parse entry for entry or fail naming the file."""

from __future__ import annotations

import gzip
import re

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from fcc.ingest.lists import ListFormatError, parse_list
from fcc.ingest.lists.un_xml import FORMAT

from ._text import FAST, collapse, hostile_text, long_text, name_text, scratch, xml_escape, xml_safe

LABEL = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
_DATES = st.one_of(
    st.sampled_from(
        ["1971", "1960-02-29", "1961-02-29", "0000", "9999-99-99", "99999999999999999999", "-12"]
    ),
    st.dates().map(str),
    hostile_text(0, 12),
)


@st.composite
def _entries(draw) -> list[dict]:
    refs = draw(
        st.lists(
            hostile_text(1, 12).filter(lambda r: collapse(r) != ""),
            min_size=1,
            max_size=6,
            unique_by=collapse,
        )
    )
    return [
        {
            "individual": draw(st.booleans()),
            "ref": ref,
            "parts": draw(st.lists(st.one_of(name_text(), hostile_text()), max_size=4)),
            "original": draw(st.one_of(st.just(""), name_text())),
            "aliases": draw(st.lists(st.tuples(hostile_text(0, 8), name_text()), max_size=3)),
            "dob": draw(
                st.tuples(st.sampled_from(["EXACT", "BETWEEN", "APPROXIMATELY"]), _DATES, _DATES)
            ),
            "country": draw(hostile_text(0, 20)),
            "unknown": draw(st.booleans()),
        }
        for ref in refs
    ]


def _entry_xml(e: dict) -> str:
    tag = "INDIVIDUAL" if e["individual"] else "ENTITY"
    x = xml_escape
    parts = "".join(
        f"<{t}>{x(p)}</{t}>"
        for t, p in zip(
            ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME"), e["parts"], strict=False
        )
    )
    aliases = "".join(
        f"<{tag}_ALIAS><QUALITY>{x(q)}</QUALITY><ALIAS_NAME>{x(n)}</ALIAS_NAME></{tag}_ALIAS>"
        for q, n in e["aliases"]
    )
    kind, first, second = e["dob"]
    dob = (
        f"<INDIVIDUAL_DATE_OF_BIRTH><TYPE_OF_DATE>{kind}</TYPE_OF_DATE><DATE>{x(first)}</DATE>"
        f"<YEAR>{x(second)}</YEAR><FROM_YEAR>{x(first)}</FROM_YEAR><TO_YEAR>{x(second)}</TO_YEAR>"
        "</INDIVIDUAL_DATE_OF_BIRTH>"
    )
    unknown = '<SURPRISE kind="new"><DEEPER>x</DEEPER></SURPRISE>' if e["unknown"] else ""
    return (
        f"<{tag}><DATAID>1</DATAID><REFERENCE_NUMBER>{x(e['ref'])}</REFERENCE_NUMBER>{parts}"
        f"<NAME_ORIGINAL_SCRIPT>{x(e['original'])}</NAME_ORIGINAL_SCRIPT>"
        f"<UN_LIST_TYPE>Al-Qaida</UN_LIST_TYPE><COMMENTS1>{x(e['country'])}</COMMENTS1>"
        f"<NATIONALITY><VALUE>{x(e['country'])}</VALUE></NATIONALITY>{aliases}"
        f"<{tag}_ADDRESS><COUNTRY>{x(e['country'])}</COUNTRY></{tag}_ADDRESS>{dob}{unknown}</{tag}>"
    )


def _document(entries: list[dict], root: str = "CONSOLIDATED_LIST", dated: bool = True) -> str:
    attr = ' dateGenerated="2026-02-27T00:00:09.554Z"' if dated else ""
    people = "".join(_entry_xml(e) for e in entries if e["individual"])
    others = "".join(_entry_xml(e) for e in entries if not e["individual"])
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<{root}{attr}>'
        f"<INDIVIDUALS>{people}</INDIVIDUALS><ENTITIES>{others}</ENTITIES></{root}>"
    )


def _texts(e: dict) -> list[str]:
    return [
        e["ref"],
        e["original"],
        e["country"],
        *e["parts"],
        *(t for a in e["aliases"] for t in a),
    ]


def _expected_names(e: dict) -> list[str]:
    primary = " ".join(p for p in (collapse(t) for t in e["parts"]) if p)
    names = [primary] if primary else []
    original = collapse(e["original"])
    if original and original != primary:
        names.append(original)
    return names + [collapse(n) for _, n in e["aliases"] if collapse(n)]


def _plain(entries: list[dict]) -> list[dict]:
    """The same entries with XML-safe content, so only the defect under test is hostile."""
    plain = {"parts": ["A"], "aliases": [], "original": "", "country": ""}
    dob = ("EXACT", "1971", "1971")
    return [{**e, **plain, "ref": f"R{i}", "dob": dob} for i, e in enumerate(entries)]


def _assert_names_file(exc: pytest.ExceptionInfo, path) -> None:
    assert str(path) in str(exc.value)


_NASTY_DATES = {
    "individual": True,
    "ref": "QDi.001",
    "parts": ["\u202bمحمد\u200d", "عل\u0651ي"],
    "original": "",
    "aliases": [],
    "dob": ("BETWEEN", "99999999999999999999", "0000"),
    "country": "",
    "unknown": True,
}


@FAST
@given(entries=_entries(), compressed=st.booleans())
@example(entries=[_NASTY_DATES], compressed=False)
@example(entries=[{**_NASTY_DATES, "dob": ("EXACT", "2023-02-29", "99999")}], compressed=False)
def test_every_well_formed_entry_is_parsed_and_every_bad_document_names_the_file(
    entries, compressed
):
    with scratch() as folder:
        path = folder / "consolidated.xml"
        data = _document(entries).encode("utf-8", "surrogatepass")
        path.write_bytes(gzip.compress(data, mtime=0) if compressed else data)
        if not all(xml_safe(t) for e in entries for t in _texts(e)):
            with pytest.raises(ListFormatError, match="malformed XML") as exc:
                parse_list(path)
            _assert_names_file(exc, path)
            return
        parsed = parse_list(path)
    assert parsed.fmt == FORMAT
    assert parsed.list_version == "2026-02-27"
    by_id = {row["entry_id"]: row for row in parsed.rows}
    assert len(parsed.rows) == len(by_id) == len(entries)
    for e in entries:
        row = by_id[f"UN:{collapse(e['ref'])}"]
        assert row["entity_type"] == ("person" if e["individual"] else "entity")
        assert [n["name"] for n in row["names"]] == _expected_names(e)
        assert all(LABEL.match(d) for d in row["dobs"])
        assert all(re.fullmatch("[A-Z]{2}", c) for c in row["nationalities"] + row["countries"])


@FAST
@given(entries=_entries(), cut=st.floats(0.0, 0.98))
def test_truncated_document_fails_naming_the_file_and_position(entries, cut):
    entries = _plain(entries)
    text = _document(entries).encode()
    with scratch() as folder:
        path = folder / "consolidated.xml"
        path.write_bytes(text[: max(1, int(len(text) * cut))])
        with pytest.raises(ListFormatError) as exc:
            parse_list(path, FORMAT)
    _assert_names_file(exc, path)


@FAST
@given(
    entries=_entries(),
    defect=st.sampled_from(
        ["root", "undated", "no_reference", "duplicate", "gzip_truncated", "namespace"]
    ),
)
def test_structural_defects_fail_with_a_message_naming_file_and_element(entries, defect):
    entries = _plain(entries)
    doc = _document(entries)
    expected = {
        "root": "root element is <SANCTIONS>",
        "undated": "no dateGenerated on <CONSOLIDATED_LIST>",
        "no_reference": "neither REFERENCE_NUMBER nor DATAID",
        "duplicate": "duplicate entry ids",
        "gzip_truncated": "cannot be read",
        "namespace": "no entries found",
    }[defect]
    if defect == "root":
        doc = _document(entries, root="SANCTIONS")
    elif defect == "undated":
        doc = _document(entries, dated=False)
    elif defect == "no_reference":
        doc = doc.replace("<DATAID>1</DATAID><REFERENCE_NUMBER>R0</REFERENCE_NUMBER>", "", 1)
    elif defect == "duplicate":
        doc = _document([*entries, entries[0]])
    elif defect == "namespace":
        doc = doc.replace("<CONSOLIDATED_LIST ", '<CONSOLIDATED_LIST xmlns="urn:x" ', 1)
    data = doc.encode()
    if defect == "gzip_truncated":
        data = gzip.compress(data, mtime=0)[:-12]
    with scratch() as folder:
        path = folder / "consolidated.xml"
        path.write_bytes(data)
        with pytest.raises(ListFormatError, match=re.escape(expected)) as exc:
            parse_list(path, FORMAT)
    _assert_names_file(exc, path)


@FAST
@given(name=long_text(), field=st.sampled_from(["FIRST_NAME", "COMMENTS1", "ALIAS"]))
def test_a_100k_character_field_is_kept_whole(name, field):
    entry = {
        "individual": True,
        "ref": "QDi.001",
        "parts": [name] if field == "FIRST_NAME" else ["A"],
        "original": "",
        "aliases": [("Good", name)] if field == "ALIAS" else [],
        "dob": ("EXACT", "1971", "1971"),
        "country": name if field == "COMMENTS1" else "",
        "unknown": False,
    }
    with scratch() as folder:
        path = folder / "consolidated.xml"
        path.write_text(_document([entry]), encoding="utf-8")
        (row,) = parse_list(path).rows
    if field == "COMMENTS1":
        assert row["remarks"] == name
    else:
        assert name in [n["name"] for n in row["names"]]
