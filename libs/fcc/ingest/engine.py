"""The source-independent part of ingest: pick pending rows, classify, count, write, reconcile.

A night reads ops.dq_results once (`done_until`) for every source. Each source's pending rows are
validated and classified in one plan, locally checkpointed (`classify_source`); then one
aggregation over all sources of a stage (`count_stage`) counts, per batch, the bronze rows read
and deferred (from the pending rows themselves) and the classified rows per outcome and event
date. Those counts reconcile every batch, name the partitions the MERGEs touch and give the late
dates, so nothing is counted again after classification.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import reduce
from typing import NamedTuple

from pyspark.sql import Column, DataFrame, SparkSession, Window
from pyspark.sql import functions as F
from pyspark.sql import types as T

from fcc.core.spark import session_conf
from fcc.core.tables import TableSpec, ops
from fcc.core.tables.extra_ingest import LATE_DATES
from fcc.ingest._common import RAW, IngestContext, Source
from fcc.quality.reasons import REASONS, is_valid
from fcc.quality.reconcile import (
    BatchCounts,
    ReconciliationError,
    assert_balanced,
    reconcile,
)
from fcc.quality.schema import conform_bronze

log = logging.getLogger(__name__)

RECONCILIATION = "reconciliation"
SCHEMA_DRIFT = "schema_drift"
NO_BATCH = "(none)"
_LANDING = ("batch_id", "landed_at")
_EPOCH0 = datetime(1970, 1, 1, tzinfo=UTC)
_PRUNE_ON = "event_date"  # MERGEs into tables partitioned by it read only the rows' dates
DEFERRED = "_deferred"
ROW_ID = "_row_id"  # unique per candidate row of a source: a copy a join makes shares it
SOURCE = "_source"  # the bronze source of a row among sources classified together
ACCEPTED = ("inserted", "updated")
EARLY = "deferred"  # the outcome of a row early for D (not one of OUTCOMES: it is not read)
Clock = tuple[str, Callable[[Column], Column]]  # a source's raw event-time column and its parser
Done = dict[str, dict[str, datetime]]  # source -> batch -> landing instant it is done until


class Part(NamedTuple):
    """Rows of one batch with one outcome, event date and watchlist plan (from count_stage)."""

    batch_id: str
    outcome: str
    event_date: date | None
    list_name: str | None
    replace: bool | None
    rows: int


@dataclass
class Prepared:
    """One source's pending rows, classified (checkpointed) and counted, ready to write."""

    source: str
    counts: list[BatchCounts] = field(default_factory=list)
    rows: DataFrame | None = None
    warnings: list[str] = field(default_factory=list)
    src: Source | None = None
    deferred: int = 0  # rows early for D, left in bronze for the night that covers them
    parts: list[Part] = field(default_factory=list)

    def total(self, outcome: str) -> int:
        return sum(c.get(outcome) for c in self.counts)

    @property
    def rows_read(self) -> int:
        return sum(c.rows_read for c in self.counts)

    def accepted(self) -> DataFrame:
        return self.rows.where(F.col("_outcome").isin(*ACCEPTED))

    def accepted_parts(self) -> list[Part]:
        return [p for p in self.parts if p.outcome in ACCEPTED]


# ---- which rows -----------------------------------------------------------------------


def read_bronze(
    ctx: IngestContext, spec: TableSpec, required: tuple[str, ...]
) -> tuple[DataFrame, list[str]]:
    """The bronze table with its declared columns (schema drift checked)."""
    return conform_bronze(ctx.lakehouse.read(spec), spec, (*required, *_LANDING))


def pending_rows(
    bronze: DataFrame,
    ctx: IngestContext,
    source: str,
    clock: Clock | None = None,
    done: Done | None = None,
) -> DataFrame:
    """Rows D reads: landed by D's landing cutoff, not yet reconciled and not deferred.

    A batch counts as done for the rows its successful run's as-of date read (landed by that
    date's cutoff and not deferred then), so a batch still filling up at the cutoff is finished
    the next night. With a `clock` (the source's raw event-time column and parser), a row whose
    event time is after D's future cutoff but not after its own landing (plus the tolerance) is
    early for D: it is deferred, left out of D's run and read by the night whose window covers
    its event time. Only an event time after the row's own landing is quarantined.
    `done` is `done_until(ctx)` when the caller has it (read here otherwise).
    """
    return candidate_rows(bronze, ctx, source, clock, done).where(~F.col(DEFERRED)).drop(DEFERRED)


