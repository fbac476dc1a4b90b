"""Official list parsers on the real published files, and landing a small list in Delta."""

from __future__ import annotations

import bz2
from datetime import date
from pathlib import Path

import pytest
from chispa import assert_df_equality

from fcc.core.tables.bronze import WATCHLISTS
from fcc.ingest.lists import (
    CURRENCY_TO_CHAIN,
    ListFormatError,
    chain_for,
    detect_format,
    list_to_dataframe,
    load_list,
    parse_list,
)
from fcc.ingest.lists.countries import to_iso2
from fcc.ingest.lists.model import coarse_dates

ADVANCED = "sanctions/ofac_sdn_advanced_2025-11-19.xml.bz2"
LEGACY = "sanctions/ofac_legacy_csv_2019"
UN = "sanctions/un_consolidated_2026-02-27.xml"
ADDRESSES = "sanctions/ofac_crypto_addresses_2025-12"


def _names(row: dict) -> list[tuple]:
    return [(n["name"], n["name_type"], n["quality"], n["script"]) for n in row["names"]]


@pytest.fixture(scope="module")
def advanced(shared_data):
    """The OFAC advanced XML, parsed once for the module (the file is 121 MB unpacked)."""
    return parse_list(shared_data / ADVANCED)


@pytest.fixture(scope="module")
def advanced_by_id(advanced):
    return {row["entry_id"]: row for row in advanced.rows}


@pytest.fixture(scope="module")
def un(shared_data):
    return parse_list(shared_data / UN)


@pytest.fixture(scope="module")
def legacy(shared_data):
    return parse_list(shared_data / LEGACY)


@pytest.fixture(scope="module")
def addresses(shared_data):
    return parse_list(shared_data / ADDRESSES)


# --- OFAC advanced XML ---------------------------------------------------------------------


def test_advanced_xml_has_every_party_name_and_distinct_address(advanced):
    assert (advanced.list_name, advanced.list_version) == ("OFAC-SDN", "2025-11-19")
    assert len(advanced.rows) == 18_367
    assert sum(len(r["names"]) for r in advanced.rows) == 48_482
    assert len({a["address"] for r in advanced.rows for a in r["crypto_addresses"]}) == 745


def test_advanced_xml_rows_have_exactly_the_watchlist_fields(advanced):
    fields = [f.name for f in WATCHLISTS.schema.fields if f.name not in ("batch_id", "landed_at")]
    assert all(list(r) == fields for r in advanced.rows)
    assert {r["entity_type"] for r in advanced.rows} == {"person", "entity", "vessel", "aircraft"}
    assert all(r["entry_id"].startswith("OFAC-SDN:") and r["primary_name"] for r in advanced.rows)
    assert all(r["programs"] for r in advanced.rows)


def test_advanced_xml_person_with_cyrillic_names_field_by_field(advanced_by_id):
    row = advanced_by_id["OFAC-SDN:9760"]
    assert row["entity_type"] == "person"
    assert row["primary_name"] == "Alyaksandr Ryhorovich Lukashenka"
    assert _names(row) == [
        ("Alyaksandr Ryhorovich Lukashenka", "primary", "strong", "Latin"),
        ("Аляксандр Рыгоравiч Лукашэнка", "primary", "strong", "Cyrillic"),
        ("Aleksandr Grigorevich Lukashenko", "aka", "strong", "Latin"),
        ("Александр Григорьевич Лукашенко", "aka", "strong", "Cyrillic"),
        ("Alexandr Grigorievich Lukashenko", "aka", "strong", "Latin"),
        ("Alexander Grigoryevich Lukashenko", "aka", "strong", "Latin"),
        ("Alyaksandr Hryhoryavich Lukashenka", "aka", "strong", "Latin"),
        ("Aleksander Grigoriyevich Lukashenko", "aka", "strong", "Latin"),
    ]
    assert row["dobs"] == ["1954-08-30", "1954-08-31"]
    assert row["nationalities"] == ["BY"]
    assert row["countries"] == ["BY"]
    assert row["programs"] == ["BELARUS"]
    assert row["crypto_addresses"] == []
    assert row["remarks"] is None


