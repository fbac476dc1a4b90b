"""The source-independent part of ingest: pick pending rows, classify, write, reconcile."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from pyspark.sql import Column, DataFrame, Window
from pyspark.sql import functions as F

from fcc.core.tables import TableSpec, ops
from fcc.core.tables.extra_ingest import LATE_DATES
from fcc.ingest._common import RAW, IngestContext, Source
from fcc.quality.reasons import REASONS, is_valid
from fcc.quality.reconcile import (
    OUTCOMES,
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
Clock = tuple[str, Callable[[Column], Column]]  # a source's raw event-time column and its parser


@dataclass
class Prepared:
    """One source's pending rows, classified (checkpointed) and counted, ready to write."""

    source: str
    counts: list[BatchCounts]
    rows: DataFrame | None = None
    warnings: list[str] = field(default_factory=list)
    src: Source | None = None
    deferred: int = 0  # rows early for D, left in bronze for the night that covers them

    def total(self, outcome: str) -> int:
        return sum(c.get(outcome) for c in self.counts)

    @property
    def rows_read(self) -> int:
        return sum(c.rows_read for c in self.counts)

    def accepted(self) -> DataFrame:
        return self.rows.where(F.col("_outcome").isin("inserted", "updated"))


# ---- which rows -----------------------------------------------------------------------


def read_bronze(
    ctx: IngestContext, spec: TableSpec, required: tuple[str, ...]
) -> tuple[DataFrame, list[str]]:
    """The bronze table with its declared columns (schema drift checked)."""
    return conform_bronze(ctx.lakehouse.read(spec), spec, (*required, *_LANDING))


def pending_rows(
    bronze: DataFrame, ctx: IngestContext, source: str, clock: Clock | None = None
) -> DataFrame:
    """Rows D reads: landed by D's landing cutoff, not yet reconciled and not deferred.

    A batch counts as done for the rows its successful run's as-of date read (landed by that
    date's cutoff and not deferred then), so a batch still filling up at the cutoff is finished
    the next night. With a `clock` (the source's raw event-time column and parser), a row whose
    event time is after D's future cutoff but not after its own landing (plus the tolerance) is
    early for D: it is deferred, left out of D's run and read by the night whose window covers
    its event time. Only an event time after the row's own landing is quarantined.
    """
    return _candidates(bronze, ctx, source, clock).where(~F.col(DEFERRED)).drop(DEFERRED)


