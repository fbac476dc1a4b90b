"""Rows for the nightly Spark route's tests (`screen_names`): customers and list entries in
the silver tables' layouts."""

from __future__ import annotations

from datetime import datetime


def rows(spec, records):
    """Tuples in the table's column order from dicts (missing columns are None)."""
    names = spec.schema.fieldNames()
    return [tuple(r.get(n) for n in names) for r in records]


def customer(cid, full):
    return {"customer_id": cid, "full_name": full, "segment": "retail", "record_hash": cid}


def entry(eid, etype, name, list_name="OFAC-SDN"):
    """A list entry with one strong primary name and no DOB, nationality or country."""
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
