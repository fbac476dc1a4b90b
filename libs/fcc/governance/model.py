"""A supervised model beside the rules: Spark ML gradient-boosted trees on gold.features.

Time-based split (train on earlier snapshot dates, calibrate on the next ones, test on the
latest); with a single as-of date customers are split by onboarding date instead. Scores are
calibrated with isotonic regression on the calibration part; the model is validated on the
test part next to the rules (same customers, same dates, same metrics).
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import pandas as pd
from pyspark.ml import Pipeline, PipelineModel
from pyspark.ml.classification import GBTClassifier
from pyspark.ml.evaluation import BinaryClassificationEvaluator
from pyspark.ml.feature import StringIndexer, VectorAssembler
from pyspark.ml.functions import vector_to_array
from pyspark.ml.regression import IsotonicRegression, IsotonicRegressionModel
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql import types as T

from fcc import __version__
from fcc.core.lakehouse import Lakehouse
from fcc.core.settings import AppConfig
from fcc.core.tables import gold, gold_features, silver
from fcc.core.tables.extra_monitoring import MODEL_REGISTRY
from fcc.governance._confusion import confusion_table
from fcc.governance._truth import load_instances, load_labels
from fcc.governance.validate import metric_rows, write_metrics

log = logging.getLogger(__name__)
FAMILY = "model"
_NOT_FEATURES = {"as_of", "customer_id", "segment", "run_id", "exposure_as_of"}


class ModelError(ValueError):
    """Not enough labelled data to train or validate a model (bad input)."""


@dataclass
class TrainedModel:
    """A trained, calibrated and validated model and where it is stored."""

    model_id: str
    path: str
    split_method: str
    split_detail: dict
    comparison: pd.DataFrame
    metrics: dict[str, float]
    importances: list[tuple[str, float]]
    counts: dict[str, int] = field(default_factory=dict)
    by_typology: pd.DataFrame | None = None

    def __str__(self) -> str:
        from fcc.governance.validate import format_table

        top = ", ".join(f"{n} {v:.3f}" for n, v in self.importances[:8])
        return "\n\n".join(
            [
                f"Model {self.model_id} ({self.split_method} split: {json.dumps(self.split_detail)})",
                f"artefacts: {self.path}",
                "test-period metrics: "
                + ", ".join(f"{k}={v:.4f}" for k, v in sorted(self.metrics.items())),
                "customer-level comparison on the test period:\n" + format_table(self.comparison),
                *(
                    [
                        "recall per planted typology on the test period:\n"
                        + self.by_typology.to_string(index=False)
                    ]
                    if self.by_typology is not None and len(self.by_typology)
                    else []
                ),
                f"top feature importances: {top}",
            ]
        )


def feature_names(features: DataFrame, wanted: list[str]) -> list[str]:
    """The numeric gold.features columns used (all of them when `wanted` is empty)."""
    numeric = (T.DecimalType, T.LongType, T.IntegerType, T.DoubleType, T.FloatType, T.ShortType)
    types = {f.name: f.dataType for f in features.schema.fields}
    if wanted:
        bad = [c for c in wanted if c not in types or not isinstance(types[c], numeric)]
        if bad:
            raise ModelError(f"monitoring.model.features: not numeric gold.features columns: {bad}")
        return list(wanted)
    return [n for n, t in types.items() if n not in _NOT_FEATURES and isinstance(t, numeric)]


def snapshot_dates(dates: list[date], as_of: date, every: int) -> list[date]:
    """Dates aligned to D every `every` days (D itself when present), oldest first."""
    return sorted(d for d in dates if (as_of - d).days % every == 0)


def row_labels(
    rows: DataFrame, labels: DataFrame, instances: DataFrame | None, window_days: int
) -> DataFrame:
    """Add `label` (1.0 / 0.0) to (as_of, customer_id, ...) rows; drop unlabelled or ambiguous rows.

    With instance timing a row is positive when one of the customer's planted instances
    overlaps the window_days ending on its as-of; a suspicious customer's rows outside every
    instance are dropped (neither clean nor suspicious yet). Without timing labels are static.
    """
    lab = labels.select("customer_id", "is_suspicious")
    out = rows.join(lab, "customer_id")
    if instances is None:
        return out.withColumn("label", F.col("is_suspicious").cast("double")).drop("is_suspicious")
    inst = instances.select(
        "customer_id", "start_date", F.coalesce("end_date", "start_date").alias("end_date")
    )
    keys = out.where("is_suspicious").select("customer_id", "as_of").distinct()
    active = (
        keys.join(inst, "customer_id")
        .where(
            (F.col("start_date") <= F.col("as_of"))
            & (F.col("end_date") >= F.date_sub("as_of", window_days - 1))
        )
        .select("customer_id", "as_of", F.lit(True).alias("_active"))
        .distinct()
    )
    planted = inst.select("customer_id", F.lit(True).alias("_planted")).distinct()
    j = out.join(active, ["customer_id", "as_of"], "left").join(planted, "customer_id", "left")
    is_active = F.coalesce("_active", F.lit(False))
    is_planted = F.coalesce("_planted", F.lit(False))
    return (
        j.where(~(F.col("is_suspicious") & is_planted & ~is_active))
        .withColumn("label", (F.col("is_suspicious") & (is_active | ~is_planted)).cast("double"))
        .drop("is_suspicious", "_active", "_planted")
    )


def assign_split(
    rows: DataFrame, dates: list[date], cfg: AppConfig, onboarding: DataFrame | None
) -> tuple[DataFrame, str, dict]:
    """Add `part` (train | calibration | test): by as-of date, or by onboarding date when one date."""
    m = cfg.monitoring.model
    if len(dates) >= 3:
        n_test = max(1, round(len(dates) * m.test_share))
        rest = dates[: len(dates) - n_test]
        n_cal = min(len(rest) - 1, max(1, round(len(rest) * m.calibration_share)))
        train, cal, test = (
            rest[: len(rest) - n_cal],
            rest[len(rest) - n_cal :],
            dates[len(dates) - n_test :],
        )
        part = (
            F.when(F.col("as_of").isin(*test), "test")
            .when(F.col("as_of").isin(*cal), "calibration")
            .otherwise("train")
        )
        detail = {
            "train": [str(train[0]), str(train[-1])],
            "calibration": [str(cal[0]), str(cal[-1])],
            "test": [str(test[0]), str(test[-1])],
        }
        return rows.withColumn("part", part), "time", detail
    if len(dates) == 2:
        bucket = F.abs(F.xxhash64("customer_id")) % 1000 / 1000.0
        part = (
            F.when(F.col("as_of") == F.lit(dates[1]), "test")
            .when(bucket < m.calibration_share, "calibration")
            .otherwise("train")
        )
        detail = {
            "train": str(dates[0]),
            "calibration": f"{m.calibration_share:.0%} of {dates[0]}'s customers "
            "(by customer hash)",
            "test": str(dates[1]),
        }
        return rows.withColumn("part", part), "time", detail
    # one as-of date: the latest-onboarded customers are the "future"
    if onboarding is None:
        raise ModelError("one as-of date and no silver.customers onboarding dates: cannot split")
    ob = onboarding.select(
        "customer_id", F.unix_timestamp("onboarded_at").cast("double").alias("_ob")
    )
    cut_test = 1.0 - m.test_share
    cut_cal = cut_test * (1.0 - m.calibration_share)
    q_cal, q_test = ob.where(F.col("_ob").isNotNull()).approxQuantile(
        "_ob", [cut_cal, cut_test], 0.0
    )
    j = rows.join(ob, "customer_id", "left")
    part = (
        F.when(F.col("_ob") > q_test, "test")
        .when(F.col("_ob") > q_cal, "calibration")
        .otherwise("train")
    )
    detail = {
        "note": "only one as-of date: customers split by onboarding date (earliest train, latest test)",
        "calibration_after": datetime.fromtimestamp(q_cal, UTC).isoformat(),
        "test_after": datetime.fromtimestamp(q_test, UTC).isoformat(),
    }
    return j.withColumn("part", part).drop("_ob"), "onboarding", detail


def _model_id(as_of: date, payload: dict) -> str:
    digest = hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()
    return f"gbt-{as_of:%Y%m%d}-{digest[:10]}"


def _class_weights(train: DataFrame) -> tuple[float, int, int]:
    r = train.agg(F.sum("label").alias("p"), F.count("*").alias("n")).first()
    pos, n = int(r["p"] or 0), int(r["n"] or 0)
    if pos == 0 or pos == n:
        raise ModelError(f"training part has {pos} positive rows of {n}: both classes are needed")
    return min(100.0, (n - pos) / pos), pos, n


def train_model(
    spark: SparkSession,
    lakehouse: Lakehouse,
    cfg: AppConfig,
    as_of: date,
    run_id: str | None = None,
    labels_table: str | None = None,
) -> TrainedModel:
    """Train, calibrate, validate and register a GBT model on gold.features up to D."""
    t0 = time.monotonic()
    m = cfg.monitoring.model
    run_id = run_id or f"model-{as_of.isoformat()}-{datetime.now(UTC).strftime('%Y%m%dT%H%M%S')}"
    features = lakehouse.read(gold_features.FEATURES)
    start = as_of - timedelta(days=m.history_days - 1)
    window = features.where((F.col("as_of") >= F.lit(start)) & (F.col("as_of") <= F.lit(as_of)))
    all_dates = [r[0] for r in window.select("as_of").distinct().collect()]
    dates = snapshot_dates(all_dates, as_of, m.snapshot_every_days)
    if not dates:
        raise ModelError(f"gold.features has no snapshot in {start}..{as_of} aligned to {as_of}")
    names = feature_names(features, m.features)
    rows = prepare_features(window.where(F.col("as_of").isin(*dates)), names)
    instances = None if labels_table else load_instances(lakehouse, cfg)
    labels = load_labels(lakehouse, cfg, labels_table)
    rows = row_labels(rows, labels, instances, m.label_window_days)
    onboarding = lakehouse.read(silver.CUSTOMERS) if lakehouse.exists(silver.CUSTOMERS) else None
    rows, split_method, split_detail = assign_split(rows, dates, cfg, onboarding)
    rows = rows.cache()
    train = rows.where("part = 'train'")
    weight, train_pos, train_n = _class_weights(train)
    train = train.withColumn("weight", F.when(F.col("label") > 0, weight).otherwise(1.0))
    gbt = GBTClassifier(
        labelCol="label",
        featuresCol="features",
        weightCol="weight",
        maxIter=m.max_iter,
        maxDepth=m.max_depth,
        stepSize=m.step_size,
        seed=m.seed,
    )
    pipeline = Pipeline(
        stages=[
            StringIndexer(inputCol="segment", outputCol="segment_idx", handleInvalid="keep"),
            VectorAssembler(
                inputCols=[*names, "segment_idx"], outputCol="features", handleInvalid="keep"
            ),
            gbt,
        ]
    )
    fitted = pipeline.fit(train)
    scored = (
        fitted.transform(rows.where("part <> 'train'"))
        .withColumn("raw_score", vector_to_array("probability")[1])
        .select("as_of", "customer_id", "label", "part", "raw_score")
    )
    cal_rows = scored.where("part = 'calibration'")
    if cal_rows.limit(1).count() == 0:
        raise ModelError(
            "the calibration part is empty: more snapshot dates or customers are needed"
        )
    iso = IsotonicRegression(featuresCol="raw_score", labelCol="label", predictionCol="score").fit(
        cal_rows
    )
    test = iso.transform(scored.where("part = 'test'")).cache()
    test_n = test.count()
    if test_n == 0:
        raise ModelError("the test part is empty")
    metrics = _row_metrics(test)
    metrics.update(
        {
            "train_rows": float(train_n),
            "train_positives": float(train_pos),
            "test_rows": float(test_n),
            "positive_weight": weight,
        }
    )
    gbt_model = fitted.stages[-1]
    vector_names = [*names, "segment"]
    importances = sorted(
        (
            (vector_names[i], float(v))
            for i, v in enumerate(gbt_model.featureImportances.toArray())
            if v > 0
        ),
        key=lambda x: (-x[1], x[0]),
    )
    versions = {
        t: lakehouse.version(t)
        for t in (
            gold_features.FEATURES.qualified,
            "truth.customer_labels",
            "truth.typology_instances",
            gold.RULE_HITS.qualified,
        )
    }
    versions = {k: v for k, v in versions.items() if v is not None}
    params = m.model_dump()
    model_id = _model_id(
        as_of,
        {
            "params": params,
            "features": names,
            "versions": versions,
            "labels": labels_table or cfg.monitoring.validation.labels_table,
        },
    )
    comparison, by_typology = _compare_with_rules(
        lakehouse, test, labels, model_id, m.alert_threshold, split_method
    )
    metrics.update(
        {
            f"model_{k}": float(v)
            for k, v in comparison.iloc[0][["precision", "recall", "f1"]].items()
            if v is not None and not pd.isna(v)
        }
    )
    path = f"{lakehouse.root}/models/{model_id}"
    fitted.write().overwrite().save(f"{path}/pipeline")
    iso.write().overwrite().save(f"{path}/calibration")
    card = {
        "model_id": model_id,
        "as_of": as_of,
        "algorithm": "gbt",
        "params": params,
        "features": vector_names,
        "split_method": split_method,
        "split": split_detail,
        "metrics": metrics,
        "feature_importances": importances[: m.top_importances],
        "input_versions": versions,
        "code_version": __version__,
    }
    spark.createDataFrame([(json.dumps(card, default=str, indent=2),)], "value string").coalesce(
        1
    ).write.mode("overwrite").text(f"{path}/card")
    registry = spark.createDataFrame(
        [
            (
                model_id,
                as_of,
                run_id,
                "gbt",
                path,
                "candidate",
                split_method,
                json.dumps(split_detail),
                json.dumps(params),
                vector_names,
                json.dumps(importances[: m.top_importances]),
                metrics,
                train_n,
                test_n,
                versions,
                __version__,
                datetime.now(UTC).replace(tzinfo=None),
            )
        ],
        MODEL_REGISTRY.schema,
    )
    lakehouse.merge(MODEL_REGISTRY, registry)
    detail = {"model_id": model_id, "split": split_method, **split_detail}
    out_rows = metric_rows(comparison, as_of, run_id, FAMILY, cfg, detail=detail)
    out_rows += [
        (as_of, run_id, FAMILY, f"model:{model_id}", k, float(v), None, False, json.dumps(detail))
        for k, v in sorted(metrics.items())
        if not k.startswith("model_")
    ]
    out_rows += [
        (as_of, run_id, FAMILY, f"importance:{model_id}", n, v, None, False, "{}")
        for n, v in importances[: m.top_importances]
    ]
    write_metrics(spark, lakehouse, out_rows, as_of, FAMILY)
    rows.unpersist()
    test.unpersist()
    counts = {
        "train_rows": train_n,
        "test_rows": test_n,
        "features": len(vector_names),
        "metrics": len(out_rows),
    }
    log.info(
        "model %s: %s split, %d train / %d test rows, auc %.3f in %.1fs",
        model_id,
        split_method,
        train_n,
        test_n,
        metrics.get("auc_roc", float("nan")),
        time.monotonic() - t0,
    )
    return TrainedModel(
        model_id,
        path,
        split_method,
        split_detail,
        comparison,
        metrics,
        importances,
        counts,
        by_typology,
    )


def run_model_training(
    spark: SparkSession, lakehouse: Lakehouse, cfg: AppConfig, as_of: date, run_id: str
) -> dict[str, int]:
    """Pipeline entry point: train and register the model for D (ops.runs records the versions)."""
    return train_model(spark, lakehouse, cfg, as_of, run_id).counts


def prepare_features(features: DataFrame, names: list[str]) -> DataFrame:
    """as_of, customer_id, segment and the model's columns as doubles (null -> 0)."""
    return features.select(
        "as_of",
        "customer_id",
        F.coalesce("segment", F.lit("unknown")).alias("segment"),
        *[F.coalesce(F.col(c).cast("double"), F.lit(0.0)).alias(c) for c in names],
    )


