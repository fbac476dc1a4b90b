"""The nightly Spark route (`screen_names`) scores each distinct (customer name, list name) once
and gives every customer and every entry that carry those names their own hit."""

from __future__ import annotations

from datetime import datetime

import pytest

from fcc.core.settings.screening import ScreeningSettings
from fcc.core.tables import silver
from fcc.screening._match import screen_names
from fcc.screening._run import with_entry_hash


def _rows(spec, rows):
    names = spec.schema.fieldNames()
    return [tuple(r.get(n) for n in names) for r in rows]


def _customer(cid, full):
    return {"customer_id": cid, "full_name": full, "segment": "retail", "record_hash": cid}


def _entry(eid, list_name, etype, name):
    return {
        "entry_id": eid,
        "list_name": list_name,
        "list_version": "v1",
        "entity_type": etype,
        "primary_name": name,
        "names": [{"name": name, "name_type": "primary", "quality": "strong", "script": None}],
        "dobs": [],
        "nationalities": [],
        "countries": [],
        "programs": ["TEST"],
        "crypto_addresses": [],
        "remarks": None,
        "loaded_at": datetime(2025, 1, 1),
    }


def test_a_name_shared_by_customers_and_entries_hits_each_pair_once(spark):
    customers = spark.createDataFrame(
        _rows(
            silver.CUSTOMERS,
            [
                _customer("C1", "Viktor Bout"),
                _customer("C2", "Viktor Bout"),
                _customer("C3", "Viktor Ivan Sergei Bout"),
            ],
        ),
        silver.CUSTOMERS.schema,
    )
    entries = with_entry_hash(
        spark.createDataFrame(
            _rows(
                silver.WATCHLIST,
                [
                    _entry("L1", "OFAC-SDN", "person", "Viktor BOUT"),
                    _entry("L2", "UN", "person", "Viktor BOUT"),
                    _entry("L3", "OFAC-SDN", "entity", "Viktor BOUT"),
                ],
            ),
            silver.WATCHLIST.schema,
        )
    )
    result = screen_names(customers, entries, ScreeningSettings())
    pairs = {(r.customer_id, r.entry_id) for r in result.pairs.collect()}
    # every customer shares the key of viktor + bout with every entry
    assert pairs == {(c, e) for c in ("C1", "C2", "C3") for e in ("L1", "L2", "L3")}
    hits = sorted(
        (r.customer_id, r.entry_id, r.list_name, r.name_score, r.score)
        for r in result.hits.where("status = 'open'").collect()
    )
    # both parts equal: 1.0 against both person entries, each on its own list. Against the
    # entity the name is as good, but a person is not an entity: 1.0 - 0.3 = 0.7 < 0.88.
    # Viktor Ivan Sergei Bout pairs viktor and bout and leaves two given names over:
    # 2 / (2 + 0.5 + 0.5) = 0.667, below the 0.8 name floor, so it is not kept
    assert hits == [
        ("C1", "L1", "OFAC-SDN", pytest.approx(1.0), pytest.approx(1.0)),
        ("C1", "L2", "UN", pytest.approx(1.0), pytest.approx(1.0)),
        ("C2", "L1", "OFAC-SDN", pytest.approx(1.0), pytest.approx(1.0)),
        ("C2", "L2", "UN", pytest.approx(1.0), pytest.approx(1.0)),
    ]
    for df in result.cached:
        df.unpersist()
