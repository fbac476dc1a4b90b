"""The ingest step of one business date: every bronze source into silver, nothing lost."""

from __future__ import annotations

import logging
import time
from datetime import date

from pyspark.sql import SparkSession
from pyspark.sql import functions as F

from fcc.core.lakehouse import Lakehouse
from fcc.core.settings import AppConfig
from fcc.core.tables.extra_ingest import LATE_DATES
from fcc.ingest._common import IngestContext, Source
from fcc.ingest.engine import (
    Done,
    Prepared,
    check_balanced,
    classify_sources,
    count_stage,
    done_until,
    dq_rows,
    late_date_rows,
    write_dq,
    write_late_dates,
    write_quarantine,
    write_silver,
)
from fcc.ingest.reference import ADDRESS_LABELS, CHAIN_EDGES, CUSTOMERS, FX, IDENTIFIERS
from fcc.ingest.transactions import FIAT, INTERNAL, ONCHAIN, TRADES
from fcc.ingest.watchlist import prepare_watchlists, write_watchlists
from fcc.quality.reconcile import OUTCOMES, ReconciliationError

log = logging.getLogger(__name__)

# Stages run in order: transactions and identifiers validate against the rates and customers
# written by the stage before them. Sources of one stage are independent of each other: those
# sharing a silver table are classified in one plan, and the whole stage is counted in one
# aggregation before its writes.
STAGES = [
    [FX, CUSTOMERS],
    [IDENTIFIERS, ADDRESS_LABELS, CHAIN_EDGES, FIAT, ONCHAIN, INTERNAL, TRADES],
]


def run_ingest(
    spark: SparkSession, lakehouse: Lakehouse, cfg: AppConfig, as_of: date, run_id: str
) -> dict[str, int]:
    """Ingest every bronze batch landed by the end of `as_of` and not yet reconciled.

    Returns row counts: totals (`rows_read`, `rows_inserted`, ...), per source
    (`<source>.read`, `<source>.inserted`, ...), `batches`, `late_rows` and `rows_deferred`
    (rows early for `as_of`, left in bronze for the night whose window covers them). Raises
    SchemaDriftError on a missing required column and ReconciliationError when a batch's
    counts do not add up (its ops.dq_results row then says passed = false).
    """
    del spark  # the lakehouse carries the session
    started = time.monotonic()
    ctx = IngestContext(lakehouse, cfg.ingest, as_of, run_id)
    done: list[Prepared] = []
    late: list[tuple] = []
    reconciled = done_until(ctx)  # one read of ops.dq_results for every source
    try:
        try:
            for stage in STAGES:
                prepared = _classify_stage(ctx, stage, reconciled)
                if stage is STAGES[-1]:
                    prepared.append(prepare_watchlists(ctx, reconciled))
                count_stage(ctx, prepared)
                done += prepared
                check_balanced(prepared)
                late += _write_stage(ctx, prepared)
        except ReconciliationError as exc:
            write_dq(ctx, dq_rows(ctx, done, failure=str(exc)))
            raise
        write_quarantine(ctx, done)
        write_late_dates(ctx, late)
        write_dq(ctx, dq_rows(ctx, done))
    finally:
        for p in done:
            if p.rows is not None:
                p.rows.unpersist()
    out = _counts(done)
    out["late_rows"] = sum(row[4] for row in late)
    log.info(
        "ingest as_of=%s run=%s batches=%d read=%d inserted=%d quarantined=%d deferred=%d late_rows=%d seconds=%.1f",
        as_of,
        run_id,
        out["batches"],
        out["rows_read"],
        out["rows_inserted"],
        out["rows_quarantined"],
        out["rows_deferred"],
        out["late_rows"],
        time.monotonic() - started,
    )
    return out


def _classify_stage(ctx: IngestContext, stage: list[Source], done: Done) -> list[Prepared]:
    """The stage's sources classified, those sharing a silver table together (in stage order)."""
    by_table: dict[str, list[Source]] = {}
    for src in stage:
        by_table.setdefault(src.silver.qualified, []).append(src)
    prepared = [p for group in by_table.values() for p in classify_sources(ctx, group, done)]
    return sorted(prepared, key=lambda p: stage.index(p.src))


def _write_stage(ctx: IngestContext, prepared: list[Prepared]) -> list[tuple]:
    """One write per silver table of the stage; returns the late-date rows of what was written."""
    late: list[tuple] = []
    by_table: dict[str, list[Prepared]] = {}
    for p in prepared:
        if p.src is not None:
            by_table.setdefault(p.src.silver.qualified, []).append(p)
        else:
            write_watchlists(ctx, p)
    for group in by_table.values():
        late += late_date_rows(ctx, write_silver(ctx, group[0].src.silver, group))
    return late


def _counts(done: list[Prepared]) -> dict[str, int]:
    out: dict[str, int] = {"rows_read": 0, "batches": 0, **{f"rows_{o}": 0 for o in OUTCOMES}}
    out["rows_deferred"] = 0
    for p in done:
        out[f"{p.source}.read"] = p.rows_read
        out["rows_read"] += p.rows_read
        out["rows_deferred"] += p.deferred
        out["batches"] += len(p.counts)
        for o in OUTCOMES:
            out[f"{p.source}.{o}"] = p.total(o)
            out[f"rows_{o}"] += p.total(o)
    return out


def late_dates(lakehouse: Lakehouse, as_of: date) -> list[date]:
    """Event dates before `as_of` that the ingest of `as_of` inserted transactions into."""
    rows = (
        lakehouse.read(LATE_DATES)
        .where(F.col("as_of") == F.lit(as_of))
        .select("event_date")
        .distinct()
        .orderBy("event_date")
        .collect()
    )  # bounded by the days of history
    return [r["event_date"] for r in rows]
