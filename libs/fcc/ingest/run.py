"""The ingest step of one business date: every bronze source into silver, nothing lost."""

from __future__ import annotations

import logging
import time
from datetime import date

from pyspark.sql import SparkSession
from pyspark.sql import functions as F

from fcc.core.lakehouse import Lakehouse
from fcc.core.settings import AppConfig
from fcc.core.tables import silver
from fcc.core.tables.extra_ingest import LATE_DATES
from fcc.ingest._common import IngestContext
from fcc.ingest.engine import (
    Prepared,
    check_balanced,
    dq_rows,
    late_date_rows,
    prepare,
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
# written by the stages before them. Sources of one stage are independent of each other.
STAGES = [
    [FX],
    [CUSTOMERS],
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
    try:
        for stage in STAGES:
            prepared = [prepare(ctx, src) for src in stage]
            if stage is STAGES[-1]:
                prepared.append(prepare_watchlists(ctx))
            done += prepared
            check_balanced(prepared)
            by_table: dict[str, list[Prepared]] = {}
            for p in prepared:
                if p.src is not None:
                    by_table.setdefault(p.src.silver.qualified, []).append(p)
                else:
                    write_watchlists(ctx, p)
            for group in by_table.values():
                written = write_silver(ctx, group[0].src.silver, group)
                if written is not None and group[0].src.silver is silver.TRANSACTIONS:
                    late += late_date_rows(ctx, written)
    except ReconciliationError as exc:
        write_dq(ctx, dq_rows(ctx, done, failure=str(exc)))
        raise
    write_quarantine(ctx, done)
    write_late_dates(ctx, late)
    write_dq(ctx, dq_rows(ctx, done))
    for p in done:
        if p.rows is not None:
            p.rows.unpersist()
    out = _counts(done)
    out["late_rows"] = sum(row[4] for row in late)
    log.info(
        "ingest as_of=%s run=%s batches=%d read=%d inserted=%d quarantined=%d late_rows=%d seconds=%.1f",
        as_of,
        run_id,
        out["batches"],
        out["rows_read"],
        out["rows_inserted"],
        out["rows_quarantined"],
        out["late_rows"],
        time.monotonic() - started,
    )
    return out


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
