"""Rows early for tonight wait for their own night: an imported history replayed night by night.

The AMLworld mapping lands every row at its own event time (`landed_at: event`), so the rows of
the next morning up to the landing cutoff (06:00) are visible to tonight's run while their
event time is after tonight's future cutoff (00:15). They are deferred, never quarantined.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

from pyspark.sql import functions as F

from fcc.core.settings import AppConfig
from fcc.core.tables import bronze, ops, silver
from fcc.imports import import_file
from fcc.ingest import run_ingest
from tests.unit.imports.helpers import MAPPINGS

from ._bronze import PREV, D, at, fiat_row, frame, seed_reference

HEADER = (
    "Timestamp,From Bank,Account,To Bank,Account,Amount Received,Receiving Currency,"
    "Amount Paid,Payment Currency,Payment Format,Is Laundering"
)


def _wire(ts: str, amount: str = "100.00", frm: str = "010,A1", to: str = "020,B1") -> str:
    return f"{ts},{frm},{to},{amount},US Dollar,{amount},US Dollar,Wire,0"


# (line, night that must read it). Cross-bank wires become two fiat_ledger rows (debit and
# credit); a same-bank payment one internal transfer.
LINES = [
    (_wire("2022/09/01 10:00"), date(2022, 9, 1)),
    (_wire("2022/09/02 00:10", "101.00"), date(2022, 9, 1)),  # inside the 15-minute tolerance
    (_wire("2022/09/02 00:20", "102.00"), date(2022, 9, 2)),  # early for 09-01: deferred
    (_wire("2022/09/02 05:59", "103.00"), date(2022, 9, 2)),  # early for 09-01: deferred
    (_wire("2022/09/02 06:00", "104.00"), date(2022, 9, 2)),  # lands at 09-01's cutoff
    (_wire("2022/09/02 23:59", "105.00", "010,A1", "010,A2"), date(2022, 9, 2)),  # internal
    (_wire("2022/09/03 03:00", "106.00", "030,C1", "020,B1"), date(2022, 9, 3)),  # new account
    (_wire("2022/09/03 04:00", "-5.00"), date(2022, 9, 3)),  # deferred, then NON_POSITIVE_AMOUNT
    (_wire("2022/09/04 01:00", "107.00"), date(2022, 9, 4)),
]
NIGHTS = [date(2022, 9, 1) + timedelta(days=i) for i in range(4)]


def _import(spark, lakehouse, tmp_path):
    path = tmp_path / "trans.csv"
    path.write_text("\n".join([HEADER, *(line for line, _ in LINES)]) + "\n", encoding="utf-8")
    mapping = str(MAPPINGS / "amlworld_transactions.yaml")
    return import_file(spark, lakehouse, "fiat", str(path), None, mapping, batch_id="aw")


def _bronze_keys(lakehouse) -> set[str]:
    """Every bronze row as the key it has in silver or ops.quarantine."""
    fiat = {f"fiat_ledger|{r.ledger_id}" for r in lakehouse.read(bronze.FIAT_LEDGER).collect()}
    internal = {
        f"internal_transfers|{r.transfer_id}"
        for r in lakehouse.read(bronze.INTERNAL_TRANSFERS).collect()
    }
    ids = {
        f"identifiers|{r.customer_id}|{r.id_type}|{r.id_value}"
        for r in lakehouse.read(bronze.IDENTIFIERS).collect()
    }
    customers = {f"customers|{r.customer_id}" for r in lakehouse.read(bronze.CUSTOMERS).collect()}
    return fiat | internal | ids | customers


def _silver_keys(lakehouse) -> list[str]:
    out = []
    for r in lakehouse.read(silver.TRANSACTIONS).select("source", "txn_id").collect():
        if r.source == "fiat_ledger":
            out.append(f"fiat_ledger|{r.txn_id.removeprefix('FIAT:')}")
        elif r.txn_id.endswith(":out"):  # one internal transfer = two legs
            out.append(f"internal_transfers|{r.txn_id.removeprefix('INT:')[: -len(':out')]}")
    out += [
        f"identifiers|{r.customer_id}|{r.id_type}|{r.id_value}"
        for r in lakehouse.read(silver.IDENTIFIERS).collect()
    ]
    out += [f"customers|{r.customer_id}" for r in lakehouse.read(silver.CUSTOMERS).collect()]
    return out


def test_imported_history_replayed_night_by_night_loses_no_row_and_quarantines_only_bad_ones(
    spark, lakehouse, tmp_path
):
    _import(spark, lakehouse, tmp_path)
    outs = {
        night: run_ingest(spark, lakehouse, AppConfig(), night, f"run-{night}") for night in NIGHTS
    }

    # each night reads exactly the rows whose window covers them (two ledger rows per wire)
    events = {r.ledger_id: r.booked_at for r in lakehouse.read(bronze.FIAT_LEDGER).collect()}
    assert len(events) == 2 * (len(LINES) - 1)
    by_night = Counter(night for line, night in LINES if ",010,A2," not in line)
    for night in NIGHTS:
        assert outs[night]["fiat_ledger.read"] == 2 * by_night[night], night
    assert outs[date(2022, 9, 2)]["internal_transfers.read"] == 1
    # 09-01 defers the wires of 00:20 and 05:59 (4 ledger rows), 09-02 the two wires of
    # 03:00 and 04:00 (4 rows) and the identifier of account 030:C1 first seen at 03:00
    assert [outs[n]["rows_deferred"] for n in NIGHTS] == [4, 5, 2, 0]
    assert outs[date(2022, 9, 3)]["identifiers.read"] == 1

    # every bronze row is in silver or quarantine, exactly once
    stored = _silver_keys(lakehouse)
    quarantined = [f"{r.source}|{r.record_key}" for r in lakehouse.read(ops.QUARANTINE).collect()]
    assert len(stored) == len(set(stored)) and len(quarantined) == len(set(quarantined))
    assert not set(stored) & set(quarantined)
    assert set(stored) | set(quarantined) == _bronze_keys(lakehouse)
    reasons = {
        (r.record_key, r.as_of, tuple(r.reasons)) for r in lakehouse.read(ops.QUARANTINE).collect()
    }
    negative = {lid for lid, ts in events.items() if ts.startswith("2022-09-03T04:00")}
    assert len(negative) == 2
    assert reasons == {(lid, date(2022, 9, 3), ("NON_POSITIVE_AMOUNT",)) for lid in negative}

    # rerunning a night (or all of them) reads nothing more and writes nothing
    versions = {t: lakehouse.version(t) for t in ("silver.transactions", "ops.quarantine")}
    for night in NIGHTS:
        again = run_ingest(spark, lakehouse, AppConfig(), night, f"rerun-{night}")
        assert again["rows_read"] == 0, night
    assert {t: lakehouse.version(t) for t in versions} == versions


def test_event_after_its_own_landing_is_quarantined_but_an_early_row_is_deferred(spark, lakehouse):
    seed_reference(spark, lakehouse)
    rows = [
        # landed at its event time, 03:00 the next morning: early for PREV, D's row
        ({**fiat_row("EARLY", "2026-11-27T03:00:00Z")}, at(D, 3)),
        # landed at 01:00 but claims an event at 05:00: impossible, whatever the night
        ({**fiat_row("CLOCK", "2026-11-27T05:00:00Z")}, at(D, 1)),
        # landed the day before, event years ahead
        ({**fiat_row("FAR", "2999-01-01T00:00:00Z")}, at(PREV)),
    ]
    for i, (row, landed) in enumerate(rows):
        lakehouse.append(
            bronze.FIAT_LEDGER, frame(spark, bronze.FIAT_LEDGER, [row], f"f{i}", landed)
        )

    prev = run_ingest(spark, lakehouse, AppConfig(), PREV, "run-prev")
    quarantine = {
        (r.record_key, r.as_of, tuple(r.reasons)) for r in lakehouse.read(ops.QUARANTINE).collect()
    }
    assert quarantine == {
        ("CLOCK", PREV, ("FUTURE_TIMESTAMP",)),
        ("FAR", PREV, ("FUTURE_TIMESTAMP",)),
    }
    assert (prev["fiat_ledger.read"], prev["rows_deferred"]) == (2, 1)

    out = run_ingest(spark, lakehouse, AppConfig(), D, "run-d")
    assert (out["fiat_ledger.read"], out["fiat_ledger.inserted"], out["rows_deferred"]) == (1, 1, 0)
    txns = [(r.txn_id, r.event_date) for r in lakehouse.read(silver.TRANSACTIONS).collect()]
    assert txns == [("FIAT:EARLY", D)]
    assert lakehouse.read(ops.QUARANTINE).where(F.col("record_key") == "EARLY").count() == 0
