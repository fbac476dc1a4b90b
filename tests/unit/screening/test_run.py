"""run_screening on tiny silver tables over three nights: hits, address case rules per chain,
false-positive memory, delta re-screening and delisting."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from fcc.core.settings import AppConfig
from fcc.core.tables import silver
from fcc.core.tables.extra_screening import SCREENING_RUNS, WATCHLIST_NAME_ANALYSIS
from fcc.screening import record_decision, run_screening
from fcc.screening._match import key_params
from fcc.screening._names import analysis_fingerprint

ETH_LISTED = "0x8589427373D6D84E98730D7795D8f6f8731FDA16"
TRON_LISTED = "TBATDh41qMQ1yeVYecneEvhpfayYmkAQWS"
BTC_LISTED = "bc1qa5wkgaew2dkv56kfvj49j0av5nml45x9ek9hz6"


def _rows(spec, rows):
    names = spec.schema.fieldNames()
    return [tuple(r.get(n) for n in names) for r in rows]


def _customer(cid, full, given, family, dob=None, nat=None, h=None, segment="retail"):
    return {
        "customer_id": cid,
        "full_name": full,
        "given_name": given,
        "family_name": family,
        "dob": date.fromisoformat(dob) if dob else None,
        "nationality": nat,
        "residence_country": nat,
        "segment": segment,
        "record_hash": h or f"{cid}-v1",
    }


def _entry(eid, version, etype, name, dobs=(), nats=(), addresses=()):
    return {
        "entry_id": eid,
        "list_name": "OFAC-SDN",
        "list_version": version,
        "entity_type": etype,
        "primary_name": name,
        "names": [{"name": name, "name_type": "primary", "quality": "strong", "script": None}],
        "dobs": list(dobs),
        "nationalities": list(nats),
        "countries": list(nats),
        "programs": ["TEST"],
        "crypto_addresses": [{"chain": c, "address": a} for c, a in addresses],
        "remarks": None,
        "loaded_at": datetime(2025, 1, 1),
    }


def _write(spark, lakehouse, spec, rows):
    lakehouse.overwrite(spec, spark.createDataFrame(_rows(spec, rows), spec.schema))


def _txn(tid, cid, chain, address):
    return {
        "txn_id": tid,
        "source": "onchain_transfers",
        "rail": "onchain",
        "event_ts": datetime(2025, 1, 1, 12),
        "event_date": date(2025, 1, 1),
        "customer_id": cid,
        "direction": "out",
        "asset": "USDT",
        "asset_class": "stablecoin",
        "amount": Decimal(1),
        "amount_usd": Decimal(1),
        "counterparty_type": "address",
        "counterparty_id": address,
        "chain": chain,
    }


def _hits(lakehouse, as_of):
    df = lakehouse.read("gold.screening_hits").where(f"as_of = DATE'{as_of}'")
    return {(r.customer_id, r.entry_id, r.match_type): r for r in df.collect()}


def _status(hits):
    return {k: r.status for k, r in hits.items()}


def test_three_nights_of_screening(spark, lakehouse):
    cfg = AppConfig()
    e1 = _entry(
        "OFAC-SDN:1", "v1", "person", "Vladimir Vladimirovich PUTIN", ["1952-10-07"], ["RU"]
    )
    e2 = _entry("OFAC-SDN:2", "v1", "person", "John SMITH", ["1961-05-05"])
    e3 = _entry(
        "OFAC-SDN:3",
        "v1",
        "entity",
        "GARANTEX EUROPE OU",
        addresses=[("ETH", ETH_LISTED), ("TRON", TRON_LISTED), ("BTC", BTC_LISTED)],
    )
    e4 = _entry("OFAC-SDN:4", "v1", "person", "Ivan PETROV")
    customers = [
        _customer("c1", "Владимир Путин", "Владимир", "Путин", "1952-10-07", "RU"),
        _customer("c2", "John Smith", "John", "Smith", "1990-01-01", "US"),
        _customer("c3", "Maria Garcia", "Maria", "Garcia", "1985-03-03", "ES"),
        _customer("c4", "Anna Schmidt", "Anna", "Schmidt", "1979-02-02", "DE"),
        _customer("c5", "Peter Novak", "Peter", "Novak", "1981-04-04", "CZ"),
        _customer("c6", "Ivan Petrov", "Ivan", "Petrov"),
    ]
    _write(spark, lakehouse, silver.WATCHLIST, [e1, e2, e3, e4])
    _write(spark, lakehouse, silver.CUSTOMERS, customers)
    _write(
        spark,
        lakehouse,
        silver.IDENTIFIERS,
        [
            # EVM: case-insensitive, the lower-cased form matches the checksummed listing
            {"customer_id": "c4", "id_type": "withdrawal_address", "id_value": ETH_LISTED.lower()},
        ],
    )
    _write(
        spark,
        lakehouse,
        silver.TRANSACTIONS,
        [
            # base58 (TRON): case-sensitive, a case variant is another address
            _txn("CHAIN:1", "c5", "TRON", TRON_LISTED.swapcase()),
            # bech32: one-case format, the upper-case form is the same address
            _txn("CHAIN:2", "c5", "BTC", BTC_LISTED.upper()),
        ],
    )

    # night 1: first run screens everyone
    d1 = run_screening(spark, lakehouse, cfg, date(2025, 1, 1), "r1")
    hits = _hits(lakehouse, "2025-01-01")
    assert _status(hits) == {
        ("c1", "OFAC-SDN:1", "name"): "open",
        ("c4", "OFAC-SDN:3", "address"): "open",
        ("c5", "OFAC-SDN:3", "address"): "open",
        ("c6", "OFAC-SDN:4", "name"): "open",
    }
    assert d1["full_rescreen"] == 1 and d1["customers_screened"] == 6
    # the four list names are analysed once and stored under the analysis fingerprint
    assert d1["list_names_analysed"] == 4
    stored = lakehouse.read(WATCHLIST_NAME_ANALYSIS).collect()
    assert sorted(r.list_subject for r in stored) == [
        "GARANTEX EUROPE OU",
        "Ivan PETROV",
        "John SMITH",
        "Vladimir Vladimirovich PUTIN",
    ]
    assert {r.analysis for r in stored} == {analysis_fingerprint(key_params(cfg.screening))}
    # Cyrillic partial name (patronymic missing): 2 / (2 + 0.2) = 0.9091, exact DOB +0.05,
    # nationality listed +0.03
    assert hits[("c1", "OFAC-SDN:1", "name")].score == round(0.9091 + 0.05 + 0.03, 4)
    assert hits[("c1", "OFAC-SDN:1", "name")].dob_score == 1.0
    # the exact-name John Smith with a contradicting DOB: 1.0 - 0.2 = 0.8 < 0.88 -> no hit
    assert ("c2", "OFAC-SDN:2", "name") not in hits

    record_decision(lakehouse, "c6", "OFAC-SDN:4", "false_positive", "analyst-1", "other person")

    # night 2: same list version -> only the changed customer c3 is screened
    customers[2] = _customer("c3", "Vladimir Putin", "Vladimir", "Putin", None, None, "c3-v2")
    _write(spark, lakehouse, silver.CUSTOMERS, customers)
    d2 = run_screening(spark, lakehouse, cfg, date(2025, 1, 2), "r2")
    assert d2["full_rescreen"] == 0 and d2["customers_screened"] == 1
    assert d2["list_names_analysed"] == 0
    assert _status(_hits(lakehouse, "2025-01-02")) == {
        ("c1", "OFAC-SDN:1", "name"): "open",  # carried forward
        ("c3", "OFAC-SDN:1", "name"): "open",  # new
        ("c4", "OFAC-SDN:3", "address"): "open",
        ("c5", "OFAC-SDN:3", "address"): "open",
        ("c6", "OFAC-SDN:4", "name"): "suppressed_fp",  # remembered false positive
    }

    # night 3: a new list version without entry 1 -> everyone re-screened, entry-1 hits closed;
    # c6's record changed, so its false-positive decision no longer applies
    _write(spark, lakehouse, silver.WATCHLIST, [{**e, "list_version": "v2"} for e in (e2, e3, e4)])
    customers[5] = _customer("c6", "Ivan Petrov", "Ivan", "Petrov", "1970-01-01", None, "c6-v2")
    _write(spark, lakehouse, silver.CUSTOMERS, customers)
    d3 = run_screening(spark, lakehouse, cfg, date(2025, 1, 3), "r3")
    assert d3["full_rescreen"] == 1 and d3["customers_screened"] == 6
    assert d3["list_names_analysed"] == 0  # a new list version, the same names
    assert lakehouse.read(WATCHLIST_NAME_ANALYSIS).count() == 4
    assert _status(_hits(lakehouse, "2025-01-03")) == {
        ("c1", "OFAC-SDN:1", "name"): "closed_delisted",
        ("c3", "OFAC-SDN:1", "name"): "closed_delisted",
        ("c4", "OFAC-SDN:3", "address"): "open",
        ("c5", "OFAC-SDN:3", "address"): "open",
        ("c6", "OFAC-SDN:4", "name"): "open",
    }
    runs = {r.as_of.isoformat(): r.mode for r in lakehouse.read(SCREENING_RUNS).collect()}
    assert runs == {"2025-01-01": "full", "2025-01-02": "delta", "2025-01-03": "full"}


def test_company_segment_customer_is_screened_as_a_person_when_kyc_gives_a_dob(spark, lakehouse):
    """A sole trader (merchant with a DOB) is a natural person; a merchant without one an entity."""
    listed = _entry("OFAC-SDN:7", "v1", "person", "Andreas Ute HOFFMANN", ["1991-11-04"], ["DE"])
    company = _entry("OFAC-SDN:8", "v1", "entity", "GARANTEX EUROPE OU")
    customers = [
        # reordered listed name, exact DOB: 1.0 + 0.05 (DOB) + 0.03 (nationality) -> clipped 1.0
        _customer(
            "m1",
            "Hoffmann Andreas Ute",
            "Hoffmann",
            "Andreas Ute",
            "1991-11-04",
            "DE",
            segment="merchant",
        ),
        # the listed person's name on a company record (no DOB): 1.0 - 0.3 type mismatch = 0.7
        _customer("m2", "Andreas Ute Hoffmann", "Andreas Ute", "Hoffmann", segment="merchant"),
        # a namesake of the same nationality born 21 years apart: 1.0 - 0.2 (DOB contradicts)
        # + 0.03 (nationality listed) = 0.83 < 0.88 -> no hit
        _customer("r1", "Andreas Ute Hoffmann", "Andreas Ute", "Hoffmann", "1970-01-01", "DE"),
        # a company record matching the listed company
        _customer("m3", "Garantex Europe OU", None, None, segment="institutional"),
    ]
    _write(spark, lakehouse, silver.WATCHLIST, [listed, company])
    _write(spark, lakehouse, silver.CUSTOMERS, customers)
    _write(spark, lakehouse, silver.IDENTIFIERS, [])
    _write(spark, lakehouse, silver.TRANSACTIONS, [])
    run_screening(spark, lakehouse, AppConfig(), date(2025, 1, 1), "r1")
    hits = _hits(lakehouse, "2025-01-01")
    assert set(hits) == {("m1", "OFAC-SDN:7", "name"), ("m3", "OFAC-SDN:8", "name")}
    assert hits[("m1", "OFAC-SDN:7", "name")].score == 1.0
    assert hits[("m1", "OFAC-SDN:7", "name")].dob_score == 1.0


def test_unscreenable_names_are_error_rows_and_year_only_dobs_compare_at_the_year(spark, lakehouse):
    cfg = AppConfig()
    putin = _entry(
        "OFAC-SDN:1", "v1", "person", "Vladimir Vladimirovich PUTIN", ["1952-10-07"], ["RU"]
    )
    year_only = {**_customer("c1", "Vladimir Putin", "Vladimir", "Putin", nat="RU")}
    year_only["dob_partial"], year_only["dob_precision"] = "1952", "year"
    other_year = {**_customer("c2", "Vladimir Putin", "Vladimir", "Putin", nat="RU")}
    other_year["dob_partial"], other_year["dob_precision"] = "1970", "year"
    tifinagh = _customer("c3", "ⵜⴰⵎⴰⵣⵉⵖⵜ", None, None, "1980-01-01")
    _write(spark, lakehouse, silver.WATCHLIST, [putin])
    _write(spark, lakehouse, silver.CUSTOMERS, [year_only, other_year, tifinagh])
    for spec in (silver.IDENTIFIERS, silver.TRANSACTIONS):
        _write(spark, lakehouse, spec, [])

    out = run_screening(spark, lakehouse, cfg, date(2025, 1, 1), "r1")
    hits = _hits(lakehouse, "2025-01-01")
    assert _status(hits) == {
        ("c1", "OFAC-SDN:1", "name"): "open",
        ("c3", "", "name"): "error",
    }
    # the year agrees: 0.5 (same year), not 1.0 for an invented 1 January; the 1970 customer
    # contradicts and stays below the threshold
    assert hits[("c1", "OFAC-SDN:1", "name")].dob_score == 0.5
    # 2 / 2.2 name + 0.5 x 0.05 year + 0.03 nationality
    assert hits[("c1", "OFAC-SDN:1", "name")].score == pytest.approx(0.9641, abs=1e-4)
    error = hits[("c3", "", "name")]
    assert error.subject == "ⵜⴰⵎⴰⵣⵉⵖⵜ"
    assert '"reason":"NAME_NOT_TRANSLITERATED"' in error.components
    assert out["name_errors"] == 1


def test_stored_list_name_analysis_is_used_under_its_fingerprint_only(spark, lakehouse):
    cfg = AppConfig()
    fingerprint = analysis_fingerprint(key_params(cfg.screening))
    _write(spark, lakehouse, silver.WATCHLIST, [_entry("L:1", "v1", "person", "Ivan PETROV")])
    _write(spark, lakehouse, silver.CUSTOMERS, [_customer("c1", "Ivan Petrov", "Ivan", "Petrov")])
    # a stored analysis of the list name that shares no key with the customer: under another
    # fingerprint it is ignored (the name is analysed again and hits); under the current one
    # it is used as stored (no key shared: no candidate pair, no hit)
    other = {
        "analysis": "another-code",
        "list_subject": "Ivan PETROV",
        "entity_type": "person",
        "readings": [{"tokens": ["zz"], "symbols": [""]}],
        "keys": ["nothing-shared"],
        "analysed_at": datetime(2025, 1, 1),
    }
    _write(spark, lakehouse, WATCHLIST_NAME_ANALYSIS, [other])
    first = run_screening(spark, lakehouse, cfg, date(2025, 1, 1), "r1")
    assert first["list_names_analysed"] == 1 and first["hits_open"] == 1
    _write(spark, lakehouse, WATCHLIST_NAME_ANALYSIS, [{**other, "analysis": fingerprint}])
    # a new list version forces a full re-screen of the unchanged customer
    _write(spark, lakehouse, silver.WATCHLIST, [_entry("L:1", "v2", "person", "Ivan PETROV")])
    second = run_screening(spark, lakehouse, cfg, date(2025, 1, 2), "r2")
    assert second["list_names_analysed"] == 0 and second["hits_open"] == 0
