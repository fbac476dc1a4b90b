"""run_ingest end to end on tiny bronze batches: quarantine reasons, reconciliation, reruns."""

from datetime import UTC, date, datetime

import pytest
from pyspark.sql import functions as F

from fcc.core.settings import AppConfig
from fcc.core.tables import REGISTRY, bronze, ops, silver
from fcc.ingest import late_dates, run_ingest
from fcc.quality import SchemaDriftError

from ._bronze import PREV, D, at, frame, seed_reference

ETH_A = "0x52908400098527886E0F7030069857D2E4169EE7"
ETH_B = "0xDE0B295669A9FD93D5F28D9EC85E40F4CB697BAE"


def _fiat(lid, **kw):
    row = {
        "ledger_id": lid,
        "customer_id": "C1",
        "account_id": "A1",
        "booked_at": "2026-11-27T10:00:00Z",
        "entry_type": "CREDIT",
        "method": "SEPA",
        "currency": "EUR",
        "amount": "100",
        "counterparty_account": "h1",
        "counterparty_bank_country": "FR",
    }
    return {**row, **kw}


def _versions(lakehouse):
    return {
        name: lakehouse.version(spec) for name, spec in REGISTRY.items() if spec.layer != "gold"
    }


def _quarantine(lakehouse):
    return {
        (r["source"], r["record_key"]): sorted(r["reasons"])
        for r in lakehouse.read(ops.QUARANTINE).collect()
    }


def _recon(lakehouse, as_of):
    rows = lakehouse.read(ops.DQ_RESULTS).where(
        (F.col("check") == "reconciliation") & (F.col("as_of") == as_of)
    )
    return {
        (r["source"], r["batch_id"]): (
            r["rows_read"],
            r["rows_inserted"],
            r["rows_updated"],
            r["rows_duplicate"],
            r["rows_quarantined"],
            r["passed"],
        )
        for r in rows.collect()
    }


