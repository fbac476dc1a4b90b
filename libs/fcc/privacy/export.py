"""Pseudonymised copies of tables: keyed HMAC-SHA256 ids, personal columns dropped.

The pseudonym of an id is HMAC-SHA256(key, utf-8 bytes of the id) in lower-case hex, computed
with Spark built-ins (sha2 over the RFC 2104 inner and outer pads), so the same key gives the
same pseudonym in every exported table and joins on customer ids still work.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql import types as T

from fcc.core.lakehouse import Lakehouse

log = logging.getLogger(__name__)

_BLOCK = 64  # SHA-256 block size in bytes
MIN_KEY_BYTES = 16

# columns that identify a person: dropped from every export
_PERSONAL = re.compile(
    r"^(.*_)?(full_name|given_name|family_name|first_name|last_name|middle_name|"
    r"counterparty_name|dob|date_of_birth|birth_date|email|phone|"
    r"street|address_line\d*|postal_address|home_address|residential_address|postcode|raw)$"
)
# id columns replaced by their pseudonym (arrays element by element)
_IDS = re.compile(r"^(.*_)?customer_ids?$")
_ID_VALUES = {"id_value"}  # emails, phones, devices of silver/bronze.identifiers


def is_personal(name: str) -> bool:
    """True for a field that names or identifies a person: dropped or pseudonymised by exports."""
    return bool(_PERSONAL.match(name)) or name in _ID_VALUES


class ExportError(ValueError):
    """Missing or weak key, unknown table or unusable output path."""


def key_from_env(var: str) -> bytes:
    """The HMAC key from environment variable `var` (at least 16 bytes)."""
    value = os.environ.get(var)
    if not value:
        raise ExportError(f"environment variable {var} is not set; it must hold the export key")
    key = value.encode("utf-8")
    if len(key) < MIN_KEY_BYTES:
        raise ExportError(f"the key in {var} is shorter than {MIN_KEY_BYTES} bytes")
    return key


def _pads(key: bytes) -> tuple[bytes, bytes]:
    if len(key) > _BLOCK:
        key = hashlib.sha256(key).digest()
    key = key.ljust(_BLOCK, b"\0")
    return bytes(b ^ 0x36 for b in key), bytes(b ^ 0x5C for b in key)


def hmac_sha256_hex(column: Column, key: bytes) -> Column:
    """HMAC-SHA256(key, utf-8 of column) as lower-case hex; null stays null."""
    inner_pad, outer_pad = _pads(key)
    message = F.encode(column.cast("string"), "UTF-8")
    inner = F.unhex(F.sha2(F.concat(F.lit(inner_pad), message), 256))
    return F.sha2(F.concat(F.lit(outer_pad), inner), 256)


def _is_string_array(dtype: T.DataType) -> bool:
    return isinstance(dtype, T.ArrayType) and isinstance(dtype.elementType, T.StringType)


def pseudonymise(key: bytes):
    """DataFrame -> DataFrame: ids replaced by HMAC pseudonyms, personal columns dropped."""

    def apply(df: DataFrame) -> DataFrame:
        out = []
        for f in df.schema.fields:
            if _PERSONAL.match(f.name):
                continue
            if _IDS.match(f.name) or f.name in _ID_VALUES:
                if _is_string_array(f.dataType):
                    col = F.transform(F.col(f.name), lambda x: hmac_sha256_hex(x, key))
                else:
                    col = hmac_sha256_hex(F.col(f.name), key)
                out.append(col.alias(f.name))
            else:
                out.append(F.col(f.name))
        return df.select(out)

    return apply


def dropped_columns(df: DataFrame) -> list[str]:
    """Columns `pseudonymise` drops from df."""
    return [c for c in df.columns if _PERSONAL.match(c)]


def export_pseudonymised(
    lakehouse: Lakehouse, table: str, out: str, key: bytes, fmt: str = "parquet"
) -> dict[str, int]:
    """Write a pseudonymised copy of a registered table to `out`; returns row and column counts."""
    from fcc.core.tables import REGISTRY

    if table not in REGISTRY:
        raise ExportError(f"unknown table {table!r}; known: {', '.join(sorted(REGISTRY))}")
    if fmt not in ("parquet", "delta"):
        raise ExportError(f"unsupported format {fmt!r}: parquet or delta")
    source = lakehouse.read(table)
    dropped = dropped_columns(source)
    result = source.transform(pseudonymise(key))
    result.write.mode("overwrite").format(fmt).save(out)
    rows = lakehouse.spark.read.format(fmt).load(out).count()
    log.info(
        "exported %s pseudonymised: %d rows, %d columns, %d dropped",
        table,
        rows,
        len(result.columns),
        len(dropped),
    )
    return {"rows": rows, "columns": len(result.columns), "dropped_columns": len(dropped)}
