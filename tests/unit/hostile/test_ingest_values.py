"""Ingest validation of amounts, currencies, timestamps and chain addresses on hostile strings.

Every bronze row comes out once, either accepted or with reasons that name its field.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from pyspark.sql import functions as F

from fcc.core.lakehouse import Lakehouse
from fcc.core.tables import bronze
from fcc.ingest.addresses import CHAINS, is_valid_address_py, normalize_chain_py
from fcc.ingest.engine import with_row_meta
from fcc.ingest.transactions import FIAT, ONCHAIN
from fcc.quality.reasons import (
    FUTURE_TIMESTAMP,
    MALFORMED_ADDRESS,
    NO_FX_RATE,
    NON_POSITIVE_AMOUNT,
    UNKNOWN_CURRENCY,
    UNKNOWN_CUSTOMER,
)
from tests.unit.ingest._bronze import context, seed_silver_reference

from ._text import hostile_text

ROWS = 50
SPARK = settings(max_examples=4, deadline=None, derandomize=True, database=None)
# Reasons that are about one field without naming it in the code.
_IMPLIED = {
    NON_POSITIVE_AMOUNT: "amount",
    UNKNOWN_CURRENCY: "currency/asset",
    NO_FX_RATE: "currency/asset",
    FUTURE_TIMESTAMP: "timestamp",
    MALFORMED_ADDRESS: "from_address/to_address",
    UNKNOWN_CUSTOMER: "customer_id",
}
_AMOUNTS = st.one_of(
    st.sampled_from(
        ["1", " 2.50 ", "0", "-1", "1e3", "NaN", "Infinity", "1,5", "١٢٣", "１２", "0x10", ""]
        + ["9" * 25, "9" * 20 + "." + "9" * 18, "0.0000000000000000001", "+7", "1_000"]
    ),
    st.decimals(allow_nan=False, allow_infinity=False, places=4).map(str),
    hostile_text(0, 12),
)
_TIMES = st.one_of(
    st.sampled_from(
        ["2026-11-27T10:00:00Z", "2026-11-27T10:00:00+14:00", "2026-11-27T10:00:00-25:00"]
        + ["2026-11-27 10:00:00 Europe/Berlin", "2026-02-30T00:00:00Z", "2026-11-27T24:00:00"]
        + ["1795773600", "1795773600.5", "99999999999", "-1", "2999-01-01T00:00:00Z", ""]
        + ["2026-11-27T10:00:00[Mars/Base]", "27/11/2026", "2026-11-27T10:00:00.123456789Z"]
    ),
    hostile_text(0, 25),
)
_CURRENCIES = st.one_of(
    st.sampled_from(["EUR", "eur ", "GBP", "USD", "BTC", "USDT", "XXX", "€", "EUR\u200b", ""]),
    hostile_text(0, 5),
)
_ADDRESSES = st.one_of(
    st.sampled_from(
        [
            "0x52908400098527886E0F7030069857D2E4169EE7",
            " 0xde0b295669a9fd93d5f28d9ec85e40f4cb697bae\u00a0",
            "0x52908400098527886E0F7030069857D2E4169EE\u0660",
            "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t",
            "\u2003TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t",
            "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
            "BC1QAR0SRRR7XFKVY5L643LYDNW9RE59GTZZWF5MDQ",
            "bc1QAR0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
            "1Kuf2Rd8mDyAViwBozGTNYnvWL8uYFrkVo\x00",
            "41" + "a" * 40,
        ]
    ),
    hostile_text(0, 45),
)


@pytest.fixture(scope="module")
def world(spark, tmp_path_factory):
    """A lakehouse with FX rates and customers C1..C3, and the ingest context of D."""
    lakehouse = Lakehouse(spark, str(tmp_path_factory.mktemp("hostile") / "lakehouse"))
    seed_silver_reference(spark, lakehouse)
    return context(lakehouse)


def _validate(spark, world, src, rows: list[dict]):
    """The adapter's validation of `rows` landed as one bronze batch, collected by row number."""
    spec = src.bronze
    names = spec.schema.fieldNames()
    landed = datetime(2026, 11, 27, 12, tzinfo=UTC)
    data = [tuple({**r, "batch_id": "b1", "landed_at": landed}.get(n) for n in names) for r in rows]
    frame = spark.createDataFrame(data, spec.schema).withColumn("_landed", F.col("landed_at"))
    checked = src.validate(frame.transform(with_row_meta(spec, False)), world)
    out = checked.select(F.col("r_" + spec.schema.fieldNames()[0]).alias("key"), "*").collect()
    return {r["key"]: r for r in out}