def load_model(path: str) -> tuple[PipelineModel, IsotonicRegressionModel]:
    """The stored pipeline and calibration of a registered model (ops.model_registry.path)."""
    return PipelineModel.load(f"{path}/pipeline"), IsotonicRegressionModel.load(
        f"{path}/calibration"
    )


def apply_model(path: str, features: DataFrame) -> DataFrame:
    """as_of, customer_id, raw_score, score (calibrated) of gold.features rows under a stored model."""
    pipeline, calibration = load_model(path)
    assembler = next(s for s in pipeline.stages if isinstance(s, VectorAssembler))
    names = [c for c in assembler.getInputCols() if c != "segment_idx"]
    scored = pipeline.transform(prepare_features(features, names)).withColumn(
        "raw_score", vector_to_array("probability")[1]
    )
    return calibration.transform(scored).select("as_of", "customer_id", "raw_score", "score")


def _row_metrics(test: DataFrame) -> dict[str, float]:
    out = {}
    if test.select("label").distinct().count() == 2:
        ev = BinaryClassificationEvaluator(rawPredictionCol="raw_score", labelCol="label")
        out["auc_roc"] = ev.setMetricName("areaUnderROC").evaluate(test)
        out["auc_pr"] = ev.setMetricName("areaUnderPR").evaluate(test)
    r = test.agg(
        F.avg((F.col("score") - F.col("label")) ** 2).alias("brier"),
        F.avg((F.col("raw_score") - F.col("label")) ** 2).alias("brier_raw"),
        F.sum("label").alias("pos"),
    ).first()
    out.update(
        {
            "brier": float(r["brier"]),
            "brier_raw": float(r["brier_raw"]),
            "test_positives": float(r["pos"]),
        }
    )
    return out


