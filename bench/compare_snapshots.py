"""Compare two `bench_steps.py --snapshot` folders table by table: is detection unchanged?

    python bench/compare_snapshots.py /tmp/snap/before /tmp/snap/after

Rows are matched on each table's key; the output names the rows only one side has and, for
matched rows, how many differ in each column (with two examples). Exit status 1 when any differ.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

KEYS = {
    "gold.alerts": ["customer_id", "case_type"],
    "gold.risk_scores": ["customer_id"],
    "gold.rule_hits": ["hit_id"],
    "gold.screening_hits": ["hit_id"],
    "ops.metrics": ["family", "subject", "metric"],
}


def compare_table(before: pd.DataFrame, after: pd.DataFrame, keys: list[str]) -> list[str]:
    """Lines describing the differences of one table; empty when identical."""
    both = before.merge(after, on=keys, how="outer", suffixes=("_a", "_b"), indicator=True)
    lines = []
    for side, label in (("left_only", "before only"), ("right_only", "after only")):
        rows = both[both["_merge"] == side]
        if len(rows):
            lines.append(f"  {label}: {len(rows)}, e.g. {rows[keys].head(3).values.tolist()}")
    matched = both[both["_merge"] == "both"]
    for col in [c for c in before.columns if c in after.columns and c not in keys]:
        differ = matched[matched[f"{col}_a"] != matched[f"{col}_b"]]
        if len(differ):
            examples = [
                f"{r[keys].tolist()}: {str(r[col + '_a'])[:80]} -> {str(r[col + '_b'])[:80]}"
                for _, r in differ.head(2).iterrows()
            ]
            lines.append(f"  {col} differs on {len(differ)} rows, e.g. {'; '.join(examples)}")
    return lines


def main(argv: list[str] | None = None) -> int:
    before, after = (Path(p) for p in (argv or sys.argv[1:]))
    changed = False
    for table, keys in KEYS.items():
        a = pd.read_parquet(before / f"{table}.parquet")
        b = pd.read_parquet(after / f"{table}.parquet")
        lines = compare_table(a, b, keys)
        changed |= bool(lines)
        print(f"{table}: {len(a)} -> {len(b)} rows, {'differ' if lines else 'identical'}")
        for line in lines:
            print(line)
    return 1 if changed else 0


if __name__ == "__main__":
    raise SystemExit(main())