def candidate_rows(
    bronze: DataFrame,
    ctx: IngestContext,
    source: str,
    clock: Clock | None,
    done: Done | None = None,
) -> DataFrame:
    """Unreconciled rows landed by D's cutoff, with `_deferred` (early for D, left for a later
    night) and `_row_id` (unique per row)."""
    if done is None:
        done = done_until(ctx)
    tolerance = timedelta(minutes=int(ctx.settings.future_tolerance_minutes))
    window = timedelta(hours=int(ctx.settings.landing_window_hours))
    return (
        bronze.where(  # exact; skips reconciled files
            _not_done(done.get(source, {}), clock, tolerance, window)
        )
        .withColumns(
            {
                "batch_id": F.coalesce(F.col("batch_id"), F.lit(NO_BATCH)),
                "_landed": F.coalesce(F.col("landed_at"), F.lit(_EPOCH0)),
                DEFERRED: _early(clock, ctx.future_cutoff, tolerance),
            }
        )
        .where(F.col("_landed") < F.lit(ctx.landing_cutoff))
        .withColumn(ROW_ID, F.monotonically_increasing_id())
    )


def _early(clock: Clock | None, future_cutoff: datetime, tolerance: timedelta) -> Column:
    """True for a row whose event time is after `future_cutoff` yet not after its own landing.

    Such a row is real but early for the night of `future_cutoff` (an imported history landed
    at its event times, a feed delivering the next morning's first rows). A row without a
    landing time, or whose event time is later than its landing plus the tolerance, is not
    early but impossible: it stays and is quarantined as FUTURE_TIMESTAMP.
    """
    if clock is None:
        return F.lit(False)
    column, parse = clock
    event = parse(F.col(column))
    landed = F.col("landed_at")
    ok = (
        (event > F.lit(future_cutoff))
        & landed.isNotNull()
        & (event <= landed + F.expr(f"INTERVAL {int(tolerance.total_seconds())} SECONDS"))
    )
    return F.coalesce(ok, F.lit(False))


def done_until(ctx: IngestContext) -> Done:
    """Source -> batch -> landing cutoff of its latest successful reconciliation.

    One read of ops.dq_results for every source of the night (no table yet: nothing is done).
    It holds one reconciliation row per batch and night that read some of its rows, so the
    rows collected are bounded by the batches.
    """
    if not ctx.lakehouse.exists(ops.DQ_RESULTS):
        return {}
    rows = (
        ctx.lakehouse.read(ops.DQ_RESULTS)
        .where((F.col("check") == RECONCILIATION) & F.col("passed"))
        .select("source", "batch_id", "as_of")
        .collect()
    )
    after = timedelta(days=1, hours=int(ctx.settings.landing_window_hours))
    done: Done = {}
    for r in rows:
        day = r["as_of"]
        until = datetime(day.year, day.month, day.day, tzinfo=UTC) + after
        batches = done.setdefault(r["source"], {})
        if until > batches.get(r["batch_id"], _EPOCH0):
            batches[r["batch_id"]] = until
    return done


def _not_done(
    done: dict[str, datetime],
    clock: Clock | None = None,
    tolerance: timedelta = timedelta(0),
    window: timedelta = timedelta(0),
) -> Column:
    """True for a bronze row not covered by `done`, written on the raw columns.

    A row is done when its batch (null = NO_BATCH) is in `done`, it landed (null = epoch)
    before the batch's instant and it was not deferred by that night (see `_early`). Batches
    sharing an instant form one term `batch_id NOT IN (...) OR landed_at >= instant OR
    (landed_at > day end AND early)`, which Delta checks against each file's min/max statistics
    (a deferred row landed after its night's end), so files holding only reconciled rows of
    reconciled batches are skipped.
    """
    by_until: dict[datetime, list[str]] = {}
    for batch, until in done.items():
        by_until.setdefault(until, []).append(batch)
    batch = F.col("batch_id")
    keep = F.lit(True)
    for until, batches in sorted(by_until.items()):
        named = sorted(b for b in batches if b != NO_BATCH)
        other = ~batch.isin(named) if named else F.lit(True)
        if NO_BATCH in batches:
            other = batch.isNotNull() & other
        else:
            other = batch.isNull() | other
        landed = F.col("landed_at")
        landed_after = landed.isNotNull() & (landed >= F.lit(until))
        day_end = until - window
        deferred = F.lit(False)
        if clock is not None:
            deferred = (
                landed.isNotNull()
                & (landed > F.lit(day_end))
                & _early(clock, day_end + tolerance, tolerance)
            )
        keep = keep & (other | landed_after | deferred)
    return keep


