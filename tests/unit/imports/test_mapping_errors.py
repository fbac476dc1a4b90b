"""Malformed mappings and files fail before anything is written, naming the file and field."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from fcc.imports import ImportFileError, MappingError, import_file, load_mapping
from tests.unit.imports.helpers import DATA, MAPPINGS

AW_TRANS = DATA / "amlworld_trans.csv"


def _mapping(tmp_path: Path, base: str, change) -> Path:
    """A copy of a ready mapping with one change applied (its fx file copied beside it)."""
    data = yaml.safe_load((MAPPINGS / base).read_text())
    change(data)
    (tmp_path / "fx_approximate_usd.yaml").write_text(
        (MAPPINGS / "fx_approximate_usd.yaml").read_text()
    )
    out = tmp_path / "mapping.yaml"
    out.write_text(yaml.safe_dump(data))
    return out


def test_every_ready_mapping_is_valid():
    for path in sorted(MAPPINGS.glob("*.yaml")):
        if path.name.startswith("fx_"):
            continue
        assert load_mapping(path).kinds


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda d: d["fields"].update({"amout": "Amount"}),
            "fields: unknown target field(s) ['amout'] for kind customers",
        ),
        (
            lambda d: d["fields"].pop("customer_id"),
            "required target field(s) ['customer_id'] are not mapped",
        ),
        (
            lambda d: d["fields"].update({"full_name": {"column": "Entity Name", "const": "x"}}),
            "fields.full_name: give exactly one of column, expr, const",
        ),
        (
            lambda d: d["fields"].update(
                {"updated_at": {"column": "Bank ID", "time_zone": "Mars/Base"}}
            ),
            "fields.updated_at: unknown time zone 'Mars/Base'",
        ),
        (
            lambda d: d.update({"kinds": ["customers", "fiat"]}),
            "kinds: a mapping without transfers serves exactly one kind",
        ),
        (lambda d: d.update({"colour": "blue"}), "colour: Extra inputs are not permitted"),
    ],
)
def test_invalid_mapping_names_the_file_and_field(tmp_path, change, message):
    path = _mapping(tmp_path, "amlworld_accounts.yaml", change)
    with pytest.raises(MappingError, match=re.escape(f"mapping {path}: ")) as err:
        load_mapping(path)
    assert message in str(err.value)


def test_transfer_mapping_rejects_unknown_transfer_field(tmp_path):
    path = _mapping(
        tmp_path,
        "amlworld_transactions.yaml",
        lambda d: d["transfers"]["fields"].update({"fee": "Amount Paid"}),
    )
    with pytest.raises(
        MappingError, match=r"transfers: fields: unknown transfer field\(s\) \['fee'\]"
    ):
        load_mapping(path)


def test_mapping_used_for_a_kind_it_does_not_serve_is_refused(spark, lakehouse):
    with pytest.raises(MappingError, match=r"serves kinds \['fiat', 'labels'\], not 'trades'"):
        import_file(
            spark,
            lakehouse,
            "trades",
            str(AW_TRANS),
            None,
            str(MAPPINGS / "amlworld_transactions.yaml"),
        )


def test_source_column_missing_from_the_header_is_an_error_before_reading(
    spark, lakehouse, tmp_path
):
    def change(d):
        d["transfers"]["fields"]["amount"] = "Amount Payd"

    path = _mapping(tmp_path, "amlworld_transactions.yaml", change)
    with pytest.raises(
        MappingError,
        match=r"transfers.fields.amount: source column 'Amount Payd' not in .*amlworld_trans.csv",
    ):
        import_file(spark, lakehouse, "fiat", str(AW_TRANS), None, str(path))
    assert not lakehouse.exists("bronze.fiat_ledger")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda d: d["transfers"]["fields"].update(
                {"reference": {"expr": "concat(`Payment Format`,"}}
            ),
            "transfers.fields.reference: bad expression `concat(`Payment Format`,`",
        ),
        (
            lambda d: d["transfers"]["fields"].update(
                {"reference": {"expr": "upper(`Payment Kind`)"}}
            ),
            "transfers.fields.reference: bad expression `upper(`Payment Kind`)`: [UNRESOLVED_COLUMN",
        ),
        (
            lambda d: d["labels"].update({"suspicious": "`Is Laundering`"}),  # labels.suspicious
            "is string, not boolean",
        ),
        (
            lambda d: d["transfers"].update({"internal_when": "from_bank = to_bank"}),
            "transfers.internal_when: bad expression `from_bank = to_bank`",
        ),
    ],
)
def test_bad_expression_is_an_error_naming_the_field(spark, lakehouse, tmp_path, change, message):
    path = _mapping(tmp_path, "amlworld_transactions.yaml", change)
    with pytest.raises(MappingError) as err:
        import_file(spark, lakehouse, "labels", str(AW_TRANS), None, str(path))
    assert f"mapping {path}: " in str(err.value)
    assert message in str(err.value)


def test_missing_file_is_an_import_file_error(spark, lakehouse, tmp_path):
    with pytest.raises(ImportFileError, match="no such file"):
        import_file(
            spark,
            lakehouse,
            "fiat",
            str(tmp_path / "nope.csv"),
            None,
            str(MAPPINGS / "amlworld_transactions.yaml"),
        )


def test_header_with_other_column_count_than_the_mapping_names_is_refused(
    spark, lakehouse, tmp_path
):
    csv = tmp_path / "short.csv"
    csv.write_text("Timestamp,From Bank,Account\n2022/09/01 00:20,1,A\n")
    with pytest.raises(
        ImportFileError, match="header has 3 columns, the mapping's source.columns names 11"
    ):
        import_file(
            spark, lakehouse, "fiat", str(csv), None, str(MAPPINGS / "amlworld_transactions.yaml")
        )


def test_duplicate_header_without_column_names_is_refused(spark, lakehouse, tmp_path):
    path = _mapping(tmp_path, "amlworld_transactions.yaml", lambda d: d["source"].pop("columns"))
    with pytest.raises(ImportFileError, match=r"duplicate column name\(s\) \['Account'\]"):
        import_file(spark, lakehouse, "fiat", str(AW_TRANS), None, str(path))


def test_empty_file_is_refused(spark, lakehouse, tmp_path):
    csv = tmp_path / "empty.csv"
    csv.write_text("")
    with pytest.raises(ImportFileError, match="empty file"):
        import_file(
            spark,
            lakehouse,
            "address_labels",
            str(csv),
            None,
            str(MAPPINGS / "address_labels.yaml"),
        )
