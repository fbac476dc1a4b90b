"""Importing each sample format writes the bronze / truth rows the generator would, field by field."""

from __future__ import annotations

import hashlib
from datetime import datetime

import pytest

from fcc.core.lakehouse import Lakehouse
from fcc.imports import import_file
from tests.unit.imports.helpers import (
    DATA,
    import_address_labels_sample,
    import_amlsim_sample,
    import_amlsim_sample_layout,
    import_amlworld_patterns,
    import_amlworld_sample,
)

EPOCH_ISO = "1970-01-01T00:00:00+00:00"


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def aw_id(line: str) -> str:
    """The content-hash transfer id the AMLworld mapping gives a CSV line."""
    return "AW" + sha("|".join(line.split(",")[:10]))[:30]


AW_LINES = (DATA / "amlworld_trans.csv").read_text().splitlines()[1:]
SELF_USD, CHEQUE, SELF_BIG, WIRE_EUR, BITCOIN, ACH_GBP = (aw_id(x) for x in AW_LINES[:6])


def rows(lh: Lakehouse, table: str, *where: str) -> list[dict]:
    df = lh.read(table)
    for w in where:
        df = df.where(w)
    return [r.asDict() for r in df.collect()]


def by(key: str, items: list[dict]) -> dict:
    return {r[key]: r for r in items}


@pytest.fixture(scope="module")
def amlworld(spark, tmp_path_factory):
    lh = Lakehouse(spark, str(tmp_path_factory.mktemp("amlworld") / "lakehouse"))
    return lh, import_amlworld_sample(spark, lh)


@pytest.fixture(scope="module")
def amlsim(spark, tmp_path_factory):
    lh = Lakehouse(spark, str(tmp_path_factory.mktemp("amlsim") / "lakehouse"))
    return lh, import_amlsim_sample(spark, lh)


# ---- AMLworld ------------------------------------------------------------------------


def test_amlworld_counts_every_row_once_written_or_quarantined(amlworld):
    _, out = amlworld
    t = out["transactions"]
    assert (t["rows_read"], t["rows_quarantined"]) == (11, 5)
    # 6 good payments: 3 internal (2 same-bank, 1 bitcoin) and 3 cross-bank = 6 ledger legs
    assert t["bronze.internal_transfers"] == 3
    assert t["bronze.fiat_ledger"] == 6
    assert out["accounts"]["bronze.customers"] == 3
    assert out["accounts"]["bronze.identifiers"] == 6


def test_amlworld_same_bank_and_bitcoin_payments_become_internal_transfers(amlworld):
    lh, _ = amlworld
    got = by("transfer_id", rows(lh, "bronze.internal_transfers"))
    assert set(got) == {SELF_USD, SELF_BIG, BITCOIN}
    assert got[SELF_USD] | {"landed_at": None} == {
        "transfer_id": SELF_USD,
        "from_customer_id": "AW-10:8000EBD30",  # bank "010" and "10" are one bank
        "to_customer_id": "AW-10:8000EBD30",
        "asset": "USD",
        "amount": "3697.34",
        "created_at": "2022-09-01T00:20:00+00:00",
        "memo": "AMLworld:Reinvestment",
        "batch_id": "aw-trans",
        "landed_at": None,
    }
    assert got[SELF_USD]["landed_at"] == datetime(2022, 9, 1, 0, 20)
    btc = got[BITCOIN]
    assert (btc["from_customer_id"], btc["to_customer_id"], btc["asset"], btc["amount"]) == (
        "AW-70:100428660",
        "AW-20:8000A1111",
        "BTC",
        "0.0105",
    )