def test_corrupted_batch_every_bad_row_quarantined_good_rows_in_silver_counts_reconcile_rerun_adds_nothing(
    spark, lakehouse
):
    seed_reference(spark, lakehouse)
    lakehouse.append(
        bronze.FIAT_LEDGER,
        frame(
            spark,
            bronze.FIAT_LEDGER,
            [
                _fiat("G1"),
                _fiat(
                    "G2", booked_at="2026-11-28T00:10:00Z", currency="USD"
                ),  # within the 15-minute tolerance
                _fiat(
                    "G3", entry_type="DEBIT", method="SWIFT", currency="USD", amount="5"
                ),  # USD needs no rate row
                _fiat("M1", currency=None),
                _fiat("M2", booked_at="  "),
                _fiat("T1", amount="12,5"),
                _fiat("T2", booked_at="yesterday"),
                _fiat("T3", method="CHEQUE"),
                _fiat("N1", amount="0"),
                _fiat("N2", amount="-3", customer_id="C9"),
                _fiat("U1", currency="XYZ"),
                _fiat("U2", currency="USDT"),  # a stablecoin is not a fiat ledger currency
                _fiat("F1", booked_at="2026-11-28T00:16:00Z", currency="USD"),
                _fiat("K1", customer_id="C9"),
                _fiat("R1", booked_at="2026-11-20T10:00:00Z"),  # no EUR rate on that date
                _fiat("G1"),  # resent in the same batch
            ],
            "fiat-1",
        ),
    )
    lakehouse.append(
        bronze.ONCHAIN_TRANSFERS,
        frame(
            spark,
            bronze.ONCHAIN_TRANSFERS,
            [
                {
                    "transfer_id": "OK",
                    "customer_id": "C2",
                    "chain": "ETH",
                    "asset": "ETH",
                    "direction": "deposit",
                    "tx_hash": "0x01",
                    "from_address": ETH_A,
                    "to_address": ETH_B,
                    "amount": "0.5",
                    "block_time": "1795773600",
                },
                {
                    "transfer_id": "BAD",
                    "customer_id": "C2",
                    "chain": "ETH",
                    "asset": "ETH",
                    "direction": "deposit",
                    "tx_hash": "0x02",
                    "from_address": "0x12345",
                    "to_address": ETH_B,
                    "amount": "0.5",
                    "block_time": "1795773600",
                },
            ],
            "chain-1",
        ),
    )
    lakehouse.append(
        bronze.TRADES,
        frame(
            spark,
            bronze.TRADES,
            [
                {
                    "trade_id": "TR1",
                    "customer_id": "C3",
                    "side": "BUY",
                    "base_asset": "BTC",
                    "quote_asset": "USDC",
                    "base_amount": "0.1",
                    "quote_amount": "9000",
                    "executed_at": "2026-11-27T10:00:00Z",
                },  # no USDC rate
            ],
            "trades-1",
        ),
    )
    lakehouse.append(
        bronze.INTERNAL_TRANSFERS,
        frame(
            spark,
            bronze.INTERNAL_TRANSFERS,
            [
                {
                    "transfer_id": "IN1",
                    "from_customer_id": "C1",
                    "to_customer_id": "C2",
                    "asset": "USDT",
                    "amount": "10",
                    "created_at": "2026-11-27T10:00:00Z",
                },
                {
                    "transfer_id": "IN2",
                    "from_customer_id": "C1",
                    "to_customer_id": "C7",
                    "asset": "USDT",
                    "amount": "10",
                    "created_at": "2026-11-27T10:00:00Z",
                },
            ],
            "int-1",
        ),
    )

    out = run_ingest(spark, lakehouse, AppConfig(), D, "run-1")

    assert _quarantine(lakehouse) == {
        ("fiat_ledger", "M1"): ["MISSING_FIELD:currency"],
        ("fiat_ledger", "M2"): ["MISSING_FIELD:booked_at"],
        ("fiat_ledger", "T1"): ["BAD_TYPE:amount"],
        ("fiat_ledger", "T2"): ["BAD_TYPE:booked_at"],
        ("fiat_ledger", "T3"): ["BAD_TYPE:method"],
        ("fiat_ledger", "N1"): ["NON_POSITIVE_AMOUNT"],
        ("fiat_ledger", "N2"): ["NON_POSITIVE_AMOUNT", "UNKNOWN_CUSTOMER"],
        ("fiat_ledger", "U1"): ["UNKNOWN_CURRENCY"],
        ("fiat_ledger", "U2"): ["UNKNOWN_CURRENCY"],
        ("fiat_ledger", "F1"): ["FUTURE_TIMESTAMP"],
        ("fiat_ledger", "K1"): ["UNKNOWN_CUSTOMER"],
        ("fiat_ledger", "R1"): ["NO_FX_RATE"],
        ("onchain_transfers", "BAD"): ["MALFORMED_ADDRESS"],
        ("trades", "TR1"): ["NO_FX_RATE"],
        ("internal_transfers", "IN2"): ["UNKNOWN_CUSTOMER"],
    }
    txns = {r["txn_id"] for r in lakehouse.read(silver.TRANSACTIONS).collect()}
    assert txns == {"FIAT:G1", "FIAT:G2", "FIAT:G3", "CHAIN:OK", "INT:IN1:out", "INT:IN1:in"}
    raw = lakehouse.read(ops.QUARANTINE).where(F.col("record_key") == "T1").first()
    assert (
        '"amount":"12,5"' in raw["raw"] and raw["batch_id"] == "fiat-1" and raw["run_id"] == "run-1"
    )

    recon = _recon(lakehouse, D)
    #                               read ins upd dup quar passed
    assert recon[("fiat_ledger", "fiat-1")] == (16, 3, 0, 1, 12, True)
    assert recon[("onchain_transfers", "chain-1")] == (2, 1, 0, 0, 1, True)
    assert recon[("trades", "trades-1")] == (1, 0, 0, 0, 1, True)
    assert recon[("internal_transfers", "int-1")] == (2, 1, 0, 0, 1, True)
    assert recon[("fx_rates", "ref1")] == (12, 12, 0, 0, 0, True)
    assert recon[("customers", "ref1")] == (3, 3, 0, 0, 0, True)
    assert (
        out["rows_read"],
        out["rows_inserted"],
        out["rows_duplicate"],
        out["rows_quarantined"],
    ) == (36, 20, 1, 15)

    before = _versions(lakehouse)
    again = run_ingest(spark, lakehouse, AppConfig(), D, "run-2")
    assert again["rows_read"] == 0
    assert _versions(lakehouse) == before


