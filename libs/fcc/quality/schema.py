"""Schema drift of bronze tables: extra columns are ignored with a warning, missing required
columns stop the job with an error naming table and column."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from fcc.core.tables import TableSpec

log = logging.getLogger(__name__)


class SchemaDriftError(ValueError):
    """A bronze table lacks a column ingest requires."""


def conform_bronze(
    df: DataFrame, spec: TableSpec, required: Iterable[str]
) -> tuple[DataFrame, list[str]]:
    """Select the declared columns of a bronze table; returns (frame, warnings).

    A missing required column raises SchemaDriftError. A missing optional column is added
    as null, an extra column is dropped, and a column of another type is cast (invalid
    values become null and are caught by validation); each of these yields a warning.
    """
    present = {f.name: f.dataType for f in df.schema.fields}
    absent = [c for c in required if c not in present]
    if absent:
        cols = ", ".join(absent)
        raise SchemaDriftError(f"{spec.qualified}: required column(s) missing: {cols}")
    warnings: list[str] = []
    extra = [c for c in present if c not in spec.schema.fieldNames()]
    if extra:
        warnings.append(f"{spec.qualified}: extra column(s) ignored: {', '.join(extra)}")
    out = []
    for f in spec.schema.fields:
        if f.name not in present:
            warnings.append(f"{spec.qualified}: optional column {f.name} missing, read as null")
            out.append(F.lit(None).cast(f.dataType).alias(f.name))
        elif present[f.name] != f.dataType:
            warnings.append(
                f"{spec.qualified}: column {f.name} is {present[f.name].simpleString()}, "
                f"expected {f.dataType.simpleString()}; cast"
            )
            out.append(F.col(f.name).try_cast(f.dataType).alias(f.name))
        else:
            out.append(F.col(f.name))
    for w in warnings:
        log.warning("schema drift: %s", w)
    return df.select(out), warnings