def test_amlworld_cross_bank_payment_becomes_debit_and_credit_legs(amlworld):
    lh, _ = amlworld
    got = by("ledger_id", rows(lh, "bronze.fiat_ledger"))
    assert set(got) == {f"{i}:{s}" for i in (CHEQUE, WIRE_EUR, ACH_GBP) for s in "DC"}
    debit, credit = got[f"{WIRE_EUR}:D"], got[f"{WIRE_EUR}:C"]
    assert debit | {"landed_at": None} == {
        "ledger_id": f"{WIRE_EUR}:D",
        "customer_id": "AW-70:100428660",
        "account_id": "70:100428660",
        "booked_at": "2022-09-01T14:15:00+00:00",
        "entry_type": "DEBIT",
        "method": "SWIFT",
        "currency": "EUR",  # paid 980.50 EUR ...
        "amount": "980.50",
        "counterparty_name": None,
        "counterparty_account": sha("1:8000F5340"),
        "counterparty_bank_country": None,
        "reference": "AMLworld:Wire",
        "batch_id": "aw-trans",
        "landed_at": None,
    }
    assert (credit["customer_id"], credit["entry_type"], credit["currency"], credit["amount"]) == (
        "AW-1:8000F5340",
        "CREDIT",
        "USD",  # ... received 1000.00 USD
        "1000.00",
    )
    assert credit["counterparty_account"] == sha("70:100428660")
    assert got[f"{CHEQUE}:D"]["method"] == "ACH"  # no cheque rail: cleared like ACH


def test_amlworld_bad_rows_land_in_quarantine_with_reasons(amlworld):
    lh, _ = amlworld
    got = rows(lh, "ops.quarantine", "source = 'import:fiat'")
    assert sorted(sorted(r["reasons"]) for r in got) == sorted(
        [
            ["BAD_TYPE:timestamp"],
            ["BAD_TYPE:amount", "BAD_TYPE:amount_received"],
            ["UNMAPPED_VALUE:currency", "UNMAPPED_VALUE:currency_received"],
            [
                "MALFORMED_RECORD",
                "MISSING_FIELD:amount",
                "MISSING_FIELD:currency",
                "MISSING_FIELD:to_account",
            ],
            ["MISSING_FIELD:from_account"],
        ]
    )
    assert {r["batch_id"] for r in got} == {"aw-trans"}
    dinar = next(r for r in got if "UNMAPPED_VALUE:currency" in r["reasons"])
    assert '"Payment Currency":"Dinar"' in dinar["raw"]


def test_amlworld_accounts_seen_only_in_transactions_become_derived_customers(amlworld):
    lh, out = amlworld
    assert out["transactions"]["derived_customers"] == 4  # 6 accounts, 2 in the accounts file
    got = by("customer_id", rows(lh, "bronze.customers", "batch_id = 'aw-trans'"))
    assert set(got) == {
        "AW-3208:8000F4580",
        "AW-3209:8000F4670",
        "AW-1:8000F5340",
        "AW-20:8000A1111",
    }
    c = got["AW-1:8000F5340"]
    assert (c["segment"], c["onboarded_at"], c["updated_at"], c["full_name"]) == (
        "retail",
        "2022-09-01T00:22:00+00:00",  # first payment it takes part in
        EPOCH_ISO,  # placeholder: any real KYC record wins
        None,
    )
    ids = by("customer_id", rows(lh, "bronze.identifiers", "batch_id = 'aw-trans'"))
    assert ids["AW-1:8000F5340"]["id_type"] == "bank_account"
    assert ids["AW-1:8000F5340"]["id_value"] == sha("1:8000F5340")
    assert ids["AW-1:8000F5340"]["first_seen"] == "2022-09-01T00:22:00+00:00"


def test_amlworld_accounts_file_links_accounts_of_one_entity(amlworld):
    lh, _ = amlworld
    got = by("customer_id", rows(lh, "bronze.customers", "batch_id = 'aw-accounts'"))
    assert {k: (v["full_name"], v["segment"]) for k, v in got.items()} == {
        "AW-10:8000EBD30": ("Sole Proprietorship #50438", "merchant"),
        "AW-70:100428660": ("Sole Proprietorship #50438", "merchant"),
        "AW-12:8000F5030": ("Corporation #33520", "institutional"),
    }
    docs = rows(lh, "bronze.identifiers", "id_type = 'kyc_document'")
    shared = [r["customer_id"] for r in docs if r["id_value"] == sha("AW-ENTITY:80062E240")]
    assert sorted(shared) == ["AW-10:8000EBD30", "AW-70:100428660"]


