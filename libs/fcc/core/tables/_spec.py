"""TableSpec: one logical table declared once (layer, name, schema, partitioning, keys)."""

from __future__ import annotations

from dataclasses import dataclass, field

from pyspark.sql import types as T

LAYERS = ("bronze", "silver", "gold", "ops", "truth")

# Exact money: amounts in native units keep 18 decimals (ETH wei), USD keeps cents and more.
AMOUNT = T.DecimalType(38, 18)
USD = T.DecimalType(24, 6)


def col(name: str, dtype: T.DataType, doc: str, nullable: bool = True) -> T.StructField:
    """A column with its documentation stored in the field metadata."""
    return T.StructField(name, dtype, nullable, metadata={"doc": doc})


@dataclass(frozen=True)
class TableSpec:
    layer: str
    name: str
    schema: T.StructType
    description: str
    partition_by: tuple[str, ...] = ()
    keys: tuple[str, ...] = ()
    owner: str = "core"
    extra: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.layer not in LAYERS:
            raise ValueError(f"table {self.name}: unknown layer {self.layer!r}")
        names = set(self.schema.fieldNames())
        missing = [c for c in (*self.partition_by, *self.keys) if c not in names]
        if missing:
            raise ValueError(f"table {self.qualified}: keys/partitions not in schema: {missing}")

    @property
    def qualified(self) -> str:
        return f"{self.layer}.{self.name}"

    def path(self, root: str) -> str:
        return f"{root.rstrip('/')}/{self.layer}/{self.name}"


def schema(*fields: T.StructField) -> T.StructType:
    return T.StructType(list(fields))
