"""import_file: one external file -> the bronze (or truth) tables of its kind, bad rows quarantined."""

from __future__ import annotations

import hashlib
import logging
import os
import time
from datetime import UTC, datetime
from pathlib import Path

from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql import types as T

from fcc.core.lakehouse import Lakehouse
from fcc.core.tables import bronze, ops, truth
from fcc.imports import _derive, _transfers
from fcc.imports._context import OUT, ImportContext, write_batch
from fcc.imports._fields import (
    Target,
    apply_targets,
    expression_type,
    malformed_check,
    quote,
)
from fcc.imports._source import ImportFileError, read_source, source_schema
from fcc.imports.mapping import (
    EVENT_FIELD,
    KINDS,
    LANDING,
    TARGETS,
    TRANSFER_FIELDS,
    FieldMap,
    Mapping,
    MappingError,
    load_mapping,
    static_rates,
    target_fields,
)
from fcc.quality.reasons import REASONS, Check, is_valid, with_reasons

log = logging.getLogger(__name__)

FORMATS = ("csv", "parquet", "json", "patterns")


def default_batch_id(kind: str, path: str) -> str:
    """import-<kind>-<12 hex>: the same local file (path, size, mtime) always gets the same id."""
    key = os.path.abspath(path) if "://" not in path else path
    if "://" not in path and os.path.exists(path):
        st = os.stat(path)
        key += f"|{st.st_size}|{int(st.st_mtime)}"
    else:
        key += f"|{datetime.now(UTC).isoformat()}"
    return f"import-{kind}-{hashlib.sha256(key.encode()).hexdigest()[:12]}"


def import_file(
    spark: SparkSession,
    lakehouse: Lakehouse,
    kind: str,
    path: str,
    fmt: str | None,
    mapping_path: str,
    batch_id: str | None = None,
    redact_raw: bool = False,
) -> dict[str, int | str]:
    """Import one file with a mapping; returns row counts per written table and the batch id.

    Raises MappingError (invalid mapping, or one that does not fit the file's columns) and
    ImportFileError (missing or unreadable file) before any row is written. Rows that fail
    a check go to ops.quarantine (source `import:<kind>`) with their reasons; re-importing
    with the same batch id replaces that batch's bronze rows.
    """
    started = time.monotonic()
    if kind not in KINDS:
        raise MappingError(f"unknown kind {kind!r}; known: {', '.join(KINDS)}")
    mapping = load_mapping(mapping_path, kind)
    fmt = (fmt or mapping.source.format).lower()
    if fmt not in FORMATS:
        raise ImportFileError(f"{path}: unknown format {fmt!r}; known: {', '.join(FORMATS)}")
    if "://" not in path and not Path(path).exists():
        raise ImportFileError(f"{path}: no such file")
    ctx = ImportContext(
        spark,
        lakehouse,
        kind,
        path,
        str(mapping_path),
        mapping,
        batch_id or default_batch_id(kind, path),
        datetime.now(UTC).replace(microsecond=0),
        spark.conf.get("spark.sql.session.timeZone") or "UTC",
        redact_raw,
    )
    schema = source_schema(spark, path, fmt, mapping.source)
    rates = static_rates(mapping_path, mapping.fx) if mapping.fx else None
    check_mapping(ctx, schema)
    df = read_source(spark, path, fmt, mapping.source, schema)
    if mapping.transfers is not None:
        counts = _import_transfers(ctx, df, rates)
    else:
        counts = _import_plain(ctx, df)
    log.info(
        "import kind=%s batch=%s %s seconds=%.1f",
        kind,
        ctx.batch_id,
        " ".join(f"{k}={v}" for k, v in counts.items()),
        time.monotonic() - started,
    )
    return {"batch_id": ctx.batch_id, **counts}


# ---- validation against the file's columns ---------------------------------------------


def _field_maps(m: Mapping) -> list[tuple[str, FieldMap]]:
    """(key path, FieldMap) of every field mapping over source columns."""
    out = [(f"fields.{k}", v) for k, v in m.fields.items()]
    if m.transfers:
        out += [(f"transfers.fields.{k}", v) for k, v in m.transfers.fields.items()]
    for i, ident in enumerate(m.identifiers):
        for name in ("value", "customer_id", "first_seen"):
            fm = getattr(ident, name)
            if fm is not None:
                out.append((f"identifiers[{i}].{name}", fm))
    if m.labels:
        out.append(("labels.typology", m.labels.typology))
        if m.labels.instance_id:
            out.append(("labels.instance_id", m.labels.instance_id))
    return out


def _bad_expr(exc: Exception) -> str:
    lines = [x.strip() for x in str(exc).splitlines() if x.strip()]
    return lines[0] if lines else type(exc).__name__