def test_advanced_xml_person_with_han_names_and_xbt_addresses_field_by_field(advanced_by_id):
    row = advanced_by_id["OFAC-SDN:25308"]
    assert row["entity_type"] == "person"
    assert row["primary_name"] == "Xiaobing YAN"
    assert _names(row) == [
        ("Xiaobing YAN", "primary", "strong", "Latin"),
        ("颜晓兵", "primary", "strong", "Han"),
        ("顏曉兵", "primary", "strong", "Han"),
        ("William ZHOU", "aka", "weak", "Latin"),
        ("Steven YAN", "aka", "weak", "Latin"),
    ]
    assert row["dobs"] == ["1977-03-25"]
    assert row["nationalities"] == ["CN"]
    assert row["programs"] == ["SDNTK"]
    assert row["crypto_addresses"] == [
        {"chain": "BTC", "address": a}
        for a in (
            "12QtD5BFwRsdNsAZY76UVE1xyCGNTojH9h",
            "1Kuf2Rd8mDyAViwBozGTNYnvWL8uYFrkVo",
            "13f59kUM5FU8MfTG7DCEugYarDhSD7XCoC",
            "1P3ZfGFLezzYGg9k5SVzQmnjyh7nrUmF2y",
            "1EpMiZkQVekM5ij12nMiEwttFPcDK9XhX6",
            "1JREJdZupiFhE7ZzQPtASuMCvvpXC7wRsC",
        )
    ]


def test_advanced_xml_entity_keeps_weak_alias_and_address_countries(advanced_by_id):
    row = advanced_by_id["OFAC-SDN:306"]
    assert row["entity_type"] == "entity"
    assert _names(row) == [
        ("BANCO NACIONAL DE CUBA", "primary", "strong", "Latin"),
        ("BNC", "aka", "weak", "Latin"),
        ("NATIONAL BANK OF CUBA", "aka", "strong", "Latin"),
    ]
    assert row["countries"] == ["CH", "ES", "JP", "PA"]
    assert row["dobs"] == [] and row["nationalities"] == []
    assert advanced_by_id["OFAC-SDN:4238"]["entity_type"] == "vessel"


def test_advanced_xml_month_and_year_births_are_coarse_labels(advanced_by_id):
    assert advanced_by_id["OFAC-SDN:6862"]["dobs"] == ["1938-09"]
    assert advanced_by_id["OFAC-SDN:6367"]["dobs"] == ["1951", "1956", "1944"]


def test_advanced_xml_usdt_on_tron_maps_to_tron(advanced_by_id):
    chains = {a["chain"] for a in advanced_by_id["OFAC-SDN:22985"]["crypto_addresses"]}
    assert chains == {"TRON"}


def test_advanced_xml_addresses_match_the_per_chain_files(advanced, addresses):
    from_xml = {(a["chain"], a["address"]) for r in advanced.rows for a in r["crypto_addresses"]}
    from_files = {(a["chain"], a["address"]) for r in addresses.rows for a in r["crypto_addresses"]}
    assert from_xml == from_files
    assert len(from_xml) == 752


# --- UN consolidated XML -------------------------------------------------------------------


def test_un_xml_counts_individuals_and_entities(un):
    assert (un.list_name, un.list_version) == ("UN", "2026-02-27")
    kinds = [r["entity_type"] for r in un.rows]
    assert (kinds.count("person"), kinds.count("entity"), len(kinds)) == (730, 273, 1_003)


def test_un_xml_individual_with_arabic_original_script_field_by_field(un):
    row = next(r for r in un.rows if r["entry_id"] == "UN:IQi.001")
    assert row["primary_name"] == "SADDAM HUSSEIN AL-TIKRITI"
    assert _names(row) == [
        ("SADDAM HUSSEIN AL-TIKRITI", "primary", "strong", "Latin"),
        ("صدام حسين التكريتي", "primary", "strong", "Arabic"),
        ("Abu Ali", "aka", "weak", "Latin"),
    ]
    assert row["dobs"] == ["1937-04-28"]
    assert row["nationalities"] == ["IQ"]
    assert row["programs"] == ["Iraq"]


def test_un_xml_good_and_low_aliases_and_several_births(un):
    row = next(r for r in un.rows if r["entry_id"] == "UN:CDi.026")
    assert ("Bigaruka", "aka", "weak", "Latin") in _names(row)
    assert ("Deogratias Bigaruka Izabayo", "aka", "strong", "Latin") in _names(row)
    assert row["dobs"] == ["1966-01-01", "1966-08-28", "1967"]
    assert row["nationalities"] == ["RW"]


def test_un_xml_entity_former_names_are_fka(un):
    row = next(r for r in un.rows if r["entry_id"] == "UN:CDe.001")
    assert row["entity_type"] == "entity"
    assert ("NALU", "fka", "strong", "Latin") in _names(row)
    assert ("Allied Democratic Forces", "aka", "strong", "Latin") in _names(row)
    assert row["countries"] == ["CD"]


