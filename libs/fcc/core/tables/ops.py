"""Ops: the audit ledger, data-quality results, quarantine and metrics."""

from pyspark.sql import types as T

from fcc.core.tables._spec import TableSpec, col, schema

S, L, D, TS, DT = T.StringType(), T.LongType(), T.DoubleType(), T.TimestampType(), T.DateType()

RUNS = TableSpec(
    "ops",
    "runs",
    schema(
        col("run_id", S, "unique run id", False),
        col("job", S, "job name (nightly, ingest, ...)", False),
        col("step", S, "step name, or '*' for the whole run", False),
        col("as_of", DT, "business date D"),
        col("status", S, "running | succeeded | failed", False),
        col("started_at", TS, "UTC"),
        col("ended_at", TS, "UTC"),
        col("duration_s", D, "seconds"),
        col("code_version", S, "package version"),
        col("git_commit", S, "source commit when known"),
        col("config_hash", S, "SHA-256 of the effective config"),
        col("config_json", S, "effective config as JSON"),
        col("input_versions", T.MapType(S, L), "table -> Delta version read"),
        col("output_versions", T.MapType(S, L), "table -> Delta version written"),
        col("row_counts", T.MapType(S, L), "named row counts of the step"),
        col("error", S, "error message of a failed step"),
        col(
            "config_diff",
            S,
            "JSON of config keys changed since the job's previous succeeded run: "
            '{"key": {"old": v, "new": v}}; {} when unchanged, null for the first run',
        ),
    ),
    "Audit ledger: one row per run and step.",
    keys=("run_id", "step"),
)

DQ_RESULTS = TableSpec(
    "ops",
    "dq_results",
    schema(
        col("run_id", S, "run", False),
        col("as_of", DT, "business date", False),
        col("source", S, "bronze source table", False),
        col("batch_id", S, "batch", False),
        col("check", S, "check name, e.g. reconciliation", False),
        col("rows_read", L, "bronze rows read"),
        col("rows_inserted", L, "new silver rows"),
        col("rows_updated", L, "silver rows updated"),
        col("rows_duplicate", L, "duplicates dropped (already present or resent)"),
        col("rows_quarantined", L, "rows sent to quarantine"),
        col("passed", T.BooleanType(), "check result"),
        col("detail", S, "message"),
    ),
    "Data-quality and reconciliation results per source and batch.",
    partition_by=("as_of",),
    keys=("as_of", "source", "batch_id", "check"),
)

QUARANTINE = TableSpec(
    "ops",
    "quarantine",
    schema(
        col("source", S, "bronze table", False),
        col("record_key", S, "source key of the row (e.g. ledger_id)"),
        col("batch_id", S, "batch"),
        col("run_id", S, "run that rejected it"),
        col("as_of", DT, "business date of the run", False),
        col("reasons", T.ArrayType(S), "reason codes, e.g. MISSING_FIELD:amount"),
        col("raw", S, "the raw row as JSON (redacted when config says so)"),
        col("quarantined_at", TS, "UTC"),
    ),
    "Rejected bronze rows with reason codes.",
    partition_by=("as_of",),
    keys=("source", "record_key", "batch_id"),
)

METRICS = TableSpec(
    "ops",
    "metrics",
    schema(
        col("as_of", DT, "business date", False),
        col("run_id", S, "run"),
        col("family", S, "validation | kri | drift | dq | model | tuning", False),
        col("subject", S, "rule id, typology, feature, source ...", False),
        col(
            "metric",
            S,
            "metric name (precision, recall, psi, alert_count ...; tuning: <name>#<grid point>)",
            False,
        ),
        col("value", D, "value"),
        col("threshold", D, "limit the value is compared to"),
        col("breach", T.BooleanType(), "value outside its limit"),
        col("detail", S, "JSON with details"),
    ),
    "KRIs, drift, validation, data-quality and tuning metrics over time.",
    partition_by=("as_of",),
    keys=("as_of", "family", "subject", "metric"),
)

ALL = [RUNS, DQ_RESULTS, QUARANTINE, METRICS]
