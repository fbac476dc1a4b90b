"""The nightly Spark route (`screen_names`) blocks and scores initials, acronyms and split
surnames as the Python index does."""

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


def _entry(eid, etype, name):
    return {
        "entry_id": eid,
        "list_name": "OFAC-SDN",
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


def test_initials_with_a_split_surname_hit_and_initials_alone_do_not(spark):
    customers = spark.createDataFrame(
        _rows(
            silver.CUSTOMERS,
            [
                _customer("C1", "A. S. Zabihpour"),
                _customer("C2", "F. A. Saad"),
                _customer("C3", "P. D. Ramsuchit"),
                _customer("C4", "Hui Brown"),
            ],
        ),
        silver.CUSTOMERS.schema,
    )
    entries = with_entry_hash(
        spark.createDataFrame(
            _rows(
                silver.WATCHLIST,
                [
                    _entry("L1", "person", "Ameneh Sadat ZABIH POUR"),
                    _entry("L2", "person", "Abdullah Samad FAROQUI"),
                    _entry("L3", "entity", "Purelogic R&D"),
                    _entry("L4", "entity", "HUJI-B"),
                ],
            ),
            silver.WATCHLIST.schema,
        )
    )
    result = screen_names(customers, entries, ScreeningSettings())
    pairs = {(r.customer_id, r.entry_id) for r in result.pairs.collect()}
    # the split surname meets the joined one: ameneh's first letter and zabih + pour joined
    # against the customer's initial a and zabihpour
    assert ("C1", "L1") in pairs
    hits = [
        (r.customer_id, r.entry_id, r.name_score, r.score)
        for r in result.hits.where("status = 'open'").collect()
    ]
    # a / ameneh 0.85, s / sadat 0.85, zabihpour / zabih pour 1.0: 2.7 / 3; no DOB, no
    # nationality on either side: no adjustment
    assert hits == [("C1", "L1", pytest.approx(0.9), pytest.approx(0.9))]
    for df in result.cached:
        df.unpersist()