# --- OFAC legacy CSV -----------------------------------------------------------------------


def test_legacy_csv_has_every_party_and_no_null_marker(legacy):
    assert (legacy.list_name, legacy.list_version) == ("OFAC-SDN", "2019")
    assert len(legacy.rows) == 7_379
    values = [v for r in legacy.rows for v in r.values() if isinstance(v, str)]
    names = [n["name"] for r in legacy.rows for n in r["names"]]
    assert not any(v.strip() == "-0-" for v in values + names)
    # "-0-" inside a value is data (a Swiss registry number), not the null marker.
    row = next(r for r in legacy.rows if r["entry_id"] == "OFAC-SDN:8214")
    assert row["remarks"] == "US FEIN CH-217-0-431-423-3 (United States)."


def test_legacy_csv_null_fields_are_none(legacy):
    row = next(r for r in legacy.rows if r["entry_id"] == "OFAC-SDN:36")
    assert row["entity_type"] == "entity"
    assert row["remarks"] is None
    assert _names(row) == [
        ("AEROCARIBBEAN AIRLINES", "primary", "strong", "Latin"),
        ("AERO-CARIBBEAN", "aka", "strong", "Latin"),
    ]
    assert row["countries"] == ["CU"]


def test_legacy_csv_reads_dob_nationality_weak_alias_and_address_from_remarks(legacy):
    row = next(r for r in legacy.rows if r["entry_id"] == "OFAC-SDN:26137")
    assert row["primary_name"] == "Ali KHORASHADIZADEH"
    assert row["dobs"] == ["1979-09-21"]
    assert row["nationalities"] == ["IR"]
    assert row["programs"] == ["CYBER2"]
    assert ("Mastercartaria", "aka", "weak", "Latin") in _names(row)
    assert row["crypto_addresses"] == [
        {"chain": "BTC", "address": "149w62rY42aZBox8fGcmqNsXUzSStKeq8C"}
    ]


def test_legacy_csv_ignores_the_cut_off_last_remark(legacy):
    row = next(r for r in legacy.rows if r["entry_id"] == "OFAC-SDN:12300")
    assert not row["remarks"].endswith(".")
    assert row["dobs"] == ["1965-05-13", "1968-04-13", "1964-07-07"]


# --- OFAC per-chain address files ----------------------------------------------------------


def test_address_files_give_one_entry_per_chain_and_address(addresses):
    assert (addresses.list_name, addresses.list_version) == ("OFAC-CRYPTO", "2025-12")
    assert len(addresses.rows) == 752
    assert all(r["entity_type"] is None and r["names"] == [] for r in addresses.rows)
    row = next(
        r
        for r in addresses.rows
        if r["entry_id"] == "OFAC-CRYPTO:TRON:TA3941uFAvmVibSkQ6fMJXxmaSNovX86mz"
    )
    assert row["crypto_addresses"] == [
        {"chain": "TRON", "address": "TA3941uFAvmVibSkQ6fMJXxmaSNovX86mz"}
    ]


# --- helpers (hand-computed) ---------------------------------------------------------------


def test_currency_codes_map_to_project_chains():
    evm, tron = "0x" + "ab" * 20, "TA3941uFAvmVibSkQ6fMJXxmaSNovX86mz"
    assert chain_for("XBT", "1abc") == "BTC"
    assert chain_for("ETH", evm) == "ETH"
    assert chain_for("TRX", tron) == "TRON"
    assert chain_for("USDT", evm) == "ETH"
    assert chain_for("USDT", tron) == "TRON"
    assert chain_for("BNB", evm) == "BSC"
    assert chain_for("BNB", "bnb136ns6lfw4zs5hg4n85vdthaad7hq5m4gtkgf23") == "BNB"
    assert chain_for("NEWCOIN", "x") == "NEWCOIN"
    assert CURRENCY_TO_CHAIN["XBT"] == ("BTC",)


def test_date_ranges_become_the_coarsest_exact_labels():
    assert coarse_dates(date(1960, 5, 1), date(1960, 5, 1)) == ["1960-05-01"]
    assert coarse_dates(date(1938, 9, 1), date(1938, 9, 30)) == ["1938-09"]
    assert coarse_dates(date(1962, 1, 1), date(1962, 12, 31)) == ["1962"]
    assert coarse_dates(date(1962, 3, 21), date(1963, 3, 20)) == ["1962", "1963"]
    assert coarse_dates(date(1940, 1, 1), date(1960, 12, 31)) == ["1940", "1960"]


