"""The nightly Spark route (`screen_names`) scores each distinct (customer name, list name) once
and gives every customer and every entry that carry those names their own hit."""

from __future__ import annotations

import pytest

from fcc.core.settings.screening import ScreeningSettings
from fcc.core.tables import silver
from fcc.screening._match import screen_names
from fcc.screening._run import with_entry_hash
from tests.unit.screening._route_rows import customer, entry, rows


def test_a_name_shared_by_customers_and_entries_hits_each_pair_once(spark):
    customers = spark.createDataFrame(
        rows(
            silver.CUSTOMERS,
            [
                customer("C1", "Viktor Bout"),
                customer("C2", "Viktor Bout"),
                customer("C3", "Viktor Ivan Sergei Bout"),
            ],
        ),
        silver.CUSTOMERS.schema,
    )
    entries = with_entry_hash(
        spark.createDataFrame(
            rows(
                silver.WATCHLIST,
                [
                    entry("L1", "person", "Viktor BOUT", list_name="OFAC-SDN"),
                    entry("L2", "person", "Viktor BOUT", list_name="UN"),
                    entry("L3", "entity", "Viktor BOUT", list_name="OFAC-SDN"),
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