def with_row_meta(spec: TableSpec, redact: bool) -> Callable[[DataFrame], DataFrame]:
    """Add `_record_key`, `_raw` (JSON, or keys only when redacted), `_row_hash`; prefix raw columns."""

    def _apply(df: DataFrame) -> DataFrame:
        data_cols = [c for c in spec.schema.fieldNames()]
        full = F.to_json(F.struct(*[F.col(c) for c in data_cols]))
        keys = [k for k in spec.keys if k not in _LANDING] or [data_cols[0]]
        key_missing = F.lit(False)
        for k in keys:
            key_missing = key_missing | F.col(k).isNull() | (F.trim(F.col(k).cast("string")) == "")
        natural = F.concat_ws("|", *[F.col(k).cast("string") for k in keys])
        raw = F.to_json(F.struct(*[F.col(k) for k in (*keys, "batch_id")])) if redact else full
        meta = df.withColumns(
            {
                "_row_hash": F.sha2(full, 256),
                "_raw": raw,
                "_record_key": F.when(
                    key_missing, F.concat(F.lit("row:"), F.sha2(full, 256))
                ).otherwise(natural),
            }
        )
        renamed = [F.col(c).alias(RAW + c) for c in data_cols if c not in _LANDING]
        carried = [c for c in (DEFERRED, ROW_ID) if c in df.columns]
        return meta.select(
            *renamed,
            "batch_id",
            "landed_at",
            "_landed",
            "_row_hash",
            "_raw",
            "_record_key",
            *carried,
        )

    return _apply


# ---- classify -------------------------------------------------------------------------


def _better(new: Column, old: Column, wins: str) -> Column:
    """True when version `new` beats `old` (a present version beats a missing one)."""
    cmp = new > old if wins == "max" else new < old
    return F.coalesce(cmp, new.isNotNull() & old.isNull())


def classify(checked: DataFrame, existing: DataFrame, src: Source) -> DataFrame:
    """Add `_outcome`: quarantined | duplicate | inserted | updated | deferred, one per row.

    Among valid rows sharing the silver key the winner is the best version (upsert sources),
    then the earliest landing, then the smallest batch id. A winner already in silver is a
    duplicate, unless its version beats the stored one (then updated). A row early for D
    (`_deferred`, when present) is deferred whatever it holds.

    One pass over the rows: every row is joined to its stored key and ranked among the rows of
    its key with the valid ones first, so the rank of a valid row counts valid rows only.
    """
    keys = list(src.match_keys)
    early = F.col(DEFERRED) if DEFERRED in checked.columns else F.lit(False)
    ranks = F.col("_ranks")
    order = [ranks.desc()]
    if src.version:
        v = F.col(src.version)
        order.append(v.desc_nulls_last() if src.version_wins == "max" else v.asc_nulls_last())
    order += [F.col("_landed").asc(), F.col("batch_id").asc(), F.col("_row_hash").asc()]
    stored = existing.select(
        *keys,
        F.lit(True).alias("_exists"),
        (F.col(src.version) if src.version else F.lit(None)).alias("_stored_version"),
    )
    ranked = (
        checked.withColumn("_ranks", is_valid() & ~early)
        .join(stored, keys, "left")
        .withColumn("_rank", F.row_number().over(Window.partitionBy(*keys).orderBy(*order)))
    )
    if src.version:
        improves = _better(F.col(src.version), F.col("_stored_version"), src.version_wins)
    else:
        improves = F.lit(False)
    outcome = (
        F.when(early, EARLY)
        .when(~is_valid(), "quarantined")
        .when(F.col("_rank") > 1, "duplicate")
        .when(F.col("_exists").isNull(), "inserted")
        .when(improves, "updated")
        .otherwise("duplicate")
    )
    return ranked.withColumn("_outcome", outcome).drop(
        "_ranks", "_rank", "_exists", "_stored_version"
    )


