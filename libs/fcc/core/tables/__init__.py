"""The table registry: every logical table declared once.

Look tables up by qualified name (`registry["silver.transactions"]`) or import the spec
constant from its layer module. Paths are built from the lakehouse root, never written out.
"""

import importlib
import pkgutil

from fcc.core.tables import bronze, gold, gold_features, ops, silver, truth
from fcc.core.tables._spec import AMOUNT, LAYERS, USD, TableSpec, col, schema

# Domains that own extra tables declare them in `extra_<domain>.py` modules beside this file.
_EXTRA = [
    importlib.import_module(f"{__name__}.{m.name}")
    for m in pkgutil.iter_modules(__path__)
    if m.name.startswith("extra_")
]

REGISTRY: dict[str, TableSpec] = {
    spec.qualified: spec
    for module in (bronze, silver, gold_features, gold, ops, truth, *_EXTRA)
    for spec in module.ALL
}


def table(qualified: str) -> TableSpec:
    try:
        return REGISTRY[qualified]
    except KeyError:
        raise KeyError(f"unknown table {qualified!r}; known: {sorted(REGISTRY)}") from None


__all__ = [
    "AMOUNT",
    "LAYERS",
    "REGISTRY",
    "USD",
    "TableSpec",
    "col",
    "schema",
    "table",
    "bronze",
    "silver",
    "gold",
    "gold_features",
    "ops",
    "truth",
]
