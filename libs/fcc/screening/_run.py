"""The screening step for one business date: who to screen, hits, carry-forward, delisting,
false-positive memory, state; and analysts' decisions."""

from __future__ import annotations

import logging
import time
from datetime import UTC, date, datetime

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from fcc.core.lakehouse import Lakehouse
from fcc.core.observe import counted
from fcc.core.settings import AppConfig
from fcc.core.tables import gold, silver
from fcc.core.tables.extra_screening import (
    SCREENING_DECISIONS,
    SCREENING_RUNS,
    SCREENING_STATE,
    WATCHLIST_NAME_ANALYSIS,
)
from fcc.screening._addresses import address_hits, customer_addresses
from fcc.screening._match import screen_names

log = logging.getLogger(__name__)

HITS = gold.SCREENING_HITS
OPEN, SUPPRESSED, CLOSED, ERROR = "open", "suppressed_fp", "closed_delisted", "error"
DECISIONS = ("false_positive", "true_positive")
STATUSES = (OPEN, SUPPRESSED, CLOSED, ERROR)


def with_entry_hash(entries: DataFrame) -> DataFrame:
    """Add entry_hash: SHA-256 of the screening-relevant fields of a list entry."""
    fields = F.struct(
        "entity_type", "names", "dobs", "nationalities", "countries", "crypto_addresses"
    )
    return entries.withColumn("entry_hash", F.sha2(F.to_json(fields), 256))


def with_customer_hash(customers: DataFrame) -> DataFrame:
    """Use silver's record_hash; hash the screened fields where it is missing."""
    fallback = F.sha2(
        F.to_json(
            F.struct(
                "full_name",
                "given_name",
                "family_name",
                "dob",
                "nationality",
                "residence_country",
                "segment",
            )
        ),
        256,
    )
    return customers.withColumn("record_hash", F.coalesce(F.col("record_hash"), fallback))


def _previous_run(lakehouse: Lakehouse, as_of: date) -> dict | None:
    """The latest screening run strictly before as_of (a rerun of D ignores D itself)."""
    row = (
        lakehouse.read(SCREENING_RUNS)
        .where(F.col("as_of") < F.lit(as_of))
        .orderBy(F.desc("as_of"))
        .limit(1)
        .collect()
    )
    return row[0].asDict() if row else None


def _apply_decisions(hits: DataFrame, decisions: DataFrame) -> DataFrame:
    """Suppress hits with a false-positive decision on the same customer and entry hashes."""
    fp = decisions.where(F.col("decision") == "false_positive").select(
        "customer_id",
        "entry_id",
        "match_type",
        F.col("customer_hash").alias("d_customer_hash"),
        F.col("entry_hash").alias("d_entry_hash"),
    )
    joined = hits.join(fp, ["customer_id", "entry_id", "match_type"], "left")
    same = (F.col("d_customer_hash") == F.col("customer_hash")) & (
        F.col("d_entry_hash") == F.col("entry_hash")
    )
    return joined.withColumn(
        "status",
        F.when(F.col("status") == ERROR, F.lit(ERROR))
        .when(F.coalesce(same, F.lit(False)), F.lit(SUPPRESSED))
        .otherwise(OPEN),
    ).drop("d_customer_hash", "d_entry_hash")