def check_mapping(ctx: ImportContext, schema: T.StructType) -> None:
    """Every source column exists and every expression analyses against the file's columns."""
    names = schema.fieldNames()
    empty = ctx.spark.createDataFrame([], schema)
    where = f"mapping {ctx.mapping_path}"
    for key, fm in _field_maps(ctx.mapping):
        if fm.column is not None and fm.column not in names:
            raise MappingError(
                f"{where}: {key}: source column {fm.column!r} not in {ctx.path} (columns: {names})"
            )
        if fm.expr is not None:
            try:
                expression_type(empty, fm.expr)
            except Exception as exc:
                raise MappingError(
                    f"{where}: {key}: bad expression `{fm.expr}`: {_bad_expr(exc)}"
                ) from None
    m = ctx.mapping
    if m.labels:
        _boolean_expr(empty, m.labels.suspicious, f"{where}: labels.suspicious")
    if m.transfers:
        fields = T.StructType([T.StructField(n, T.StringType()) for n in TRANSFER_FIELDS])
        _boolean_expr(
            ctx.spark.createDataFrame([], fields),
            m.transfers.internal_when,
            f"{where}: transfers.internal_when",
        )


def _boolean_expr(empty: DataFrame, expr: str, where: str) -> None:
    try:
        dtype = expression_type(empty, expr)
    except Exception as exc:
        raise MappingError(f"{where}: bad expression `{expr}`: {_bad_expr(exc)}") from None
    if not isinstance(dtype, T.BooleanType):
        raise MappingError(f"{where}: expression `{expr}` is {dtype.simpleString()}, not boolean")


# ---- shared pieces ---------------------------------------------------------------------


def _with_row_meta(ctx: ImportContext, df: DataFrame) -> DataFrame:
    """`__raw`: the source row as JSON (only the row hash when redacted)."""
    cols = [F.col(quote(c)) for c in df.columns]
    full = F.to_json(F.struct(*cols))
    raw = F.to_json(F.struct(F.sha2(full, 256).alias("row_sha256"))) if ctx.redact_raw else full
    return df.withColumns({"__raw": raw, "__row_hash": F.sha2(full, 256)})


def _record_key(keys: list[str]) -> Column:
    """Natural key of the row (mapped key fields) or `row:<hash>` when one is missing."""
    cols = [F.col(OUT + k).cast("string") for k in keys]
    missing = F.lit(False)
    for c in cols:
        missing = missing | c.isNull()
    natural = F.concat_ws("|", *cols) if cols else F.lit(None)
    return F.when(
        missing | F.lit(not cols), F.concat(F.lit("row:"), F.col("__row_hash"))
    ).otherwise(natural)


def _classify(df: DataFrame, checks: list[Check]) -> DataFrame:
    """Add the reasons of every failing check and materialise once (the file is read once).

    Only the mapped columns are kept, and the raw JSON only for rejected rows.
    """
    checked = df.transform(with_reasons(checks))
    keep = [c for c in checked.columns if c.startswith("__") and "raw_" not in c]
    return (
        checked.select(*[F.col(quote(c)) for c in keep], REASONS)
        .withColumn("__raw", F.when(~is_valid(), F.col("__raw")))
        .localCheckpoint(eager=True)
    )


def _quarantine(ctx: ImportContext, checked: DataFrame) -> int:
    """Insert the rejected rows into ops.quarantine (re-imports of a batch add nothing)."""
    bad = checked.where(~is_valid()).select(
        F.lit(ctx.source).alias("source"),
        F.col("__record_key").alias("record_key"),
        F.lit(ctx.batch_id).alias("batch_id"),
        F.lit(ctx.run_id).alias("run_id"),
        F.lit(ctx.now.date()).alias("as_of"),
        F.col(REASONS).alias("reasons"),
        F.col("__raw").alias("raw"),
        F.lit(ctx.now).alias("quarantined_at"),
    )
    n = bad.count()
    if n:
        ctx.lakehouse.merge(ops.QUARANTINE, bad.dropDuplicates(["record_key"]), update=False)
    return n


def _targets(fields: dict[str, FieldMap], allowed: dict[str, tuple[str, bool]]) -> list[Target]:
    return [
        Target(
            name, fm, allowed[name][0], fm.required if fm.required is not None else allowed[name][1]
        )
        for name, fm in fields.items()
    ]


# ---- plain mappings: one row in, one row out ------------------------------------------


