"""Customer-level confusion matrices of flagged customers against windowed truth (Spark)."""

from __future__ import annotations

import pandas as pd
from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from fcc.governance._metrics import confusion_metrics

COLUMNS = [
    "scope",
    "subject",
    "alerts",
    "customers",
    "tp",
    "fp",
    "fn",
    "tn",
    "precision",
    "recall",
    "f1",
    "type_i_error",
    "type_ii_error",
    "precision_any",
]


def confusion_table(
    flags: DataFrame,
    truth: DataFrame,
    typology_subjects: bool = True,
    always: tuple[tuple[str, str], ...] = (),
) -> pd.DataFrame:
    """One row per (scope, subject) of `flags` with alert counts and confusion metrics.

    flags: scope, subject, customer_id; one row per alert / hit (so `alerts` counts events and
    `customers` distinct customers). truth: customer_id, positive, in_scope, typologies.
    In scope 'typology' a customer is positive for subject t when t is among its typologies
    (when the labels carry typologies at all); everywhere else positive means suspicious.
    Customers flagged but absent from the labels or out of scope are neither TP nor FP.
    precision_any is the share of flagged in-scope customers that are suspicious at all (for a
    typology subject: also those planted with another typology, which an analyst would escalate).
    Subjects in `always` get a row even when nothing flagged them.
    """
    scoped = truth.where(F.col("in_scope"))
    tot = scoped.agg(
        F.count("*").alias("n"), F.sum(F.col("positive").cast("long")).alias("p")
    ).first()
    n_all, p_all = int(tot["n"] or 0), int(tot["p"] or 0)
    aware = typology_subjects and scoped.where(F.size("typologies") > 0).limit(1).count() > 0
    p_typ = (
        {
            r["t"]: int(r["count"])
            for r in scoped.where("positive")
            .select(F.explode("typologies").alias("t"))
            .groupBy("t")
            .count()
            .collect()
        }
        if aware
        else {}
    )
    per_customer = flags.groupBy("scope", "subject", "customer_id").agg(
        F.count("*").alias("_events")
    )
    pos = F.col("positive")
    if aware:
        pos = F.when(
            F.col("scope") == "typology", pos & F.array_contains("typologies", F.col("subject"))
        ).otherwise(pos)
    counted = (
        per_customer.join(truth, "customer_id", "left")
        .groupBy("scope", "subject")
        .agg(
            F.sum("_events").alias("alerts"),
            F.count("*").alias("customers"),
            F.sum((F.col("in_scope") & pos).cast("long")).alias("tp"),
            F.sum((F.col("in_scope") & ~pos).cast("long")).alias("fp"),
            F.sum((F.col("in_scope") & F.col("positive")).cast("long")).alias("suspicious"),
        )
        .collect()
    )
    found = {(r["scope"], r["subject"]): r for r in counted}
    keys = list(found) + [k for k in always if k not in found]
    keys += [("typology", t) for t in sorted(p_typ) if ("typology", t) not in found]
    rows = []
    for scope, subject in keys:
        r = found.get((scope, subject))
        tp, fp = (int(r["tp"] or 0), int(r["fp"] or 0)) if r else (0, 0)
        suspicious = int(r["suspicious"] or 0) if r else 0
        p = p_typ.get(subject, 0) if aware and scope == "typology" else p_all
        fn, tn = p - tp, (n_all - p) - fp
        rows.append(
            {
                "scope": scope,
                "subject": subject,
                "alerts": int(r["alerts"]) if r else 0,
                "customers": int(r["customers"]) if r else 0,
                "tp": tp,
                "fp": fp,
                "fn": fn,
                "tn": tn,
                **confusion_metrics(tp, fp, fn, tn),
                "precision_any": suspicious / (tp + fp) if tp + fp else None,
            }
        )
    order = {"overall": 0, "model": 0, "rule": 1, "typology": 2}
    rows.sort(key=lambda x: (order.get(x["scope"], 3), x["subject"]))
    return pd.DataFrame(rows, columns=COLUMNS)