def test_duplicates_across_batches_late_dates_and_batches_landing_after_d(spark, lakehouse):
    seed_reference(spark, lakehouse)
    lakehouse.append(
        bronze.FIAT_LEDGER,
        frame(
            spark,
            bronze.FIAT_LEDGER,
            [
                _fiat("L1", booked_at="2026-11-26T09:00:00Z"),
                _fiat("L2", booked_at="2026-11-26T09:00:00Z"),
                _fiat("L2", booked_at="2026-11-26T09:00:00Z"),
            ],
            "f1",
            at(PREV),
        ),
    )
    first = run_ingest(spark, lakehouse, AppConfig(), PREV, "run-prev")
    assert (first["fiat_ledger.inserted"], first["fiat_ledger.duplicate"]) == (2, 1)

    lakehouse.append(
        bronze.FIAT_LEDGER,
        frame(
            spark,
            bronze.FIAT_LEDGER,
            [
                _fiat("L1", booked_at="2026-11-26T09:00:00Z"),  # resent: already in silver
                _fiat(
                    "L3", booked_at="2026-11-26T15:00:00+02:00", amount="7"
                ),  # late: event date D-1
                _fiat("L4"),
            ],
            "f2",
            at(D, 8),
        ),
    )
    lakehouse.append(
        bronze.FIAT_LEDGER,
        frame(
            spark,
            bronze.FIAT_LEDGER,
            [
                _fiat(
                    "L3", booked_at="2026-11-26T15:00:00+02:00", amount="7"
                ),  # same id, landed later
            ],
            "f3",
            at(D, 9),
        ),
    )
    lakehouse.append(
        bronze.FIAT_LEDGER,
        frame(
            spark, bronze.FIAT_LEDGER, [_fiat("L5")], "f4", datetime(2026, 11, 28, 6, 5, tzinfo=UTC)
        ),
    )
    lakehouse.append(  # D's bank file arriving at 05:00 the next morning, inside the window
        bronze.FIAT_LEDGER,
        frame(
            spark, bronze.FIAT_LEDGER, [_fiat("L6")], "f5", datetime(2026, 11, 28, 5, 0, tzinfo=UTC)
        ),
    )

    out = run_ingest(spark, lakehouse, AppConfig(), D, "run-d")

    recon = _recon(lakehouse, D)
    assert recon == {
        ("fiat_ledger", "f2"): (3, 2, 0, 1, 0, True),
        ("fiat_ledger", "f3"): (1, 0, 0, 1, 0, True),
        ("fiat_ledger", "f5"): (1, 1, 0, 0, 0, True),
    }
    rows = {
        r["txn_id"]: (r["batch_id"], r["event_date"])
        for r in lakehouse.read(silver.TRANSACTIONS).collect()
    }
    assert rows == {
        "FIAT:L1": ("f1", PREV),
        "FIAT:L2": ("f1", PREV),
        "FIAT:L3": ("f2", PREV),
        "FIAT:L4": ("f2", D),
        "FIAT:L6": ("f5", D),
    }
    assert late_dates(lakehouse, D) == [PREV]
    assert late_dates(lakehouse, PREV) == []
    assert out["late_rows"] == 1

    nxt = run_ingest(spark, lakehouse, AppConfig(), date(2026, 11, 28), "run-next")
    assert (nxt["rows_read"], nxt["fiat_ledger.inserted"]) == (
        1,
        1,
    )  # only the batch landed after D's landing window (D+1 06:00 UTC)


