"""Reading the external file: its columns first (header, footer or first lines), then the rows."""

from __future__ import annotations

import csv
import json

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import types as T

from fcc.imports._fields import CORRUPT
from fcc.imports.mapping import SourceOptions

_JSON_PROBE_LINES = 1000


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