def test_country_spellings_of_ofac_and_un_resolve_to_iso2():
    assert to_iso2("Korea, North") == "KP"
    assert to_iso2("Iran (Islamic Republic of)") == "IR"
    assert to_iso2("possibly Palestinian") == "PS"
    assert to_iso2("United Kingdom of Great Britain and Northern Ireland") == "GB"
    assert to_iso2("na") is None
    assert to_iso2("-0-") is None


# --- detection and errors ------------------------------------------------------------------


def test_formats_are_detected_from_the_real_files(shared_data):
    assert detect_format(shared_data / ADVANCED) == "ofac-advanced"
    assert detect_format(shared_data / LEGACY) == "ofac-csv"
    assert detect_format(shared_data / LEGACY / "sdn.csv") == "ofac-csv"
    assert detect_format(shared_data / UN) == "un-xml"
    assert detect_format(shared_data / ADDRESSES) == "ofac-addresses"


def test_malformed_compressed_xml_names_the_file_line_and_expected_format(tmp_path):
    bad = tmp_path / "sdn_advanced.xml.bz2"
    bad.write_bytes(
        bz2.compress(b'<?xml version="1.0"?>\n<Sanctions xmlns="urn:x">\n<DateOfIssue>\n')
    )
    with pytest.raises(
        ListFormatError, match=r"sdn_advanced\.xml\.bz2: malformed XML at line 4"
    ) as e:
        parse_list(bad)
    assert "expected an OFAC advanced XML" in str(e.value)


def test_mismatched_tag_in_un_xml_is_a_clear_error(tmp_path):
    bad = tmp_path / "consolidated.xml"
    bad.write_text(
        '<CONSOLIDATED_LIST dateGenerated="2026-01-01T00:00:00Z">\n<INDIVIDUALS>\n'
        "<INDIVIDUAL></INDIVIDUALS>\n"
    )
    with pytest.raises(
        ListFormatError, match=r"consolidated\.xml: malformed XML at line 3.*UN consolidated"
    ):
        parse_list(bad)


def test_empty_file_is_a_clear_error(tmp_path):
    empty = tmp_path / "list.xml"
    empty.write_bytes(b"")
    with pytest.raises(ListFormatError, match=r"list\.xml: file is empty; expected one of"):
        parse_list(empty)