def _import_plain(ctx: ImportContext, df: DataFrame) -> dict[str, int]:
    m, kind = ctx.mapping, ctx.kind
    spec = TARGETS[kind]
    allowed = target_fields(kind)
    df = _with_row_meta(ctx, df)
    mapped, checks = apply_targets(
        df, _targets(m.fields, allowed), m.time_zone, ctx.session_tz, OUT
    )
    mapped, id_checks = _derive.apply_identifier_maps(ctx, mapped, m.identifiers)
    keys = [k for k in spec.keys if k not in LANDING and k in m.fields]
    mapped = mapped.withColumn("__record_key", _record_key(keys))
    checked = _classify(mapped, [*malformed_check(df), *checks, *id_checks])
    read = checked.count()
    quarantined = _quarantine(ctx, checked)
    good = checked.where(is_valid())
    counts = {"rows_read": read, "rows_quarantined": quarantined}
    if kind == "labels":
        counts["truth.customer_labels"] = _write_customer_labels(ctx, _plain_labels(good, m))
        return counts
    event = EVENT_FIELD[kind]
    landed = ctx.landed_at(F.col(f"{OUT}t_{event}") if event in m.fields else None)
    out = good.select(
        *[
            (F.col(OUT + f) if f in m.fields else F.lit(None).cast(spec.schema[f].dataType)).alias(
                f
            )
            for f in allowed
        ],
        landed.alias("landed_at"),
    )
    counts[spec.qualified] = write_batch(ctx, spec, out)
    if m.identifiers:
        counts[bronze.IDENTIFIERS.qualified] = write_batch(
            ctx, bronze.IDENTIFIERS, _derive.identifier_rows(ctx, good, m.identifiers, landed)
        )
    if m.derive_customers is not None:
        seen = _derive.customers_seen_plain(good, kind, set(m.fields))
        counts.update(_derive.write_derived(ctx, seen, m.derive_customers))
    return counts


def _plain_labels(good: DataFrame, m: Mapping) -> DataFrame:
    typologies = (
        F.col(OUT + "typologies") if "typologies" in m.fields else F.array().cast("array<string>")
    )
    lookalike = F.col(OUT + "lookalike") if "lookalike" in m.fields else F.lit(None).cast("string")
    return (
        good.select(
            F.col(OUT + "customer_id").alias("customer_id"),
            F.col(OUT + "is_suspicious").alias("is_suspicious"),
            typologies.alias("typologies"),
            lookalike.alias("lookalike"),
        )
        .groupBy("customer_id")
        .agg(
            F.max("is_suspicious").alias("is_suspicious"),
            F.array_sort(F.array_distinct(F.flatten(F.collect_list("typologies")))).alias(
                "typologies"
            ),
            F.max("lookalike").alias("lookalike"),
        )
    )


def _write_customer_labels(ctx: ImportContext, labels: DataFrame) -> int:
    """MERGE labels per customer; a suspicious label is never downgraded by a later import."""
    ctx.lakehouse.merge(
        truth.CUSTOMER_LABELS,
        labels,
        update_condition="s.is_suspicious OR NOT t.is_suspicious",
    )
    return labels.count()


# ---- transfer files: both sides of a payment on one row -------------------------------


def _import_transfers(
    ctx: ImportContext, df: DataFrame, rates: dict[str, str] | None
) -> dict[str, int]:
    m = ctx.mapping
    tr = m.transfers
    allowed = {k: (t, req) for k, (t, req) in TRANSFER_FIELDS.items()}
    df = _with_row_meta(ctx, df)
    mapped, checks = apply_targets(
        df, _targets(tr.fields, allowed), m.time_zone, ctx.session_tz, OUT
    )
    label_cols: dict[str, Column] = {}
    if ctx.kind == "labels":
        label_targets = [Target("typology", m.labels.typology, "string", False)]
        if m.labels.instance_id is not None:
            label_targets.append(Target("instance_id", m.labels.instance_id, "string", False))
        mapped, more = apply_targets(mapped, label_targets, m.time_zone, ctx.session_tz, "__l_")
        checks += more
        label_cols = {
            "suspicious": F.coalesce(F.expr(m.labels.suspicious), F.lit(False)),
            "typology": F.coalesce(F.col("__l_typology"), F.lit("laundering")),
            "instance_id": F.col("__l_instance_id")
            if m.labels.instance_id
            else F.lit(None).cast("string"),
        }
    mapped = mapped.withColumn("__record_key", _record_key(["transfer_id"]))
    checked = _classify(
        mapped.withColumns({f"__lab_{k}": v for k, v in label_cols.items()}),
        [*malformed_check(df), *checks],
    )
    read = checked.count()
    quarantined = _quarantine(ctx, checked)
    counts: dict[str, int] = {"rows_read": read, "rows_quarantined": quarantined}
    transfers = _transfers.normalise(checked.where(is_valid()), tr, OUT)
    if ctx.kind == "labels":
        counts.update(_transfers.write_labels(ctx, transfers))
        return counts
    counts.update(_transfers.write_transfers(ctx, transfers))
    if m.derive_customers is not None:
        counts.update(
            _derive.write_derived(ctx, _transfers.customers_seen(transfers), m.derive_customers)
        )
    if rates is not None:
        counts.update(
            _derive.write_fx(ctx, _transfers.currencies_seen(transfers), rates, m.fx.base_currency)
        )
    return counts
