"""OFAC advanced XML: hostile documents parse party for party or fail naming file and element."""

from __future__ import annotations

import bz2
import re

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from fcc.ingest.lists import ListFormatError, parse_list
from fcc.ingest.lists.ofac_advanced import FORMAT

from ._text import FAST, collapse, hostile_text, name_text, scratch, xml_escape, xml_safe

NS = "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/ADVANCED_XML"
LABEL = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
_REFS = """<ReferenceValueSets>
<AliasTypeValues><AliasType ID="1400">A.K.A.</AliasType><AliasType ID="1403">Name</AliasType>
</AliasTypeValues>
<AreaCodeValues><AreaCode ID="11" CountryID="11">IR</AreaCode></AreaCodeValues>
<CountryValues><Country ID="11" ISO2="IR">Iran</Country></CountryValues>
<DocNameStatusValues><DocNameStatus ID="1">Primary Latin</DocNameStatus></DocNameStatusValues>
<FeatureTypeValues><FeatureType ID="8">Birthdate</FeatureType>
<FeatureType ID="10">Nationality Country</FeatureType>
<FeatureType ID="344">Digital Currency Address - XBT</FeatureType>
<FeatureType ID="999">{feature}</FeatureType></FeatureTypeValues>
<ListValues><List ID="1550">SDN List</List></ListValues>
<NamePartTypeValues><NamePartType ID="1520">Last Name</NamePartType>
<NamePartType ID="1521">First Name</NamePartType></NamePartTypeValues>
<PartySubTypeValues><PartySubType ID="4" PartyTypeID="1">Unknown</PartySubType>
<PartySubType ID="3" PartyTypeID="2">Unknown</PartySubType></PartySubTypeValues>
<PartyTypeValues><PartyType ID="1">Individual</PartyType><PartyType ID="2">Entity</PartyType>
</PartyTypeValues>
<SanctionsTypeValues><SanctionsType ID="1">Program</SanctionsType></SanctionsTypeValues>
<ScriptValues><Script ID="215" ScriptCode="Latn">Latin</Script>
<Script ID="220" ScriptCode="Arab">Arabic</Script></ScriptValues>
</ReferenceValueSets>"""
_YEARS = st.one_of(
    st.integers(1, 9999).map(str),
    st.sampled_from(["0", "99999999999999999999", "", "19x0", "-5"]),
    hostile_text(0, 6),
)
# FixedRef / ID attributes: hostile but free of the characters XML rewrites in attributes.
_IDS = hostile_text(1, 8).filter(lambda s: not re.search(r"[\t\n\r]", s) and s.strip() != "")


@st.composite
def _parties(draw) -> list[dict]:
    refs = draw(st.lists(_IDS, min_size=1, max_size=5, unique=True))
    return [
        {
            "ref": ref,
            "person": draw(st.booleans()),
            "names": draw(
                st.lists(st.tuples(name_text(), hostile_text(0, 10)), min_size=1, max_size=3)
            ),
            "dob": draw(st.tuples(_YEARS, _YEARS, _YEARS)),
            "address": draw(hostile_text(0, 50)),
            "program": draw(hostile_text(0, 12)),
            "unknown": draw(st.booleans()),
        }
        for ref in refs
    ]