def _candidates(
    bronze: DataFrame, ctx: IngestContext, source: str, clock: Clock | None
) -> DataFrame:
    """Unreconciled rows landed by D's cutoff, with `_deferred`: early for D, left for a later night."""
    done = _done_until(ctx, source)
    tolerance = timedelta(minutes=int(ctx.settings.future_tolerance_minutes))
    window = timedelta(hours=int(ctx.settings.landing_window_hours))
    return (
        bronze.where(_not_done(done, clock, tolerance, window))  # exact; skips reconciled files
        .withColumns(
            {
                "batch_id": F.coalesce(F.col("batch_id"), F.lit(NO_BATCH)),
                "_landed": F.coalesce(F.col("landed_at"), F.lit(_EPOCH0)),
                DEFERRED: _early(clock, ctx.future_cutoff, tolerance),
            }
        )
        .where(F.col("_landed") < F.lit(ctx.landing_cutoff))
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


def _done_until(ctx: IngestContext, source: str) -> dict[str, datetime]:
    """Batch -> landing cutoff of its latest successful reconciliation (bounded by batches)."""
    rows = (
        ctx.lakehouse.read(ops.DQ_RESULTS)
        .where((F.col("check") == RECONCILIATION) & F.col("passed") & (F.col("source") == source))
        .groupBy("batch_id")
        .agg(F.max("as_of").alias("as_of"))
        .collect()
    )
    after = timedelta(days=1, hours=int(ctx.settings.landing_window_hours))
    return {
        r["batch_id"]: datetime(r["as_of"].year, r["as_of"].month, r["as_of"].day, tzinfo=UTC)
        + after
        for r in rows
    }


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
        return meta.select(
            *renamed, "batch_id", "landed_at", "_landed", "_row_hash", "_raw", "_record_key"
        )

    return _apply


# ---- classify -------------------------------------------------------------------------


def _better(new: Column, old: Column, wins: str) -> Column:
    """True when version `new` beats `old` (a present version beats a missing one)."""
    cmp = new > old if wins == "max" else new < old
    return F.coalesce(cmp, new.isNotNull() & old.isNull())


def classify(checked: DataFrame, existing: DataFrame, src: Source) -> DataFrame:
    """Add `_outcome`: quarantined | duplicate | inserted | updated, one per bronze row.

    Among valid rows sharing the silver key the winner is the best version (upsert sources),
    then the earliest landing, then the smallest batch id. A winner already in silver is a
    duplicate, unless its version beats the stored one (then updated).
    """
    keys = list(src.match_keys)
    order = []
    if src.version:
        v = F.col(src.version)
        order.append(v.desc_nulls_last() if src.version_wins == "max" else v.asc_nulls_last())
    order += [F.col("_landed").asc(), F.col("batch_id").asc(), F.col("_row_hash").asc()]
    ranked = checked.where(is_valid()).withColumn(
        "_rank", F.row_number().over(Window.partitionBy(*keys).orderBy(*order))
    )
    stored = existing.select(
        *keys,
        F.lit(True).alias("_exists"),
        (F.col(src.version) if src.version else F.lit(None)).alias("_stored_version"),
    )
    joined = ranked.join(stored, keys, "left")
    if src.version:
        improves = _better(F.col(src.version), F.col("_stored_version"), src.version_wins)
    else:
        improves = F.lit(False)
    outcome = (
        F.when(F.col("_rank") > 1, "duplicate")
        .when(F.col("_exists").isNull(), "inserted")
        .when(improves, "updated")
        .otherwise("duplicate")
    )
    good = joined.withColumn("_outcome", outcome).drop("_rank", "_exists", "_stored_version")
    bad = checked.where(~is_valid()).withColumn("_outcome", F.lit("quarantined"))
    return good.unionByName(bad, allowMissingColumns=True)


# ---- one source ----------------------------------------------------------------------


def prepare(ctx: IngestContext, src: Source) -> Prepared:
    """Read, validate, deduplicate and count one source's pending batches (nothing written)."""
    started = time.monotonic()
    bronze, warnings = read_bronze(ctx, src.bronze, src.required)
    candidates = _candidates(bronze, ctx, src.name, src.clock)
    read, deferred = _read_and_deferred(candidates)
    if deferred:
        log.info(
            "ingest %s: %d rows early for %s deferred to a later night",
            src.name,
            deferred,
            ctx.as_of,
        )
    if not read:
        log.info("ingest %s: no pending batches", src.name)
        return Prepared(src.name, [], src=src, deferred=deferred)
    pending = candidates.where(~F.col(DEFERRED)).drop(DEFERRED)
    checked = src.validate(
        pending.transform(with_row_meta(src.bronze, ctx.settings.redact_raw)), ctx
    )
    rows = classify(checked, ctx.lakehouse.read(src.silver), src).localCheckpoint(eager=True)
    counts = reconcile(src.name, read, outcome_counts(rows))
    log.info(
        "ingest %s: batches=%d read=%d inserted=%d updated=%d duplicate=%d quarantined=%d deferred=%d seconds=%.1f",
        src.name,
        len(counts),
        sum(read.values()),
        *(sum(c.get(o) for c in counts) for o in OUTCOMES),
        deferred,
        time.monotonic() - started,
    )
    return Prepared(src.name, counts, rows, warnings, src, deferred)


def _read_and_deferred(candidates: DataFrame) -> tuple[dict[str, int], int]:
    """Rows read tonight per batch (batches with any) and rows deferred, in one aggregation."""
    grouped = (
        candidates.groupBy("batch_id")
        .agg(
            F.count_if(~F.col(DEFERRED)).alias("n"),
            F.count_if(F.col(DEFERRED)).alias("deferred"),
        )
        .collect()
    )  # bounded by the number of batches
    read = {x["batch_id"]: int(x["n"]) for x in grouped if x["n"]}
    return read, sum(int(x["deferred"]) for x in grouped)


def batch_sizes(pending: DataFrame) -> dict[str, int]:
    """Bronze rows per pending batch (bounded by the number of batches)."""
    grouped = pending.groupBy("batch_id").agg(F.count("*").alias("n")).collect()
    return {x["batch_id"]: int(x["n"]) for x in grouped}


def outcome_counts(rows: DataFrame) -> dict[tuple[str, str], int]:
    """(batch_id, outcome) -> bronze rows; bounded by batches x 4 outcomes."""
    grouped = rows.groupBy("batch_id", "_outcome").agg(F.count("*").alias("n")).collect()
    return {(x["batch_id"], x["_outcome"]): int(x["n"]) for x in grouped}


def write_silver(ctx: IngestContext, spec: TableSpec, group: list[Prepared]) -> DataFrame | None:
    """One MERGE of the accepted rows of sources sharing a silver table; returns the rows written.

    The MERGE's own insert / update counts must equal the classified counts, or the run fails.
    A table partitioned by event date is merged only within the event dates of the rows: a row
    whose key is already stored under another date was classified a duplicate against the
    whole table and is not among them (an update moved across dates would show up as an
    insert and fail the count check).
    """
    group = [p for p in group if p.total("inserted") or p.total("updated")]
    if not group:
        return None
    frames = [p.src.to_silver(p.accepted(), ctx) for p in group]
    silver_rows = frames[0]
    for f in frames[1:]:
        silver_rows = silver_rows.unionByName(f)
    src = group[0].src
    condition = None
    if src.version:
        op, v = (">" if src.version_wins == "max" else "<"), src.version
        condition = f"s.`{v}` {op} t.`{v}` OR (t.`{v}` IS NULL AND s.`{v}` IS NOT NULL)"
    written = ctx.lakehouse.merge(
        spec,
        silver_rows,
        update=bool(src.version),
        update_condition=condition,
        prune_on=_PRUNE_ON if _PRUNE_ON in spec.partition_by else None,
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
    return silver_rows


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
    if not frames:
        return
    df = frames[0]
    for f in frames[1:]:
        df = df.unionByName(f)
    ctx.lakehouse.merge(ops.QUARANTINE, df, update=False)


def late_date_rows(ctx: IngestContext, silver_rows: DataFrame) -> list[tuple]:
    """(as_of, source, batch_id, event_date, rows, run_id) for new rows dated before D."""
    late = (
        silver_rows.where(F.col("event_date") < F.lit(ctx.as_of))
        .groupBy("source", "batch_id", "event_date")
        .agg(F.count("*").alias("rows"))
        .collect()
    )  # bounded by batches x days
    return [
        (ctx.as_of, x["source"], x["batch_id"], x["event_date"], int(x["rows"]), ctx.run_id)
        for x in late
    ]


def write_late_dates(ctx: IngestContext, rows: list[tuple]) -> None:
    if rows:
        spark = ctx.lakehouse.spark
        ctx.lakehouse.merge(LATE_DATES, spark.createDataFrame(rows, LATE_DATES.schema))


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
    """MERGE dq rows (a rerun of a failed batch overwrites its failed row)."""
    if rows:
        spark = ctx.lakehouse.spark
        ctx.lakehouse.merge(ops.DQ_RESULTS, spark.createDataFrame(rows, ops.DQ_RESULTS.schema))
