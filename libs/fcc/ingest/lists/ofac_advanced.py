"""OFAC Sanctions List Service "advanced" XML (sdn_advanced.xml / cons_advanced.xml), streamed.

The file is ~120 MB unpacked, so it is read with iterparse and every party subtree is cleared
once it has been turned into a row. Reference values (alias types, countries, feature types,
scripts, party types, programme measure types, lists) are resolved from the file's own
ReferenceValueSets, never from hard-coded ids.
"""

from __future__ import annotations

import logging
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from fcc.ingest.lists.chains import chain_for
from fcc.ingest.lists.countries import to_iso2
from fcc.ingest.lists.model import (
    ListFormatError,
    ParsedList,
    add_unique,
    coarse_dates,
    month_end,
    name_entry,
    new_row,
)
from fcc.ingest.lists.sources import READ_ERRORS, local, namespace, open_bytes, parse_error

log = logging.getLogger(__name__)

FORMAT = "ofac-advanced"
EXPECTED = "an OFAC advanced XML file (sdn_advanced.xml) with root <Sanctions>"

# OFAC ScriptCode -> the project's script vocabulary (bronze.customers.name_script).
_SCRIPT_CODES = {
    "Latin": "Latin",
    "Cyrl": "Cyrillic",
    "Arab": "Arabic",
    "Hans": "Han",
    "Hant": "Han",
    "Hang": "Hangul",
    "Korean": "Hangul",
    "Japanese": "Japanese",
    "Grek": "Greek",
    "Hebrew": "Hebrew",
    "Geor": "Georgian",
    "Armn": "Armenian",
}
# Scripts written without spaces between family and given name (parts kept in file order).
_UNSPACED_SCRIPTS = {"Han", "Hangul", "Japanese"}
# Other scripts: given names first, then family names, as customers' full names are captured.
_PART_RANK = {
    "First Name": 0,
    "Middle Name": 1,
    "Patronymic": 2,
    "Matronymic": 3,
    "Last Name": 4,
    "Maiden Name": 5,
    "Nickname": 6,
}
_ALIAS_TYPES = {"A.K.A.": "aka", "F.K.A.": "fka", "N.K.A.": "nka", "Name": "primary"}
_NATIONALITY_FEATURES = {
    "Nationality Country",
    "Citizenship Country",
    "Nationality of Registration",
}
_COUNTRY_FEATURES = {"Location", "Registration Country"}
_CURRENCY_FEATURE = "Digital Currency Address - "


@dataclass
class _Refs:
    """Reference values of one file, keyed by their ids."""

    alias_types: dict[str, str] = field(default_factory=dict)
    countries: dict[str, str] = field(default_factory=dict)
    country_names: dict[str, str] = field(default_factory=dict)
    area_countries: dict[str, str] = field(default_factory=dict)
    feature_types: dict[str, str] = field(default_factory=dict)
    scripts: dict[str, str] = field(default_factory=dict)
    entity_types: dict[str, str] = field(default_factory=dict)
    name_part_types: dict[str, str] = field(default_factory=dict)
    primary_latin: set[str] = field(default_factory=set)
    program_measures: set[str] = field(default_factory=set)
    lists: dict[str, str] = field(default_factory=dict)
    loaded: bool = False


@dataclass
class _State:
    """What the stream has produced so far."""

    refs: _Refs = field(default_factory=_Refs)
    version: str | None = None
    location_country: dict[str, str] = field(default_factory=dict)
    rows: dict[str, dict] = field(default_factory=dict)  # profile id -> row
    # profile id -> (target field, location id), resolved once every location is known
    locations: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    entry_lists: set[str] = field(default_factory=set)
    names: int = 0


def parse(path: Path, list_version: str | None = None) -> ParsedList:
    """Parse an OFAC advanced XML file into watchlist rows (one per distinct party)."""
    started = time.monotonic()
    state = _State()
    with open_bytes(path, EXPECTED) as f:
        try:
            _stream(f, state, path)
        except ET.ParseError as exc:
            raise parse_error(path, exc, EXPECTED) from exc
        except READ_ERRORS as exc:
            raise ListFormatError(f"{path}: cannot be read ({exc}); expected {EXPECTED}") from exc
    if not state.refs.loaded:
        raise ListFormatError(f"{path}: no <ReferenceValueSets>; expected {EXPECTED}")
    if state.version is None and list_version is None:
        raise ListFormatError(f"{path}: no <DateOfIssue>; expected {EXPECTED}")
    list_name = (
        "OFAC-SDN" if "SDN List" in state.entry_lists or not state.entry_lists else "OFAC-NONSDN"
    )
    version = list_version or state.version or ""
    rows = _finish(state, list_name, version)
    log.info(
        "parsed %s: %d parties, %d names in %.1fs",
        FORMAT,
        len(rows),
        state.names,
        time.monotonic() - started,
    )
    return ParsedList(list_name, version, rows, FORMAT, str(path))