def _party_xml(p: dict, profile_id: str) -> str:
    x = xml_escape
    aliases = "".join(
        f'<Alias AliasTypeID="{1403 if i == 0 else 1400}" Primary="{str(i == 0).lower()}"'
        f' LowQuality="false"><DocumentedName DocNameStatusID="1"><DocumentedNamePart>'
        f'<NamePartValue NamePartGroupID="g{i}a" ScriptID="215">{x(first)}</NamePartValue>'
        f'<NamePartValue NamePartGroupID="g{i}b" ScriptID="215">{x(last)}</NamePartValue>'
        "</DocumentedNamePart></DocumentedName></Alias>"
        for i, (first, last) in enumerate(p["names"])
    )
    groups = "".join(
        f'<NamePartGroup ID="g{i}a" NamePartTypeID="1521" />'
        f'<NamePartGroup ID="g{i}b" NamePartTypeID="1520" />'
        for i in range(len(p["names"]))
    )
    year, month, day = (x(v) for v in p["dob"])
    unknown = '<Gadget Kind="new"><Deeper>1</Deeper></Gadget>' if p["unknown"] else ""
    return (
        f'<DistinctParty FixedRef="{x(p["ref"])}"><Comment>{unknown}</Comment>'
        f'<Profile ID="{x(profile_id)}" PartySubTypeID="{4 if p["person"] else 3}">'
        f"<Identity>{aliases}<NamePartGroups><MasterNamePartGroup>{groups}"
        f"</MasterNamePartGroup></NamePartGroups></Identity>"
        '<Feature FeatureTypeID="8"><FeatureVersion><DatePeriod>'
        f"<Start><From><Year>{year}</Year><Month>{month}</Month><Day>{day}</Day></From></Start>"
        f"<End><To><Year>{year}</Year><Month>{month}</Month></To></End>"
        "</DatePeriod></FeatureVersion></Feature>"
        '<Feature FeatureTypeID="344"><FeatureVersion>'
        f"<VersionDetail>{x(p['address'])}</VersionDetail></FeatureVersion></Feature>"
        '<Feature FeatureTypeID="999"><FeatureVersion><VersionDetail>1</VersionDetail>'
        "</FeatureVersion></Feature>"
        '<Feature FeatureTypeID="10"><FeatureVersion><VersionLocation LocationID="L1" />'
        f"</FeatureVersion></Feature>{unknown}</Profile></DistinctParty>"
    )


def _entry_xml(p: dict, profile_id: str) -> str:
    return (
        f'<SanctionsEntry ProfileID="{xml_escape(profile_id)}" ListID="1550">'
        f'<SanctionsMeasure SanctionsTypeID="1"><Comment>{xml_escape(p["program"])}</Comment>'
        "</SanctionsMeasure></SanctionsEntry>"
    )


def _document(parties: list[dict], feature: str = "Digital Currency Address - ", issued=True):
    profiles = [f"P{i}" for i in range(len(parties))]
    date = "<DateOfIssue><Year>2025</Year><Month>11</Month><Day>19</Day></DateOfIssue>"
    return (
        f'<?xml version="1.0" encoding="utf-8"?>\n<Sanctions xmlns="{NS}">'
        f"{date if issued else ''}{_REFS.format(feature=xml_escape(feature))}"
        '<Locations><Location ID="L1"><LocationCountry CountryID="11" /></Location></Locations>'
        f"<DistinctParties>{''.join(map(_party_xml, parties, profiles))}</DistinctParties>"
        f"<SanctionsEntries>{''.join(map(_entry_xml, parties, profiles))}</SanctionsEntries>"
        "</Sanctions>"
    )


def _texts(p: dict) -> list[str]:
    return [p["ref"], p["address"], p["program"], *p["dob"], *(t for n in p["names"] for t in n)]


def _write(folder, text: str, compress: bool = False):
    path = folder / "sdn_advanced.xml"
    data = text.encode("utf-8", "surrogatepass")
    path.write_bytes(bz2.compress(data) if compress else data)
    return path


_NASTY = {
    "ref": "7\u200d",
    "person": True,
    "names": [("\u202bمحمد", "\u05e9\u05b7ה")],
    "dob": ("99999999999999999999", "13", "40"),
    "address": "  ",
    "program": "",
    "unknown": True,
}


@FAST
@given(parties=_parties(), feature=hostile_text(0, 10), compress=st.booleans())
@example(parties=[_NASTY], feature="", compress=False)
def test_every_well_formed_party_is_parsed_and_every_bad_document_names_the_file(
    parties, feature, compress
):
    with scratch() as folder:
        path = _write(folder, _document(parties, feature), compress)
        if not all(xml_safe(t) for p in parties for t in [*_texts(p), feature]):
            with pytest.raises(ListFormatError, match="malformed XML") as exc:
                parse_list(path)
            assert str(path) in str(exc.value)
            return
        parsed = parse_list(path)
    assert (parsed.fmt, parsed.list_name, parsed.list_version) == (FORMAT, "OFAC-SDN", "2025-11-19")
    by_id = {row["entry_id"]: row for row in parsed.rows}
    assert len(parsed.rows) == len(by_id) == len(parties)
    for p in parties:
        row = by_id[f"OFAC-SDN:{p['ref']}"]
        names = [" ".join(t for t in (f.strip(), ln.strip()) if t) for f, ln in p["names"]]
        assert [n["name"] for n in row["names"]] == [n for n in names if n]
        assert row["primary_name"] == (names[0] or None)
        assert row["entity_type"] == ("person" if p["person"] else "entity")
        assert all(LABEL.match(d) for d in row["dobs"])
        assert row["nationalities"] == ["IR"]
        address = p["address"].strip()
        assert [a["address"] for a in row["crypto_addresses"]] == ([address] if address else [])
        assert row["programs"] == ([p["program"].strip()] if p["program"].strip() else [])
    assert all(collapse(n["name"]) for row in parsed.rows for n in row["names"])