def test_amlworld_writes_fx_rates_for_each_foreign_currency_and_day_used(amlworld):
    lh, _ = amlworld
    got = {(r["rate_date"], r["currency"]): r["usd_per_unit"] for r in rows(lh, "bronze.fx_rates")}
    assert got == {
        ("2022-09-01", "EUR"): "1.0",
        ("2022-09-02", "BTC"): "20000",
        ("2022-09-02", "GBP"): "1.15",
    }


def test_amlworld_laundering_flags_become_customer_labels_without_per_payment_instances(
    amlworld,
):
    lh, out = amlworld
    assert out["labels"]["truth.customer_labels"] == 6
    labels = {
        r["customer_id"]: (r["is_suspicious"], r["typologies"])
        for r in rows(lh, "truth.customer_labels")
    }
    assert labels == {
        "AW-10:8000EBD30": (False, []),
        "AW-3208:8000F4580": (False, []),
        "AW-3209:8000F4670": (False, []),
        "AW-1:8000F5340": (True, ["laundering"]),
        "AW-70:100428660": (True, ["laundering"]),
        "AW-20:8000A1111": (True, ["laundering"]),
    }
    # the instances (one per attempt) come from the patterns file
    assert "truth.typology_instances" not in out["labels"]
    assert not lh.exists("truth.typology_instances")


@pytest.fixture(scope="module")
def amlworld_patterns(spark, tmp_path_factory):
    lh = Lakehouse(spark, str(tmp_path_factory.mktemp("aw_patterns") / "lakehouse"))
    return lh, import_amlworld_patterns(spark, lh)


def test_amlworld_patterns_file_gives_one_instance_per_attempt_with_its_family(amlworld_patterns):
    lh, out = amlworld_patterns
    p = out["patterns"]
    # 7 rows inside or outside blocks: 5 good, the stray row and the short row quarantined
    assert (p["rows_read"], p["rows_quarantined"], p["truth.typology_instances"]) == (7, 2, 2)
    inst = by("instance_id", rows(lh, "truth.typology_instances"))
    assert {k: v["typology"] for k, v in inst.items()} == {
        "AW-ATTEMPT-1": "fan_out",
        "AW-ATTEMPT-2": "cycle",
    }
    fan = inst["AW-ATTEMPT-1"]
    # the same txn ids the transactions import gives these payments
    assert fan["txn_ids"] == sorted(
        [f"FIAT:{WIRE_EUR}:C", f"FIAT:{WIRE_EUR}:D", f"INT:{BITCOIN}:in", f"INT:{BITCOIN}:out"]
    )
    assert fan["customer_ids"] == ["AW-1:8000F5340", "AW-20:8000A1111", "AW-70:100428660"]
    assert (fan["start_ts"], fan["end_ts"]) == (
        datetime(2022, 9, 1, 14, 15),
        datetime(2022, 9, 2, 9, 5),
    )
    cycle = inst["AW-ATTEMPT-2"]
    assert cycle["customer_ids"] == ["AW-1:8000A0001", "AW-2:8000B0002", "AW-3:8000C0003"]
    assert len(cycle["txn_ids"]) == 6
    bad = rows(lh, "ops.quarantine", "batch_id = 'aw-patterns'")
    assert sorted(r["reasons"] for r in bad) == [["MALFORMED_RECORD"], ["MALFORMED_RECORD"]]
    assert sorted(r["raw"].split('"_corrupt_record":"')[1][:16] for r in bad) == [
        "2022/09/02 08:00",
        "2022/09/05 12:00",
    ]


def test_amlworld_patterns_family_replaces_the_laundering_tag_of_its_accounts(amlworld_patterns):
    lh, _ = amlworld_patterns
    labels = {
        r["customer_id"]: (r["is_suspicious"], r["typologies"])
        for r in rows(lh, "truth.customer_labels")
    }
    assert labels["AW-70:100428660"] == (True, ["fan_out"])
    assert labels["AW-2:8000B0002"] == (True, ["cycle"])
    assert labels["AW-10:8000EBD30"] == (False, [])


