"""bronze.watchlists -> silver.watchlist: the latest list_version of every list replaces the older one."""

from __future__ import annotations

import logging

from pyspark.sql import DataFrame, Window
from pyspark.sql import functions as F

from fcc.core.tables import bronze, silver
from fcc.ingest._common import IngestContext, r, required, strip
from fcc.ingest.addresses import normalize_address, normalize_chain
from fcc.ingest.engine import (
    Done,
    Prepared,
    existing_rows,
    pending_rows,
    read_bronze,
    with_row_meta,
)
from fcc.quality.reasons import Check, is_missing, is_valid, missing_field, with_reasons

log = logging.getLogger(__name__)

SOURCE = bronze.WATCHLISTS.name
_REQUIRED = ("entry_id", "list_name", "list_version")  # + a name, or at least one crypto address
_COLUMNS = [f.name for f in silver.WATCHLIST.schema.fields]


def _validate(df: DataFrame, ctx: IngestContext) -> DataFrame:
    """Trim keys, upper-case list names, chain-normalise crypto addresses."""
    addresses = F.transform(
        r("crypto_addresses"),
        lambda a: F.struct(
            normalize_chain(a["chain"]).alias("chain"),
            normalize_address(a["chain"], a["address"]).alias("address"),
        ),
    )
    typed = df.withColumns(
        {
            "entry_id": strip(r("entry_id")),
            "list_name": F.upper(strip(r("list_name"))),
            "list_version": strip(r("list_version")),
            "entity_type": F.lower(strip(r("entity_type"))),
            "primary_name": strip(r("primary_name")),
            "names": r("names"),
            "dobs": r("dobs"),
            "nationalities": r("nationalities"),
            "countries": r("countries"),
            "programs": r("programs"),
            "crypto_addresses": addresses,
            "remarks": r("remarks"),
            "loaded_at": F.lit(ctx.now),
        }
    )
    no_address = F.coalesce(F.size(r("crypto_addresses")), F.lit(0)) <= 0
    name_or_address = Check(
        missing_field("primary_name"), is_missing(r("primary_name")) & no_address
    )
    return typed.transform(with_reasons([*required(*_REQUIRED), name_or_address]))


def _classify(checked: DataFrame, stored: DataFrame) -> DataFrame:
    """Outcome per row: rows of an older version than the list's newest are duplicates."""
    current = stored.groupBy("list_name").agg(F.max("list_version").alias("_stored_version"))
    good = checked.where(is_valid())
    target = (
        good.groupBy("list_name")
        .agg(F.max("list_version").alias("_pending_version"))
        .join(current, "list_name", "left")
        .withColumn("_target", F.greatest("_pending_version", "_stored_version"))
        .withColumn(
            "_replace", F.coalesce(F.col("_target") > F.col("_stored_version"), F.lit(True))
        )
    )
    w = Window.partitionBy("entry_id", "_current").orderBy("_landed", "batch_id", "_row_hash")
    existing = stored.select("entry_id", F.lit(True).alias("_exists"))
    ranked = (
        good.join(target.select("list_name", "_target", "_replace"), "list_name")
        .withColumn("_current", F.col("list_version") == F.col("_target"))
        .withColumn("_rank", F.when(F.col("_current"), F.row_number().over(w)))
        .join(existing, "entry_id", "left")
    )
    outcome = (
        F.when(~F.col("_current") | (F.col("_rank") > 1), "duplicate")
        .when(F.col("_exists").isNull(), "inserted")
        .when(F.col("_replace"), "updated")
        .otherwise("duplicate")
    )
    good_out = ranked.withColumn("_outcome", outcome).drop(
        "_target", "_current", "_rank", "_exists"
    )
    bad = checked.where(~is_valid()).withColumn("_outcome", F.lit("quarantined"))
    return good_out.unionByName(bad, allowMissingColumns=True)


def prepare_watchlists(ctx: IngestContext, done: Done | None = None) -> Prepared:
    """Pending watchlist batches, validated and classified, checkpointed lazily (not counted)."""
    bronze_df, warnings = read_bronze(ctx, bronze.WATCHLISTS, _REQUIRED)
    pending = pending_rows(bronze_df, ctx, SOURCE, done=done)  # no clock: nothing is deferred
    checked = _validate(
        pending.transform(with_row_meta(bronze.WATCHLISTS, ctx.settings.redact_raw)), ctx
    )
    rows = _classify(checked, existing_rows(ctx, silver.WATCHLIST)).localCheckpoint(eager=False)
    return Prepared(SOURCE, rows=rows, warnings=warnings)


def write_watchlists(ctx: IngestContext, p: Prepared) -> None:
    """A list whose version moved on is replaced whole; same-version additions are merged.

    The lists and whether each is replaced come from the counts of the accepted rows.
    """
    plans = {(x.list_name, x.replace) for x in p.accepted_parts()}
    accepted = p.accepted()
    for list_name, replace in sorted(plans):
        part = accepted.where(F.col("list_name") == list_name).select(_COLUMNS)
        if replace:
            ctx.lakehouse.replace_where(silver.WATCHLIST, part, list_name=list_name)
        else:
            ctx.lakehouse.merge(silver.WATCHLIST, part, update=False, metrics=False)
        log.info("ingest watchlists: list %s replace=%s", list_name, replace)