def _compare_with_rules(
    lakehouse: Lakehouse,
    test: DataFrame,
    labels: DataFrame,
    model_id: str,
    threshold: float,
    split_method: str,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Customer-level metrics of the model and of the rules on the test customers and dates,
    and both flaggers' recall per planted typology."""
    truth = (
        test.groupBy("customer_id")
        .agg((F.max("label") > 0).alias("positive"))
        .join(labels.select("customer_id", "typologies"), "customer_id", "left")
        .select(
            "customer_id",
            "positive",
            F.lit(True).alias("in_scope"),
            F.coalesce("typologies", F.array().cast("array<string>")).alias("typologies"),
        )
    )
    lo, hi = test.agg(F.min("as_of"), F.max("as_of")).first()
    model_flags = test.where(F.col("score") >= threshold).select(
        F.lit("model").alias("scope"), F.lit(model_id).alias("subject"), "customer_id"
    )
    hits = lakehouse.read(gold.RULE_HITS).where(
        (F.col("as_of") >= F.lit(lo)) & (F.col("as_of") <= F.lit(hi))
    )
    hits = hits.join(truth.select("customer_id"), "customer_id", "left_semi")
    rule_flags = hits.select(
        F.lit("rule").alias("scope"), F.lit("all_rules").alias("subject"), "customer_id"
    )
    per_rule = hits.select(
        F.lit("rule").alias("scope"), F.col("rule_id").alias("subject"), "customer_id"
    )
    table = confusion_table(
        model_flags.unionByName(rule_flags).unionByName(per_rule),
        truth,
        typology_subjects=False,
        always=(("model", model_id), ("rule", "all_rules")),
    )
    return table, recall_by_typology(truth, model_flags, rule_flags)


def recall_by_typology(
    truth: DataFrame, model_flags: DataFrame, rule_flags: DataFrame
) -> pd.DataFrame:
    """Per planted typology: its suspicious customers and the share the model and the rules flag.

    The model names no typology, so only recall is defined per typology; the rules' precision
    per typology is in the hit table of `fcc validate`.
    """
    flagged = (
        model_flags.select("customer_id", F.lit(1).alias("m"), F.lit(0).alias("r"))
        .unionByName(rule_flags.select("customer_id", F.lit(0).alias("m"), F.lit(1).alias("r")))
        .groupBy("customer_id")
        .agg(F.max("m").alias("by_model"), F.max("r").alias("by_rules"))
    )
    table = (
        truth.where("positive")
        .select("customer_id", F.explode("typologies").alias("typology"))
        .join(flagged, "customer_id", "left")
        .groupBy("typology")
        .agg(
            F.count("*").alias("suspicious"),
            F.sum(F.coalesce("by_model", F.lit(0))).alias("model_tp"),
            F.sum(F.coalesce("by_rules", F.lit(0))).alias("rules_tp"),
        )
        .orderBy("typology")
        .toPandas()
    )
    table["model_recall"] = table["model_tp"] / table["suspicious"]
    table["rules_recall"] = table["rules_tp"] / table["suspicious"]
    return table