# ---- AMLSim --------------------------------------------------------------------------


def test_amlsim_transactions_are_internal_transfers_between_account_customers(amlsim):
    lh, out = amlsim
    t = out["transactions"]
    assert (t["rows_read"], t["rows_quarantined"], t["bronze.internal_transfers"]) == (5, 1, 4)
    assert t["bronze.fiat_ledger"] == 0
    got = by("transfer_id", rows(lh, "bronze.internal_transfers"))
    assert (got["SIM-3"]["from_customer_id"], got["SIM-3"]["to_customer_id"]) == ("SIM-3", "SIM-1")
    assert (got["SIM-3"]["amount"], got["SIM-3"]["created_at"], got["SIM-3"]["memo"]) == (
        "9400.0",
        "2017-01-03T06:30:00+00:00",
        "TRANSFER",
    )
    derived = rows(lh, "bronze.customers", "batch_id = 'sim-trans'")
    assert [r["customer_id"] for r in derived] == ["SIM-4"]  # not in accounts.csv
    accounts = by("customer_id", rows(lh, "bronze.customers", "batch_id = 'sim-accounts'"))
    assert (accounts["SIM-2"]["onboarded_at"], accounts["SIM-3"]["segment"]) == (
        "2017-01-11T00:00:00+00:00",  # open_dt 10 = ten days after the simulation start
        "merchant",
    )
    bad = rows(lh, "ops.quarantine", "source = 'import:internal'")
    assert [(r["record_key"], r["reasons"]) for r in bad] == [("SIM-5", ["BAD_TYPE:amount"])]


def test_amlsim_alert_id_groups_sar_transactions_into_one_instance(amlsim):
    lh, _ = amlsim
    inst = rows(lh, "truth.typology_instances")
    assert len(inst) == 1
    i = inst[0]
    assert (i["instance_id"], i["typology"], i["customer_ids"]) == (
        "SIM-ALERT-7",
        "sar",
        ["SIM-1", "SIM-2", "SIM-3"],
    )
    assert i["txn_ids"] == ["INT:SIM-2:in", "INT:SIM-2:out", "INT:SIM-3:in", "INT:SIM-3:out"]
    assert (i["start_ts"], i["end_ts"]) == (datetime(2017, 1, 2), datetime(2017, 1, 3, 6, 30))
    labels = {r["customer_id"]: r["is_suspicious"] for r in rows(lh, "truth.customer_labels")}
    assert labels == {"SIM-1": True, "SIM-2": True, "SIM-3": True, "SIM-4": False}


def amlsim_sample_id(line: str) -> str:
    """The content-hash transfer id the AMLSim sample mapping gives a CSV line."""
    return "SIMS" + sha("|".join(line.split(",")))[:30]


@pytest.fixture(scope="module")
def amlsim_layout(spark, tmp_path_factory):
    lh = Lakehouse(spark, str(tmp_path_factory.mktemp("amlsim_layout") / "lakehouse"))
    return lh, import_amlsim_sample_layout(spark, lh)


