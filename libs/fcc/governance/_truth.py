"""Labels for validation: the generator's truth tables or a table of investigation outcomes."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from fcc.core.lakehouse import Lakehouse
from fcc.core.settings import AppConfig
from fcc.core.tables import REGISTRY


class LabelsError(ValueError):
    """The labels table is missing or lacks the columns validation needs (bad input)."""


def _read_any(lakehouse: Lakehouse, name: str) -> DataFrame:
    if name in REGISTRY:
        if not lakehouse.exists(name):
            raise LabelsError(f"labels table {name} does not exist under {lakehouse.root}")
        return lakehouse.read(name)
    reader = lakehouse.spark.read
    suffix = Path(name).suffix.lower()
    try:
        if suffix == ".csv":
            return reader.option("header", True).csv(name)
        if suffix == ".parquet":
            return reader.parquet(name)
        if suffix in (".json", ".jsonl"):
            return reader.json(name)
        return reader.format("delta").load(name)
    except Exception as exc:  # missing path, not a Delta table ...
        raise LabelsError(
            f"labels {name!r}: not a registered table and not readable as a "
            f"{suffix or 'Delta'} table: {str(exc).splitlines()[0]}"
        ) from None


def load_labels(lakehouse: Lakehouse, cfg: AppConfig, labels_table: str | None = None) -> DataFrame:
    """customer_id, is_suspicious, typologies, lookalike, disposition: one row per customer.

    is_suspicious comes from the column of that name or, where it is null or absent, from the
    disposition (suspicious when in validation.suspicious_dispositions).
    """
    name = labels_table or cfg.monitoring.validation.labels_table
    raw = _read_any(lakehouse, name)
    cols = set(raw.columns)
    if "customer_id" not in cols or not cols & {"is_suspicious", "disposition"}:
        raise LabelsError(
            f"labels {name!r} needs customer_id and is_suspicious and/or disposition; "
            f"has {sorted(cols)}"
        )
    suspicious_set = [d.lower() for d in cfg.monitoring.validation.suspicious_dispositions]
    disposition = F.lower(F.trim(F.col("disposition"))) if "disposition" in cols else F.lit(None)
    flag = (
        F.expr("try_cast(is_suspicious AS BOOLEAN)")
        if "is_suspicious" in cols
        else F.lit(None).cast("boolean")
    )
    if "typologies" in cols:
        typologies = F.col("typologies").cast("array<string>")
    elif "typology" in cols:
        typologies = F.when(
            F.col("typology").isNotNull(), F.array(F.col("typology").cast("string"))
        )
    else:
        typologies = F.lit(None)
    lookalike = F.col("lookalike").cast("string") if "lookalike" in cols else F.lit(None)
    rows = raw.select(
        F.col("customer_id").cast("string").alias("customer_id"),
        F.coalesce(flag, disposition.isin(*suspicious_set), F.lit(False)).alias("is_suspicious"),
        F.coalesce(typologies, F.array().cast("array<string>")).alias("typologies"),
        lookalike.cast("string").alias("lookalike"),
        disposition.cast("string").alias("disposition"),
    ).where(F.col("customer_id").isNotNull())
    return rows.groupBy("customer_id").agg(
        F.max("is_suspicious").alias("is_suspicious"),
        F.array_sort(F.array_distinct(F.flatten(F.collect_list("typologies")))).alias("typologies"),
        F.max("lookalike").alias("lookalike"),
        F.max("disposition").alias("disposition"),
    )


def load_instances(lakehouse: Lakehouse, cfg: AppConfig) -> DataFrame | None:
    """instance_id, typology, customer_id, start_date, end_date, seen_until; None without truth.

    seen_until is the last as-of date on which a run can report the instance: its last day
    (detectors report a pattern on the day it gains a transaction) plus the typology's
    validation.reported_for_days (state over a window, such as exposure), or null for the
    standing typologies (a listed name, a ring of shared identifiers), which every run sees again.
    """
    name = cfg.monitoring.validation.instances_table
    if name not in REGISTRY or not lakehouse.exists(name):
        return None
    v = cfg.monitoring.validation
    end = F.coalesce(F.to_date("end_ts"), F.to_date("start_ts"))
    pairs = [x for t, days in v.reported_for_days.items() for x in (F.lit(t), F.lit(days))]
    extra = F.element_at(F.create_map(*pairs), F.col("typology")) if pairs else F.lit(None)
    end = F.date_add(end, F.coalesce(extra, F.lit(0)).cast("int"))
    standing = F.col("typology").isin(*v.standing_typologies)
    return lakehouse.read(name).select(
        "instance_id",
        "typology",
        F.explode("customer_ids").alias("customer_id"),
        F.to_date("start_ts").alias("start_date"),
        F.to_date("end_ts").alias("end_date"),
        F.when(~standing, end).alias("seen_until"),
    )


def visible_between(start: date, end: date) -> Column:
    """Instances a run on some date in [start, end] can see: started by `end`, seen until `start`."""
    return (F.col("start_date") <= F.lit(end)) & (
        F.col("seen_until").isNull() | (F.col("seen_until") >= F.lit(start))
    )


def windowed_truth(
    labels: DataFrame, instances: DataFrame | None, start: date, end: date
) -> DataFrame:
    """Per labelled customer: positive, in_scope and the typologies active in [start, end].

    A suspicious customer whose planted instances all lie outside the window is out of scope
    (neither caught nor missed there); without instance timing every label counts as it is.
    """
    if instances is None:
        return labels.select(
            "customer_id",
            F.col("is_suspicious").alias("positive"),
            F.lit(True).alias("in_scope"),
            "typologies",
            "lookalike",
            "disposition",
        )
    overlaps = visible_between(start, end)
    timing = instances.groupBy("customer_id").agg(
        F.lit(True).alias("_planted"),
        F.max(overlaps).alias("_active"),
        F.array_sort(F.collect_set(F.when(overlaps, F.col("typology")))).alias(
            "_active_typologies"
        ),
    )
    j = labels.join(timing, "customer_id", "left")
    planted = F.coalesce(F.col("_planted"), F.lit(False))
    active = F.coalesce(F.col("_active"), F.lit(False))
    return j.select(
        "customer_id",
        (F.col("is_suspicious") & (active | ~planted)).alias("positive"),
        (~(F.col("is_suspicious") & planted & ~active)).alias("in_scope"),
        F.when(planted, F.col("_active_typologies"))
        .otherwise(F.col("typologies"))
        .alias("typologies"),
        "lookalike",
        "disposition",
    )
