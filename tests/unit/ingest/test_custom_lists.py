"""Custom lists (internal block lists, vendor files) in CSV or JSON beside the official lists."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from fcc.ingest.lists import ListFormatError, load_list, parse_list

HEADER = ["id", "name", "entity_type", "aliases", "dob", "nationalities", "crypto_addresses"]
ROWS = [
    [
        "B-1",
        'Ivan "Vanya" Sidorov',
        "person",
        "Ivan Sidorov;Иван Сидоров",
        "1961;1962-05",
        "RU",
        "",
    ],
    ["B-2", "Acme Trading, LLC", "entity", "", "", "", "XBT:1BoatSLRHtKNngkdXEeobR76b53LETtpyT"],
]


def _csv(path: Path, rows=ROWS, header=HEADER) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([header, *rows])
    return path


def test_csv_list_rows_carry_aliases_partial_dobs_countries_and_addresses(tmp_path):
    parsed = parse_list(_csv(tmp_path / "block_2026-01-05.csv"), "csv", list_name="internal-block")

    assert (parsed.list_name, parsed.list_version, parsed.fmt) == (
        "INTERNAL-BLOCK",
        "2026-01-05",
        "csv",
    )
    ivan, acme = parsed.rows
    assert ivan["entry_id"] == "INTERNAL-BLOCK:B-1"
    assert ivan["primary_name"] == 'Ivan "Vanya" Sidorov'  # RFC 4180 doubled quotes read back
    assert [(n["name"], n["name_type"], n["quality"], n["script"]) for n in ivan["names"]] == [
        ('Ivan "Vanya" Sidorov', "primary", "strong", "Latin"),
        ("Ivan Sidorov", "aka", "strong", "Latin"),
        ("Иван Сидоров", "aka", "strong", "Cyrillic"),
    ]
    assert (ivan["dobs"], ivan["nationalities"], ivan["entity_type"]) == (
        ["1961", "1962-05"],
        ["RU"],
        "person",
    )
    assert acme["primary_name"] == "Acme Trading, LLC"
    assert acme["crypto_addresses"] == [
        {"chain": "BTC", "address": "1BoatSLRHtKNngkdXEeobR76b53LETtpyT"}
    ]
    assert (acme["dobs"], acme["names"][1:]) == ([], [])


def test_json_array_and_json_lines_give_the_same_rows_as_csv(tmp_path):
    from_csv = parse_list(_csv(tmp_path / "b.csv"), "csv", "v1", "X")
    records = [dict(zip(HEADER, r, strict=True)) for r in ROWS]
    records[0]["aliases"] = ["Ivan Sidorov", "Иван Сидоров"]  # arrays or ;-separated text
    array = tmp_path / "b.json"
    array.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    lines = tmp_path / "b.jsonl"
    lines.write_text("\n".join(json.dumps(r) for r in records), encoding="utf-8")

    assert parse_list(array, None, "v1", "X").rows == from_csv.rows  # .json detected
    assert parse_list(lines, "json", "v1", "X").rows == from_csv.rows


@pytest.mark.parametrize(
    ("header", "row", "message"),
    [
        (
            HEADER,
            ["B-1", "Ann", "person", "", "1961-13", "", ""],
            r"b.csv:2: field dob = '1961-13'",
        ),
        (HEADER, ["B-1", "", "person", "", "", "", ""], r"b.csv:2: field name = ''"),
        (HEADER, ["B-1", "Ann", "ghost", "", "", "", ""], r"b.csv:2: field entity_type"),
        (HEADER, ["B-1", "Ann", "", "", "", "Atlantis", ""], r"field nationalities = 'Atlantis'"),
        (HEADER, ["B-1", "Ann", "", "", "", "", "1Boat"], r"field crypto_addresses = '1Boat'"),
        (["id", "name", "birthday"], ["B-1", "Ann", "1961"], r"unknown column\(s\) \['birthday'\]"),
        (["id", "fullname"], ["B-1", "Ann"], r"missing column\(s\) \['name'\]"),
    ],
)
def test_bad_custom_rows_name_the_file_line_and_field(tmp_path, header, row, message):
    with pytest.raises(ListFormatError, match=message):
        parse_list(_csv(tmp_path / "b.csv", [row], header), "csv", list_name="X")


def test_custom_list_needs_a_list_name_and_unique_ids(tmp_path):
    with pytest.raises(ListFormatError, match="needs --list-name"):
        parse_list(_csv(tmp_path / "b.csv"), "csv")
    with pytest.raises(ListFormatError, match=r"1 duplicate entry ids \(e.g. X:B-1\)"):
        parse_list(_csv(tmp_path / "b.csv", [ROWS[0], ROWS[0]]), "csv", list_name="X")


def test_official_format_under_another_list_name_is_re_prefixed(tmp_path):
    folder = tmp_path / "addresses_2025-12-01"
    folder.mkdir()
    (folder / "sanctioned_addresses_XBT.txt").write_text("1BoatSLRHtKNngkdXEeobR76b53LETtpyT\n")

    parsed = parse_list(folder, list_name="test-crypto")

    assert [(r["entry_id"], r["list_name"]) for r in parsed.rows] == [
        ("TEST-CRYPTO:BTC:1BoatSLRHtKNngkdXEeobR76b53LETtpyT", "TEST-CRYPTO")
    ]


def _silver(lakehouse) -> list[tuple]:
    rows = (
        lakehouse.read("silver.watchlist").select("list_name", "list_version", "entry_id").collect()
    )
    return sorted(tuple(r) for r in rows)


def test_loading_list_b_never_touches_list_a_and_each_list_keeps_its_version(
    spark, lakehouse, tmp_path
):
    a = _csv(tmp_path / "a.csv", [["A-1", "Anna Alpha", "person", "", "", "", ""]])
    b1 = _csv(tmp_path / "b.csv", ROWS)
    b2 = _csv(tmp_path / "b2.csv", ROWS[:1])

    load_list(spark, lakehouse, a, "csv", "2026-01-01", "LIST-A")
    first = load_list(spark, lakehouse, b1, "csv", "2026-01-01", "LIST-B")
    a_rows_version = [r for r in _silver(lakehouse) if r[0] == "LIST-A"]
    newer = load_list(spark, lakehouse, b2, "csv", "2026-02-01", "LIST-B")

    assert (first["bronze_inserted"], first["silver"]) == (2, "replaced")
    assert (newer["bronze_inserted"], newer["bronze_updated"], newer["silver"]) == (
        1,
        0,
        "replaced",
    )
    assert _silver(lakehouse) == [
        ("LIST-A", "2026-01-01", "LIST-A:A-1"),
        ("LIST-B", "2026-02-01", "LIST-B:B-1"),
    ]
    assert a_rows_version == [("LIST-A", "2026-01-01", "LIST-A:A-1")]
    bronze = lakehouse.read("bronze.watchlists").select("list_name", "list_version").collect()
    assert sorted(tuple(r) for r in bronze) == [
        ("LIST-A", "2026-01-01"),
        ("LIST-B", "2026-01-01"),
        ("LIST-B", "2026-01-01"),
        ("LIST-B", "2026-02-01"),
    ]


def test_reloading_a_list_writes_nothing_and_a_changed_row_of_the_same_version_is_updated(
    spark, lakehouse, tmp_path
):
    b = _csv(tmp_path / "b.csv", ROWS)
    load_list(spark, lakehouse, b, "csv", "v1", "LIST-B")
    versions = (lakehouse.version("bronze.watchlists"), lakehouse.version("silver.watchlist"))

    again = load_list(spark, lakehouse, b, "csv", "v1", "LIST-B")
    assert (again["bronze_inserted"], again["bronze_updated"], again["silver"]) == (
        0,
        0,
        "unchanged",
    )
    assert (
        lakehouse.version("bronze.watchlists"),
        lakehouse.version("silver.watchlist"),
    ) == versions

    changed = [ROWS[0][:4] + ["1961-05-17"] + ROWS[0][5:], ROWS[1]]
    fixed = load_list(
        spark, lakehouse, _csv(tmp_path / "b_fixed.csv", changed), "csv", "v1", "LIST-B"
    )
    assert (fixed["bronze_inserted"], fixed["bronze_updated"], fixed["silver"]) == (
        0,
        1,
        "replaced",
    )
    dobs = lakehouse.read("silver.watchlist").where("entry_id = 'LIST-B:B-1'").first()["dobs"]
    assert dobs == ["1961-05-17"]
    assert lakehouse.read("bronze.watchlists").count() == 2
