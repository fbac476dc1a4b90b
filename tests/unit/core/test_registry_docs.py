from pathlib import Path

from fcc.core.docs import tables_markdown
from fcc.core.tables import REGISTRY, table

DOC = Path(__file__).resolve().parents[3] / "docs" / "tables.md"


def test_docs_tables_md_is_generated_from_the_registry():
    assert DOC.read_text(encoding="utf-8") == tables_markdown(), (
        "run `make docs` to regenerate docs/tables.md"
    )


def test_every_column_is_documented():
    undocumented = [
        f"{s.qualified}.{f.name}"
        for s in REGISTRY.values()
        for f in s.schema.fields
        if not f.metadata.get("doc")
    ]
    assert undocumented == []


def test_canonical_transaction_table_carries_the_design_columns():
    cols = table("silver.transactions").schema.fieldNames()
    for name in [
        "txn_id",
        "source",
        "rail",
        "event_ts",
        "event_date",
        "customer_id",
        "account_id",
        "direction",
        "asset",
        "amount",
        "amount_usd",
        "counterparty_type",
        "counterparty_id",
        "counterparty_country",
        "chain",
        "tx_hash",
        "batch_id",
        "ingested_at",
    ]:
        assert name in cols
    assert table("silver.transactions").schema["amount"].dataType.typeName() == "decimal"
