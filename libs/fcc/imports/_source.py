"""Reading the external file: its columns first (header, footer or first lines), then the rows."""

from __future__ import annotations

import csv
import json
import re

from pyspark.sql import DataFrame, SparkSession, Window
from pyspark.sql import functions as F
from pyspark.sql import types as T

from fcc.imports._fields import CORRUPT
from fcc.imports.mapping import SourceOptions

_JSON_PROBE_LINES = 1000
# Columns the patterns format adds to every row of a laundering attempt.
PATTERN_COLUMNS = ("attempt", "pattern")
_BEGIN = r"^\s*BEGIN LAUNDERING ATTEMPT\s*-\s*([A-Za-z-]+)"
_END = r"^\s*END LAUNDERING ATTEMPT"


class ImportFileError(ValueError):
    """The file to import is missing, empty or not in the expected format (bad input)."""


def _first_error_line(exc: Exception) -> str:
    lines = [x.strip() for x in str(exc).splitlines() if x.strip()]
    return lines[0] if lines else type(exc).__name__


def _csv_header(spark: SparkSession, path: str, opts: SourceOptions) -> list[str]:
    first = spark.read.option("encoding", opts.encoding).text(path).first()
    if first is None or not first[0].strip():
        raise ImportFileError(f"{path}: empty file, expected a header line")
    line = first[0].lstrip("\ufeff")
    return next(csv.reader([line], **_csv_dialect(opts)))


def _csv_dialect(opts: SourceOptions) -> dict:
    """Python csv settings equal to the mapping's quote and escape (for the header line)."""
    if opts.escape == opts.quote:
        return {"delimiter": opts.delimiter, "quotechar": opts.quote, "doublequote": True}
    return {
        "delimiter": opts.delimiter,
        "quotechar": opts.quote,
        "doublequote": False,
        "escapechar": opts.escape,
    }


def source_schema(spark: SparkSession, path: str, fmt: str, opts: SourceOptions) -> T.StructType:
    """The file's columns without reading its rows (CSV header line, Parquet footer, JSON lines)."""
    if fmt == "patterns":
        if not opts.columns:
            raise ImportFileError(
                f"{path}: the patterns format has no header; name the row columns with "
                "source.columns in the mapping"
            )
        names = [*opts.columns, *PATTERN_COLUMNS]
        return T.StructType([T.StructField(n, T.StringType()) for n in names])
    try:
        if fmt == "parquet":
            return spark.read.parquet(path).schema
        if fmt == "json":
            return _json_schema(spark, path)
        header = _csv_header(spark, path, opts)
    except ImportFileError:
        raise
    except Exception as exc:  # missing path, unreadable file
        raise ImportFileError(f"{path}: cannot read as {fmt}: {_first_error_line(exc)}") from None
    names = header
    if opts.columns is not None:
        if opts.header and len(header) != len(opts.columns):
            raise ImportFileError(
                f"{path}: header has {len(header)} columns, the mapping's source.columns "
                f"names {len(opts.columns)}"
            )
        names = opts.columns
    elif not opts.header:
        raise ImportFileError(f"{path}: a CSV without header needs source.columns in the mapping")
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise ImportFileError(
            f"{path}: duplicate column name(s) {dupes}; name the columns in file order "
            "with source.columns in the mapping"
        )
    return T.StructType([T.StructField(n, T.StringType()) for n in names])


def _json_schema(spark: SparkSession, path: str) -> T.StructType:
    lines = spark.read.text(path).limit(_JSON_PROBE_LINES).collect()  # bounded probe
    names: list[str] = []
    for row in lines:
        text = row[0].strip()
        if not text:
            continue
        try:
            obj = json.loads(text)
        except json.JSONDecodeError:
            continue  # a malformed line is quarantined by the full read
        if isinstance(obj, dict):
            names += [k for k in obj if k not in names]
    if not names:
        raise ImportFileError(f"{path}: no JSON objects (one per line) in the first lines")
    return T.StructType([T.StructField(n, T.StringType()) for n in names])


def read_source(
    spark: SparkSession, path: str, fmt: str, opts: SourceOptions, schema: T.StructType
) -> DataFrame:
    """All rows; CSV and JSON as strings with `_corrupt_record` set on malformed lines."""
    if fmt == "parquet":
        return spark.read.parquet(path)
    if fmt == "patterns":
        return _read_patterns(spark, path, opts, schema)
    full = T.StructType([*schema.fields, T.StructField(CORRUPT, T.StringType())])
    reader = (
        spark.read.schema(full)
        .option("mode", "PERMISSIVE")
        .option("columnNameOfCorruptRecord", CORRUPT)
    )
    if fmt == "json":
        return reader.json(path)
    return (
        reader.option("header", opts.header)
        .option("enforceSchema", True)
        .option("sep", opts.delimiter)
        .option("quote", opts.quote)
        .option("escape", opts.escape)
        .option("multiLine", opts.multiline)
        .option("encoding", opts.encoding)
        .csv(path)
    )


def _read_patterns(
    spark: SparkSession, path: str, opts: SourceOptions, schema: T.StructType
) -> DataFrame:
    """Rows of AMLworld's patterns file, each with its attempt number and pattern family.

    The file is blocks of `BEGIN LAUNDERING ATTEMPT - <FAMILY>[: detail]`, CSV rows in the
    transactions layout, `END LAUNDERING ATTEMPT ...`. A row outside any block, or with the
    wrong number of fields, is a malformed record.
    """
    columns = [f.name for f in schema.fields if f.name not in PATTERN_COLUMNS]
    lines = (
        spark.read.option("encoding", opts.encoding)
        .text(path)
        .withColumn("__line_no", F.monotonically_increasing_id())
    )
    in_order = Window.orderBy("__line_no").rowsBetween(Window.unboundedPreceding, 0)
    family = F.regexp_extract(F.col("value"), _BEGIN, 1)
    begin = F.col("value").rlike(_BEGIN)
    end = F.col("value").rlike(_END)
    # the attempt a line belongs to: BEGIN lines so far; closed after its END line
    marked = lines.select(
        "value",
        "__line_no",
        F.sum(begin.cast("int")).over(in_order).alias("__attempt"),
        F.sum(end.cast("int")).over(in_order).alias("__ended"),
        F.last(F.when(begin, F.upper(family)), ignorenulls=True).over(in_order).alias("pattern"),
        begin.alias("__begin"),
        end.alias("__end"),
    )
    rows = marked.where(~F.col("__begin") & ~F.col("__end") & (F.trim("value") != ""))
    inside = F.col("__attempt") > F.col("__ended")
    parts = F.split(F.col("value"), F.lit(re.escape(opts.delimiter)), -1)
    ok = inside & (F.size(parts) == len(columns))
    return rows.select(
        *[F.try_element_at(parts, F.lit(i + 1)).alias(c) for i, c in enumerate(columns)],
        F.when(inside, F.col("__attempt").cast("string")).alias("attempt"),
        F.when(inside, F.col("pattern")).alias("pattern"),
        F.when(~ok, F.col("value")).alias(CORRUPT),
    )
