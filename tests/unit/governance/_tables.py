"""Tiny hand-built registered tables for governance tests."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from pyspark.sql import types as T

from fcc.core.lakehouse import Lakehouse
from fcc.core.tables import TableSpec, gold, truth

D = date(2026, 3, 31)  # the as-of date validated in these tests


def put(lakehouse: Lakehouse, spec: TableSpec, rows: list[dict]) -> None:
    """Append rows (dicts; missing columns are null) to a registered table."""
    fields = spec.schema.fields

    def value(f: T.StructField, v):
        if v is not None and isinstance(f.dataType, T.DecimalType):
            return Decimal(str(v))
        return v

    data = [tuple(value(f, r.get(f.name)) for f in fields) for r in rows]
    lakehouse.append(spec, lakehouse.spark.createDataFrame(data, spec.schema))


def hit(customer: str, rule: str, typology: str, as_of: date = D) -> dict:
    return {
        "as_of": as_of,
        "hit_id": f"{as_of}|{customer}|{rule}",
        "customer_id": customer,
        "producer": "typologies",
        "rule_id": rule,
        "rule_version": "1",
        "typology": typology,
        "severity": "medium",
        "score": 50.0,
        "evidence": "{}",
        "txn_ids": [],
    }


def alert(
    customer: str,
    rules: list[str],
    typologies: list[str],
    opened: date,
    last_seen: date,
    disposition: str | None = None,
) -> dict:
    hits = [
        {
            "hit_id": f"{customer}|{r}",
            "source": "rule",
            "rule_id": r,
            "rule_version": "1",
            "typology": t,
            "severity": "medium",
            "evidence": "{}",
        }
        for r, t in zip(rules, typologies, strict=True)
    ]
    return {
        "alert_id": f"A-{customer}-{opened}",
        "customer_id": customer,
        "case_type": "transaction_monitoring",
        "priority": "P3",
        "priority_score": 50.0,
        "severity": "medium",
        "typologies": sorted(set(typologies)),
        "hits": hits,
        "opened_as_of": opened,
        "last_seen_as_of": last_seen,
        "status": "closed" if disposition else "open",
        "disposition": disposition,
    }


def label(
    customer: str, suspicious: bool, typologies: list[str] = (), lookalike: str | None = None
) -> dict:
    return {
        "customer_id": customer,
        "is_suspicious": suspicious,
        "typologies": list(typologies),
        "lookalike": lookalike,
    }


def instance(iid: str, typology: str, customers: list[str], start: date, end: date) -> dict:
    return {
        "instance_id": iid,
        "typology": typology,
        "customer_ids": customers,
        "txn_ids": [],
        "start_ts": datetime(start.year, start.month, start.day, 12),
        "end_ts": datetime(end.year, end.month, end.day, 12),
        "detail": "{}",
    }


def ten_customers(lakehouse: Lakehouse) -> None:
    """The worked example of docs/governance.md: 4 suspicious customers of 10 (+1 out of window)."""
    w0, before = date(2026, 3, 22), date(2026, 3, 1)
    put(
        lakehouse,
        truth.CUSTOMER_LABELS,
        [
            label("c01", True, ["structuring"]),
            label("c02", True, ["structuring"]),
            label("c03", True, ["fan_in"]),
            label("c04", True, ["fan_in"]),
            label("c05", False, lookalike="payroll"),
            *[label(f"c{i:02d}", False) for i in range(6, 11)],
            label("c11", True, ["cycle"]),  # planted long before the window: out of scope
        ],
    )
    put(
        lakehouse,
        truth.TYPOLOGY_INSTANCES,
        [
            instance("i1", "structuring", ["c01", "c02"], w0, date(2026, 3, 25)),
            instance("i2", "fan_in", ["c03"], w0, date(2026, 3, 24)),
            instance("i3", "fan_in", ["c04"], date(2026, 3, 26), date(2026, 3, 28)),
            instance("i4", "cycle", ["c11"], before, date(2026, 3, 5)),
        ],
    )
    put(
        lakehouse,
        gold.RULE_HITS,
        [
            hit("c01", "rule_a", "structuring"),
            hit("c02", "rule_a", "structuring"),
            hit("c05", "rule_a", "structuring"),
            hit("c03", "rule_b", "fan_in", date(2026, 3, 25)),
            hit("c03", "rule_b", "fan_in"),
            hit("c06", "rule_b", "fan_in"),
            hit("c07", "rule_b", "fan_in"),
            hit("c04", "rule_b", "fan_in", date(2026, 3, 10)),  # before the window: ignored
        ],
    )
    put(
        lakehouse,
        gold.ALERTS,
        [
            alert("c01", ["rule_a"], ["structuring"], D, D, "sar_filed"),
            alert("c03", ["rule_b"], ["fan_in"], date(2026, 3, 25), D),
            alert("c05", ["rule_a"], ["structuring"], D, D, "false_positive"),
            alert("c06", ["rule_b"], ["fan_in"], D, D),
            alert("c08", ["rule_b"], ["fan_in"], date(2026, 3, 2), date(2026, 3, 9)),  # outside
        ],
    )