def test_amlsim_sample_layout_turns_integer_steps_into_days_after_the_start(amlsim_layout):
    lh, out = amlsim_layout
    t = out["transactions"]
    assert (t["rows_read"], t["rows_quarantined"], t["bronze.internal_transfers"]) == (5, 1, 4)
    got = by("transfer_id", rows(lh, "bronze.internal_transfers"))
    lines = (DATA / "amlsim_sample_transactions.csv").read_text().splitlines()[1:]
    assert {
        (r["from_customer_id"], r["to_customer_id"], r["amount"], r["created_at"], r["asset"])
        for k, r in got.items()
    } == {
        ("SIM-0", "SIM-3", "12.5", "2017-01-01T00:00:00+00:00", "USD"),  # step 0 = the start
        ("SIM-1", "SIM-2", "450.25", "2017-01-04T00:00:00+00:00", "USD"),  # step 3
        ("SIM-2", "SIM-1", "440.0", "2017-01-05T00:00:00+00:00", "USD"),
        ("SIM-3", "SIM-9", "7.0", "2017-01-11T00:00:00+00:00", "USD"),
    }
    assert set(got) == {amlsim_sample_id(x) for x in lines[:4]}
    bad = rows(lh, "ops.quarantine", "batch_id = 'sims-trans'")
    assert [r["reasons"] for r in bad] == [["BAD_TYPE:timestamp"]]  # step "x"
    derived = rows(lh, "bronze.customers", "batch_id = 'sims-trans'")
    assert [r["customer_id"] for r in derived] == ["SIM-9"]  # not in nodes.csv


def test_amlsim_sample_nodes_give_customers_and_per_account_labels(amlsim_layout):
    lh, out = amlsim_layout
    assert out["nodes"]["bronze.customers"] == 5
    nodes = by("customer_id", rows(lh, "bronze.customers", "batch_id = 'sims-nodes'"))
    assert (nodes["SIM-1"]["segment"], nodes["SIM-1"]["onboarded_at"]) == (
        "retail",
        "2017-01-01T00:00:00+00:00",
    )
    lab = out["labels"]
    assert (lab["rows_read"], lab["rows_quarantined"], lab["truth.customer_labels"]) == (5, 1, 4)
    labels = {
        r["customer_id"]: (r["is_suspicious"], r["typologies"])
        for r in rows(lh, "truth.customer_labels")
    }
    assert labels == {
        "SIM-0": (False, []),
        "SIM-1": (True, ["laundering"]),
        "SIM-2": (True, ["laundering"]),
        "SIM-3": (False, []),
    }
    bad = rows(lh, "ops.quarantine", "batch_id = 'sims-labels'")
    assert [r["reasons"] for r in bad] == [["BAD_TYPE:is_suspicious"]]  # isFraud "maybe"


# ---- vendor address labels, own JSON and Parquet exports ------------------------------


def test_address_labels_normalise_vendor_categories_and_chains(spark, lakehouse):
    out = import_address_labels_sample(spark, lakehouse)
    again = import_address_labels_sample(spark, lakehouse)  # same batch id: replaced, not added
    assert (out["rows_read"], out["rows_quarantined"], out["bronze.address_intel"]) == (4, 2, 2)
    assert again["bronze.address_intel"] == 2
    got = by("chain", rows(lakehouse, "bronze.address_intel"))
    assert len(got) == 2
    assert (got["BTC"]["category"], got["BTC"]["confidence"], got["BTC"]["source"]) == (
        "sanctioned",
        0.99,
        "VendorX",
    )
    assert got["ETH"]["category"] == "mixer"
    bad = rows(lakehouse, "ops.quarantine")
    assert sorted(r["reasons"][0] for r in bad) == ["BAD_TYPE:confidence", "MISSING_FIELD:address"]


def test_json_customer_export_parses_dates_zones_and_flags(spark, lakehouse):
    out = import_file(
        spark,
        lakehouse,
        "customers",
        str(DATA / "own_customers.jsonl"),
        "json",
        str(DATA / "own_customers.yaml"),
        batch_id="kyc-1",
    )
    assert (out["rows_read"], out["rows_quarantined"], out["bronze.customers"]) == (3, 2, 1)
    c = rows(lakehouse, "bronze.customers")[0]
    assert (c["customer_id"], c["dob"], c["nationality"], c["is_pep"], c["segment"]) == (
        "C-1",
        "1990-02-03",
        "BR",
        True,
        "retail",
    )
    assert c["onboarded_at"] == "2021-05-01T12:30:00+00:00"  # 09:30 in Sao Paulo (UTC-3)
    assert c["updated_at"] == "2022-01-01T08:00:00+00:00"  # offset in the value wins
    bad = {r["record_key"]: r["reasons"] for r in rows(lakehouse, "ops.quarantine")}
    assert bad["C-3"] == ["BAD_TYPE:is_pep"]
    assert [v for k, v in bad.items() if k != "C-3"] == [
        ["MALFORMED_RECORD", "MISSING_FIELD:customer_id"]
    ]