def run_screening(
    spark: SparkSession, lakehouse: Lakehouse, cfg: AppConfig, as_of: date, run_id: str
) -> dict[str, int]:
    """Screen customers' names and addresses for as_of; write gold.screening_hits for as_of.

    Names: everyone when any list version changed since the previous screened date (or on
    the first run), otherwise only new customers and customers whose record_hash changed;
    the others' name hits are carried forward. Addresses are matched exactly every run.
    Previous hits whose entry left the list are written once more as closed_delisted.
    """
    started = time.monotonic()
    scfg = cfg.screening
    entries = lakehouse.read(silver.WATCHLIST)
    if scfg.lists:
        entries = entries.where(F.col("list_name").isin(scfg.lists))
    entries = with_entry_hash(entries).persist()
    customers = with_customer_hash(lakehouse.read(silver.CUSTOMERS)).persist()
    versions = sorted(
        f"{r.list_name}:{r.list_version}"
        for r in entries.select("list_name", "list_version").distinct().collect()
    )
    prev = _previous_run(lakehouse, as_of)
    full = prev is None or sorted(prev["list_versions"] or []) != versions
    # the previous screened date's state and hits, each read once (the hits are cached: the
    # carried-forward and the delisted rows filter them differently)
    prev_state = prev_hits = None
    if prev is not None:
        prev_state = lakehouse.read(SCREENING_STATE).where(F.col("as_of") == F.lit(prev["as_of"]))
        prev_hits = lakehouse.read(HITS).where(F.col("as_of") == F.lit(prev["as_of"])).cache()
    if full:
        to_screen = customers
    else:
        to_screen = customers.join(
            prev_state.select("customer_id", F.col("customer_hash").alias("record_hash")),
            ["customer_id", "record_hash"],
            "left_anti",
        )
    to_screen = to_screen.persist()

    names = screen_names(to_screen, entries, scfg, lakehouse.read(WATCHLIST_NAME_ANALYSIS))
    current = names.hits
    if not full:
        unchanged = (
            prev_hits.where((F.col("match_type") == "name") & (F.col("status") != CLOSED))
            .join(to_screen.select("customer_id"), "customer_id", "left_anti")
            .join(customers.select("customer_id"), "customer_id", "left_semi")
            .drop("as_of")
        )
        carried = (
            unchanged.where(F.col("status") != ERROR)
            .join(entries.select("entry_id"), "entry_id", "left_semi")
            .unionByName(unchanged.where(F.col("status") == ERROR))
        )
        current = current.unionByName(carried)
    addresses = customer_addresses(
        lakehouse.read(silver.IDENTIFIERS), lakehouse.read(silver.TRANSACTIONS)
    )
    current = current.unionByName(address_hits(addresses, entries))
    current = _apply_decisions(current, lakehouse.read(SCREENING_DECISIONS))

    if prev_hits is not None:
        delisted = (
            prev_hits.where(~F.col("status").isin(CLOSED, ERROR))
            .join(entries.select("entry_id"), "entry_id", "left_anti")
            .drop("as_of")
            .withColumn("status", F.lit(CLOSED))
        )
        current = current.unionByName(delisted)
    # the rows per status are counted by the write (no second read of what was written)
    out, written = counted(
        current.withColumn("as_of", F.lit(as_of)),
        rows=F.count(F.lit(1)),
        **{status: F.sum((F.col("status") == status).cast("long")) for status in STATUSES},
    )
    lakehouse.replace_where(HITS, out, as_of=as_of)
    # the list names analysed tonight, counted by the hits' write, are stored from the cached
    # analysis (no second run of the UDF); a rerun finds them stored and appends nothing
    n_analysed = names.analysed_now_count.get()["n"] or 0
    if n_analysed:
        lakehouse.append(WATCHLIST_NAME_ANALYSIS, names.analysed_now)
    n_screened = _write_state(lakehouse, customers, to_screen, prev_state, as_of)
    counts = written.get()
    n_pairs = names.pair_count.get()["n"]
    run_row = spark.createDataFrame(
        [
            (
                as_of,
                run_id,
                "full" if full else "delta",
                versions,
                n_screened,
                n_pairs,
                counts[OPEN],
            )
        ],
        "as_of date, run_id string, mode string, list_versions array<string>, "
        "customers_screened long, candidate_pairs long, hits_open long",
    )
    lakehouse.replace_where(SCREENING_RUNS, run_row, as_of=as_of)
    for df in (*names.cached, to_screen, customers, entries):
        df.unpersist()
    if prev_hits is not None:
        prev_hits.unpersist()
    result = {
        "rows_out": counts["rows"],
        "customers_screened": n_screened,
        "full_rescreen": int(full),
        "candidate_pairs": n_pairs,
        "list_names_analysed": n_analysed,
        "hits_open": counts[OPEN],
        "hits_suppressed": counts[SUPPRESSED],
        "hits_closed_delisted": counts[CLOSED],
        "name_errors": counts[ERROR],
    }
    log.info(
        "screening as_of=%s run_id=%s %s seconds=%.1f",
        as_of,
        run_id,
        result,
        time.monotonic() - started,
    )
    return result


def _write_state(
    lakehouse: Lakehouse,
    customers: DataFrame,
    screened: DataFrame,
    prev_state: DataFrame | None,
    as_of: date,
) -> int:
    """Snapshot, per customer, the hash its name hits come from and when it was screened;
    returns the customers screened on as_of (counted by the write)."""
    now = screened.select(
        "customer_id",
        F.col("record_hash").alias("customer_hash"),
        F.lit(as_of).alias("screened_as_of"),
    )
    if prev_state is not None:
        kept = (
            prev_state.join(now.select("customer_id"), "customer_id", "left_anti")
            .join(customers.select("customer_id"), "customer_id", "left_semi")
            .select("customer_id", "customer_hash", "screened_as_of")
        )
        now = now.unionByName(kept)
    # a kept row was screened on an earlier date, before the previous run's as_of
    state, counts = counted(
        now.withColumn("as_of", F.lit(as_of)),
        screened=F.sum((F.col("screened_as_of") == F.lit(as_of)).cast("long")),
    )
    lakehouse.replace_where(SCREENING_STATE, state, as_of=as_of)
    return counts.get()["screened"]


def record_decision(
    lakehouse: Lakehouse,
    customer_id: str,
    entry_id: str,
    decision: str,
    analyst: str,
    reason: str = "",
    match_type: str = "name",
    decided_at: datetime | None = None,
) -> dict[str, str]:
    """Record an analyst's decision on the latest hit of (customer, entry, match type).

    The decision remembers the customer and entry hashes of that hit: a false positive then
    suppresses the same hit until either hash changes. Raises when no such hit exists.
    """
    if decision not in DECISIONS:
        raise ValueError(f"decision must be one of {DECISIONS}, got {decision!r}")
    hit = (
        lakehouse.read(HITS)
        .where(
            (F.col("customer_id") == customer_id)
            & (F.col("entry_id") == entry_id)
            & (F.col("match_type") == match_type)
        )
        .orderBy(F.desc("as_of"))
        .limit(1)
        .collect()
    )
    if not hit:
        raise ValueError(f"no {match_type} hit of customer {customer_id} on entry {entry_id}")
    row = {
        "customer_id": customer_id,
        "entry_id": entry_id,
        "match_type": match_type,
        "decision": decision,
        "customer_hash": hit[0]["customer_hash"],
        "entry_hash": hit[0]["entry_hash"],
        "analyst": analyst,
        "reason": reason,
        "decided_at": decided_at or datetime.now(UTC).replace(tzinfo=None),
    }
    df = lakehouse.spark.createDataFrame([row], SCREENING_DECISIONS.schema)
    lakehouse.merge(SCREENING_DECISIONS, df)
    log.info("screening decision recorded match_type=%s decision=%s", match_type, decision)
    return {k: str(v) for k, v in row.items() if k in ("customer_id", "entry_id", "decision")}
