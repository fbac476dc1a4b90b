"""RFC 4180 CSV (doubled quotes, as Python's csv module and Excel write them) and the mapping's
quote / escape settings."""

from __future__ import annotations

import csv

import pytest

from fcc.imports import MappingError, import_file, load_mapping

MAPPING = """
kinds: [customers]
source: {format: csv%s}
landed_at: now
fields:
  customer_id: id
  full_name: name
  dob: {column: birth, format: yyyy-MM-dd}
  nationality: country
  residence_country: country
  updated_at: {const: "2024-01-01T00:00:00Z"}
  onboarded_at: {const: "2023-01-01T00:00:00Z"}
  segment: {const: retail}
"""
NAMES = ['Smith, "Bob"', 'O"Brien', "plain name", 'Dee "the ""Kid"""']


def _rows(lakehouse, table: str) -> list[dict]:
    return [r.asDict() for r in lakehouse.read(table).orderBy("customer_id").collect()]


def _write_mapping(tmp_path, extra: str = "") -> str:
    path = tmp_path / "customers.yaml"
    path.write_text(MAPPING % extra, encoding="utf-8")
    return str(path)


def test_doubled_quotes_written_by_python_csv_land_unquoted_and_nothing_is_quarantined(
    spark, lakehouse, tmp_path
):
    data = tmp_path / "kyc.csv"
    with data.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)  # Python's default dialect is Excel's: RFC 4180 doubled quotes
        w.writerow(["id", "name", "birth", "country"])
        for i, name in enumerate(NAMES):
            w.writerow([f"C-{i}", name, "1980-01-0" + str(i + 1), "GB"])
    assert '"Smith, ""Bob"""' in data.read_text()  # the file really holds doubled quotes

    out = import_file(
        spark, lakehouse, "customers", str(data), None, _write_mapping(tmp_path), batch_id="q1"
    )

    assert (out["rows_read"], out["rows_quarantined"], out["bronze.customers"]) == (4, 0, 4)
    landed = [(r["customer_id"], r["full_name"]) for r in _rows(lakehouse, "bronze.customers")]
    assert landed == [(f"C-{i}", name) for i, name in enumerate(NAMES)]


def test_backslash_escaped_quotes_read_with_escape_set_in_the_mapping(spark, lakehouse, tmp_path):
    data = tmp_path / "kyc.csv"
    data.write_text(
        'id,name,birth,country\nC-1,"Smith, \\"Bob\\"",1980-01-01,GB\n', encoding="utf-8"
    )
    mapping = _write_mapping(tmp_path, ', escape: "\\\\"')

    out = import_file(spark, lakehouse, "customers", str(data), None, mapping, batch_id="q2")

    assert (out["rows_read"], out["rows_quarantined"]) == (1, 0)
    assert _rows(lakehouse, "bronze.customers")[0]["full_name"] == 'Smith, "Bob"'


def test_quoted_line_break_needs_multiline_in_the_mapping(spark, lakehouse, tmp_path):
    data = tmp_path / "kyc.csv"
    data.write_text('id,name,birth,country\nC-1,"Anna\nMaria Lopez",1980-01-01,ES\n')
    mapping = _write_mapping(tmp_path, ", multiline: true")

    out = import_file(spark, lakehouse, "customers", str(data), None, mapping, batch_id="q3")

    assert (out["rows_read"], out["rows_quarantined"]) == (1, 0)
    assert _rows(lakehouse, "bronze.customers")[0]["full_name"] == "Anna\nMaria Lopez"


def test_quote_setting_longer_than_one_character_names_the_key(tmp_path):
    with pytest.raises(MappingError, match="source.quote must be one character"):
        load_mapping(_write_mapping(tmp_path, ", quote: \"''\""), "customers")