def _stream(f, state: _State, path: Path) -> None:
    ns = None
    for _, elem in ET.iterparse(f, events=("end",)):
        name = local(elem.tag)
        if name == "DistinctParty":
            _on_party(elem, ns or "", state, path)
            elem.clear()
        elif name == "Location" and ns is not None:
            _on_location(elem, ns, state)
            elem.clear()
        elif name == "SanctionsEntry":
            _on_entry(elem, ns or "", state)
            elem.clear()
        elif name == "IDRegDocument":
            elem.clear()
        elif name == "ReferenceValueSets":
            ns = namespace(elem.tag)
            _load_refs(elem, ns, state.refs)
            elem.clear()
        elif name == "DateOfIssue":
            state.version = _ymd(elem, namespace(elem.tag))


def _load_refs(elem: ET.Element, ns: str, refs: _Refs) -> None:
    for e in elem.iter(f"{ns}AliasType"):
        refs.alias_types[e.get("ID")] = _ALIAS_TYPES.get((e.text or "").strip(), "aka")
    for e in elem.iter(f"{ns}Country"):
        if e.get("ISO2"):
            refs.countries[e.get("ID")] = e.get("ISO2")
            refs.country_names[(e.text or "").strip().lower()] = e.get("ISO2")
    for e in elem.iter(f"{ns}AreaCode"):
        if e.get("CountryID"):
            refs.area_countries[e.get("ID")] = e.get("CountryID")
    for e in elem.iter(f"{ns}FeatureType"):
        refs.feature_types[e.get("ID")] = (e.text or "").strip()
    for e in elem.iter(f"{ns}Script"):
        code = e.get("ScriptCode") or ""
        refs.scripts[e.get("ID")] = _SCRIPT_CODES.get(code, (e.text or code).strip())
    party_types = {e.get("ID"): (e.text or "").strip() for e in elem.iter(f"{ns}PartyType")}
    for e in elem.iter(f"{ns}PartySubType"):
        refs.entity_types[e.get("ID")] = _entity_type(
            party_types.get(e.get("PartyTypeID"), ""), (e.text or "").strip()
        )
    for e in elem.iter(f"{ns}NamePartType"):
        refs.name_part_types[e.get("ID")] = (e.text or "").strip()
    for e in elem.iter(f"{ns}DocNameStatus"):
        if (e.text or "").strip() == "Primary Latin":
            refs.primary_latin.add(e.get("ID"))
    for e in elem.iter(f"{ns}SanctionsType"):
        if (e.text or "").strip() == "Program":
            refs.program_measures.add(e.get("ID"))
    for e in elem.iter(f"{ns}List"):
        refs.lists[e.get("ID")] = (e.text or "").strip()
    refs.loaded = True


def _entity_type(party_type: str, sub_type: str) -> str:
    if sub_type in ("Vessel", "Aircraft"):
        return sub_type.lower()
    return "person" if party_type == "Individual" else "entity"


def _on_location(elem: ET.Element, ns: str, state: _State) -> None:
    country = elem.find(f"{ns}LocationCountry")
    country_id = country.get("CountryID") if country is not None else None
    if country_id is None:
        area = elem.find(f"{ns}LocationAreaCode")
        if area is not None:
            country_id = state.refs.area_countries.get(area.get("AreaCodeID"))
    iso2 = state.refs.countries.get(country_id) if country_id else None
    if iso2 is None:
        # Nationality locations carry only the country's name as their single part.
        values = [(v.text or "").strip() for v in elem.iter(f"{ns}Value")]
        if len(values) == 1:
            iso2 = state.refs.country_names.get(values[0].lower()) or to_iso2(values[0])
    if iso2:
        state.location_country[elem.get("ID")] = iso2


def _on_party(party: ET.Element, ns: str, state: _State, path: Path) -> None:
    refs = state.refs
    if not refs.loaded:
        raise ListFormatError(
            f"{path}: <DistinctParty> before <ReferenceValueSets>; expected {EXPECTED}"
        )
    if not party.get("FixedRef"):
        raise ListFormatError(f"{path}: a <DistinctParty> has no FixedRef; expected {EXPECTED}")
    profile = party.find(f"{ns}Profile")
    if profile is None:
        raise ListFormatError(f"{path}: party {party.get('FixedRef')} has no <Profile>")
    profile_id = profile.get("ID")
    if not profile_id:
        raise ListFormatError(f"{path}: <Profile> of party {party.get('FixedRef')} has no ID")
    if profile_id in state.rows:
        raise ListFormatError(
            f"{path}: <Profile> ID {profile_id} of party {party.get('FixedRef')} is used twice"
        )
    row = new_row(
        party.get("FixedRef"),
        "",
        "",
        refs.entity_types.get(profile.get("PartySubTypeID"), "entity"),
    )
    comment = party.findtext(f"{ns}Comment")
    row["remarks"] = comment.strip() if comment and comment.strip() else None
    for identity in profile.iter(f"{ns}Identity"):
        _add_names(identity, ns, refs, row)
    state.names += len(row["names"])
    locations: list[tuple[str, str]] = []
    for feature in profile.iter(f"{ns}Feature"):
        _add_feature(feature, ns, refs, row, locations)
    state.rows[profile_id] = row
    state.locations[profile_id] = locations