# ---- one source ----------------------------------------------------------------------


def existing_rows(ctx: IngestContext, spec: TableSpec) -> DataFrame:
    """A silver table's rows; an empty frame when it does not exist yet (it is not created)."""
    if ctx.lakehouse.exists(spec):
        return ctx.lakehouse.read(spec)
    return ctx.lakehouse.spark.createDataFrame([], spec.schema)


def classify_sources(
    ctx: IngestContext, sources: list[Source], done: Done | None = None
) -> list[Prepared]:
    """Sources sharing a silver table, validated and classified in one plan (not counted).

    Their validated rows are stacked (each source's own columns, null elsewhere) and ranked and
    matched against the silver table once: one shuffle and one read of the stored keys for all
    of them. Only the validated columns are ranked and kept, not the raw bronze columns they
    were parsed from (`_raw` holds what quarantine records of a row). The rows are
    checkpointed lazily: the first action over them, `count_stage`'s aggregation, fills the
    checkpoint, and from then on they are fixed whatever the MERGEs change in silver. Each
    source's Prepared holds its slice of the shared rows.
    """
    first = sources[0]
    if any(
        (s.silver, s.match_keys, s.version, s.version_wins)
        != (first.silver, first.match_keys, first.version, first.version_wins)
        for s in sources
    ):
        raise ValueError("sources classified together must share table, keys and version")
    checked, warnings = [], {}
    for src in sources:
        bronze, warnings[src.name] = read_bronze(ctx, src.bronze, src.required)
        candidates = candidate_rows(bronze, ctx, src.name, src.clock, done)
        rows = candidates.transform(with_row_meta(src.bronze, ctx.settings.redact_raw))
        validated = src.validate(rows, ctx)
        # the raw columns served validation; `_raw` keeps what quarantine records of the row
        raw = [c for c in validated.columns if c.startswith(RAW)]
        checked.append(validated.drop(*raw).withColumn(SOURCE, F.lit(src.name)))
    stacked = reduce(lambda a, b: a.unionByName(b, allowMissingColumns=True), checked)
    rows = classify(stacked, existing_rows(ctx, first.silver), first).localCheckpoint(eager=False)
    if len(sources) == 1:
        return [Prepared(first.name, rows=rows, warnings=warnings[first.name], src=first)]
    return [
        Prepared(s.name, rows=rows.where(F.col(SOURCE) == s.name), warnings=warnings[s.name], src=s)
        for s in sources
    ]


def prepare(ctx: IngestContext, src: Source, done: Done | None = None) -> Prepared:
    """Read, validate, deduplicate and count one source's pending batches (nothing written)."""
    [p] = classify_sources(ctx, [src], done)
    count_stage(ctx, [p])
    return p