def test_parquet_ledger_with_typed_columns_derives_customers_from_accounts(
    spark, lakehouse, tmp_path
):
    path = str(tmp_path / "ledger.parquet")
    spark.createDataFrame(
        [
            (1, "K1", "DE01", datetime(2026, 3, 1, 8, 0), "C", "sepa", "eur", 1250.5, "FR99"),
            (2, "K1", "DE02", datetime(2026, 3, 2, 9, 0), "D", "Wire", "usd", 10.0, "GB11"),
            (3, "K2", "DE03", datetime(2026, 3, 2, 9, 0), "X", "Wire", "usd", 5.0, "GB11"),
        ],
        "entry_no long, client string, iban string, booked timestamp, dc string, channel string, "
        "ccy string, amount double, other_iban string",
    ).write.parquet(path)
    out = import_file(spark, lakehouse, "fiat", path, None, str(DATA / "own_fiat.yaml"), "ledger-1")
    assert (out["rows_read"], out["rows_quarantined"], out["bronze.fiat_ledger"]) == (3, 1, 2)
    got = by("ledger_id", rows(lakehouse, "bronze.fiat_ledger"))
    assert got["L1"] | {"landed_at": None} == {
        "ledger_id": "L1",
        "customer_id": "K1",
        "account_id": "DE01",
        "booked_at": "2026-03-01T08:00:00+00:00",
        "entry_type": "CREDIT",
        "method": "SEPA",
        "currency": "EUR",
        "amount": "1250.5",
        "counterparty_name": None,
        "counterparty_account": sha("FR99"),
        "counterparty_bank_country": None,
        "reference": None,
        "batch_id": "ledger-1",
        "landed_at": None,
    }
    assert got["L2"]["amount"] == "10"
    assert [r["customer_id"] for r in rows(lakehouse, "bronze.customers")] == ["K1"]
    ids = sorted(r["id_value"] for r in rows(lakehouse, "bronze.identifiers"))
    assert ids == sorted([sha("DE01"), sha("DE02")])  # one customer, two accounts
    bad = rows(lakehouse, "ops.quarantine")
    assert [(r["record_key"], r["reasons"]) for r in bad] == [("L3", ["UNMAPPED_VALUE:entry_type"])]


def test_customer_level_outcomes_become_labels_and_never_downgrade(spark, lakehouse, tmp_path):
    mapping = tmp_path / "outcomes.yaml"
    mapping.write_text(
        "kinds: [labels]\n"
        "fields:\n"
        "  customer_id: cust\n"
        "  is_suspicious: {column: outcome, values: {SAR: 'true', cleared: 'false'}}\n"
        "  typologies: tags\n"
    )
    first = tmp_path / "q1.csv"
    first.write_text("cust,outcome,tags\nC1,SAR,structuring|fan_in\nC2,cleared,\nC3,unknown,\n")
    out = import_file(spark, lakehouse, "labels", str(first), None, str(mapping), "q1")
    assert (out["rows_read"], out["rows_quarantined"], out["truth.customer_labels"]) == (3, 1, 2)
    second = tmp_path / "q2.csv"
    second.write_text("cust,outcome,tags\nC1,cleared,\nC2,SAR,mule\n")
    import_file(spark, lakehouse, "labels", str(second), None, str(mapping), "q2")
    got = {
        r["customer_id"]: (r["is_suspicious"], r["typologies"])
        for r in rows(lakehouse, "truth.customer_labels")
    }
    assert got == {"C1": (True, ["fan_in", "structuring"]), "C2": (True, ["mule"])}
    bad = rows(lakehouse, "ops.quarantine")
    assert [(r["record_key"], r["reasons"]) for r in bad] == [
        ("C3", ["UNMAPPED_VALUE:is_suspicious"])
    ]
