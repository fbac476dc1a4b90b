"""Tables owned by monitoring and model governance beside ops.metrics."""

from pyspark.sql import types as T

from fcc.core.tables._spec import TableSpec, col, schema

S, L, D, DT, TS = (
    T.StringType(),
    T.LongType(),
    T.DoubleType(),
    T.DateType(),
    T.TimestampType(),
)

MODEL_REGISTRY = TableSpec(
    "ops",
    "model_registry",
    schema(
        col(
            "model_id",
            S,
            "deterministic id: algorithm, as-of and a hash of params, features and inputs",
            False,
        ),
        col("as_of", DT, "business date D the model was trained for", False),
        col("run_id", S, "run that trained it"),
        col("algorithm", S, "e.g. gbt (Spark ML GBTClassifier)"),
        col("path", S, "artefact folder <lakehouse>/models/<model_id>"),
        col("status", S, "candidate (trained and validated; promotion is a human decision)"),
        col("split_method", S, "time (as-of dates) | onboarding (customers by onboarding date)"),
        col("split_detail", S, "JSON: train / calibration / test dates or customer counts"),
        col("params", S, "JSON of the training parameters"),
        col("features", T.ArrayType(S), "gold.features columns used, in vector order"),
        col("feature_importances", S, "JSON list of [feature, importance], largest first"),
        col("metrics", T.MapType(S, D), "test-period metrics (auc, precision, recall, brier ...)"),
        col("train_rows", L, "rows used for training"),
        col("test_rows", L, "rows used for testing"),
        col("input_versions", T.MapType(S, L), "table -> Delta version read"),
        col("code_version", S, "package version"),
        col("trained_at", TS, "UTC"),
    ),
    "Supervised models trained beside the rules: artefacts, split, parameters and validation.",
    keys=("model_id",),
    owner="monitoring",
)

ALL = [MODEL_REGISTRY]