def count_stage(ctx: IngestContext, prepared: list[Prepared]) -> None:
    """Count every source of a stage in one aggregation and reconcile each batch (in place).

    Per source and batch: the distinct candidate rows (`_row_id`), and the classified rows per
    outcome, event date (sources whose silver table is partitioned by it) and watchlist plan.
    Rows read are the distinct rows not deferred; the outcomes count every classified row, so
    a row a join copied leaves its batch unbalanced. Every step from the candidates to the
    outcome keeps every row (projections and left joins), and each row gets one outcome.
    """
    live = [p for p in prepared if p.rows is not None]
    if not live:
        return
    fine = ["source", "batch_id", "_outcome", _PRUNE_ON, "list_name", "_replace"]
    frames = [
        p.rows.select(F.lit(p.source).alias("source"), *_part_columns(p), ROW_ID) for p in live
    ]
    grouped = (
        reduce(DataFrame.unionByName, frames)
        .groupingSets([["source", "batch_id"], fine], *fine)
        .agg(
            F.grouping("_outcome").alias("_batch"),
            F.count("*").alias("n"),
            F.count_distinct(ROW_ID).alias("distinct"),
        )
        .collect()
    )  # bounded by batches x outcomes x event dates
    by_source: dict[str, list] = {}
    for g in grouped:
        by_source.setdefault(g["source"], []).append(g)
    for p in live:
        distinct: dict[str, int] = {}
        outcomes: dict[tuple[str, str], int] = {}
        early: dict[str, int] = {}
        parts = []
        for g in by_source.get(p.source, []):
            batch, outcome, n = g["batch_id"], g["_outcome"], int(g["n"])
            if g["_batch"]:
                distinct[batch] = int(g["distinct"])
            elif outcome == EARLY:
                early[batch] = early.get(batch, 0) + n
            else:
                outcomes[(batch, outcome)] = outcomes.get((batch, outcome), 0) + n
                parts.append(Part(batch, outcome, g[_PRUNE_ON], g["list_name"], g["_replace"], n))
        read = {b: n - early.get(b, 0) for b, n in distinct.items() if n > early.get(b, 0)}
        p.counts = reconcile(p.source, read, outcomes)
        p.deferred = sum(early.values())
        p.parts = parts
        if p.deferred:
            log.info("ingest %s: %d rows early for %s deferred", p.source, p.deferred, ctx.as_of)


def _part_columns(p: Prepared) -> list[Column]:
    """batch_id, _outcome, event_date, list_name, _replace of classified rows (null if n/a)."""
    cols = p.rows.columns
    dated = p.src is not None and _PRUNE_ON in p.src.silver.partition_by

    def have(name: str, dtype: T.DataType, use: bool = True) -> Column:
        return (F.col(name) if use and name in cols else F.lit(None).cast(dtype)).alias(name)

    return [
        F.col("batch_id"),
        F.col("_outcome"),
        have(_PRUNE_ON, T.DateType(), dated),
        have("list_name", T.StringType(), p.src is None),
        have("_replace", T.BooleanType(), p.src is None),
    ]


def write_silver(ctx: IngestContext, spec: TableSpec, group: list[Prepared]) -> list[Prepared]:
    """One MERGE of the accepted rows of sources sharing a silver table; returns those written.

    The MERGE's own insert / update counts must equal the classified counts, or the run fails.
    A table partitioned by event date is merged only within the event dates of the rows (known
    from `count_stage`): a row whose key is already stored under another date was classified a
    duplicate against the whole table and is not among them (an update moved across dates would
    show up as an insert and fail the count check).
    """
    group = [p for p in group if p.total("inserted") or p.total("updated")]
    if not group:
        return []
    frames = [p.src.to_silver(p.accepted(), ctx) for p in group]
    silver_rows = reduce(DataFrame.unionByName, frames)
    src = group[0].src
    condition = None
    if src.version:
        op, v = (">" if src.version_wins == "max" else "<"), src.version
        condition = f"s.`{v}` {op} t.`{v}` OR (t.`{v}` IS NULL AND s.`{v}` IS NOT NULL)"
    prune = _PRUNE_ON in spec.partition_by
    with _source_is_fixed(ctx.lakehouse.spark):
        written = ctx.lakehouse.merge(
            spec,
            silver_rows,
            update=bool(src.version),
            update_condition=condition,
            prune_on=_PRUNE_ON if prune else None,
            prune_values=[x.event_date for p in group for x in p.accepted_parts()]
            if prune
            else None,
        )
    expected = {
        "inserted": sum(p.total("inserted") * p.src.legs for p in group),
        "updated": sum(p.total("updated") * p.src.legs for p in group),
    }
    if written != expected:
        names = "; ".join(
            f"source {p.source} batch(es) {', '.join(c.batch_id for c in p.counts)}" for p in group
        )
        raise ReconciliationError(
            f"reconciliation failed: {names}: {spec.qualified} MERGE wrote {written}, expected {expected}"
        )
    return group


def check_balanced(prepared: list[Prepared]) -> None:
    """Raise ReconciliationError naming every source and batch whose counts do not add up."""
    assert_balanced([c for p in prepared for c in p.counts])


# ---- ops writes (once per run) --------------------------------------------------------