def test_unknown_format_name_and_unknown_files_are_rejected(tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("hello\n")
    other = tmp_path / "other.xml"
    other.write_text("<Other/>")
    with pytest.raises(ListFormatError, match=r"unknown list format 'ofac-pdf'; expected one of"):
        parse_list(notes, fmt="ofac-pdf")
    with pytest.raises(ListFormatError, match=r"notes\.txt: not XML"):
        parse_list(notes)
    with pytest.raises(ListFormatError, match=r"other\.xml: unknown XML root <Other>"):
        parse_list(other)
    nothing = tmp_path / "nothing"
    nothing.mkdir()
    with pytest.raises(ListFormatError, match=r"nothing: folder holds no list files"):
        parse_list(nothing)


def test_un_file_read_as_ofac_advanced_says_what_was_expected(shared_data):
    with pytest.raises(
        ListFormatError, match=r"no <ReferenceValueSets>; expected an OFAC advanced"
    ):
        parse_list(shared_data / UN, fmt="ofac-advanced")


def test_legacy_csv_with_wrong_columns_or_missing_file_names_file_and_line(tmp_path):
    (tmp_path / "sdn.csv").write_text('36,"AEROCARIBBEAN AIRLINES",-0- \n')
    (tmp_path / "alt.csv").write_text('36,12,"aka","AERO-CARIBBEAN",-0- \n')
    with pytest.raises(ListFormatError, match=r"sdn\.csv:1: 3 columns, expected 12"):
        parse_list(tmp_path)
    (tmp_path / "sdn.csv").write_text(
        '36,"AEROCARIBBEAN AIRLINES",-0- ,"CUBA"' + ",-0- " * 8 + "\n"
    )
    with pytest.raises(
        ListFormatError, match=r"add\.csv: missing; expected .*sdn\.csv, alt\.csv and add\.csv"
    ):
        parse_list(tmp_path)


def test_address_file_with_a_non_address_line_names_the_line(tmp_path):
    bad = tmp_path / "sanctioned_addresses_XBT.txt"
    bad.write_text("1AjZPMsnmpdK2Rv9KQNfMurTXinscVro9V\nnot an address\n")
    with pytest.raises(ListFormatError, match=r"sanctioned_addresses_XBT\.txt:2: 'not an address'"):
        parse_list(bad)


# --- landing in Delta ----------------------------------------------------------------------


def _address_folder(root: Path, version: str, files: dict[str, list[str]]) -> Path:
    folder = root / f"ofac_crypto_addresses_{version}"
    folder.mkdir()
    for code, lines in files.items():
        (folder / f"sanctioned_addresses_{code}.txt").write_text("\n".join(lines) + "\n")
    return folder


EVM = "0x7F367cC41522cE07553e823bf3be79A889DEbe1B"
TRON = "TA3941uFAvmVibSkQ6fMJXxmaSNovX86mz"
XBT = ["149w62rY42aZBox8fGcmqNsXUzSStKeq8C", "1AjZPMsnmpdK2Rv9KQNfMurTXinscVro9V"]


def test_list_to_dataframe_has_the_bronze_schema_and_batch_id(spark, tmp_path):
    parsed = parse_list(_address_folder(tmp_path, "2025-12-01", {"XBT": XBT}))
    df = list_to_dataframe(spark, parsed)
    assert [(f.name, f.dataType) for f in df.schema] == [
        (f.name, f.dataType) for f in WATCHLISTS.schema
    ]
    assert {r.batch_id for r in df.select("batch_id").collect()} == {"OFAC-CRYPTO:2025-12-01"}


def test_load_list_is_idempotent_and_silver_keeps_the_newest_version(spark, lakehouse, tmp_path):
    v1 = _address_folder(
        tmp_path, "2025-12-01", {"XBT": XBT, "USDT": [EVM.lower(), TRON], "ETH": [EVM]}
    )
    first = load_list(spark, lakehouse, v1)
    assert (first["entries"], first["bronze_inserted"], first["silver"]) == (4, 4, "replaced")
    versions = (lakehouse.version("bronze.watchlists"), lakehouse.version("silver.watchlist"))

    again = load_list(spark, lakehouse, v1)
    assert (again["bronze_inserted"], again["bronze_updated"], again["silver"]) == (
        0,
        0,
        "unchanged",
    )
    assert (
        lakehouse.version("bronze.watchlists"),
        lakehouse.version("silver.watchlist"),
    ) == versions

    silver = lakehouse.read("silver.watchlist").selectExpr(
        "entry_id", "list_version", "crypto_addresses[0].chain AS chain", "remarks"
    )
    expected = spark.createDataFrame(
        [
            (
                f"OFAC-CRYPTO:BTC:{XBT[0]}",
                "2025-12-01",
                "BTC",
                "OFAC digital currency address listed as XBT",
            ),
            (
                f"OFAC-CRYPTO:BTC:{XBT[1]}",
                "2025-12-01",
                "BTC",
                "OFAC digital currency address listed as XBT",
            ),
            (
                f"OFAC-CRYPTO:ETH:{EVM.lower()}",
                "2025-12-01",
                "ETH",
                "OFAC digital currency address listed as ETH, USDT",
            ),
            (
                f"OFAC-CRYPTO:TRON:{TRON}",
                "2025-12-01",
                "TRON",
                "OFAC digital currency address listed as USDT",
            ),
        ],
        silver.schema,
    )
    assert_df_equality(silver, expected, ignore_row_order=True, ignore_nullable=True)

    evm_id = f"OFAC-CRYPTO:ETH:{EVM.lower()}"
    in_bronze = lakehouse.read("bronze.watchlists").where(f"entry_id = '{evm_id}'").first()
    in_silver = lakehouse.read("silver.watchlist").where(f"entry_id = '{evm_id}'").first()
    assert in_bronze["crypto_addresses"][0]["address"] == EVM  # as published
    assert in_silver["crypto_addresses"][0]["address"] == EVM.lower()  # silver's canonical form

    v2 = _address_folder(tmp_path, "2026-01-01", {"XBT": XBT[:1]})
    newer = load_list(spark, lakehouse, v2)
    assert (newer["bronze_inserted"], newer["silver"]) == (1, "replaced")
    older = load_list(spark, lakehouse, v1)
    assert (older["bronze_inserted"], older["bronze_updated"], older["silver"]) == (
        0,
        0,
        "kept_newer",
    )

    held = lakehouse.read("silver.watchlist").select("entry_id", "list_version").collect()
    assert [(r.entry_id, r.list_version) for r in held] == [
        (f"OFAC-CRYPTO:BTC:{XBT[0]}", "2026-01-01")
    ]
    assert lakehouse.read("bronze.watchlists").count() == 5
