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
) -> dict:
    """Parse a list file, MERGE it into bronze.watchlists and make it silver's current version.

    Bronze keeps every version (keys entry_id, list_version); only new or changed rows are
    written. Silver keeps one version per list_name: this one, unless a newer dated version
    is already there. Loading the same file again writes nothing.
    """
    started = time.monotonic()
    parsed = parse_list(path, fmt, list_version)
    now = datetime.now(UTC)
    df = list_to_dataframe(spark, parsed, landed_at=now)
    inserted, updated = _merge_bronze(lakehouse, df, parsed)
    silver = _replace_silver(lakehouse, df, parsed, now, bronze_changed=inserted + updated > 0)
    result = {
        "list_name": parsed.list_name,
        "list_version": parsed.list_version,
        "format": parsed.fmt,
        "entries": len(parsed.rows),
        "bronze_inserted": inserted,
        "bronze_updated": updated,
        "silver": silver,
        "seconds": round(time.monotonic() - started, 1),
    }
    log.info("loaded list %s", result)
    return result


def _of_version(df: DataFrame, parsed: ParsedList) -> DataFrame:
    return df.where(
        (F.col("list_name") == parsed.list_name) & (F.col("list_version") == parsed.list_version)
    )


def _merge_bronze(lakehouse: Lakehouse, df: DataFrame, parsed: ParsedList) -> tuple[int, int]:
    """MERGE the rows whose content is not already in bronze for this version."""
    existing = _of_version(lakehouse.read(WATCHLISTS), parsed).select(*FIELDS)
    changed = df.select(*FIELDS).exceptAll(existing)
    if changed.isEmpty():
        return 0, 0
    landing = df.select("entry_id", "list_version", "batch_id", "landed_at")
    to_write = changed.join(landing, ["entry_id", "list_version"])
    counts = lakehouse.merge(WATCHLISTS, to_write, keys=("entry_id", "list_version"))
    return counts["inserted"], counts["updated"]


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
    lakehouse: Lakehouse, df: DataFrame, parsed: ParsedList, now: datetime, bronze_changed: bool
) -> str:
    """Make this version the list's silver rows; 'replaced', 'unchanged' or 'kept_newer'."""
    current = lakehouse.read(WATCHLIST).where(F.col("list_name") == parsed.list_name)
    held = dict(current.groupBy("list_version").count().limit(100).collect())
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