def quarantine_rows(p: Prepared, ctx: IngestContext) -> DataFrame:
    """ops.quarantine rows of one source's rejected bronze rows."""
    return p.rows.where(F.col("_outcome") == "quarantined").select(
        F.lit(p.source).alias("source"),
        F.col("_record_key").alias("record_key"),
        F.col("batch_id"),
        F.lit(ctx.run_id).alias("run_id"),
        F.lit(ctx.as_of).alias("as_of"),
        F.col(REASONS).alias("reasons"),
        F.col("_raw").alias("raw"),
        F.lit(ctx.now).alias("quarantined_at"),
    )


def write_quarantine(ctx: IngestContext, prepared: list[Prepared]) -> None:
    """Insert every rejected row of the run (insert-only MERGE: a retried run adds nothing)."""
    frames = [quarantine_rows(p, ctx) for p in prepared if p.total("quarantined")]
    if frames:
        df = reduce(DataFrame.unionByName, frames)
        ctx.lakehouse.merge(ops.QUARANTINE, df, update=False, metrics=False)


def late_date_rows(ctx: IngestContext, written: list[Prepared]) -> list[tuple]:
    """(as_of, source, batch_id, event_date, rows, run_id) for new silver rows dated before D."""
    rows: dict[tuple[str, str, date], int] = {}
    for p in written:
        if not p.src.late_dates:
            continue
        for x in p.accepted_parts():
            if x.event_date is not None and x.event_date < ctx.as_of:
                key = (p.source, x.batch_id, x.event_date)
                rows[key] = rows.get(key, 0) + x.rows * p.src.legs
    return [(ctx.as_of, s, b, d, n, ctx.run_id) for (s, b, d), n in sorted(rows.items())]


def write_late_dates(ctx: IngestContext, rows: list[tuple]) -> None:
    """Insert D's late dates (insert-only MERGE within D's partition).

    Its key holds the batch: a batch read again on D (after a failed run) found its rows in
    silver already, so it has no late rows the first run did not record.
    """
    if rows:
        spark = ctx.lakehouse.spark
        ctx.lakehouse.merge(
            LATE_DATES,
            spark.createDataFrame(rows, LATE_DATES.schema),
            update=False,
            prune_on="as_of",
            prune_values=[ctx.as_of],
            metrics=False,
        )


def dq_rows(
    ctx: IngestContext, prepared: list[Prepared], failure: str | None = None
) -> list[tuple]:
    """ops.dq_results rows: reconciliation per batch, schema drift per source."""
    out = []
    for p in prepared:
        for c in p.counts:
            passed = c.balanced and failure is None
            detail = c.describe() if failure is None else f"{c.describe()}; {failure}"
            out.append(
                (
                    ctx.run_id,
                    ctx.as_of,
                    c.source,
                    c.batch_id,
                    RECONCILIATION,
                    c.rows_read,
                    c.get("inserted"),
                    c.get("updated"),
                    c.get("duplicate"),
                    c.get("quarantined"),
                    passed,
                    detail,
                )
            )
        if p.counts and p.warnings:
            out.append(
                (
                    ctx.run_id,
                    ctx.as_of,
                    p.source,
                    "*",
                    SCHEMA_DRIFT,
                    None,
                    None,
                    None,
                    None,
                    None,
                    True,
                    "; ".join(p.warnings),
                )
            )
    return out


def write_dq(ctx: IngestContext, rows: list[tuple]) -> None:
    """MERGE dq rows within D's partition (a rerun of a failed batch overwrites its failed row)."""
    if rows:
        spark = ctx.lakehouse.spark
        with _source_is_fixed(spark):
            ctx.lakehouse.merge(
                ops.DQ_RESULTS,
                spark.createDataFrame(rows, ops.DQ_RESULTS.schema),
                prune_on="as_of",
                prune_values=[ctx.as_of],
                metrics=False,
            )


@contextmanager
def _source_is_fixed(spark: SparkSession) -> Iterator[None]:
    """Let a MERGE read its source as it is instead of copying it first.

    Delta copies (checkpoints) a MERGE source that is not a plain Delta read, to protect the
    MERGE from a source that changes between its two passes. Ingest's sources are already
    fixed: checkpointed classified rows, or rows built on the driver.
    """
    with session_conf(spark, "spark.databricks.delta.merge.materializeSource", "none"):
        yield
