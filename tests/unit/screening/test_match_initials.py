"""The nightly Spark route (`screen_names`) blocks and scores initials, acronyms and split
surnames as the Python index does."""

from __future__ import annotations

import pytest

from fcc.core.settings.screening import ScreeningSettings
from fcc.core.tables import silver
from fcc.screening._match import screen_names
from fcc.screening._run import with_entry_hash
from tests.unit.screening._route_rows import customer, entry, rows


def test_initials_with_a_split_surname_hit_and_initials_alone_do_not(spark):
    customers = spark.createDataFrame(
        rows(
            silver.CUSTOMERS,
            [
                customer("C1", "A. S. Zabihpour"),
                customer("C2", "F. A. Saad"),
                customer("C3", "P. D. Ramsuchit"),
                customer("C4", "Hui Brown"),
            ],
        ),
        silver.CUSTOMERS.schema,
    )
    entries = with_entry_hash(
        spark.createDataFrame(
            rows(
                silver.WATCHLIST,
                [
                    entry("L1", "person", "Ameneh Sadat ZABIH POUR"),
                    entry("L2", "person", "Abdullah Samad FAROQUI"),
                    entry("L3", "entity", "Purelogic R&D"),
                    entry("L4", "entity", "HUJI-B"),
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
