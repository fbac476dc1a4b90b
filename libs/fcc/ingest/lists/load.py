"""Landing a parsed list: MERGE into bronze.watchlists, current version into silver.watchlist."""

from __future__ import annotations

import logging
import re
import time
from datetime import UTC, datetime
from pathlib import Path

from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F

from fcc.core.lakehouse import Lakehouse
from fcc.core.tables.bronze import WATCHLISTS
from fcc.core.tables.silver import WATCHLIST
from fcc.ingest.addresses import normalize_address, normalize_chain
from fcc.ingest.lists.detect import parse_list
from fcc.ingest.lists.model import FIELDS, ParsedList

log = logging.getLogger(__name__)

_DATE_VERSION = re.compile(r"^\d{4}(-\d{2}){0,2}$")


def _as_tuple(row: dict) -> tuple:
    """A watchlist row dict as a tuple in schema order (structs as tuples too)."""
    values = dict(row)
    values["names"] = [(n["name"], n["name_type"], n["quality"], n["script"]) for n in row["names"]]
    values["crypto_addresses"] = [(a["chain"], a["address"]) for a in row["crypto_addresses"]]
    return tuple(values[name] for name in FIELDS)


def list_to_dataframe(
    spark: SparkSession, parsed: ParsedList, landed_at: datetime | None = None
) -> DataFrame:
    """The parsed rows as a DataFrame with bronze.watchlists' schema (batch_id, landed_at added)."""
    landed = landed_at or datetime.now(UTC)
    data = [(*_as_tuple(row), parsed.batch_id, landed) for row in parsed.rows]
    return spark.createDataFrame(data, schema=WATCHLISTS.schema)


def load_list(
    spark: SparkSession,
    lakehouse: Lakehouse,
    path: str | Path,
    fmt: str | None = None,
    list_version: str | None = None,
    list_name: str | None = None,
) -> dict:
    """Parse a list file, land it in bronze.watchlists and make it silver's current version.

    Bronze keeps every version (keys entry_id, list_version); only new or changed rows are
    written. Silver keeps one version per list_name: this one, unless a newer dated version
    is already there. Other lists' rows are never touched. Loading the same file again
    writes nothing.

    Spark is asked three things: one small query for what bronze and silver already hold of
    this list (row hashes of this version, silver's versions), then at most one write to
    each table; the comparison itself runs on the driver over at most two hashes per entry.
    """
    started = time.monotonic()
    return load_parsed(spark, lakehouse, parse_list(path, fmt, list_version, list_name), started)


def load_parsed(
    spark: SparkSession, lakehouse: Lakehouse, parsed: ParsedList, started: float | None = None
) -> dict:
    """Land an already parsed list (see load_list); `seconds` counts from `started`."""
    started = time.monotonic() if started is None else started
    now = datetime.now(UTC)
    df = list_to_dataframe(spark, parsed, landed_at=now)
    stored, incoming, held = _held(lakehouse, df, parsed)
    new = [i for i, h in incoming.items() if i not in stored]
    changed = [i for i, h in incoming.items() if i in stored and stored[i] != h]
    if new or changed:
        _write_bronze(lakehouse, df, parsed, set(new + changed), not stored, now)
    silver = _replace_silver(lakehouse, df, parsed, now, bool(new or changed), held)
    result = {
        "list_name": parsed.list_name,
        "list_version": parsed.list_version,
        "format": parsed.fmt,
        "entries": len(parsed.rows),
        "bronze_inserted": len(new),
        "bronze_updated": len(changed),
        "silver": silver,
        "seconds": round(time.monotonic() - started, 1),
    }
    log.info("loaded list %s", result)
    return result


def _row_hash() -> Column:
    return F.sha2(F.to_json(F.struct(*FIELDS)), 256)


def _held(
    lakehouse: Lakehouse, df: DataFrame, parsed: ParsedList
) -> tuple[dict[str, str], dict[str, str], dict[str, int]]:
    """(bronze row hash per entry of this version, the same for the file, silver's row count
    per version of this list), from one Spark job bounded by the list's size."""
    of_list = F.col("list_name") == parsed.list_name
    bronze = (
        lakehouse.read(WATCHLISTS)
        .where(of_list & (F.col("list_version") == parsed.list_version))
        .select(F.lit("b").alias("side"), F.col("entry_id").alias("key"), _row_hash().alias("v"))
    )
    incoming = df.select(F.lit("i").alias("side"), F.col("entry_id").alias("key"), _row_hash())
    silver = (
        lakehouse.read(WATCHLIST)
        .where(of_list)
        .groupBy("list_version")
        .agg(F.count("*").cast("string").alias("v"))
        .select(F.lit("s").alias("side"), F.col("list_version").alias("key"), "v")
    )
    rows = bronze.unionByName(incoming.toDF("side", "key", "v")).unionByName(silver).collect()
    by_side: dict[str, dict] = {"b": {}, "i": {}, "s": {}}
    for side, key, value in rows:
        by_side[side][key] = value
    held = {k: int(v) for k, v in by_side["s"].items()}
    return by_side["b"], by_side["i"], held


def _write_bronze(
    lakehouse: Lakehouse,
    df: DataFrame,
    parsed: ParsedList,
    ids: set[str],
    append: bool,
    landed_at: datetime,
) -> None:
    """Append a version bronze does not hold yet; MERGE the new or changed rows of one it does."""
    if append:
        lakehouse.append(WATCHLISTS, df)
        return
    rows = ParsedList(
        parsed.list_name,
        parsed.list_version,
        [r for r in parsed.rows if r["entry_id"] in ids],
        parsed.fmt,
        parsed.source,
    )
    changed = list_to_dataframe(lakehouse.spark, rows, landed_at=landed_at)
    lakehouse.merge(WATCHLISTS, changed, keys=("entry_id", "list_version"))


def _normalized_addresses(column: str) -> Column:
    """Addresses in silver's canonical form (EVM lower-cased), as the nightly ingest writes them."""
    normalized = F.transform(
        F.col(column),
        lambda a: F.struct(
            normalize_chain(a["chain"]).alias("chain"),
            normalize_address(a["chain"], a["address"]).alias("address"),
        ),
    )
    return F.array_distinct(normalized)


def _is_newer(current: str, candidate: str) -> bool:
    """True when both versions are dates and current is later than candidate."""
    dated = _DATE_VERSION.match(current) and _DATE_VERSION.match(candidate)
    return bool(dated) and current > candidate


def _replace_silver(
    lakehouse: Lakehouse,
    df: DataFrame,
    parsed: ParsedList,
    now: datetime,
    bronze_changed: bool,
    held: dict[str, int],
) -> str:
    """Make this version the list's silver rows; 'replaced', 'unchanged' or 'kept_newer'.

    Only this list's rows are replaced (replaceWhere list_name = this list): every other
    list in silver keeps its rows and version.
    """
    if any(_is_newer(v, parsed.list_version) for v in held if v):
        return "kept_newer"
    if not bronze_changed and held == {parsed.list_version: len(parsed.rows)}:
        # Bronze already held exactly these rows, and silver holds that version in full.
        return "unchanged"
    incoming = df.select(*FIELDS).withColumns(
        {"crypto_addresses": _normalized_addresses("crypto_addresses"), "loaded_at": F.lit(now)}
    )
    lakehouse.replace_where(WATCHLIST, incoming, list_name=parsed.list_name)
    return "replaced"
