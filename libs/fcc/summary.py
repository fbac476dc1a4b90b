"""The nightly summary printed by `fcc summary` and `fcc demo` (ids, counts, evidence; no names)."""

from __future__ import annotations

import json
from datetime import date

from pyspark.sql import functions as F

from fcc.core.lakehouse import Lakehouse
from fcc.core.tables import gold, ops
from fcc.privacy import is_personal

# besides the fields exports treat as personal (fcc.privacy): the list name a customer matched,
# which is that customer's name when the match is true. The summary is console output, which
# carries ids, counts and scores only (docs/reliability.md).
_MATCHED_NAMES = frozenset({"matched_list_name", "name"})
WITHHELD = "<withheld>"


def printable_evidence(evidence: object) -> object:
    """The evidence with every personal field's value withheld, at any depth."""
    if isinstance(evidence, dict):
        return {
            k: WITHHELD if k in _MATCHED_NAMES or is_personal(k) else printable_evidence(v)
            for k, v in evidence.items()
        }
    if isinstance(evidence, list):
        return [printable_evidence(v) for v in evidence]
    return evidence


def _table(title: str, rows: list[tuple], headers: tuple[str, ...]) -> list[str]:
    widths = (
        [max(len(str(x)) for x in col) for col in zip(headers, *rows, strict=False)]
        if rows
        else [len(h) for h in headers]
    )
    line = "  ".join(f"{{:<{w}}}" for w in widths)
    return (
        [title, "  " + line.format(*headers)]
        + ["  " + line.format(*map(str, r)) for r in rows]
        + [""]
    )


def nightly_summary(lakehouse: Lakehouse, as_of: date) -> str:
    alerts = lakehouse.read(gold.ALERTS).where(F.col("last_seen_as_of") == F.lit(as_of))
    out = [f"fcc-scoring nightly summary for {as_of}", f"lakehouse: {lakehouse.root}", ""]
    by_case = (
        alerts.groupBy("case_type", "priority").count().orderBy("case_type", "priority").collect()
    )
    out += _table(
        "alerts by case type and priority:",
        [(r.case_type, r.priority, r["count"]) for r in by_case],
        ("case_type", "priority", "alerts"),
    )
    by_typology = (
        alerts.select(F.explode("typologies").alias("typology"))
        .groupBy("typology")
        .count()
        .orderBy(F.desc("count"), "typology")
        .collect()
    )
    out += _table(
        "alerts by typology:",
        [(r.typology, r["count"]) for r in by_typology],
        ("typology", "alerts"),
    )
    tiers = (
        lakehouse.read(gold.RISK_SCORES)
        .where(F.col("as_of") == F.lit(as_of))
        .groupBy("tier")
        .agg(F.count("*").alias("n"), F.sum(F.col("tier_changed").cast("int")).alias("changed"))
        .orderBy("tier")
        .collect()
    )
    out += _table(
        "risk tiers:", [(r.tier, r.n, r.changed) for r in tiers], ("tier", "customers", "changed")
    )
    top = alerts.orderBy(F.desc("priority_score"), "alert_id").limit(1).collect()
    if top:
        a = top[0]
        out.append(
            f"example alert {a.alert_id[:16]}: customer {a.customer_id}, {a.case_type}, {a.priority} "
            f"(priority score {a.priority_score}), severity {a.severity}"
        )
        for h in a.hits[:5]:
            evidence = json.dumps(
                printable_evidence(json.loads(h.evidence or "{}")), sort_keys=True
            )
            out.append(
                f"  - {h.rule_id} v{h.rule_version} [{h.typology}, {h.severity}] evidence: {evidence[:400]}"
            )
        out.append("")
    runs = (
        lakehouse.read(ops.RUNS)
        .where((F.col("as_of") == F.lit(as_of)) & (F.col("step") != "*"))
        .orderBy(F.desc("started_at"))
        .dropDuplicates(["step"])
        .collect()
    )
    if runs:
        out += _table(
            "last run per step:",
            [
                (r.step, r.status, f"{r.duration_s or 0:.1f} s")
                for r in sorted(runs, key=lambda r: r.started_at)
            ],
            ("step", "status", "time"),
        )
    out.append(
        f"tables: {lakehouse.root}/<bronze|silver|gold|ops|truth>/<table> (Delta); docs/tables.md lists them"
    )
    return "\n".join(out)