def _assert_reasons_name_fields(row, fields: set[str]) -> None:
    for code in row["_reasons"]:
        if ":" in code:
            kind, field = code.split(":", 1)
            assert kind in ("MISSING_FIELD", "BAD_TYPE") and field in fields, code
        else:
            assert code in _IMPLIED, code


@SPARK
@given(
    amounts=st.lists(_AMOUNTS, min_size=ROWS, max_size=ROWS),
    times=st.lists(_TIMES, min_size=ROWS, max_size=ROWS),
    currencies=st.lists(_CURRENCIES, min_size=ROWS, max_size=ROWS),
)
def test_fiat_rows_are_accepted_or_quarantined_naming_the_field(
    spark, world, amounts, times, currencies
):
    rows = [
        {
            "ledger_id": f"L{i}",
            "customer_id": "C1",
            "booked_at": times[i],
            "entry_type": "CREDIT",
            "method": "SEPA",
            "currency": currencies[i],
            "amount": amounts[i],
        }
        for i in range(ROWS)
    ]
    out = _validate(spark, world, FIAT, rows)
    assert len(out) == ROWS
    for i, raw in enumerate(rows):
        row = out[f"L{i}"]
        _assert_reasons_name_fields(row, set(bronze.FIAT_LEDGER.schema.fieldNames()))
        if not row["_reasons"]:
            assert row["amount"] > 0 and row["amount_usd"] is not None
            assert row["event_ts"] is not None and row["asset"] in ("EUR", "GBP", "USD")
            # what was accepted is the number written, in any script's digits (Spark, like
            # Python, reads full-width and other Unicode decimal digits)
            assert Decimal(raw["amount"].strip()) == row["amount"]


@SPARK
@given(
    addresses=st.lists(st.tuples(_ADDRESSES, _ADDRESSES), min_size=ROWS, max_size=ROWS),
    chains=st.lists(
        st.one_of(
            st.sampled_from(["ETH", "eth", "TRX", "TRON", "bitcoin", "XBT", "SOL"]),
            hostile_text(0, 5),
        ),
        min_size=ROWS,
        max_size=ROWS,
    ),
    times=st.lists(_TIMES, min_size=ROWS, max_size=ROWS),
    amounts=st.lists(_AMOUNTS, min_size=ROWS, max_size=ROWS),
)
@example(  # Unicode spaces around an address: str.strip removes them, Java's \\s does not
    addresses=[
        (" 0xde0b295669a9fd93d5f28d9ec85e40f4cb697bae\u00a0", "0x" + "1" * 40),
        ("\u2003TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t", "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"),
    ]
    * (ROWS // 2),
    chains=["ETH", "TRON"] * (ROWS // 2),
    times=["2026-11-27T10:00:00Z"] * ROWS,
    amounts=["1"] * ROWS,
)
def test_onchain_rows_are_accepted_or_quarantined_and_addresses_agree_with_the_python_twin(
    spark, world, addresses, chains, times, amounts
):
    rows = [
        {
            "transfer_id": f"T{i}",
            "customer_id": "C2",
            "chain": chains[i],
            "asset": "ETH",
            "direction": "deposit",
            "tx_hash": "ff",
            "from_address": addresses[i][0],
            "to_address": addresses[i][1],
            "amount": amounts[i],
            "block_time": times[i],
        }
        for i in range(ROWS)
    ]
    out = _validate(spark, world, ONCHAIN, rows)
    assert len(out) == ROWS
    for i, raw in enumerate(rows):
        row = out[f"T{i}"]
        _assert_reasons_name_fields(row, set(bronze.ONCHAIN_TRANSFERS.schema.fieldNames()))
        chain = normalize_chain_py(raw["chain"])
        twin = is_valid_address_py(chain, raw["from_address"]) and is_valid_address_py(
            chain, raw["to_address"]
        )
        assert row["_addresses_ok"] == twin, (raw["chain"], raw["from_address"], raw["to_address"])
        if not row["_reasons"]:
            assert row["chain"] in CHAINS and row["event_ts"] is not None and row["amount"] > 0
            assert MALFORMED_ADDRESS not in row["_reasons"] and twin