@FAST
@given(
    parties=_parties(),
    defect=st.sampled_from(
        [
            "no_fixed_ref",
            "no_profile",
            "no_profile_id",
            "duplicate_profile",
            "duplicate_fixed_ref",
            "refs_after_parties",
            "no_refs",
            "undated",
            "huge_date_of_issue",
            "truncated",
            "bz2_truncated",
            "wrong_root",
        ]
    ),
)
def test_structural_defects_fail_with_a_message_naming_file_and_element(parties, defect):
    parties = [
        {**p, "ref": str(i), "names": [("A", "B")], "dob": ("1970", "", ""), "address": ""}
        for i, p in enumerate(parties)
    ]
    parties = [{**p, "program": "IRAN"} for p in parties]
    doc = _document(parties)
    expected = {
        "no_fixed_ref": "<DistinctParty> has no FixedRef",
        "no_profile": "has no <Profile>",
        "no_profile_id": "has no ID",
        "duplicate_profile": "<Profile> ID P0 of party dup is used twice",
        "duplicate_fixed_ref": "duplicate entry ids",
        "refs_after_parties": "<DistinctParty> before <ReferenceValueSets>",
        "no_refs": "no <ReferenceValueSets>",
        "undated": "no <DateOfIssue>",
        "huge_date_of_issue": "no <DateOfIssue>",
        "truncated": "malformed XML",
        "bz2_truncated": "cannot be read",
        "wrong_root": "unknown XML root <SanctionsList>",
    }[defect]
    compress = False
    if defect == "no_fixed_ref":
        doc = doc.replace(' FixedRef="0"', "", 1)
    elif defect == "no_profile":
        doc = re.sub(r"<Profile .*?</Profile>", "", doc, count=1)
    elif defect == "no_profile_id":
        doc = doc.replace('<Profile ID="P0" ', "<Profile ", 1)
    elif defect == "duplicate_profile":
        doc = _document([*parties, {**parties[0], "ref": "dup"}]).replace(
            f'<Profile ID="P{len(parties)}"', '<Profile ID="P0"'
        )
    elif defect == "duplicate_fixed_ref":
        doc = _document([*parties, parties[0]])
    elif defect == "refs_after_parties":
        start, end = doc.index("<ReferenceValueSets>"), doc.index("</ReferenceValueSets>") + 21
        refs = doc[start:end]
        doc = (doc[:start] + doc[end:]).replace("</DistinctParties>", "</DistinctParties>" + refs)
    elif defect == "no_refs":
        doc = re.sub(r"<ReferenceValueSets>.*</ReferenceValueSets>", "", doc, flags=re.S)
        doc = re.sub(r"<DistinctParties>.*</DistinctParties>", "", doc, flags=re.S)
    elif defect == "undated":
        doc = _document(parties, issued=False)
    elif defect == "huge_date_of_issue":
        doc = doc.replace("<Year>2025</Year>", "<Year>99999999999999999999</Year>", 1)
    elif defect == "truncated":
        doc = doc[: len(doc) // 2]
    elif defect == "bz2_truncated":
        compress = True
    elif defect == "wrong_root":
        doc = doc.replace("<Sanctions ", "<SanctionsList ").replace(
            "</Sanctions>", "</SanctionsList>"
        )
    with scratch() as folder:
        path = _write(folder, doc, compress)
        if defect == "bz2_truncated":
            path.write_bytes(path.read_bytes()[:-40])
        with pytest.raises(ListFormatError, match=re.escape(expected)) as exc:
            parse_list(path)
    assert str(path) in str(exc.value)