def _add_names(identity: ET.Element, ns: str, refs: _Refs, row: dict) -> None:
    part_types = {
        g.get("ID"): refs.name_part_types.get(g.get("NamePartTypeID"), "")
        for g in identity.iter(f"{ns}NamePartGroup")
    }
    for alias in identity.iter(f"{ns}Alias"):
        is_primary = alias.get("Primary") == "true"
        name_type = (
            "primary" if is_primary else refs.alias_types.get(alias.get("AliasTypeID"), "aka")
        )
        quality = "weak" if alias.get("LowQuality") == "true" else "strong"
        for doc_name in alias.iter(f"{ns}DocumentedName"):
            parts = [
                (
                    part_types.get(v.get("NamePartGroupID"), ""),
                    v.get("ScriptID"),
                    (v.text or "").strip(),
                )
                for v in doc_name.iter(f"{ns}NamePartValue")
            ]
            script = refs.scripts.get(parts[0][1]) if parts else None
            text = _join_parts(parts, script)
            if not text:
                continue
            row["names"].append(name_entry(text, name_type, quality, script))
            if is_primary and (
                row["primary_name"] is None or doc_name.get("DocNameStatusID") in refs.primary_latin
            ):
                row["primary_name"] = text


def _join_parts(parts: list[tuple[str, str, str]], script: str | None) -> str:
    values = [(part_type, text) for part_type, _, text in parts if text]
    if script in _UNSPACED_SCRIPTS:
        return "".join(text for _, text in values)
    ordered = sorted(values, key=lambda p: _PART_RANK.get(p[0], 0))
    return " ".join(text for _, text in ordered)


def _add_feature(
    feature: ET.Element, ns: str, refs: _Refs, row: dict, locations: list[tuple[str, str]]
) -> None:
    kind = refs.feature_types.get(feature.get("FeatureTypeID"), "")
    for version in feature.iter(f"{ns}FeatureVersion"):
        if kind == "Birthdate":
            period = version.find(f"{ns}DatePeriod")
            if period is not None:
                for label in _period_labels(period, ns):
                    add_unique(row["dobs"], label)
        elif kind.startswith(_CURRENCY_FEATURE):
            currency = kind[len(_CURRENCY_FEATURE) :].strip()
            for detail in version.iter(f"{ns}VersionDetail"):
                address = (detail.text or "").strip()
                if address:
                    add_unique(
                        row["crypto_addresses"],
                        {"chain": chain_for(currency, address), "address": address},
                    )
        elif kind in _NATIONALITY_FEATURES or kind in _COUNTRY_FEATURES:
            target = "nationalities" if kind in _NATIONALITY_FEATURES else "countries"
            for loc in version.iter(f"{ns}VersionLocation"):
                locations.append((target, loc.get("LocationID")))


def _period_labels(period: ET.Element, ns: str) -> list[str]:
    """Birthdate period -> labels: its earliest start and latest end, coarsened."""
    lo = _bound(period.find(f"{ns}Start/{ns}From"), ns, low=True)
    hi = _bound(period.find(f"{ns}End/{ns}To"), ns, low=False)
    if lo is None and hi is None:
        return []
    return coarse_dates(lo or hi, hi or lo)


def _bound(elem: ET.Element | None, ns: str, low: bool) -> date | None:
    if elem is None or not (elem.findtext(f"{ns}Year") or "").strip():
        return None
    try:
        year = int(elem.findtext(f"{ns}Year"))
        month_text = (elem.findtext(f"{ns}Month") or "").strip()
        month = int(month_text) if month_text else (1 if low else 12)
        day_text = (elem.findtext(f"{ns}Day") or "").strip()
        if day_text:
            return date(year, month, int(day_text))
        return date(year, month, 1) if low else month_end(year, month)
    except (ValueError, OverflowError):  # not a number, or no calendar date
        return None


def _on_entry(entry: ET.Element, ns: str, state: _State) -> None:
    row = state.rows.get(entry.get("ProfileID"))
    list_text = state.refs.lists.get(entry.get("ListID"))
    if list_text:
        state.entry_lists.add(list_text)
    if row is None:
        return
    for measure in entry.iter(f"{ns}SanctionsMeasure"):
        if measure.get("SanctionsTypeID") in state.refs.program_measures:
            add_unique(row["programs"], (measure.findtext(f"{ns}Comment") or "").strip())


def _ymd(elem: ET.Element, ns: str) -> str | None:
    try:
        y, m, d = (int(elem.findtext(f"{ns}{p}") or "") for p in ("Year", "Month", "Day"))
        return date(y, m, d).isoformat()
    except (ValueError, OverflowError):
        return None


def _finish(state: _State, list_name: str, version: str) -> list[dict]:
    rows = []
    for profile_id, row in state.rows.items():
        for target, location_id in state.locations.get(profile_id, []):
            add_unique(row[target], state.location_country.get(location_id))
        row["names"].sort(key=lambda n: n["name_type"] != "primary")  # primary names first
        row["entry_id"] = f"{list_name}:{row['entry_id']}"
        row["list_name"] = list_name
        row["list_version"] = version
        rows.append(row)
    return rows
