"""What the flow-community factors change: D's risk scores with and without them, in one process.

    .venv/bin/python bench/bench_community_factor.py --lakehouse lakehouse --as-of 2026-11-27

Needs a lakehouse whose nightly ran for D (the graph step wrote gold.flow_communities) and the
generator's truth tables (or `monitoring.validation.labels_table`). Scores D twice from the same
inputs with `fcc.scoring.risk_scores`: as configured, and with the community factors' points set
to 0. Nothing is written. Reports, against the labels:
- the customers the factors fired on, suspicious or not, and those of them without a rule or
  open screening hit of their own on D (raised by the community alone);
- tiers: how many customers moved, and "tier high or very_high" as a classifier (TP, FP, FN,
  precision, recall) with and without;
- D's open alerts: how many change priority (P1..P4, `alerts.priority`), for suspicious
  customers and others. Risk scores set an alert's priority; they do not open alerts, so the
  alert set itself does not change.
Results go to bench/results/community_factor.json (or --out).
"""

from __future__ import annotations

import argparse
import json
import os
from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
COMMUNITY_FACTORS = ("community_flagged_share", "community_central_member")
HIGH_TIERS = ("high", "very_high")


def _confusion(flagged: set[str], suspicious: set[str]) -> dict:
    tp, fp, fn = len(flagged & suspicious), len(flagged - suspicious), len(suspicious - flagged)
    return {
        "flagged": len(flagged),
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "precision": round(tp / (tp + fp), 4) if tp + fp else None,
        "recall": round(tp / (tp + fn), 4) if tp + fn else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lakehouse", required=True)
    parser.add_argument("--as-of", required=True, type=date.fromisoformat)
    parser.add_argument("--out", default=str(HERE / "results" / "community_factor.json"))
    args = parser.parse_args()

    from pyspark.sql import functions as F

    from fcc.alerts.consolidate import priority_columns
    from fcc.core.config import load_config
    from fcc.core.lakehouse import Lakehouse
    from fcc.core.spark import session_for
    from fcc.core.tables import gold
    from fcc.core.tables.extra_graph import FLOW_COMMUNITIES
    from fcc.governance._truth import load_labels
    from fcc.scoring import risk_scores

    on_cfg = load_config(env="local", overrides=[f"lakehouse={args.lakehouse}"])
    off_cfg = load_config(
        env="local",
        overrides=[
            f"lakehouse={args.lakehouse}",
            "scoring.community.flagged_share_points=0",
            "scoring.community.central_member_points=0",
        ],
    )
    spark = session_for(on_cfg)
    lakehouse = Lakehouse(spark, args.lakehouse)
    d = args.as_of

    def scores(cfg) -> dict[str, tuple[float, str, list[str]]]:
        rows = (
            risk_scores(lakehouse, cfg, d)
            .select("customer_id", "score", "tier", F.col("factors.factor").alias("names"))
            .collect()
        )
        return {r.customer_id: (r.score, r.tier, list(r.names)) for r in rows}

    on, off = scores(on_cfg), scores(off_cfg)
    suspicious = {
        r.customer_id
        for r in load_labels(lakehouse, on_cfg).where(F.col("is_suspicious")).collect()
    }
    communities = lakehouse.read(FLOW_COMMUNITIES).where(F.col("as_of") == F.lit(d))
    sizes = [
        r.community_size
        for r in communities.select("community_id", "community_size").distinct().collect()
    ]

    fired = {
        name: {c for c, (_, _, names) in on.items() if name in names} for name in COMMUNITY_FACTORS
    }
    # customers with a flag of their own on D (rule hit, open screening hit)
    on_d = F.col("as_of") == F.lit(d)
    own_flag = {
        r.customer_id
        for r in lakehouse.read(gold.RULE_HITS)
        .where(on_d)
        .select("customer_id")
        .union(
            lakehouse.read(gold.SCREENING_HITS)
            .where(on_d & (F.col("status") == "open"))
            .select("customer_id")
        )
        .distinct()
        .collect()
    }
    moved = {c for c in on if on[c][1] != off[c][1]}
    high = {
        label: {c for c, (_, tier, _) in run.items() if tier in HIGH_TIERS}
        for label, run in (("without", off), ("with", on))
    }

    alerts = lakehouse.read(gold.ALERTS).where(
        (F.col("opened_as_of") <= F.lit(d)) & (F.col("last_seen_as_of") == F.lit(d))
    )
    open_rows = alerts.select("alert_id", "customer_id", "severity").collect()
    priorities = {}
    for label, run in (("without", off), ("with", on)):
        frame = spark.createDataFrame(
            [(a.alert_id, a.severity, float(run.get(a.customer_id, (0.0,))[0])) for a in open_rows],
            "alert_id string, severity string, risk_score double",
        )
        priorities[label] = {
            r.alert_id: r.priority
            for r in priority_columns(frame, on_cfg.alerts).select("alert_id", "priority").collect()
        }
    owner = {a.alert_id: a.customer_id for a in open_rows}
    changed = [a for a in priorities["with"] if priorities["with"][a] != priorities["without"][a]]
    result = {
        "benchmark": "community_factor",
        "lakehouse": os.path.abspath(args.lakehouse),
        "as_of": str(d),
        "customers": len(on),
        "suspicious_customers": len(suspicious),
        "communities": len(sizes),
        "community_members": sum(sizes),
        "largest_community": max(sizes, default=0),
        "customers_flagged_on_d": len(own_flag),
        "fired": {
            name: {
                "customers": len(who),
                "suspicious": len(who & suspicious),
                "without_own_flag": len(who - own_flag),
                "without_own_flag_suspicious": len((who - own_flag) & suspicious),
            }
            for name, who in fired.items()
        },
        "tier_moves": {
            "customers": len(moved),
            "suspicious": len(moved & suspicious),
            "up": sum(1 for c in moved if on[c][0] > off[c][0]),
            "from_to": dict(Counter(f"{off[c][1]}->{on[c][1]}" for c in moved).most_common()),
        },
        "tier_high_or_above": {label: _confusion(who, suspicious) for label, who in high.items()},
        "open_alerts_on_d": len(open_rows),
        "alert_priority_changes": {
            "alerts": len(changed),
            "suspicious_customers": sum(1 for a in changed if owner[a] in suspicious),
            "p1": {
                label: sum(1 for p in priorities[label].values() if p == "P1")
                for label in ("without", "with")
            },
        },
        "config": on_cfg.scoring.community.model_dump(),
        "load_average": os.getloadavg(),
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    Path(args.out).write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    spark.stop()


if __name__ == "__main__":
    main()