def test_reference_sources_latest_wins_normalised_and_redacted(spark, lakehouse):
    seed_reference(spark, lakehouse)
    run_ingest(spark, lakehouse, AppConfig(), PREV, "run-prev")  # C1..C3 in silver before D
    lakehouse.append(
        bronze.CUSTOMERS,
        frame(
            spark,
            bronze.CUSTOMERS,
            [
                {
                    "customer_id": "C1",
                    "full_name": "New Name",
                    "dob": "1980-01-31",
                    "nationality": "fr",
                    "updated_at": "2026-11-27T09:00:00+01:00",
                },
                {"customer_id": "C2", "full_name": "Stale", "updated_at": "2025-01-01T00:00:00Z"},
                {
                    "customer_id": "C4",
                    "full_name": "Bad Dob",
                    "dob": "31/01/1980",
                    "updated_at": "2026-11-27T09:00:00Z",
                },
            ],
            "cust-2",
        ),
    )
    lakehouse.append(
        bronze.IDENTIFIERS,
        frame(
            spark,
            bronze.IDENTIFIERS,
            [
                {"customer_id": "C1", "id_type": "email", "id_value": " Jane.Doe@Example.COM "},
                {"customer_id": "C1", "id_type": "phone", "id_value": "+44 (20) 7946-0958"},
                {"customer_id": "C1", "id_type": "withdrawal_address", "id_value": ETH_A},
                {"customer_id": "C2", "id_type": "withdrawal_address", "id_value": "0xnothex"},
                {"customer_id": "C2", "id_type": "email", "id_value": "jane.doe@example.com"},
                {
                    "customer_id": "C1",
                    "id_type": "email",
                    "id_value": "JANE.DOE@example.com",
                },  # same once normalised
            ],
            "ids-1",
        ),
    )
    lakehouse.append(
        bronze.WATCHLISTS,
        frame(
            spark,
            bronze.WATCHLISTS,
            [
                {
                    "entry_id": "SYNTH:1",
                    "list_name": "SYNTH",
                    "list_version": "2026-11-01",
                    "primary_name": "A",
                },
                {
                    "entry_id": "SYNTH:2",
                    "list_name": "SYNTH",
                    "list_version": "2026-11-01",
                    "primary_name": "B",
                },
                {
                    "entry_id": "SYNTH:2",
                    "list_name": "SYNTH",
                    "list_version": "2026-11-20",
                    "primary_name": "B2",
                    "crypto_addresses": [
                        {"chain": "XBT", "address": "BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4"}
                    ],
                },
            ],
            "wl-1",
        ),
    )

    run_ingest(
        spark, lakehouse, AppConfig.model_validate({"ingest": {"redact_raw": True}}), D, "run-ref"
    )

    cust = {r["customer_id"]: r for r in lakehouse.read(silver.CUSTOMERS).collect()}
    assert (cust["C1"]["full_name"], cust["C1"]["nationality"], cust["C1"]["updated_at"]) == (
        "New Name",
        "FR",
        datetime(2026, 11, 27, 8, 0),
    )
    assert cust["C2"]["full_name"] == "Name C2"  # an older update does not win
    assert (
        cust["C1"]["record_hash"] != cust["C3"]["record_hash"]
        and len(cust["C1"]["record_hash"]) == 64
    )
    assert "C4" not in cust
    assert _recon(lakehouse, D)[("customers", "cust-2")] == (3, 0, 1, 1, 1, True)

    ids = sorted(
        (r["customer_id"], r["id_type"], r["id_value"])
        for r in lakehouse.read(silver.IDENTIFIERS).collect()
    )
    assert ids == [
        ("C1", "email", "jane.doe@example.com"),
        ("C1", "phone", "+442079460958"),
        ("C1", "withdrawal_address", ETH_A.lower()),
        ("C2", "email", "jane.doe@example.com"),
    ]
    q = {r["record_key"]: r for r in lakehouse.read(ops.QUARANTINE).collect()}
    assert q["C2|withdrawal_address|0xnothex"]["reasons"] == ["MALFORMED_ADDRESS"]
    assert q["C4"]["reasons"] == ["BAD_TYPE:dob"]
    assert "Bad Dob" not in q["C4"]["raw"] and '"customer_id":"C4"' in q["C4"]["raw"]

    wl = lakehouse.read(silver.WATCHLIST).collect()
    assert [(r["entry_id"], r["primary_name"], r["list_version"]) for r in wl] == [
        ("SYNTH:2", "B2", "2026-11-20")
    ]
    assert [tuple(a) for a in wl[0]["crypto_addresses"]] == [
        ("BTC", "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4")
    ]
    assert _recon(lakehouse, D)[("watchlists", "wl-1")] == (3, 1, 0, 2, 0, True)


def test_missing_required_bronze_column_stops_the_job_naming_table_and_column(spark, lakehouse):
    df = frame(spark, bronze.TRADES, [{"trade_id": "T1"}]).drop("quote_amount")
    df.write.format("delta").save(lakehouse.path(bronze.TRADES))
    with pytest.raises(
        SchemaDriftError, match="bronze.trades: required column\\(s\\) missing: quote_amount"
    ):
        run_ingest(spark, lakehouse, AppConfig(), D, "run-drift")


def test_a_night_commits_once_to_each_table_it_changes_and_a_rerun_commits_nothing(
    spark, lakehouse
):
    seed_reference(spark, lakehouse)
    lakehouse.append(
        bronze.FIAT_LEDGER,
        frame(
            spark,
            bronze.FIAT_LEDGER,
            [
                _fiat("A1"),
                _fiat("A2", booked_at="2026-11-26T09:00:00Z"),  # late: event date D-1
                _fiat("A3", amount="-1"),  # quarantined
            ],
            "f1",
        ),
    )
    lakehouse.append(
        bronze.IDENTIFIERS,
        frame(
            spark,
            bronze.IDENTIFIERS,
            [{"customer_id": "C1", "id_type": "ip", "id_value": "1.2.3.4"}],
        ),
    )
    written = (
        "silver.fx_rates",
        "silver.customers",
        "silver.transactions",
        "silver.identifiers",
        "ops.quarantine",
        "ops.late_dates",
        "ops.dq_results",
    )
    for name, spec in REGISTRY.items():
        if spec.layer != "gold":  # created up front: every commit below is a write
            lakehouse.ensure(name)
    before = _versions(lakehouse)

    out = run_ingest(spark, lakehouse, AppConfig(), D, "run-1")

    after = _versions(lakehouse)
    commits = {n: after[n] - before[n] for n in after if after[n] != before[n]}
    assert commits == dict.fromkeys(written, 1)
    assert (out["rows_read"], out["rows_inserted"], out["rows_quarantined"], out["late_rows"]) == (
        19,
        18,
        1,
        1,
    )
    again = run_ingest(spark, lakehouse, AppConfig(), D, "run-2")
    assert again["rows_read"] == 0 and _versions(lakehouse) == after
